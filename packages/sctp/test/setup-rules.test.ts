/**
 * Setup and packet rules left over from the restart work: an INIT ACK with Initiate Tag 0 (RFC 9260
 * §3.3.3), the chunks that must travel alone (§6.10), bufferedAmount of channels a restart or an
 * ABORT ends (W3C webrtc-pc), and the Cookie Preservative (§3.3.2.1, §5.2.6).
 */
import { describe, expect, it } from "vitest";
import { CAPS, chunksOf, events, make, packet, pump, take, takeAll } from "./by-hand.js";
import { SctpAssociation, type SctpOptions } from "../src/association.js";
import { ChunkType, ErrorCause, ParamType, Ppid } from "../src/constants.js";
import { decodeCauses, encodeAbort, encodeCookieEcho, encodeEmpty, encodeError, encodeHeartbeat } from "../src/chunks/control.js";
import { decodeInit, encodeInit } from "../src/chunks/init.js";
import type { DataChannelEvent } from "../src/datachannel/channel.js";
import { DataChannelTable } from "../src/datachannel/table.js";
import { type RawChunk, encodeChunk, readU32 } from "../src/packet.js";
import { summarizeInitParams } from "../src/params/init-params.js";
import type { Param } from "../src/params/param.js";

function established(optsA: Partial<SctpOptions> = {}, optsB: Partial<SctpOptions> = {}) {
  const a = make(11, optsA);
  const b = make(22, optsB);
  a.connect(0);
  pump(a, b, 0);
  expect(a.isEstablished && b.isEstablished).toBe(true);
  events(a);
  events(b);
  return { a, b };
}

function initOf(p: Uint8Array) {
  const c = chunksOf(p)[0];
  expect(c.type).toBe(ChunkType.INIT);
  return decodeInit(c.type, c.value);
}

function initAck(fields: Partial<{ tag: number; os: number; mis: number; cookie: boolean }> = {}): Uint8Array {
  const params: Param[] = [...CAPS];
  if (fields.cookie ?? true) params.push({ type: ParamType.STATE_COOKIE, value: new Uint8Array(60).fill(7) });
  return encodeInit({
    type: ChunkType.INIT_ACK,
    initiateTag: fields.tag ?? 0x2345678,
    aRwnd: 65536,
    outStreams: fields.os ?? 16,
    inStreams: fields.mis ?? 16,
    initialTsn: 1000,
    params,
  });
}

function rawInit(tag: number, extra: Param[] = []): Uint8Array {
  return encodeInit({ type: ChunkType.INIT, initiateTag: tag, aRwnd: 65536, outStreams: 16, inStreams: 16, initialTsn: 5, params: [...CAPS, ...extra] });
}

function preservative(ms: number): Param {
  const v = new Uint8Array(4);
  new DataView(v.buffer).setUint32(0, ms);
  return { type: ParamType.COOKIE_PRESERVATIVE, value: v };
}

/** a in COOKIE-WAIT, and the tag its INIT ACK must carry. */
function cookieWait(opts: Partial<SctpOptions> = {}) {
  const a = make(11, opts);
  a.connect(0);
  const tag = initOf(take(a)).initiateTag;
  return { a, tag };
}

describe("INIT ACK with bad mandatory fields in COOKIE-WAIT (RFC 9260 §3.3.3)", () => {
  it("Initiate Tag 0: the association is destroyed; the setup fails with the 'closed' error event, nothing thrown, nothing sent, no timer left", () => {
    const { a, tag } = cookieWait();
    expect(() => a.handlePacket(packet(tag, initAck({ tag: 0 })), 1)).not.toThrow();
    expect(a.state).toBe("closed");
    const ev = events(a);
    expect(ev).toHaveLength(1);
    expect(ev[0].type).toBe("closed");
    if (ev[0].type !== "closed") return;
    expect(ev[0].error).toBe(true);
    expect(ev[0].byPeer).toBe(false);
    expect(ev[0].reason).toMatch(/Initiate Tag 0/);
    // No ABORT: there is no tag to send it under.
    expect(takeAll(a, 1)).toEqual([]);
    expect(a.pollTimeout()).toBeUndefined();
    expect(a.stats.internalErrors).toBe(0);
    // The association is gone: later input is ignored, the API refuses use.
    a.handlePacket(packet(tag, initAck()), 2);
    expect(takeAll(a, 2)).toEqual([]);
    expect(() => a.send(0, Ppid.BINARY, Uint8Array.of(1))).toThrow(/closed/);
  });

  for (const [os, mis] of [[0, 16], [16, 0]] as const) {
    it(`OS ${os} / MIS ${mis}: the setup fails and an ABORT (Invalid Mandatory Parameter) goes to the INIT ACK's tag`, () => {
      const { a, tag } = cookieWait();
      a.handlePacket(packet(tag, initAck({ tag: 0x777, os, mis })), 1);
      expect(a.state).toBe("closed");
      const ev = events(a);
      expect(ev.map((e) => e.type)).toEqual(["closed"]);
      expect(ev[0].type === "closed" && ev[0].error).toBe(true);
      const out = takeAll(a, 1);
      expect(out).toHaveLength(1);
      expect(readU32(out[0], 4)).toBe(0x777);
      const c = chunksOf(out[0]);
      expect(c.map((x) => x.type)).toEqual([ChunkType.ABORT]);
      expect(decodeCauses(c[0].value).map((x) => x.type)).toEqual([ErrorCause.INVALID_MANDATORY_PARAM]);
      expect(a.stats.abortsSent).toBe(1);
    });
  }

  it("an INIT ACK with tag 0 anywhere but COOKIE-WAIT is only discarded (§5.2.3)", () => {
    const { a, b } = established();
    a.handlePacket(packet(a.negotiated!.localTag, initAck({ tag: 0 })), 1);
    expect(a.state).toBe("established");
    expect(events(a)).toEqual([]);
    a.send(1, Ppid.BINARY, Uint8Array.of(1, 2, 3));
    pump(a, b, 2);
    expect(events(b).filter((e) => e.type === "message")).toHaveLength(1);
  });
});

