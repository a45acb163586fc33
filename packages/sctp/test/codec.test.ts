import { createRequire } from "node:module";
import { crc32c, fromHex } from "@tsrtc/base";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ChunkType, DataFlags, ParamType } from "../src/constants.js";
import { type DataChunk, decodeData, encodeData } from "../src/chunks/data.js";
import { decodeInit, encodeInit } from "../src/chunks/init.js";
import { decodeSack, encodeSack } from "../src/chunks/sack.js";
import { decodeForwardTsn, encodeForwardTsn } from "../src/chunks/forward-tsn.js";
import { type ReconfigParam, decodeReconfig, encodeReconfig } from "../src/chunks/reconfig.js";
import {
  causeInvalidStream,
  decodeCauses,
  decodeHeartbeat,
  decodeShutdown,
  encodeAbort,
  encodeHeartbeat,
  encodeShutdown,
} from "../src/chunks/control.js";
import { PacketBuilder, readHeader, splitChunks, verifyChecksum } from "../src/packet.js";
import { capabilityParams, summarizeInitParams } from "../src/params/init-params.js";
import { ssnLt, tsnGt, tsnLt } from "../src/tsn.js";

function one(framed: Uint8Array): { type: number; flags: number; value: Uint8Array } {
  const pb = new PacketBuilder(2048);
  pb.begin(5000, 5000, 1);
  pb.append(framed);
  const chunks = splitChunks(pb.finish(false));
  expect(chunks).toHaveLength(1);
  return chunks![0];
}

describe("CRC-32C in SCTP packets (vectors: @tsrtc/base's crc tests)", () => {
  it("stores the CRC the way werift (and usrsctp) do, and verifies it", () => {
    const require = createRequire(import.meta.url);
    const w = require(require.resolve("werift").replace(/webrtc[\\/]src[\\/]index\.js$/, "sctp/src/chunk.js")) as {
      CookieAckChunk: new () => { bytes: Uint8Array };
      serializePacket(s: number, d: number, tag: number, c: unknown): Uint8Array;
    };
    const theirs = w.serializePacket(5000, 5000, 0x12345678, new w.CookieAckChunk());
    const pb = new PacketBuilder(64);
    pb.begin(5000, 5000, 0x12345678);
    pb.append(fromHex("0b000004"));
    const ours = pb.finish(false);
    expect(Array.from(ours)).toEqual(Array.from(theirs));
    expect(verifyChecksum(ours, false)).toBe("ok");
    ours[12] ^= 1;
    expect(verifyChecksum(ours, false)).toBe("bad");
    const zero = new PacketBuilder(64);
    zero.begin(1, 2, 3);
    zero.append(fromHex("0b000004"));
    const z = zero.finish(true);
    expect(verifyChecksum(z, true)).toBe("zero");
    expect(verifyChecksum(z, false)).toBe("bad");
    expect(readHeader(z)).toEqual({ srcPort: 1, dstPort: 2, verificationTag: 3, checksum: 0 });
  });
});

describe("serial number arithmetic (RFC 1982)", () => {
  it("compares across the wrap", () => {
    expect(tsnLt(0xffffffff, 0)).toBe(true);
    expect(tsnGt(5, 0xfffffff0)).toBe(true);
    expect(tsnLt(5, 6)).toBe(true);
    expect(ssnLt(0xffff, 0)).toBe(true);
    expect(ssnLt(0, 0xffff)).toBe(false);
  });
});

