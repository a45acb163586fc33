import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SeededRandom } from "@tsrtc/base";
import { SctpAssociation } from "../src/association.js";
import { ChunkType, DataFlags, ErrorCause } from "../src/constants.js";
import { encodeData } from "../src/chunks/data.js";
import { encodeSack } from "../src/chunks/sack.js";
import { decodeCauses, encodeCookieEcho } from "../src/chunks/control.js";
import { decodeInit, encodeInit } from "../src/chunks/init.js";
import { PacketBuilder, type RawChunk, splitChunks } from "../src/packet.js";
import { capabilityParams, summarizeInitParams } from "../src/params/init-params.js";
import { type Peer, connectBoth, drain, pair, payload } from "./helpers.js";

function packet(tag: number, ...chunks: Uint8Array[]): Uint8Array {
  const pb = new PacketBuilder(4096);
  pb.begin(5000, 5000, tag);
  for (const c of chunks) pb.append(c);
  return pb.finish(false);
}

function outChunks(p: Peer): RawChunk[] {
  const out: RawChunk[] = [];
  for (let d = p.assoc.pollTransmit(); d; d = p.assoc.pollTransmit()) out.push(...(splitChunks(d) ?? []));
  return out;
}

function established(opts: { streams?: number } = {}) {
  const t = pair({ delay: 5 }, { b: { streams: opts.streams ?? 65535 } });
  expect(connectBoth(t.sim, t.a, t.b)).toBe(true);
  t.sim.runFor(100);
  const na = t.a.assoc.negotiated!;
  return { ...t, tagToB: na.peerTag, nextTsnAtoB: na.localInitialTsn };
}

function data(tsn: number, stream: number, bytes: Uint8Array, flags = DataFlags.BEGIN | DataFlags.END, mid = 0): Uint8Array {
  return encodeData({ iData: true, flags, tsn, stream, mid, fsn: 0, ppid: 53, payload: bytes });
}

