/** W3C RTCCertificate (§4.9) and RTCPeerConnection.generateCertificate. */
import { cryptoRandom } from "@tsrtc/base";
import { type DtlsCertificate, fingerprint, generateCertificate } from "@tsrtc/dtls";
import { wallClockNow } from "../io/clock.js";

export interface RTCDtlsFingerprint {
  algorithm: string;
  value: string;
}

/** 30 days, as browsers issue them. */
const DEFAULT_LIFETIME_MS = 30 * 86_400_000;

export class RTCCertificate {
  /** @internal */
  readonly dtls: DtlsCertificate;
  /** Expiry, milliseconds since the epoch. */
  readonly expires: number;

  /** @internal Use RTCPeerConnection.generateCertificate(). */
  constructor(dtls: DtlsCertificate, expires: number) {
    this.dtls = dtls;
    this.expires = expires;
  }

  getFingerprints(): RTCDtlsFingerprint[] {
    return [fingerprint(this.dtls.der, "sha-256")];
  }
}

export type AlgorithmIdentifier =
  | string
  | { name: string; namedCurve?: string; modulusLength?: number; publicExponent?: Uint8Array; hash?: string | { name: string }; expires?: number };

/** ECDSA P-256 (the default of browsers) or RSASSA-PKCS1-v1_5 2048 with SHA-256. */
export function makeCertificate(keygen: AlgorithmIdentifier = { name: "ECDSA", namedCurve: "P-256" }): RTCCertificate {
  const alg = typeof keygen === "string" ? { name: keygen } : keygen;
  const name = String(alg.name).toUpperCase();
  let keyType: "ecdsa-p256" | "rsa-2048";
  if (name === "ECDSA") {
    if (alg.namedCurve !== undefined && alg.namedCurve !== "P-256") throw new DOMException(`curve ${alg.namedCurve} is not supported`, "NotSupportedError");
    keyType = "ecdsa-p256";
  } else if (name === "RSASSA-PKCS1-V1_5") {
    if (alg.modulusLength !== undefined && alg.modulusLength !== 2048) throw new DOMException("only 2048-bit RSA keys are supported", "NotSupportedError");
    keyType = "rsa-2048";
  } else {
    throw new DOMException(`algorithm ${alg.name} is not supported`, "NotSupportedError");
  }
  const now = wallClockNow();
  const lifetime = typeof alg.expires === "number" && alg.expires > 0 ? Math.min(alg.expires, 365 * 86_400_000) : DEFAULT_LIFETIME_MS;
  // X.509 validity is in whole days; the W3C expiry is what the caller asked for.
  const validityDays = Math.max(1, Math.ceil(lifetime / 86_400_000));
  const dtls = generateCertificate({ rng: cryptoRandom, notBefore: now - 86_400_000, validityDays: validityDays + 1, keyType });
  return new RTCCertificate(dtls, now + lifetime);
}
