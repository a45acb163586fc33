import { type AttributeCodec, bad, need } from "./codec.js";

/** `a=fingerprint:<hash-func> <fingerprint>` (RFC 8122 §5). */
export interface Fingerprint {
  /** `sha-256`, `sha-1`, ... as written. */
  hashFunction: string;
  /** Colon-separated hex pairs as written (`28:D3:...`). */
  value: string;
}

const GRAMMAR = "a=fingerprint:<hash-func> <XX:XX:...>";

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** RFC 8122 §5: fingerprint = 2UHEX *(":" 2UHEX); lower-case hex is accepted as browsers do. */
function isFingerprintHex(s: string): boolean {
  if (s.length < 2 || s.length % 3 !== 2) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (i % 3 === 2 ? c !== 58 : !isHex(c)) return false;
  }
  return true;
}

export function parseFingerprint(value: string | undefined, line?: number): Fingerprint {
  const v = need(value, line, GRAMMAR, "fingerprint");
  const sp = v.indexOf(" ");
  if (sp <= 0) bad(line, GRAMMAR, v);
  const hex = v.slice(sp + 1);
  if (!isFingerprintHex(hex)) bad(line, GRAMMAR, v);
  return { hashFunction: v.slice(0, sp), value: hex };
}

export function formatFingerprint(f: Fingerprint): string {
  return `${f.hashFunction} ${f.value}`;
}

/** The digest bytes of a fingerprint value. */
export function fingerprintBytes(f: Fingerprint): Uint8Array {
  const n = (f.value.length + 1) / 3;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = parseInt(f.value.slice(i * 3, i * 3 + 2), 16);
  return out;
}

/** Build a fingerprint from digest bytes, upper-case hex as RFC 8122 §5 writes it. */
export function fingerprintFromBytes(hashFunction: string, digest: Uint8Array): Fingerprint {
  const parts: string[] = [];
  for (let i = 0; i < digest.length; i++) parts.push(digest[i].toString(16).toUpperCase().padStart(2, "0"));
  return { hashFunction, value: parts.join(":") };
}

export const fingerprint: AttributeCodec<Fingerprint> = {
  name: "fingerprint",
  parse: parseFingerprint,
  format: formatFingerprint,
};
