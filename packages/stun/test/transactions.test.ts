import { describe, expect, it } from "vitest";
import { type Address, SeededRandom } from "@tsrtc/base";
import {
  ErrorCode,
  StunBuilder,
  StunClass,
  StunMessage,
  StunMethod,
  StunTransactions,
  type StunTransactionEvent,
  newTransactionId,
  transactionKey,
} from "../src/index.js";

const rng = new SeededRandom(42);
const SERVER: Address = { family: 4, host: "192.0.2.1", port: 3478 };
const OTHER: Address = { family: 6, host: "2001:db8::9", port: 19302 };

function request(txid = newTransactionId(rng)): Uint8Array {
  return new StunBuilder().begin(StunMethod.Binding, StunClass.Request, txid).software("t").fingerprint().finish();
}

function response(req: Uint8Array, cls: number = StunClass.SuccessResponse, code?: number): StunMessage {
  const b = new StunBuilder().begin(StunMethod.Binding, cls, req.subarray(8, 20));
  if (code !== undefined) b.errorCode(code, "x");
  else b.xorMappedAddress({ family: 4, host: "198.51.100.4", port: 1234 });
  return StunMessage.decode(b.finish());
}

/** Run the table on a virtual clock (plain numbers) until idle; returns send times and events. */
function drive<C>(t: StunTransactions<C>, until = Infinity) {
  const sends: { at: number; to: Address; data: Uint8Array }[] = [];
  const events: { at: number; ev: StunTransactionEvent<C> }[] = [];
  const drain = (now: number) => {
    for (let x = t.pollTransmit(); x; x = t.pollTransmit()) sends.push({ at: now, to: x.to, data: x.data });
    for (let e = t.pollEvent(); e; e = t.pollEvent()) events.push({ at: now, ev: e });
  };
  drain(0);
  for (let next = t.pollTimeout(); next !== undefined && next <= until; next = t.pollTimeout()) {
    t.handleTimeout(next);
    drain(next);
  }
  return { sends, events };
}

describe("RFC 8489 §6.2.1 retransmission schedule", () => {
  it("defaults: RTO 500 ms doubling, Rc = 7 requests, timeout Rm * RTO = 8 s after the last", () => {
    const t = new StunTransactions<string>();
    const req = request();
    const key = t.start(0, { to: SERVER, data: req, context: "ctx" });
    expect(key).toBe(transactionKey(req));
    const { sends, events } = drive(t);
    expect(sends.map((s) => s.at)).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    for (const s of sends) {
      expect(Buffer.from(s.data).equals(Buffer.from(req))).toBe(true);
      expect(s.to).toEqual(SERVER);
    }
    expect(events).toEqual([{ at: 39500, ev: { type: "timeout", key, to: SERVER, context: "ctx" } }]);
    expect(t.size).toBe(0);
    expect(t.pollTimeout()).toBeUndefined();
  });

  it("configurable RTO, Rc, Rm and a cap on the interval", () => {
    const t = new StunTransactions<number>({ rto: 100 });
    t.start(0, { to: SERVER, data: request(), context: 1, rc: 4, rm: 3 });
    const { sends, events } = drive(t);
    expect(sends.map((s) => s.at)).toEqual([0, 100, 300, 700]);
    expect(events.map((e) => e.at)).toEqual([1000]);

    const capped = new StunTransactions<number>({ rto: 100, maxRto: 250 });
    capped.start(0, { to: SERVER, data: request(), context: 2, rc: 5, rm: 1 });
    const r = drive(capped);
    expect(r.sends.map((s) => s.at)).toEqual([0, 100, 300, 550, 800]);
    expect(r.events.map((e) => e.at)).toEqual([900]);
  });

  it("copies the request: the caller may reuse its builder", () => {
    const b = new StunBuilder().begin(StunMethod.Binding, StunClass.Request, newTransactionId(rng));
    const t = new StunTransactions<undefined>();
    const original = b.finish();
    t.start(0, { to: SERVER, data: b.view(), context: undefined });
    b.begin(StunMethod.Binding, StunClass.Request, newTransactionId(rng));
    const { sends } = drive(t, 600);
    expect(sends.map((s) => Buffer.from(s.data).equals(Buffer.from(original)))).toEqual([true, true]);
  });

  it("early and repeated handleTimeout calls change nothing", () => {
    const t = new StunTransactions<undefined>();
    const req = request();
    t.start(0, { to: SERVER, data: req, context: undefined });
    t.pollTransmit();
    t.handleTimeout(10);
    t.handleTimeout(499);
    expect(t.pollTransmit()).toBeUndefined();
    expect(t.pollTimeout()).toBe(500);
    t.handleTimeout(500);
    t.handleTimeout(500);
    const again = t.pollTransmit()!;
    expect(again.to).toEqual(SERVER);
    expect(Buffer.from(again.data).equals(Buffer.from(req))).toBe(true);
    expect(t.pollTransmit()).toBeUndefined();
    expect(t.pollTimeout()).toBe(1500);
  });
});

