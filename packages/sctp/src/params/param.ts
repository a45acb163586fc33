/**
 * Type-length-value parameters (RFC 9260 §3.2.1), also the layout of error causes (§3.3.10)
 * and of RE-CONFIG parameters (RFC 6525 §4).
 */
import { ParseError } from "@tsrtc/base";
import { readU16, writeU16 } from "../packet.js";

export interface Param {
  type: number;
  value: Uint8Array;
}

/** Parse every TLV in [start, end); throws ParseError on a bad length. Values are copies. */
export function decodeParams(b: Uint8Array, start: number, end: number): Param[] {
  const out: Param[] = [];
  let at = start;
  while (at < end) {
    if (at + 4 > end) throw new ParseError("sctp", "truncated", "parameter header", at);
    const type = readU16(b, at);
    const len = readU16(b, at + 2);
    if (len < 4 || at + len > end) throw new ParseError("sctp", "bad-length", `parameter length ${len}`, at);
    out.push({ type, value: b.slice(at + 4, at + len) });
    at += (len + 3) & ~3;
  }
  return out;
}

export function paramsLength(params: readonly Param[]): number {
  let n = 0;
  for (const p of params) n += (4 + p.value.length + 3) & ~3;
  return n;
}

/** Write params at `at`, each padded to 4 bytes; returns the end offset. */
export function writeParams(b: Uint8Array, at: number, params: readonly Param[]): number {
  for (const p of params) {
    writeU16(b, at, p.type);
    writeU16(b, at + 2, 4 + p.value.length);
    b.set(p.value, at + 4);
    const next = at + ((4 + p.value.length + 3) & ~3);
    for (let i = at + 4 + p.value.length; i < next; i++) b[i] = 0;
    at = next;
  }
  return at;
}

export function encodeParams(params: readonly Param[]): Uint8Array {
  const out = new Uint8Array(paramsLength(params));
  writeParams(out, 0, params);
  return out;
}

export function u32Value(v: number): Uint8Array {
  const b = new Uint8Array(4);
  b[0] = v >>> 24;
  b[1] = v >>> 16;
  b[2] = v >>> 8;
  b[3] = v;
  return b;
}
