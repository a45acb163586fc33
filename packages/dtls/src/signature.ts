/**
 * Signatures of ServerKeyExchange and CertificateVerify (RFC 5246 §4.7, §7.4.1.4.1) with the
 * SignatureScheme code points: ECDSA (DER-encoded, RFC 8422 §5.4), RSASSA-PKCS1-v1_5 and
 * RSASSA-PSS with rsaEncryption keys (RFC 8446 §4.2.3, usable in TLS 1.2 per RFC 8446 §1.3).
 */
import { constants, sign, verify, type KeyObject } from "node:crypto";
import { SignatureScheme } from "./constants.js";

type Kind = "ecdsa" | "rsa-pkcs1" | "rsa-pss";

const SCHEMES: Record<number, { hash: string; kind: Kind } | undefined> = {
  [SignatureScheme.ecdsa_secp256r1_sha256]: { hash: "sha256", kind: "ecdsa" },
  [SignatureScheme.ecdsa_secp384r1_sha384]: { hash: "sha384", kind: "ecdsa" },
  [SignatureScheme.rsa_pkcs1_sha256]: { hash: "sha256", kind: "rsa-pkcs1" },
  [SignatureScheme.rsa_pkcs1_sha384]: { hash: "sha384", kind: "rsa-pkcs1" },
  [SignatureScheme.rsa_pkcs1_sha512]: { hash: "sha512", kind: "rsa-pkcs1" },
  [SignatureScheme.rsa_pss_rsae_sha256]: { hash: "sha256", kind: "rsa-pss" },
  [SignatureScheme.rsa_pss_rsae_sha384]: { hash: "sha384", kind: "rsa-pss" },
  [SignatureScheme.rsa_pss_rsae_sha512]: { hash: "sha512", kind: "rsa-pss" },
};

/** What we advertise in signature_algorithms and CertificateRequest, preferred first. */
export const SUPPORTED_SIGNATURE_SCHEMES: readonly number[] = [
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.rsa_pkcs1_sha512,
];

export type KeyKind = "ecdsa" | "rsa";

export function keyKind(key: KeyObject): KeyKind | undefined {
  if (key.asymmetricKeyType === "ec") return "ecdsa";
  if (key.asymmetricKeyType === "rsa") return "rsa";
  return undefined;
}

function schemeFits(scheme: number, key: KeyObject): boolean {
  const s = SCHEMES[scheme];
  if (!s) return false;
  const k = keyKind(key);
  if (k === "ecdsa") {
    if (s.kind !== "ecdsa") return false;
    // We sign with the hash the scheme names; for our own key, pair curve and hash as TLS 1.3 does.
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (scheme === SignatureScheme.ecdsa_secp256r1_sha256) return curve === "prime256v1";
    if (scheme === SignatureScheme.ecdsa_secp384r1_sha384) return curve === "secp384r1";
    return false;
  }
  return k === "rsa" && s.kind !== "ecdsa";
}

/** The first scheme of ours that the peer offered and our key can make; undefined if none. */
export function chooseSignatureScheme(ourKey: KeyObject, offered: readonly number[]): number | undefined {
  for (const s of SUPPORTED_SIGNATURE_SCHEMES) if (offered.includes(s) && schemeFits(s, ourKey)) return s;
  return undefined;
}

function options(kind: Kind, key: KeyObject) {
  if (kind === "ecdsa") return { key, dsaEncoding: "der" as const };
  if (kind === "rsa-pss") return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  return { key, padding: constants.RSA_PKCS1_PADDING };
}

export function signData(privateKey: KeyObject, scheme: number, data: Uint8Array): Uint8Array {
  const s = SCHEMES[scheme];
  if (!s) throw new Error(`dtls: cannot sign with scheme ${scheme}`);
  return new Uint8Array(sign(s.hash, data, options(s.kind, privateKey)));
}

/** True only for a valid signature by `publicKey` under `scheme`; never throws. */
export function verifyData(publicKey: KeyObject, scheme: number, data: Uint8Array, signature: Uint8Array): boolean {
  const s = SCHEMES[scheme];
  if (!s) return false;
  const k = keyKind(publicKey);
  if (k === undefined || (k === "ecdsa") !== (s.kind === "ecdsa")) return false;
  try {
    return verify(s.hash, data, options(s.kind, publicKey), signature);
  } catch {
    return false;
  }
}