describe("bad input is dropped or answered as RFC 9260 says, counted, never thrown", () => {
  it("wrong verification tag: dropped silently", () => {
    const { sim, b, tagToB, nextTsnAtoB } = established();
    b.assoc.handlePacket(packet((tagToB + 1) >>> 0, data(nextTsnAtoB, 1, payload(1, 10))), sim.now);
    expect(b.assoc.stats.badTag).toBe(1);
    drain(b);
    expect(b.messages).toHaveLength(0);
    expect(b.assoc.pollTransmit()).toBeUndefined();
  });

  it("bad CRC: dropped", () => {
    const { sim, b, tagToB, nextTsnAtoB } = established();
    const p = packet(tagToB, data(nextTsnAtoB, 1, payload(1, 10)));
    p[p.length - 1] ^= 0xff;
    b.assoc.handlePacket(p, sim.now);
    expect(b.assoc.stats.badChecksum).toBe(1);
    drain(b);
    expect(b.messages).toHaveLength(0);
  });

  it("zero checksum is refused unless we offered RFC 9653", () => {
    const { sim, b, tagToB, nextTsnAtoB } = established();
    const pb = new PacketBuilder(256);
    pb.begin(5000, 5000, tagToB);
    pb.append(data(nextTsnAtoB, 1, payload(1, 10)));
    b.assoc.handlePacket(pb.finish(true), sim.now);
    expect(b.assoc.stats.badChecksum).toBe(1);
  });

  it("truncated chunk and chunk length past the packet: dropped as malformed", () => {
    const { sim, b, tagToB, nextTsnAtoB } = established();
    const good = packet(tagToB, data(nextTsnAtoB, 1, payload(1, 10)));
    // chunk length field larger than the packet
    const past = good.slice();
    past[14] = 0x40;
    const fix = (x: Uint8Array): Uint8Array => {
      const pb = new PacketBuilder(x.length);
      pb.begin(5000, 5000, tagToB);
      pb.append(x.subarray(12));
      return pb.finish(false);
    };
    b.assoc.handlePacket(fix(past), sim.now);
    // the packet cut in the middle of the chunk
    b.assoc.handlePacket(fix(good.subarray(0, 20)), sim.now);
    // a chunk length below 4
    const tiny = good.slice();
    tiny[14] = 0;
    tiny[15] = 2;
    b.assoc.handlePacket(fix(tiny), sim.now);
    // a DATA chunk too short for its header
    b.assoc.handlePacket(packet(tagToB, Uint8Array.from([0x40, 3, 0, 8, 0, 0, 0, 1])), sim.now);
    expect(b.assoc.stats.malformed).toBe(4);
    drain(b);
    expect(b.messages).toHaveLength(0);
    expect(b.closed).toBeUndefined();
  });

  it("DATA for a stream that does not exist: acknowledged, dropped, ERROR Invalid Stream Identifier", () => {
    const { sim, b, tagToB, nextTsnAtoB } = established({ streams: 16 });
    b.assoc.handlePacket(packet(tagToB, data(nextTsnAtoB, 100, payload(1, 10))), sim.now);
    const chunks = outChunks(b);
    const err = chunks.find((c) => c.type === ChunkType.ERROR);
    expect(err).toBeDefined();
    expect(decodeCauses(err!.value)[0].type).toBe(ErrorCause.INVALID_STREAM_ID);
    drain(b);
    expect(b.messages).toHaveLength(0);
    expect(b.closed).toBeUndefined();
  });

  it("a SACK for a TSN never sent: ABORT with Protocol Violation", () => {
    const { sim, b, a } = established();
    const nb = b.assoc.negotiated!;
    const tagToB = nb.localTag;
    b.assoc.handlePacket(packet(tagToB, encodeSack({ cumTsnAck: (nb.localInitialTsn + 1000) >>> 0, aRwnd: 100000, gaps: [], dups: [] })), sim.now);
    expect(b.assoc.stats.sackViolations).toBe(1);
    const chunks = outChunks(b);
    const abort = chunks.find((c) => c.type === ChunkType.ABORT);
    expect(abort).toBeDefined();
    expect(decodeCauses(abort!.value)[0].type).toBe(ErrorCause.PROTOCOL_VIOLATION);
    drain(b);
    expect(b.closed).toMatchObject({ byPeer: false });
    void a;
  });

  it("a SACK with thousands of overlapping gap blocks: only ascending blocks count (bounded work)", () => {
    const { sim, a } = established();
    for (let i = 0; i < 50; i++) a.assoc.send(1, 53, payload(i, 1000));
    for (let d = a.assoc.pollTransmit(sim.now); d; d = a.assoc.pollTransmit(sim.now));
    const na = a.assoc.negotiated!;
    expect((a.assoc as unknown as { sender: { flightSize: number } }).sender.flightSize).toBeGreaterThan(2000);
    const gaps: number[] = [];
    for (let i = 0; i < 16000; i++) gaps.push(2, 65535);
    a.assoc.handlePacket(packet(na.localTag, encodeSack({ cumTsnAck: (na.localInitialTsn - 1) >>> 0, aRwnd: 100000, gaps, dups: [] })), sim.now);
    const sender = (a.assoc as unknown as { sender: { outstanding: number; flightSize: number } }).sender;
    expect(sender.outstanding).toBeGreaterThan(2);
    // all but the first chunk are gap-acked: only its bytes stay in flight
    expect(sender.flightSize).toBe(1000);
    expect(a.closed).toBeUndefined();
  });

  it("DATA without user data: ABORT with No User Data (§6.2)", () => {
    const { sim, b, tagToB, nextTsnAtoB } = established();
    b.assoc.handlePacket(packet(tagToB, data(nextTsnAtoB, 1, new Uint8Array(0))), sim.now);
    const abort = outChunks(b).find((c) => c.type === ChunkType.ABORT);
    expect(decodeCauses(abort!.value)[0].type).toBe(ErrorCause.NO_USER_DATA);
  });

  it("TSNs far beyond the window are refused and not acknowledged", () => {
    const { sim, b, tagToB, nextTsnAtoB } = established();
    b.assoc.handlePacket(packet(tagToB, data((nextTsnAtoB + 100_000) >>> 0, 1, payload(1, 10))), sim.now);
    sim.runFor(1000);
    drain(b);
    expect(b.messages).toHaveLength(0);
  });

  it("a message growing past the reassembly cap aborts instead of buffering without end", () => {
    const t = pair({ delay: 5 }, { b: { maxReceiveMessageSize: 8000 } });
    expect(connectBoth(t.sim, t.a, t.b)).toBe(true);
    const na = t.a.assoc.negotiated!;
    let tsn = na.localInitialTsn;
    for (let i = 0; i < 10; i++) {
      const flags = i === 0 ? DataFlags.BEGIN : 0;
      const c = encodeData({ iData: true, flags, tsn, stream: 1, mid: 0, fsn: i, ppid: 53, payload: payload(i, 1000) });
      t.b.assoc.handlePacket(packet(na.peerTag, c), t.sim.now);
      tsn = (tsn + 1) >>> 0;
    }
    drain(t.b);
    expect(t.b.closed).toBeDefined();
    expect(t.b.assoc.stats.abortsSent).toBe(1);
  });

  it("an INIT flood keeps no state; any of its cookies still works later (stateless INIT-ACK, §5.1.3)", () => {
    const victim = new SctpAssociation({ rng: new SeededRandom(5) });
    const rng = new SeededRandom(6);
    let lastAck: Uint8Array | undefined;
    let lastTag = 0;
    for (let i = 0; i < 5000; i++) {
      lastTag = rng.nextU32() | 1;
      const init = encodeInit({ type: ChunkType.INIT, initiateTag: lastTag, aRwnd: 65536, outStreams: 10, inStreams: 10, initialTsn: rng.nextU32(), params: capabilityParams({ forwardTsn: true, reconfig: true, iData: false, zeroChecksum: false }) });
      victim.handlePacket(packet(0, init), i);
      lastAck = victim.pollTransmit();
      expect(victim.pollTransmit()).toBeUndefined();
    }
    expect(victim.state).toBe("closed");
    expect(victim.pollEvent()).toBeUndefined();
    expect(victim.stats.initAnswered).toBe(5000);
    // echo the last cookie: the association is built from it alone
    const raw = splitChunks(lastAck!)![0];
    const ack = decodeInit(raw.type, raw.value);
    const cookie = summarizeInitParams(ack.params).cookie!;
    victim.handlePacket(packet(ack.initiateTag, encodeCookieEcho(cookie)), 5000);
    expect(victim.pollEvent()).toEqual({ type: "connected" });
    expect(victim.negotiated!.peerTag).toBe(lastTag >>> 0);
    const reply = splitChunks(victim.pollTransmit()!)!;
    expect(reply[0].type).toBe(ChunkType.COOKIE_ACK);
  });

  it("a stale cookie is answered with ERROR Stale Cookie (§5.1.5)", () => {
    const victim = new SctpAssociation({ rng: new SeededRandom(5), cookieLifetime: 1000 });
    const init = encodeInit({ type: ChunkType.INIT, initiateTag: 42, aRwnd: 65536, outStreams: 10, inStreams: 10, initialTsn: 1, params: [] });
    victim.handlePacket(packet(0, init), 0);
    const raw = splitChunks(victim.pollTransmit()!)![0];
    const ack = decodeInit(raw.type, raw.value);
    victim.handlePacket(packet(ack.initiateTag, encodeCookieEcho(summarizeInitParams(ack.params).cookie!)), 5000);
    expect(victim.stats.staleCookie).toBe(1);
    const err = splitChunks(victim.pollTransmit()!)![0];
    expect(err.type).toBe(ChunkType.ERROR);
    expect(decodeCauses(err.value)[0].type).toBe(ErrorCause.STALE_COOKIE);
    expect(victim.pollEvent()).toBeUndefined();
  });

  it("unknown chunk types follow the high-bit rules of §3.2 (stop/skip, report/not)", () => {
    const { sim, a, b, tagToB, nextTsnAtoB } = established();
    const unknown = (type: number): Uint8Array => Uint8Array.of(type, 0, 0, 8, 1, 2, 3, 4);
    // 0x3f: stop, no report — the DATA after it is not processed
    b.assoc.handlePacket(packet(tagToB, unknown(0x3f), data(nextTsnAtoB, 1, payload(1, 5))), sim.now);
    expect(outChunks(b).some((c) => c.type === ChunkType.ERROR)).toBe(false);
    // 0x7f: stop and report
    b.assoc.handlePacket(packet(tagToB, unknown(0x7f), data(nextTsnAtoB, 1, payload(1, 5))), sim.now);
    let out = outChunks(b);
    const err = out.find((c) => c.type === ChunkType.ERROR)!;
    expect(decodeCauses(err.value)[0].type).toBe(ErrorCause.UNRECOGNIZED_CHUNK);
    drain(b);
    expect(b.messages).toHaveLength(0);
    // 0xbf: skip silently — the DATA after it is processed
    b.assoc.handlePacket(packet(tagToB, unknown(0xbf), data(nextTsnAtoB, 1, payload(1, 5))), sim.now);
    out = outChunks(b);
    expect(out.some((c) => c.type === ChunkType.ERROR)).toBe(false);
    drain(b);
    expect(b.messages).toHaveLength(1);
    // 0xff: skip and report, and the peer surfaces our ERROR as an event
    b.assoc.handlePacket(packet(tagToB, unknown(0xff), data((nextTsnAtoB + 1) >>> 0, 1, payload(2, 5), DataFlags.BEGIN | DataFlags.END, 1)), sim.now);
    sim.runFor(500);
    drain(a);
    drain(b);
    expect(b.messages).toHaveLength(2);
    expect(b.assoc.stats.unknownChunks).toBe(4);
    expect(a.events.filter((e) => e.type === "peer-error")).toHaveLength(1);
  });

  it("a forged cookie is refused", () => {
    const victim = new SctpAssociation({ rng: new SeededRandom(5) });
    victim.handlePacket(packet(1234, encodeCookieEcho(new Uint8Array(60))), 0);
    expect(victim.stats.badCookie).toBe(1);
    expect(victim.pollEvent()).toBeUndefined();
  });

  it("out-of-the-blue packets get ABORT with the T bit (§8.4)", () => {
    const victim = new SctpAssociation({ rng: new SeededRandom(5) });
    victim.handlePacket(packet(777, data(1, 1, payload(1, 3))), 0);
    const out = victim.pollTransmit()!;
    expect(out[12]).toBe(ChunkType.ABORT);
    expect(out[13] & 1).toBe(1);
    expect(((out[4] << 24) | (out[5] << 16) | (out[6] << 8) | out[7]) >>> 0).toBe(777);
  });
});

