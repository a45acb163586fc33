/** FORWARD-TSN (RFC 3758 §3.2) and I-FORWARD-TSN (RFC 8260 §2.3.1). */
import { ParseError } from "@tsrtc/base";
import { ChunkType } from "../constants.js";
import { encodeChunk, readU16, readU32, writeU16, writeU32 } from "../packet.js";

export interface ForwardTsnEntry {
  stream: number;
  /** I-FORWARD-TSN only: the U bit. */
  unordered: boolean;
  /** SSN (FORWARD-TSN) or MID (I-FORWARD-TSN). */
  mid: number;
}

export interface ForwardTsnChunk {
  iForward: boolean;
  newCumTsn: number;
  entries: ForwardTsnEntry[];
}

export function decodeForwardTsn(type: number, value: Uint8Array): ForwardTsnChunk {
  if (value.length < 4) throw new ParseError("sctp", "truncated", "FORWARD-TSN", 0);
  const iForward = type === ChunkType.I_FORWARD_TSN;
  const step = iForward ? 8 : 4;
  const entries: ForwardTsnEntry[] = [];
  for (let at = 4; at + step <= value.length; at += step) {
    if (iForward) {
      entries.push({ stream: readU16(value, at), unordered: (value[at + 3] & 1) !== 0, mid: readU32(value, at + 4) });
    } else {
      entries.push({ stream: readU16(value, at), unordered: false, mid: readU16(value, at + 2) });
    }
  }
  return { iForward, newCumTsn: readU32(value, 0), entries };
}

export function encodeForwardTsn(c: ForwardTsnChunk): Uint8Array {
  const step = c.iForward ? 8 : 4;
  const v = new Uint8Array(4 + step * c.entries.length);
  writeU32(v, 0, c.newCumTsn);
  let at = 4;
  for (const e of c.entries) {
    writeU16(v, at, e.stream);
    if (c.iForward) {
      writeU16(v, at + 2, e.unordered ? 1 : 0);
      writeU32(v, at + 4, e.mid);
    } else {
      writeU16(v, at + 2, e.mid);
    }
    at += step;
  }
  return encodeChunk(c.iForward ? ChunkType.I_FORWARD_TSN : ChunkType.FORWARD_TSN, 0, v);
}
