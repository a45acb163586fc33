/**
 * PASSWORD-ALGORITHM (RFC 8489 §14.12) and PASSWORD-ALGORITHMS (§14.11): each entry is an
 * algorithm number, a parameters length, the parameters, and padding to 4 bytes.
 */
import { stunError } from "./errors.js";

export interface PasswordAlgorithmEntry {
  algorithm: number;
  parameters: Uint8Array;
}

function readEntry(data: Uint8Array, at: number, end: number): [PasswordAlgorithmEntry, number] {
  if (at + 4 > end) throw stunError("bad-password-algorithm", "truncated algorithm entry", at);
  const algorithm = (data[at] << 8) | data[at + 1];
  const plen = (data[at + 2] << 8) | data[at + 3];
  const next = at + 4 + ((plen + 3) & ~3);
  if (at + 4 + plen > end || next > end) {
    throw stunError("bad-password-algorithm", `parameters of ${plen} bytes run past the attribute`, at + 2);
  }
  return [{ algorithm, parameters: data.subarray(at + 4, at + 4 + plen) }, next];
}

export function readPasswordAlgorithm(data: Uint8Array, at: number, len: number): PasswordAlgorithmEntry {
  const [entry, next] = readEntry(data, at, at + len);
  if (next !== at + len) throw stunError("bad-password-algorithm", "trailing bytes after the algorithm", next);
  return entry;
}

export function readPasswordAlgorithms(data: Uint8Array, at: number, len: number): PasswordAlgorithmEntry[] {
  const out: PasswordAlgorithmEntry[] = [];
  const end = at + len;
  while (at < end) {
    const [entry, next] = readEntry(data, at, end);
    out.push(entry);
    at = next;
  }
  return out;
}

/** Length of the encoded list (one entry for PASSWORD-ALGORITHM). */
export function passwordAlgorithmsLength(entries: readonly PasswordAlgorithmEntry[]): number {
  let n = 0;
  for (const e of entries) n += 4 + ((e.parameters.length + 3) & ~3);
  return n;
}

export function writePasswordAlgorithms(buf: Uint8Array, at: number, entries: readonly PasswordAlgorithmEntry[]): number {
  const start = at;
  for (const e of entries) {
    const plen = e.parameters.length;
    buf[at] = e.algorithm >>> 8;
    buf[at + 1] = e.algorithm;
    buf[at + 2] = plen >>> 8;
    buf[at + 3] = plen;
    buf.set(e.parameters, at + 4);
    const padded = (plen + 3) & ~3;
    buf.fill(0, at + 4 + plen, at + 4 + padded);
    at += 4 + padded;
  }
  return at - start;
}