describe("chunks that travel alone (RFC 9260 §6.10): INIT ACK and SHUTDOWN COMPLETE", () => {
  it("an INIT ACK bundled with other chunks (before or after it) is not processed: dropped, counted malformed; a lone one then completes the setup", () => {
    const a = make(11);
    const b = make(22);
    a.connect(0);
    b.handlePacket(take(a), 0);
    const ackPacket = take(b, 0);
    const tag = readU32(ackPacket, 4);
    const ackChunk = encodeChunkOf(chunksOf(ackPacket)[0]);
    const m0 = a.stats.malformed;
    a.handlePacket(packet(tag, ackChunk, encodeError([{ type: 99, value: new Uint8Array(0) }])), 1);
    a.handlePacket(packet(tag, encodeHeartbeat(ChunkType.HEARTBEAT, Uint8Array.of(1, 2)), ackChunk), 1);
    expect(a.stats.malformed).toBe(m0 + 2);
    expect(a.state).toBe("cookie-wait");
    expect(takeAll(a, 1)).toEqual([]);
    expect(events(a)).toEqual([]);
    a.handlePacket(ackPacket, 2);
    expect(a.state).toBe("cookie-echoed");
    pump(a, b, 3);
    expect(a.isEstablished && b.isEstablished).toBe(true);
  });

  it("a SHUTDOWN COMPLETE bundled with other chunks does not end SHUTDOWN-ACK-SENT; the lone one then closes cleanly", () => {
    const { a, b } = established();
    a.shutdown(1);
    b.handlePacket(take(a, 1), 1); // SHUTDOWN
    expect(b.state).toBe("shutdown-ack-sent");
    a.handlePacket(take(b, 1), 2); // SHUTDOWN ACK
    const complete = take(a, 2);
    expect(chunksOf(complete).map((c) => c.type)).toEqual([ChunkType.SHUTDOWN_COMPLETE]);
    const tag = readU32(complete, 4);
    const m0 = b.stats.malformed;
    const hb = encodeHeartbeat(ChunkType.HEARTBEAT, Uint8Array.of(9));
    b.handlePacket(packet(tag, encodeEmpty(ChunkType.SHUTDOWN_COMPLETE), hb), 3);
    b.handlePacket(packet(tag, hb, encodeEmpty(ChunkType.SHUTDOWN_COMPLETE)), 3);
    expect(b.stats.malformed).toBe(m0 + 2);
    expect(b.state).toBe("shutdown-ack-sent");
    expect(takeAll(b, 3)).toEqual([]); // the HEARTBEATs were not answered either
    b.handlePacket(complete, 4);
    expect(b.state).toBe("closed");
    expect(events(b).filter((e) => e.type === "closed")).toEqual([{ type: "closed", reason: "shutdown complete", byPeer: true, error: false }]);
  });

  it("an ABORT bundled after other chunks is still processed (only INIT, INIT ACK and SHUTDOWN COMPLETE must be alone)", () => {
    const { a, b } = established();
    b.handlePacket(packet(b.negotiated!.localTag, encodeHeartbeat(ChunkType.HEARTBEAT, Uint8Array.of(1)), encodeAbort([])), 1);
    expect(b.state).toBe("closed");
    expect(b.stats.malformed).toBe(0);
    void a;
  });
});

