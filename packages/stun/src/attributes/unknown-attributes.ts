/** UNKNOWN-ATTRIBUTES (RFC 8489 §14.13): a list of 16-bit attribute types. */
import { stunError } from "./errors.js";

export function readUnknownAttributes(data: Uint8Array, at: number, len: number): number[] {
  if (len % 2 !== 0) throw stunError("bad-attribute-length", `UNKNOWN-ATTRIBUTES of ${len} bytes`, at);
  const out: number[] = [];
  for (let i = 0; i < len; i += 2) out.push((data[at + i] << 8) | data[at + i + 1]);
  return out;
}

export function writeUnknownAttributes(buf: Uint8Array, at: number, types: readonly number[]): number {
  for (let i = 0; i < types.length; i++) {
    buf[at + 2 * i] = types[i] >>> 8;
    buf[at + 2 * i + 1] = types[i];
  }
  return types.length * 2;
}
