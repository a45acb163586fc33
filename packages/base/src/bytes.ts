const HEX = "0123456789abcdef";
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
const lenientDecoder = new TextDecoder("utf-8");

export function toHex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += HEX[b[i] >> 4] + HEX[b[i] & 15];
  return s;
}

/** Hex to bytes; whitespace and ':' separators are ignored (fingerprints, RFC test vectors). */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/[\s:]/g, "");
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) {
    throw new TypeError(`not a hex string: ${hex.slice(0, 40)}`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Comparison whose time depends only on the length, for MACs and integrity checks. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Strict UTF-8 decode: throws TypeError on invalid sequences. */
export function utf8Decode(b: Uint8Array): string {
  return decoder.decode(b);
}

/** UTF-8 decode that replaces invalid sequences with U+FFFD. */
export function utf8DecodeLenient(b: Uint8Array): string {
  return lenientDecoder.decode(b);
}

/** XOR `b` into `a` in place over min(length). */
export function xorInto(a: Uint8Array, b: Uint8Array): void {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) a[i] ^= b[i];
}
