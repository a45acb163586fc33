import { fromHex } from "@tsrtc/base";
import { describe, expect, it } from "vitest";
import {
  SctpChunkType,
  StunClass,
  isStun,
  isStunMethod,
  sctpChunks,
  sctpDataTsns,
  sctpHasChunk,
  sctpHasDataTsn,
  stunClass,
  stunMethod,
} from "../src/index.js";

/** RFC 5769 §2.1 sample request (Binding request). */
const STUN_REQUEST = fromHex(`
  00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
  00 24 00 04 6e 00 01 ff
  80 29 00 08 93 2f f9 b1 51 26 3b 36
  00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
  00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
  80 28 00 04 e5 7a 3b cf`);

/** RFC 5769 §2.2 sample IPv4 response (Binding success). */
const STUN_RESPONSE = fromHex(`
  01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
  00 20 00 08 00 01 a1 47 e1 12 a6 43
  00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
  80 28 00 04 c0 7d 4c 96`);

/** A 20-byte STUN header with the given message type and no attributes. */
function stunHeader(type: number): Uint8Array {
  const b = new Uint8Array(20);
  b[0] = type >> 8;
  b[1] = type & 255;
  b.set([0x21, 0x12, 0xa4, 0x42], 4);
  return b;
}


describe("STUN sniffers", () => {
  it("recognise the RFC 5769 vectors with their method and class", () => {
    expect(isStun(STUN_REQUEST)).toBe(true);
    expect(isStun(STUN_RESPONSE)).toBe(true);
    expect(stunMethod(STUN_REQUEST)).toBe(1);
    expect(stunClass(STUN_REQUEST)).toBe(StunClass.request);
    expect(stunClass(STUN_RESPONSE)).toBe(StunClass.success);
    expect(isStunMethod(1)(STUN_REQUEST)).toBe(true);
    expect(isStunMethod(1, StunClass.success)(STUN_REQUEST)).toBe(false);
    expect(isStunMethod(1, StunClass.success)(STUN_RESPONSE)).toBe(true);
    expect(isStunMethod(3)(STUN_REQUEST)).toBe(false);
  });

  it("decode methods and classes spread over the type bits (RFC 8489 §5)", () => {
    expect(stunMethod(stunHeader(0x0003))).toBe(3); // Allocate request
    expect(stunClass(stunHeader(0x0113))).toBe(StunClass.error); // Allocate error
    expect(stunMethod(stunHeader(0x0113))).toBe(3);
    expect(stunClass(stunHeader(0x0016))).toBe(StunClass.indication); // Send indication
    expect(stunMethod(stunHeader(0x0016))).toBe(6);
    expect(stunMethod(stunHeader(0x0009))).toBe(9); // ChannelBind
    expect(stunMethod(stunHeader(0x02ef))).toBe(0xff); // method bits on both sides of the class bits
    expect(stunClass(stunHeader(0x02ef))).toBe(StunClass.request);
    expect(stunClass(stunHeader(0x0110))).toBe(StunClass.error);
    expect(stunMethod(stunHeader(0x0110))).toBe(0);
  });

  it("reject what is not STUN", () => {
    expect(isStun(new Uint8Array(0))).toBe(false);
    expect(isStun(STUN_REQUEST.subarray(0, 19))).toBe(false);
    expect(isStun(STUN_REQUEST.subarray(0, STUN_REQUEST.length - 4))).toBe(false); // length field disagrees
    const badCookie = STUN_REQUEST.slice();
    badCookie[4] ^= 1;
    expect(isStun(badCookie)).toBe(false);
    const dtlsLike = STUN_REQUEST.slice();
    dtlsLike[0] = 0x16; // RFC 7983: DTLS, even with a cookie-like word at offset 4
    expect(isStun(dtlsLike)).toBe(false);
    expect(stunMethod(dtlsLike)).toBeUndefined();
    expect(isStunMethod(1)(Uint8Array.of(0x80, 1, 2, 3))).toBe(false);
  });
});

/** An SCTP packet: 12-byte common header and the given chunks (each padded to 4). */
function sctpPacket(...chunks: Uint8Array[]): Uint8Array {
  const parts = [new Uint8Array(12), ...chunks.map((c) => { const p = new Uint8Array((c.length + 3) & ~3); p.set(c); return p; })];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  out.set([0x13, 0x88, 0x13, 0x88], 0); // ports 5000 → 5000
  return out;
}

function chunk(type: number, flags: number, body: Uint8Array): Uint8Array {
  const c = new Uint8Array(4 + body.length);
  c[0] = type;
  c[1] = flags;
  c[2] = c.length >> 8;
  c[3] = c.length & 255;
  c.set(body, 4);
  return c;
}

/** DATA chunk (RFC 9260 §3.3.1): TSN, stream id, SSN, PPID, user data. */
function dataChunk(tsn: number, payload: Uint8Array): Uint8Array {
  const b = new Uint8Array(12 + payload.length);
  new DataView(b.buffer).setUint32(0, tsn);
  new DataView(b.buffer).setUint32(8, 51); // PPID: WebRTC String
  b.set(payload, 12);
  return chunk(SctpChunkType.DATA, 3, b);
}

/** I-DATA chunk (RFC 8260 §2.1): TSN, stream id, reserved, MID, PPID/FSN, user data. */
function iDataChunk(tsn: number): Uint8Array {
  const b = new Uint8Array(17);
  new DataView(b.buffer).setUint32(0, tsn);
  return chunk(SctpChunkType.I_DATA, 3, b);
}

describe("SCTP sniffers", () => {
  it("find DATA and I-DATA TSNs behind other chunks, with padding", () => {
    const sack = chunk(SctpChunkType.SACK, 0, new Uint8Array(12));
    const p = sctpPacket(sack, dataChunk(7, Uint8Array.of(1, 2, 3)), dataChunk(0xfffffffe, Uint8Array.of(9)), iDataChunk(9));
    expect(sctpChunks(p).map((c) => c.type)).toEqual([3, 0, 0, 64]);
    expect(sctpDataTsns(p)).toEqual([7, 0xfffffffe, 9]);
    expect(sctpHasDataTsn(7)(p)).toBe(true);
    expect(sctpHasDataTsn(9)(p)).toBe(true);
    expect(sctpHasDataTsn(-2)(p)).toBe(true); // u32 wrap of 0xfffffffe
    expect(sctpHasDataTsn(8)(p)).toBe(false);
    expect(sctpHasChunk(SctpChunkType.SACK)(p)).toBe(true);
    expect(sctpHasChunk(SctpChunkType.INIT)(p)).toBe(false);
  });

  it("ignore TSN-like numbers in non-DATA chunks and malformed packets", () => {
    const forward = chunk(SctpChunkType.FORWARD_TSN, 0, Uint8Array.of(0, 0, 0, 7));
    expect(sctpHasDataTsn(7)(sctpPacket(forward))).toBe(false);
    const p = sctpPacket(dataChunk(7, Uint8Array.of(1)));
    expect(sctpHasDataTsn(7)(p.subarray(0, p.length - 8))).toBe(false); // truncated chunk
    const zeroLen = p.slice();
    zeroLen[14] = 0;
    zeroLen[15] = 0;
    expect(sctpChunks(zeroLen)).toEqual([]);
    expect(sctpChunks(new Uint8Array(8))).toEqual([]);
  });
});
