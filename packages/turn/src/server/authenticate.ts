/**
 * The server side of the long-term credential mechanism (RFC 8489 §9.2.4, as TURN uses it,
 * RFC 8656 §5): a request without MESSAGE-INTEGRITY gets 401 with REALM and a fresh NONCE; one
 * missing USERNAME, REALM or NONCE gets 400; a nonce that is not ours or has expired gets 438
 * with a fresh one; an unknown user or a wrong MAC gets 401. With PASSWORD-ALGORITHMS offered
 * (§9.2.1), the request must echo the list and pick one of them (else 400).
 */
import type { Millis } from "@tsrtc/base";
import { type IntegrityKey, PasswordAlgorithm, type StunMessage, longTermIntegrityKey } from "@tsrtc/stun";
import type { CredentialStore } from "./credentials.js";
import type { NonceIssuer } from "./nonces.js";

export type AuthResult =
  | { ok: true; username: string; key: IntegrityKey; algorithm: number }
  /** `challenge`: add REALM and a fresh NONCE (401, 438). */
  | { ok: false; code: 400 | 401 | 438; challenge: boolean };

export class ServerAuth {
  /** Keys by "algorithm|username|password": MD5/SHA-256 and the HMAC pads computed once. */
  private readonly keys = new Map<string, IntegrityKey>();

  constructor(
    readonly realm: string,
    private readonly store: CredentialStore,
    readonly nonces: NonceIssuer,
    readonly algorithms: number[] | undefined,
  ) {}

  /** Check `m` (parsed and validated). Never throws on remote input. */
  check(m: StunMessage, now: Millis): AuthResult {
    const hasMi = m.integrityAt >= 0;
    const hasMi256 = m.integritySha256At >= 0;
    if (!hasMi && !hasMi256) return { ok: false, code: 401, challenge: true };
    const username = m.username();
    const realm = m.realm();
    const nonce = m.nonce();
    if (username === undefined || realm === undefined || nonce === undefined) return { ok: false, code: 400, challenge: false };
    if (!this.nonces.valid(nonce, now)) return { ok: false, code: 438, challenge: true };
    let algorithm: number = PasswordAlgorithm.MD5;
    if (this.algorithms) {
      const echoed = m.passwordAlgorithms();
      const chosen = m.passwordAlgorithm();
      if (echoed || chosen) {
        // §9.2.4: both present, the list exactly as offered, the choice one of them.
        const same = echoed !== undefined && echoed.length === this.algorithms.length && echoed.every((a, i) => a.algorithm === this.algorithms![i]);
        if (!same || !chosen || !this.algorithms.includes(chosen.algorithm)) return { ok: false, code: 400, challenge: false };
        algorithm = chosen.algorithm;
      }
    } else if (m.passwordAlgorithm() !== undefined) {
      return { ok: false, code: 400, challenge: false };
    }
    if (algorithm !== PasswordAlgorithm.MD5 && algorithm !== PasswordAlgorithm.SHA256) return { ok: false, code: 400, challenge: false };
    if (realm !== this.realm) return { ok: false, code: 401, challenge: true };
    const password = this.store.password(username, now);
    if (password === undefined) return { ok: false, code: 401, challenge: true };
    const key = this.key(username, password, algorithm);
    const good = hasMi256 ? m.checkIntegritySha256(key) : m.checkIntegrity(key);
    if (!good) return { ok: false, code: 401, challenge: true };
    return { ok: true, username, key, algorithm };
  }

  private key(username: string, password: string, algorithm: number): IntegrityKey {
    const id = `${algorithm}|${username}|${password}`;
    let k = this.keys.get(id);
    if (!k) {
      if (this.keys.size >= 1024) this.keys.clear();
      k = longTermIntegrityKey(username, this.realm, password, algorithm);
      this.keys.set(id, k);
    }
    return k;
  }
}
