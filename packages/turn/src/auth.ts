/**
 * The client side of STUN's long-term credential mechanism (RFC 8489 §9.2) as TURN uses it
 * (RFC 8656 §5): the first request goes without credentials; the 401 answer brings REALM and
 * NONCE; later requests carry USERNAME, REALM, NONCE and MESSAGE-INTEGRITY (HMAC-SHA1 keyed with
 * MD5(username:realm:password)); a 438 (Stale Nonce) brings a fresh NONCE to retry with.
 *
 * When the NONCE starts with the "obMatJos2" cookie and its security feature set has the
 * "password algorithms" bit (§9.2.1), the server lists PASSWORD-ALGORITHMS: we pick SHA-256
 * when offered (MD5 otherwise), echo the list and name our choice in PASSWORD-ALGORITHM
 * (§9.2.4), and sign with MESSAGE-INTEGRITY-SHA256 when the key is SHA-256.
 */
import {
  type IntegrityKey,
  PasswordAlgorithm,
  type PasswordAlgorithmEntry,
  type StunBuilder,
  type StunMessage,
  longTermIntegrityKey,
} from "@tsrtc/stun";

/** RFC 8489 §9.2: the nonce cookie announcing a security feature set. */
export const NONCE_COOKIE = "obMatJos2";
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * The 24-bit security feature set of a nonce carrying the cookie (4 base64 characters after it),
 * or 0 without the cookie. Bit 0 (the most significant) is "password algorithms", bit 1
 * "username anonymity" (§18.1).
 */
export function securityFeatures(nonce: string): number {
  if (!nonce.startsWith(NONCE_COOKIE) || nonce.length < NONCE_COOKIE.length + 4) return 0;
  let v = 0;
  for (let i = 0; i < 4; i++) {
    const d = B64.indexOf(nonce[NONCE_COOKIE.length + i]);
    if (d < 0) return 0;
    v = (v << 6) | d;
  }
  return v;
}

export const FEATURE_PASSWORD_ALGORITHMS = 0x800000;

export class LongTermAuth {
  realm: string | undefined;
  nonce: string | undefined;
  /** The PASSWORD-ALGORITHMS list the server offered (echoed), when the nonce says so. */
  private offered: PasswordAlgorithmEntry[] | undefined;
  algorithm: number = PasswordAlgorithm.MD5;
  private key: IntegrityKey | undefined;

  constructor(
    readonly username: string,
    private readonly password: string,
  ) {}

  /** Credentials known: requests can be signed. */
  get ready(): boolean {
    return this.key !== undefined && this.nonce !== undefined;
  }

  /**
   * Take REALM, NONCE (and PASSWORD-ALGORITHMS) from a 401 or 438 response (§9.2.5). Returns
   * false when the response lacks what a retry needs, or its attributes are malformed.
   */
  challenge(m: StunMessage): boolean {
    let realm: string | undefined;
    let nonce: string | undefined;
    let algorithms: PasswordAlgorithmEntry[] | undefined;
    try {
      realm = m.realm();
      nonce = m.nonce();
      algorithms = m.passwordAlgorithms();
    } catch {
      return false;
    }
    if (nonce === undefined || (realm === undefined && this.realm === undefined)) return false;
    realm ??= this.realm!;
    let algorithm: number = PasswordAlgorithm.MD5;
    let offered: PasswordAlgorithmEntry[] | undefined;
    if ((securityFeatures(nonce) & FEATURE_PASSWORD_ALGORITHMS) !== 0 && algorithms && algorithms.length > 0) {
      offered = algorithms.map((a) => ({ algorithm: a.algorithm, parameters: a.parameters.slice() }));
      if (algorithms.some((a) => a.algorithm === PasswordAlgorithm.SHA256)) algorithm = PasswordAlgorithm.SHA256;
      else if (!algorithms.some((a) => a.algorithm === PasswordAlgorithm.MD5)) return false; // nothing we can do
    }
    if (!this.key || realm !== this.realm || algorithm !== this.algorithm) {
      this.key = longTermIntegrityKey(this.username, realm, this.password, algorithm);
    }
    this.realm = realm;
    this.nonce = nonce;
    this.algorithm = algorithm;
    this.offered = offered;
    return true;
  }

  /** Add the credential attributes and the integrity trailer (§9.2.4); FINGERPRINT is the caller's. */
  sign(b: StunBuilder): void {
    if (!this.key || this.nonce === undefined || this.realm === undefined) throw new Error("no TURN credentials yet");
    b.username(this.username).realm(this.realm).nonce(this.nonce);
    if (this.offered) {
      b.passwordAlgorithms(this.offered);
      b.passwordAlgorithm({ algorithm: this.algorithm, parameters: new Uint8Array(0) });
    }
    if (this.algorithm === PasswordAlgorithm.SHA256) b.messageIntegritySha256(this.key);
    else b.messageIntegrity(this.key);
  }

  /** §9.2.5: a response to a signed request is accepted only with a valid integrity attribute. */
  verify(m: StunMessage): boolean {
    if (!this.key) return false;
    if (m.integritySha256At >= 0) return m.checkIntegritySha256(this.key);
    return m.checkIntegrity(this.key);
  }
}