describe("fuzz: random input never throws and never breaks the association's invariants", () => {
  it("random datagrams to an established association", () => {
    let t = established();
    let rebuilt = 0;
    let internal = 0;
    const fresh = (): void => {
      drain(t.b);
      if (t.b.closed) {
        internal += t.b.assoc.stats.internalErrors;
        t = established();
        rebuilt++;
      }
    };
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        t.b.assoc.handlePacket(bytes, t.sim.now);
        for (let d = t.b.assoc.pollTransmit(); d; d = t.b.assoc.pollTransmit());
      }),
      { numRuns: 2000 },
    );
    // correctly framed packets with the right tag and random chunks reach every chunk parser;
    // when one of them legitimately ends the association, start a new one
    const chunkArb = fc.record({
      type: fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 64, 130, 192, 194), fc.integer({ min: 0, max: 255 })),
      flags: fc.integer({ min: 0, max: 255 }),
      value: fc.uint8Array({ maxLength: 64 }),
    });
    fc.assert(
      fc.property(fc.array(chunkArb, { minLength: 1, maxLength: 4 }), (chunks) => {
        const framed = chunks.map((c) => {
          const len = 4 + c.value.length;
          const out = new Uint8Array((len + 3) & ~3);
          out[0] = c.type;
          out[1] = c.flags;
          out[2] = len >> 8;
          out[3] = len;
          out.set(c.value, 4);
          return out;
        });
        t.b.assoc.handlePacket(packet(t.tagToB, ...framed), t.sim.now);
        for (let d = t.b.assoc.pollTransmit(); d; d = t.b.assoc.pollTransmit());
        t.b.assoc.handleTimeout(t.sim.now + 10);
        for (let d = t.b.assoc.pollTransmit(); d; d = t.b.assoc.pollTransmit());
        fresh();
      }),
      { numRuns: 1500 },
    );
    internal += t.b.assoc.stats.internalErrors;
    expect(internal).toBe(0);
    expect(rebuilt).toBeGreaterThan(0);
  });

  it("random chunks to associations in CLOSED, COOKIE-WAIT and COOKIE-ECHOED", () => {
    const chunkArb = fc.record({
      type: fc.constantFrom(1, 2, 6, 9, 10, 11, 14, 0, 3),
      flags: fc.integer({ min: 0, max: 3 }),
      value: fc.uint8Array({ maxLength: 80 }),
      tag: fc.constantFrom("zero", "ours", "random"),
    });
    let internal = 0;
    fc.assert(
      fc.property(fc.nat(2), fc.array(chunkArb, { minLength: 1, maxLength: 3 }), (stage, chunks) => {
        const t = pair({ delay: 5 });
        if (stage >= 1) t.a.assoc.connect(0);
        if (stage === 2) {
          // let the INIT-ACK come back so that A is in COOKIE-ECHOED
          t.b.assoc.handlePacket(t.a.assoc.pollTransmit(0)!, 1);
          t.a.assoc.handlePacket(t.b.assoc.pollTransmit(1)!, 2);
        }
        const framed = chunks.map((c) => {
          const len = 4 + c.value.length;
          const out = new Uint8Array((len + 3) & ~3);
          out.set([c.type, c.flags, len >> 8, len & 0xff]);
          out.set(c.value, 4);
          return out;
        });
        const localTag = (t.a.assoc as unknown as { hs: { localTag: number } }).hs.localTag;
        const tag = chunks[0].tag === "zero" ? 0 : chunks[0].tag === "ours" ? localTag : 0x5a5a5a5a;
        t.a.assoc.handlePacket(packet(tag, ...framed), 3);
        for (let d = t.a.assoc.pollTransmit(4); d; d = t.a.assoc.pollTransmit(4));
        t.a.assoc.handleTimeout(5000);
        for (let d = t.a.assoc.pollTransmit(5000); d; d = t.a.assoc.pollTransmit(5000));
        internal += t.a.assoc.stats.internalErrors;
      }),
      { numRuns: 1500 },
    );
    expect(internal).toBe(0);
  });

  it("mutated real traffic", () => {
    const { sim, a, b } = pair({ delay: 5 });
    expect(connectBoth(sim, a, b)).toBe(true);
    const captured: Uint8Array[] = [];
    for (let i = 0; i < 30; i++) a.assoc.send(i % 3, 53, payload(i, 50 + i * 97), { unordered: i % 2 === 0 });
    for (let d = a.assoc.pollTransmit(); d; d = a.assoc.pollTransmit()) captured.push(d);
    fc.assert(
      fc.property(fc.nat(captured.length - 1), fc.array(fc.tuple(fc.nat(1500), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), (which, edits) => {
        const p = captured[which].slice();
        for (const [at, v] of edits) if (at < p.length) p[at] = v;
        // fix the CRC so the mutation reaches the chunk parsers
        const pb = new PacketBuilder(p.length);
        pb.begin((p[0] << 8) | p[1], (p[2] << 8) | p[3], ((p[4] << 24) | (p[5] << 16) | (p[6] << 8) | p[7]) >>> 0);
        pb.append(p.subarray(12));
        b.assoc.handlePacket(pb.finish(false), sim.now);
        for (let d = b.assoc.pollTransmit(); d; d = b.assoc.pollTransmit());
      }),
      { numRuns: 3000 },
    );
    expect(b.assoc.stats.internalErrors).toBe(0);
  });
});