describe("chunk codecs round-trip byte-exact", () => {
  it("INIT with Chromium's parameters", () => {
    const params = capabilityParams({ forwardTsn: true, reconfig: true, iData: false, zeroChecksum: false });
    const framed = encodeInit({
      type: ChunkType.INIT,
      initiateTag: 0xdeadbeef,
      aRwnd: 5242880,
      outStreams: 65535,
      inStreams: 65535,
      initialTsn: 12345,
      params,
    });
    const raw = one(framed);
    const back = decodeInit(raw.type, raw.value);
    expect(back.aRwnd).toBe(5242880);
    expect(back.initiateTag).toBe(0xdeadbeef);
    expect(encodeInit(back)).toEqual(framed);
    const caps = summarizeInitParams(back.params);
    expect(caps).toMatchObject({ forwardTsn: true, reconfig: true, iData: false, zeroChecksumEdmid: undefined });
  });

  it("INIT-ACK with cookie, I-DATA and zero checksum", () => {
    const params = [
      ...capabilityParams({ forwardTsn: true, reconfig: true, iData: true, zeroChecksum: true }),
      { type: ParamType.STATE_COOKIE, value: Uint8Array.from([1, 2, 3, 4, 5]) },
    ];
    const framed = encodeInit({ type: ChunkType.INIT_ACK, initiateTag: 1, aRwnd: 2, outStreams: 3, inStreams: 4, initialTsn: 5, params });
    // chunk length excludes the final padding (RFC 9260 §3.2)
    expect((framed[2] << 8) | framed[3]).toBe(4 + 16 + 4 + 8 + 8 + 9);
    const back = decodeInit(ChunkType.INIT_ACK, one(framed).value);
    const s = summarizeInitParams(back.params);
    expect(s.iData).toBe(true);
    expect(s.zeroChecksumEdmid).toBe(1);
    expect(Array.from(s.cookie!)).toEqual([1, 2, 3, 4, 5]);
    expect(encodeInit(back)).toEqual(framed);
  });

  it("unrecognized INIT parameters follow the high-bit rules of §3.2.1", () => {
    const s = summarizeInitParams([
      { type: 0xc123, value: new Uint8Array(1) }, // skip + report
      { type: 0x8124, value: new Uint8Array(0) }, // skip silently
      { type: 0x4125, value: new Uint8Array(0) }, // stop + report
      { type: ParamType.FORWARD_TSN_SUPPORTED, value: new Uint8Array(0) },
    ]);
    expect(s.unrecognized.map((p) => p.type)).toEqual([0xc123, 0x4125]);
    expect(s.forwardTsn).toBe(false);
  });

  it("DATA and I-DATA", () => {
    const cases: DataChunk[] = [
      { iData: false, flags: DataFlags.BEGIN | DataFlags.END, tsn: 7, stream: 3, mid: 9, fsn: 0, ppid: 51, payload: Uint8Array.from([1, 2, 3]) },
      { iData: false, flags: DataFlags.UNORDERED | DataFlags.END, tsn: 0xffffffff, stream: 65535, mid: 65535, fsn: 0, ppid: 53, payload: new Uint8Array(0) },
      { iData: true, flags: DataFlags.BEGIN, tsn: 1, stream: 2, mid: 0x10000, fsn: 0, ppid: 53, payload: Uint8Array.from([9]) },
      { iData: true, flags: DataFlags.END, tsn: 2, stream: 2, mid: 0x10000, fsn: 1, ppid: 0, payload: Uint8Array.from([8, 7]) },
    ];
    for (const c of cases) {
      const framed = encodeData(c);
      const raw = one(framed);
      const back = decodeData(raw.type, raw.flags, raw.value);
      expect({ ...back, payload: Array.from(back.payload) }).toEqual({ ...c, payload: Array.from(c.payload) });
      expect(encodeData(back)).toEqual(framed);
    }
  });

  it("SACK with gap blocks and duplicates", () => {
    const s = { cumTsnAck: 100, aRwnd: 65536, gaps: [2, 3, 5, 9], dups: [99, 100] };
    const framed = encodeSack(s);
    expect(decodeSack(one(framed).value)).toEqual(s);
  });

  it("FORWARD-TSN and I-FORWARD-TSN", () => {
    const f = { iForward: false, newCumTsn: 77, entries: [{ stream: 1, unordered: false, mid: 4 }] };
    const framed = encodeForwardTsn(f);
    expect(framed[0]).toBe(ChunkType.FORWARD_TSN);
    expect(decodeForwardTsn(framed[0], one(framed).value)).toEqual(f);
    const i = { iForward: true, newCumTsn: 78, entries: [{ stream: 2, unordered: true, mid: 0x12345 }] };
    const framedI = encodeForwardTsn(i);
    expect(decodeForwardTsn(framedI[0], one(framedI).value)).toEqual(i);
  });

  it("RE-CONFIG parameters", () => {
    const ps: ReconfigParam[] = [
      { kind: "outgoing-reset", reqSeq: 10, respSeq: 20, lastTsn: 30, streams: [1, 3, 5] },
      { kind: "incoming-reset", reqSeq: 11, streams: [2] },
      { kind: "response", respSeq: 12, result: 1 },
      { kind: "response", respSeq: 13, result: 1, senderNextTsn: 5, receiverNextTsn: 6 },
      { kind: "add-streams", outgoing: true, reqSeq: 14, count: 16 },
    ];
    const framed = encodeReconfig(ps);
    expect(decodeReconfig(one(framed).value)).toEqual(ps);
  });

  it("HEARTBEAT, ABORT, SHUTDOWN", () => {
    const hb = encodeHeartbeat(ChunkType.HEARTBEAT, Uint8Array.from([1, 2, 3]));
    expect(Array.from(decodeHeartbeat(one(hb).value))).toEqual([1, 2, 3]);
    const ab = encodeAbort([causeInvalidStream(9)], true);
    const raw = one(ab);
    expect(raw.flags).toBe(1);
    expect(decodeCauses(raw.value)[0].type).toBe(1);
    expect(decodeShutdown(one(encodeShutdown(0xfffffffe)).value)).toBe(0xfffffffe);
  });

  it("splitChunks refuses a chunk length past the packet", () => {
    const pb = new PacketBuilder(64);
    pb.begin(1, 1, 1);
    pb.append(fromHex("0b000004"));
    const p = pb.finish(false);
    p[15] = 40;
    expect(splitChunks(p)).toBeUndefined();
  });
});
