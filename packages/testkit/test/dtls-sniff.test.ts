import { address } from "@tsrtc/base";
import { describe, expect, it } from "vitest";
import {
  DtlsFlightTracker,
  Network,
  dropWhere,
  dtlsFlight,
  dtlsFlightOf,
  dtlsHandshakes,
  dtlsNthFlight,
  dtlsRecords,
  isDtls,
  isDtlsHandshake,
} from "../src/index.js";
import { handshakeDatagrams, record } from "./dtls-wire.js";

const CLIENT = address("10.0.0.1", 5000);
const SERVER = address("10.0.0.2", 5000);

describe("DTLS sniffers", () => {
  const d = handshakeDatagrams();

  it("classify by first byte as RFC 7983 does", () => {
    expect(isDtls(Uint8Array.of(19))).toBe(false);
    expect(isDtls(Uint8Array.of(20))).toBe(true);
    expect(isDtls(Uint8Array.of(63))).toBe(true);
    expect(isDtls(Uint8Array.of(64))).toBe(false);
    expect(isDtls(new Uint8Array(0))).toBe(false);
  });

  it("read record and handshake headers, including fragments", () => {
    expect(dtlsRecords(d.f4a).map((r) => [r.contentType, r.epoch, r.sequence, r.length])).toEqual([
      [22, 0, 1, 82],
      [22, 0, 2, 1012],
    ]);
    expect(dtlsRecords(record(23, 3, 2 ** 40 + 5, new Uint8Array(2)))[0]).toMatchObject({ epoch: 3, sequence: 2 ** 40 + 5 });
    const hs = dtlsHandshakes(d.f4b);
    expect(hs.map((h) => h.type)).toEqual([11, 12, 13, 14]);
    expect(hs[0]).toMatchObject({ length: 1500, messageSeq: 2, fragmentOffset: 1000, fragmentLength: 500, encrypted: false });
    expect(dtlsHandshakes(d.f5b)).toMatchObject([{ type: 20, epoch: 1, encrypted: true }]);
    expect(dtlsHandshakes(d.app)).toEqual([]);
  });

  it("stop at a truncated record", () => {
    expect(dtlsRecords(d.f4a.subarray(0, d.f4a.length - 1)).length).toBe(1);
    expect(dtlsHandshakes(d.ch1.subarray(0, 20))).toEqual([]);
  });

  it("match handshake message types", () => {
    expect(isDtlsHandshake()(d.ch1)).toBe(true);
    expect(isDtlsHandshake(1)(d.ch1)).toBe(true);
    expect(isDtlsHandshake(2)(d.ch1)).toBe(false);
    expect(isDtlsHandshake(14)(d.f4b)).toBe(true);
    expect(isDtlsHandshake(20)(d.f6)).toBe(true);
    expect(isDtlsHandshake(20)(d.f5a)).toBe(false);
    expect(isDtlsHandshake()(d.app)).toBe(false);
    expect(isDtlsHandshake()(Uint8Array.of(0, 1, 0, 0))).toBe(false);
  });

  it("name each datagram's RFC 6347 flight from its sender's role", () => {
    expect(dtlsFlightOf(d.ch1, "client")).toBe(1);
    expect(dtlsFlightOf(d.hvr, "server")).toBe(2);
    expect(dtlsFlightOf(d.ch2, "client")).toBe(3);
    expect(dtlsFlightOf(d.f4a, "server")).toBe(4);
    expect(dtlsFlightOf(d.f4b, "server")).toBe(4);
    expect(dtlsFlightOf(d.f5a, "client")).toBe(5);
    expect(dtlsFlightOf(d.f5b, "client")).toBe(5);
    expect(dtlsFlightOf(d.f6, "server")).toBe(6);
    expect(dtlsFlightOf(d.app, "server")).toBeUndefined();
  });
});