function encodeChunkOf(c: RawChunk): Uint8Array {
  return encodeChunk(c.type, c.flags, c.value);
}

describe("bufferedAmount of channels a peer restart or an ABORT ends (W3C webrtc-pc: it does not reset to zero on close)", () => {
  interface Side {
    assoc: SctpAssociation;
    table: DataChannelTable;
    log: DataChannelEvent[];
  }
  const side = (seed: number, role: "client" | "server"): Side => {
    const assoc = make(seed);
    const table = new DataChannelTable();
    table.setRole(role);
    table.attach(assoc);
    return { assoc, table, log: [] };
  };
  const feed = (s: Side) => {
    for (let e = s.assoc.pollEvent(); e; e = s.assoc.pollEvent()) s.table.handleEvent(e);
    for (let e = s.table.pollEvent(); e; e = s.table.pollEvent()) s.log.push(e);
  };
  const pumpSides = (x: Side, y: Side, now: number) => {
    pump(x.assoc, y.assoc, now);
    feed(x);
    feed(y);
  };
  /** Two sides with one negotiated channel each on id 4 and one DCEP channel a opened. */
  const setup = () => {
    const a = side(1, "client");
    const b = side(2, "server");
    const neg = a.table.create("neg", { negotiated: true, id: 4 });
    b.table.create("neg", { negotiated: true, id: 4 });
    const other = a.table.create("other");
    a.assoc.connect(0);
    pumpSides(a, b, 0);
    expect(neg.state).toBe("open");
    expect(other.state).toBe("open");
    return { a, b, neg, other };
  };

  it("a restart keeps, in each ended channel's bufferedAmount, the bytes queued and never sent", () => {
    const { a, neg, other } = setup();
    for (let i = 0; i < 4; i++) a.table.send(neg, new Uint8Array(1000).fill(i));
    a.table.send(other, new Uint8Array(700));
    // One packet leaves (part of what is queued): bufferedAmount counts only the rest.
    const sent = take(a.assoc, 1);
    expect(chunksOf(sent).some((c) => c.type === ChunkType.DATA || c.type === ChunkType.I_DATA)).toBe(true);
    const before = [a.table.bufferedAmount(neg), a.table.bufferedAmount(other)];
    expect(before[0]).toBeGreaterThan(0);
    expect(before[0] + before[1]).toBeLessThan(4700);

    // The peer restarts: a fresh association on the same ports sends INIT, a answers (a stand-alone
    // INIT ACK, polled before any DATA), the COOKIE ECHO restarts a.
    const c = make(33);
    c.connect(2);
    a.assoc.handlePacket(take(c, 2), 2);
    const ack = take(a.assoc, 2);
    expect(chunksOf(ack)[0].type).toBe(ChunkType.INIT_ACK);
    c.handlePacket(ack, 3);
    a.assoc.handlePacket(take(c, 3), 3);
    feed(a);
    expect(a.log.filter((e) => e.type === "error").map((e) => e.channel.label).sort()).toEqual(["neg", "other"]);
    expect([neg.state, other.state]).toEqual(["closed", "closed"]);
    expect([a.table.bufferedAmount(neg), a.table.bufferedAmount(other)]).toEqual(before);
    // the association's own per-stream count starts over with the new association
    expect(a.assoc.bufferedAmount(4)).toBe(0);
  });

  it("the 'restarted' event lists the unsent bytes per stream", () => {
    const { a } = established();
    a.send(3, Ppid.BINARY, new Uint8Array(500));
    a.send(5, Ppid.BINARY, new Uint8Array(200));
    const c = make(33);
    c.connect(1);
    a.handlePacket(take(c, 1), 1);
    c.handlePacket(take(a, 1), 1);
    a.handlePacket(take(c, 1), 2);
    const ev = events(a);
    expect(ev).toEqual([{ type: "restarted", unsent: [{ stream: 3, bytes: 500 }, { stream: 5, bytes: 200 }] }]);
  });

  it("an ABORT from the peer does the same: the ended channel keeps the bytes it never sent", () => {
    const { a, b, neg } = setup();
    a.table.send(neg, new Uint8Array(3000));
    take(a.assoc, 1);
    const before = a.table.bufferedAmount(neg);
    expect(before).toBeGreaterThan(0);
    a.assoc.handlePacket(packet(a.assoc.negotiated!.localTag, encodeAbort([])), 2);
    feed(a);
    expect(neg.state).toBe("closed");
    expect(a.table.bufferedAmount(neg)).toBe(before);
    void b;
  });
});

