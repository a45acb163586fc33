/**
 * Stateless nonces (RFC 8489 §9.2: the server picks NONCE; it must be fresh for a while and
 * then go stale, answered with 438). A nonce is its expiry time and a MAC over it keyed with
 * a secret drawn at start, so nothing is stored per client; with PASSWORD-ALGORITHMS on, it
 * starts with the "obMatJos2" cookie and the feature set "gAAA" (password algorithms, §9.2.1).
 */
import { createHmac } from "node:crypto";
import { type Millis, type RandomSource, randomBytes } from "@tsrtc/base";

const COOKIE = "obMatJos2gAAA";

export class NonceIssuer {
  private readonly secret: Uint8Array;

  constructor(
    rng: RandomSource,
    private readonly lifetime: Millis,
    private readonly withCookie: boolean,
  ) {
    this.secret = randomBytes(rng, 16);
  }

  issue(now: Millis): string {
    const expiry = Math.floor(now + this.lifetime).toString(16);
    return `${this.withCookie ? COOKIE : ""}${expiry}.${this.mac(expiry)}`;
  }

  /** Is this one of our nonces, not yet expired at `now`? */
  valid(nonce: string, now: Millis): boolean {
    let s = nonce;
    if (this.withCookie) {
      if (!s.startsWith(COOKIE)) return false;
      s = s.slice(COOKIE.length);
    }
    const dot = s.indexOf(".");
    if (dot < 1 || dot > 14) return false;
    const expiry = s.slice(0, dot);
    if (!/^[0-9a-f]+$/.test(expiry) || s.slice(dot + 1) !== this.mac(expiry)) return false;
    return parseInt(expiry, 16) > now;
  }

  private mac(expiry: string): string {
    return createHmac("sha1", this.secret).update(expiry).digest("hex").slice(0, 16);
  }
}