describe("DtlsFlightTracker", () => {
  it("numbers flights, transmissions and first datagrams through a handshake with retransmissions", () => {
    const d = handshakeDatagrams();
    const t = new DtlsFlightTracker();
    const seen = (x: Uint8Array, from = CLIENT) => {
      const i = t.observe(x, from);
      return i && `${i.sender[0]}${i.flight}.${i.ordinal}.t${i.transmission}${i.first ? "*" : ""}`;
    };
    expect([
      seen(d.ch1),
      seen(d.hvr, SERVER),
      seen(d.ch2),
      seen(d.f4a, SERVER),
      seen(d.f4b, SERVER),
      seen(d.f5a),
      seen(d.f5b),
      seen(d.f4a, SERVER), // the server did not get flight 5 yet and retransmits
      seen(d.f4b, SERVER),
      seen(d.f5a), // the client answers the retransmission
      seen(d.f5b),
      seen(d.f6, SERVER),
      seen(d.f6, SERVER), // lost, resent
      seen(d.app, SERVER),
    ]).toEqual([
      "c1.1.t1*",
      "s2.2.t1*",
      "c3.3.t1*",
      "s4.4.t1*",
      "s4.4.t1",
      "c5.5.t1*",
      "c5.5.t1",
      "s4.4.t2*",
      "s4.4.t2",
      "c5.5.t2*",
      "c5.5.t2",
      "s6.6.t1*",
      "s6.6.t2*",
      undefined,
    ]);
  });

  it("orders flights by appearance without a cookie exchange", () => {
    const d = handshakeDatagrams(false);
    const t = new DtlsFlightTracker();
    const order = [
      t.observe(d.ch1, CLIENT),
      t.observe(d.f4a, SERVER),
      t.observe(d.f4b, SERVER),
      t.observe(d.f5a, CLIENT),
      t.observe(d.f5b, CLIENT),
      t.observe(d.f6, SERVER),
    ].map((i) => [i!.flight, i!.ordinal]);
    expect(order).toEqual([[1, 1], [4, 2], [4, 2], [5, 3], [5, 3], [6, 4]]);
  });
});

describe("DTLS flight filters on a network", () => {
  /** Send the handshake datagrams in order; returns the labels that arrived. */
  function play(filter: ReturnType<typeof dropWhere>, withCookie = true, script?: string[]): string[] {
    const d = handshakeDatagrams(withCookie) as Record<string, Uint8Array>;
    const n = new Network({ seed: 1 });
    n.bind(CLIENT);
    n.bind(SERVER);
    n.addFilter(filter);
    const labels = new Map<number, string>();
    const order = script ?? (withCookie ? ["ch1", "hvr", "ch2", "f4a", "f4b", "f5a", "f5b", "f4a", "f4b", "f5a", "f5b", "f6"] : ["ch1", "f4a", "f4b", "f5a", "f5b", "f6"]);
    order.forEach((k, i) => {
      const fromServer = ["hvr", "f4a", "f4b", "f6"].includes(k);
      const seq = n.send(fromServer ? SERVER : CLIENT, fromServer ? CLIENT : SERVER, d[k], i);
      labels.set(seq, `${k}#${i}`);
    });
    const out: string[] = [];
    for (let a = n.popArrival(Infinity); a; a = n.popArrival(Infinity)) out.push(labels.get(a.seq)!);
    return out;
  }

  it("drops the whole first transmission of flight 4 and nothing else", () => {
    const f = dropWhere(dtlsFlight(4, { transmission: 1 }), Infinity);
    expect(play(f)).toEqual(["ch1#0", "hvr#1", "ch2#2", "f5a#5", "f5b#6", "f4a#7", "f4b#8", "f5a#9", "f5b#10", "f6#11"]);
    expect(f.dropped).toBe(2);
  });

  it("drops only the first datagram of flight 5, once", () => {
    const f = dropWhere(dtlsFlight(5));
    expect(play(f)).not.toContain("f5a#5");
    expect(play(dropWhere(dtlsFlight(5)))).toHaveLength(11);
  });

  it("drops the third flight by order of appearance (the client's Finished flight without a cookie)", () => {
    const f = dropWhere(dtlsNthFlight(3, { firstDatagramOnly: true }), Infinity);
    expect(play(f, false)).toEqual(["ch1#0", "f4a#1", "f4b#2", "f5b#4", "f6#5"]);
    expect(f.dropped).toBe(1);
  });
});
