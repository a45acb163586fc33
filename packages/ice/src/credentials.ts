/**
 * ICE credentials as RFC 8839 §5.4 allows them: ice-ufrag = 4*256ice-char, ice-pwd =
 * 22*256ice-char, ice-char = ALPHA / DIGIT / "+" / "/". Anything else would only fail later,
 * deep in a check (a USERNAME over the STUN limits, a ufrag no peer matches), so the agent
 * refuses it where it is handed in.
 */
import type { IceCredentials } from "./types.js";

function iceChars(s: string, min: number): boolean {
  if (s.length < min || s.length > 256) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (!ok) return false;
  }
  return true;
}

/** True when `c` is a valid ufrag/pwd pair (RFC 8839 §5.4). */
export function validCredentials(c: IceCredentials): boolean {
  return iceChars(c.ufrag, 4) && iceChars(c.pwd, 22);
}

/** Throw a TypeError naming `whose` credentials unless they are valid. */
export function assertCredentials(c: IceCredentials, whose: string): void {
  if (!validCredentials(c)) {
    throw new TypeError(`${whose} ICE credentials must be 4..256 (ufrag) and 22..256 (pwd) ice-chars (RFC 8839 §5.4)`);
  }
}