describe("matching responses", () => {
  it("a success response ends its transaction with the response, source, context and RTT", () => {
    const t = new StunTransactions<{ pair: number }>();
    const req = request();
    const key = t.start(1000, { to: SERVER, data: req, context: { pair: 7 } });
    t.pollTransmit();
    const res = response(req);
    expect(t.context(res.transactionKey)).toEqual({ pair: 7 });
    expect(t.handleResponse(res, SERVER, 1042)).toBe(true);
    const ev = t.pollEvent();
    expect(ev).toMatchObject({ type: "success", key, from: SERVER, context: { pair: 7 }, rtt: 42 });
    if (ev?.type === "success") expect(ev.response.xorMappedAddress()?.host).toBe("198.51.100.4");
    expect(t.size).toBe(0);
    expect(t.pollTimeout()).toBeUndefined();
    // A duplicate (retransmitted) response no longer matches.
    expect(t.handleResponse(res, SERVER, 1050)).toBe(false);
  });

  it("the event keeps its own copy of the response (callers reuse StunMessage and buffers)", () => {
    const t = new StunTransactions<undefined>();
    const req = request();
    t.start(0, { to: SERVER, data: req, context: undefined });
    const res = response(req);
    t.handleResponse(res, SERVER, 1);
    res.data.fill(0);
    res.parse(response(request()).data);
    const ev = t.pollEvent();
    expect(ev?.type === "success" && ev.response.xorMappedAddress()?.port).toBe(1234);
    expect(ev?.type === "success" && ev.response.transactionKey).toBe(transactionKey(req));
  });

  it("RTT is undefined once the request was retransmitted (Karn)", () => {
    const t = new StunTransactions<undefined>();
    const req = request();
    t.start(0, { to: SERVER, data: req, context: undefined });
    t.handleTimeout(500);
    t.handleResponse(response(req), SERVER, 600);
    expect(t.pollEvent()).toMatchObject({ type: "success", rtt: undefined });
  });

  it("an error response ends it with its ERROR-CODE", () => {
    const t = new StunTransactions<string>();
    const req = request();
    t.start(0, { to: SERVER, data: req, context: "c" });
    expect(t.handleResponse(response(req, StunClass.ErrorResponse, ErrorCode.RoleConflict), SERVER, 5)).toBe(true);
    expect(t.pollEvent()).toMatchObject({ type: "error", code: 487, reason: "x", context: "c" });
  });

  it("ignores unknown transaction ids and non-response classes", () => {
    const t = new StunTransactions<undefined>();
    const req = request();
    t.start(0, { to: SERVER, data: req, context: undefined });
    expect(t.handleResponse(response(request()), SERVER, 1)).toBe(false);
    const asRequest = StunMessage.decode(req);
    expect(t.handleResponse(asRequest, SERVER, 1)).toBe(false);
    expect(t.size).toBe(1);
    expect(t.pollEvent()).toBeUndefined();
  });

  it("serves many destinations with their own pacing and contexts (an ICE agent's checks)", () => {
    const t = new StunTransactions<string>();
    const a = request();
    const b = request();
    const c = request();
    const local: Address = { family: 4, host: "10.0.0.2", port: 5000 };
    t.start(0, { to: SERVER, data: a, context: "a", rto: 100 });
    t.start(0, { to: OTHER, data: b, context: "b", rto: 300, from: local });
    t.start(50, { to: SERVER, data: c, context: "c" });
    expect(t.pollTimeout()).toBe(100);
    const first = [t.pollTransmit(), t.pollTransmit(), t.pollTransmit()];
    expect(first.map((x) => x?.to)).toEqual([SERVER, OTHER, SERVER]);
    expect(first[1]?.from).toEqual(local);
    t.handleResponse(response(b), OTHER, 120);
    expect(t.pollEvent()).toMatchObject({ type: "success", context: "b" });
    expect(t.cancel(transactionKey(c))).toBe(true);
    const { sends, events } = drive(t);
    expect(new Set(sends.map((s) => transactionKey(s.data)))).toEqual(new Set([transactionKey(a)]));
    expect(events.map((e) => e.ev.context)).toEqual(["a"]);
  });

  it("rejects misuse: non-request bytes, a duplicate id, bad options", () => {
    const t = new StunTransactions<undefined>();
    const req = request();
    t.start(0, { to: SERVER, data: req, context: undefined });
    expect(() => t.start(0, { to: SERVER, data: req, context: undefined })).toThrow(/already pending/);
    const resp = response(request()).data;
    expect(() => t.start(0, { to: SERVER, data: resp, context: undefined })).toThrow(TypeError);
    expect(() => new StunTransactions({ rto: 0 })).toThrow(RangeError);
    expect(() => t.start(0, { to: SERVER, data: request(), context: undefined, rc: 0 })).toThrow(RangeError);
  });
});

