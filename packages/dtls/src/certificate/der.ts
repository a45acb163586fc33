/** A minimal DER writer (X.690) for the few ASN.1 types a self-signed X.509 certificate needs. */
import { concat } from "@tsrtc/base";

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  while (n > 0) {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return [0x80 | out.length, ...out];
}

export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const len = lengthBytes(content.length);
  const out = new Uint8Array(1 + len.length + content.length);
  out[0] = tag;
  out.set(len, 1);
  out.set(content, 1 + len.length);
  return out;
}

export const sequence = (...items: Uint8Array[]): Uint8Array => tlv(0x30, concat(...items));
export const set = (...items: Uint8Array[]): Uint8Array => tlv(0x31, concat(...items));
/** [n] EXPLICIT, constructed context-specific tag. */
export const explicit = (n: number, inner: Uint8Array): Uint8Array => tlv(0xa0 | n, inner);
export const nullValue = (): Uint8Array => Uint8Array.of(0x05, 0x00);
export const utf8String = (s: string): Uint8Array => tlv(0x0c, new TextEncoder().encode(s));
/** BIT STRING with zero unused bits. */
export const bitString = (b: Uint8Array): Uint8Array => tlv(0x03, concat(Uint8Array.of(0), b));

/** INTEGER from an unsigned big-endian magnitude (minimal encoding, positive). */
export function integer(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  let m = magnitude.subarray(i);
  if (m[0] & 0x80) m = concat(Uint8Array.of(0), m);
  return tlv(0x02, m);
}

export function smallInteger(n: number): Uint8Array {
  const bytes: number[] = [];
  do {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  } while (n > 0);
  return integer(Uint8Array.from(bytes));
}

export function oid(dotted: string): Uint8Array {
  const parts = dotted.split(".").map(Number);
  const bytes: number[] = [40 * parts[0] + parts[1]];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    let v = Math.floor(p / 128);
    while (v > 0) {
      chunk.unshift(0x80 | (v & 0x7f));
      v = Math.floor(v / 128);
    }
    bytes.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(bytes));
}

/** UTCTime before 2050, GeneralizedTime from 2050 on (RFC 5280 §4.1.2.5). */
export function time(epochMillis: number): Uint8Array {
  const iso = new Date(epochMillis).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const y = iso.slice(0, 4);
  const rest = iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19) + "Z";
  const enc = new TextEncoder();
  if (Number(y) < 2050) return tlv(0x17, enc.encode(y.slice(2) + rest));
  return tlv(0x18, enc.encode(y + rest));
}