describe("Cookie Preservative (RFC 9260 §3.3.2.1, §5.2.6)", () => {
  it("after a Stale Cookie ERROR the new INIT asks for the reported staleness plus the measured round trip; the same delay then succeeds", () => {
    const a = make(11);
    const b = make(22, { cookieLifetime: 500 });
    a.connect(0);
    const first = take(a, 0);
    expect(summarizeInitParams(initOf(first).params).cookiePreservative).toBeUndefined();
    b.handlePacket(first, 1);
    a.handlePacket(take(b, 1), 2);
    const echo = take(a, 2); // COOKIE ECHO sent at 2
    b.handlePacket(echo, 900); // cookie made at 1, lifetime 500: 399 ms stale
    const err = take(b, 900);
    const cause = decodeCauses(chunksOf(err)[0].value)[0];
    expect(cause.type).toBe(ErrorCause.STALE_COOKIE);
    expect(readU32(cause.value, 0)).toBe(399_000);
    a.handlePacket(err, 902); // round trip of the COOKIE ECHO / ERROR exchange: 900 ms
    const again = take(a, 902);
    const init = initOf(again);
    expect(summarizeInitParams(init.params).cookiePreservative).toBe(399 + 900);
    // The same slow path: the COOKIE ECHO reaches b ~900 ms after its cookie was made, which the
    // extended lifetime (500 + 1299 ms) now covers.
    b.handlePacket(again, 903);
    a.handlePacket(take(b, 903), 904);
    const echo2 = take(a, 904);
    b.handlePacket(echo2, 1800);
    expect(b.stats.staleCookie).toBe(1);
    expect(b.isEstablished).toBe(true);
    pump(a, b, 1801);
    expect(a.isEstablished).toBe(true);
  });

  it("the margin over the staleness is at most 1 s beyond it, whatever the round trip (§5.2.6)", () => {
    const a = make(11);
    const b = make(22, { cookieLifetime: 100 });
    a.connect(0);
    b.handlePacket(take(a, 0), 0);
    a.handlePacket(take(b, 0), 0);
    b.handlePacket(take(a, 0), 150); // 50 ms stale
    a.handlePacket(take(b, 150), 20_000); // the ERROR took very long to come back
    expect(summarizeInitParams(initOf(take(a, 20_000)).params).cookiePreservative).toBe(50 + 1000);
  });

  it("a received Cookie Preservative extends the lifetime of the cookie it is answered with, bounded to 60 s; without one the lifetime is the configured one", () => {
    const echoAt = (extra: Param[], tag: number, delay: number): SctpAssociation => {
      const x = make(22, { cookieLifetime: 1000 });
      x.handlePacket(packet(0, rawInit(tag, extra)), 0);
      const ackPacket = take(x, 0);
      const c = chunksOf(ackPacket)[0];
      const cookie = summarizeInitParams(decodeInit(c.type, c.value).params).cookie!;
      const ackTag = decodeInit(c.type, c.value).initiateTag;
      x.handlePacket(packet(ackTag, encodeCookieEcho(cookie)), delay);
      return x;
    };
    // no preservative: the configured 1 s
    expect(echoAt([], 0x111, 1001).stats.staleCookie).toBe(1);
    expect(echoAt([], 0x111, 1000).isEstablished).toBe(true);
    // 5 s asked: granted
    expect(echoAt([preservative(5000)], 0x222, 5900).isEstablished).toBe(true);
    expect(echoAt([preservative(5000)], 0x222, 6001).stats.staleCookie).toBe(1);
    // a huge increment is cut to 60 s
    expect(echoAt([preservative(0xffffffff)], 0x333, 61_000).isEstablished).toBe(true);
    const late = echoAt([preservative(0xffffffff)], 0x333, 61_500);
    expect(late.stats.staleCookie).toBe(1);
    const err = takeAll(late, 61_500).flatMap(chunksOf).find((x) => x.type === ChunkType.ERROR)!;
    expect(readU32(decodeCauses(err.value)[0].value, 0)).toBe(500_000);
  });

  it("a short or malformed Cookie Preservative is ignored (no extension, no failure)", () => {
    const x = make(22, { cookieLifetime: 1000 });
    x.handlePacket(packet(0, rawInit(0x444, [{ type: ParamType.COOKIE_PRESERVATIVE, value: Uint8Array.of(1, 2) }])), 0);
    const c = chunksOf(take(x, 0))[0];
    expect(c.type).toBe(ChunkType.INIT_ACK);
    const ack = decodeInit(c.type, c.value);
    x.handlePacket(packet(ack.initiateTag, encodeCookieEcho(summarizeInitParams(ack.params).cookie!)), 1500);
    expect(x.stats.staleCookie).toBe(1);
  });
});