describe("stopRetransmitting: quiet, but the answer still counts", () => {
  it("sends nothing more, completes on a late answer, and ends without an event after the wait", () => {
    const t = new StunTransactions<string>();
    const req = request();
    const key = t.start(0, { to: SERVER, data: req, context: "quiet" });
    t.handleTimeout(500); // one retransmission
    expect(t.stopRetransmitting(key, 600, 2000)).toBe(true);
    expect(t.stopRetransmitting("nope", 600, 2000)).toBe(false);
    expect(t.pollTimeout()).toBe(2600);
    const { sends } = drive(t, 2599);
    expect(sends).toHaveLength(2); // the first send and the retransmission at 500 only
    expect(t.handleResponse(response(req), SERVER, 2500)).toBe(true);
    const e = t.pollEvent()!;
    expect(e.type).toBe("success");
    expect(e.context).toBe("quiet");
    expect(t.size).toBe(0);

    // Unanswered: it ends silently at the deadline (no timeout event), and a later answer is unmatched.
    const req2 = request();
    const key2 = t.start(3000, { to: SERVER, data: req2, context: "silent" });
    t.stopRetransmitting(key2, 3000, 1000);
    const run = drive(t);
    expect(run.sends).toHaveLength(1);
    expect(run.events).toEqual([]);
    expect(t.size).toBe(0);
    expect(t.handleResponse(response(req2), SERVER, 4500)).toBe(false);
  });
});

describe("RFC 8489 §6.3.3: a success response with unknown comprehension-required attributes", () => {
  it("fails the transaction (error event, code 0) instead of succeeding", () => {
    const t = new StunTransactions<string>();
    const req = request();
    t.start(0, { to: SERVER, data: req, context: "c" });
    const resp = new StunBuilder()
      .begin(StunMethod.Binding, StunClass.SuccessResponse, req.subarray(8, 20))
      .xorMappedAddress({ family: 4, host: "198.51.100.4", port: 1234 })
      .bytes(0x7f42, new Uint8Array(4))
      .finish();
    expect(t.handleResponse(StunMessage.decode(resp), SERVER, 10)).toBe(true);
    const e = t.pollEvent()!;
    expect(e.type).toBe("error");
    expect(e.type === "error" && e.code).toBe(0);
    // An unknown comprehension-optional attribute is fine.
    const req2 = request();
    t.start(0, { to: SERVER, data: req2, context: "d" });
    const ok = new StunBuilder()
      .begin(StunMethod.Binding, StunClass.SuccessResponse, req2.subarray(8, 20))
      .bytes(0xc0ff, new Uint8Array(4))
      .finish();
    t.handleResponse(StunMessage.decode(ok), SERVER, 10);
    expect(t.pollEvent()!.type).toBe("success");
  });
});
