/** SACK (RFC 9260 §3.3.4): cumulative ack, receiver window, gap ack blocks, duplicate TSNs. */
import { ParseError } from "@tsrtc/base";
import { ChunkType } from "../constants.js";
import { encodeChunk, readU16, readU32, writeU16, writeU32 } from "../packet.js";

export interface SackChunk {
  cumTsnAck: number;
  aRwnd: number;
  /** Gap ack blocks as offsets from cumTsnAck: [start0, end0, start1, end1, ...]. */
  gaps: number[];
  dups: number[];
}

export function decodeSack(value: Uint8Array): SackChunk {
  if (value.length < 12) throw new ParseError("sctp", "truncated", "SACK header", 0);
  const nGaps = readU16(value, 8);
  const nDups = readU16(value, 10);
  if (12 + nGaps * 4 + nDups * 4 > value.length) {
    throw new ParseError("sctp", "bad-length", "SACK blocks past the chunk", 12);
  }
  const gaps = new Array<number>(nGaps * 2);
  let at = 12;
  for (let i = 0; i < nGaps * 2; i++, at += 2) gaps[i] = readU16(value, at);
  const dups = new Array<number>(nDups);
  for (let i = 0; i < nDups; i++, at += 4) dups[i] = readU32(value, at);
  return { cumTsnAck: readU32(value, 0), aRwnd: readU32(value, 4), gaps, dups };
}

export function sackValueLength(s: SackChunk): number {
  return 12 + s.gaps.length * 2 + s.dups.length * 4;
}

export function writeSackValue(b: Uint8Array, at: number, s: SackChunk): void {
  writeU32(b, at, s.cumTsnAck);
  writeU32(b, at + 4, s.aRwnd);
  writeU16(b, at + 8, s.gaps.length >> 1);
  writeU16(b, at + 10, s.dups.length);
  let p = at + 12;
  for (const g of s.gaps) {
    writeU16(b, p, g);
    p += 2;
  }
  for (const d of s.dups) {
    writeU32(b, p, d);
    p += 4;
  }
}

export function encodeSack(s: SackChunk): Uint8Array {
  const v = new Uint8Array(sackValueLength(s));
  writeSackValue(v, 0, s);
  return encodeChunk(ChunkType.SACK, 0, v);
}
