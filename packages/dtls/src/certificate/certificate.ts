/**
 * Certificates for DTLS in WebRTC: generate a self-signed X.509 v3 certificate (ECDSA P-256 as
 * RTCPeerConnection.generateCertificate does, RSA-2048 optional), load one from PEM, and compute
 * fingerprints (RFC 8122 §5: hash of the DER, uppercase hex pairs joined by ':').
 */
import { createHash, createPrivateKey, generateKeyPairSync, sign, X509Certificate, type KeyObject } from "node:crypto";
import { randomBytes, type RandomSource } from "@tsrtc/base";
import { bitString, explicit, integer, nullValue, oid, sequence, set, smallInteger, time, utf8String } from "./der.js";

export type KeyKind = "ecdsa" | "rsa";

export interface DtlsCertificate {
  /** The certificate, DER. */
  der: Uint8Array;
  privateKey: KeyObject;
  keyKind: KeyKind;
}

export interface GenerateCertificateOptions {
  rng: RandomSource;
  /** Start of validity, epoch milliseconds (the caller's clock: cores never read one). */
  notBefore: number;
  /** Default 30 days, as browsers do. */
  validityDays?: number;
  keyType?: "ecdsa-p256" | "rsa-2048";
  commonName?: string;
}

const ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
const SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
const COMMON_NAME = "2.5.4.3";

export function generateCertificate(o: GenerateCertificateOptions): DtlsCertificate {
  const rsa = o.keyType === "rsa-2048";
  const { privateKey, publicKey } = rsa
    ? generateKeyPairSync("rsa", { modulusLength: 2048 })
    : generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const spki = new Uint8Array(publicKey.export({ format: "der", type: "spki" }));
  // RFC 5280 §4.1.2.2: a positive serial of at most 20 octets.
  const serial = randomBytes(o.rng, 16);
  serial[0] = (serial[0] & 0x7f) | 0x01;
  const sigAlg = rsa ? sequence(oid(SHA256_WITH_RSA), nullValue()) : sequence(oid(ECDSA_WITH_SHA256));
  const name = sequence(set(sequence(oid(COMMON_NAME), utf8String(o.commonName ?? "WebRTC"))));
  const days = o.validityDays ?? 30;
  const tbs = sequence(
    explicit(0, smallInteger(2)), // v3
    integer(serial),
    sigAlg,
    name,
    sequence(time(o.notBefore), time(o.notBefore + days * 86_400_000)),
    name,
    spki,
  );
  const signature = rsa ? sign("sha256", tbs, privateKey) : sign("sha256", tbs, { key: privateKey, dsaEncoding: "der" });
  const der = sequence(tbs, sigAlg, bitString(new Uint8Array(signature)));
  return { der, privateKey, keyKind: rsa ? "rsa" : "ecdsa" };
}

/** A certificate and private key from PEM (for instance made by `openssl req`). */
export function certificateFromPem(certPem: string, keyPem: string): DtlsCertificate {
  const x = new X509Certificate(certPem);
  const privateKey = createPrivateKey(keyPem);
  const t = privateKey.asymmetricKeyType;
  if (t !== "ec" && t !== "rsa") throw new TypeError(`unsupported key type ${t}`);
  if (!x.checkPrivateKey(privateKey)) throw new TypeError("private key does not match the certificate");
  return { der: new Uint8Array(x.raw), privateKey, keyKind: t === "ec" ? "ecdsa" : "rsa" };
}

export type FingerprintAlgorithm = "sha-1" | "sha-224" | "sha-256" | "sha-384" | "sha-512";

export interface Fingerprint {
  algorithm: string;
  value: string;
}

const HASHES: Record<FingerprintAlgorithm, string> = {
  "sha-1": "sha1",
  "sha-224": "sha224",
  "sha-256": "sha256",
  "sha-384": "sha384",
  "sha-512": "sha512",
};

export function isFingerprintAlgorithm(a: string): a is FingerprintAlgorithm {
  return Object.hasOwn(HASHES, a);
}

/** RFC 8122 §5: e.g. "sha-256" → "AB:CD:...". */
export function fingerprint(der: Uint8Array, algorithm: FingerprintAlgorithm = "sha-256"): Fingerprint {
  const hex = createHash(HASHES[algorithm]).update(der).digest("hex").toUpperCase();
  return { algorithm, value: hex.match(/../g)!.join(":") };
}

/**
 * True when `der` matches one of `expected` (algorithm names compared case-insensitively,
 * values ignoring case and ':'); fingerprints with algorithms we do not know are skipped.
 */
export function matchesFingerprint(der: Uint8Array, expected: readonly Fingerprint[]): boolean {
  for (const f of expected) {
    const alg = f.algorithm.toLowerCase();
    if (!isFingerprintAlgorithm(alg)) continue;
    const want = f.value.replace(/:/g, "").toUpperCase();
    if (fingerprint(der, alg).value.replace(/:/g, "") === want) return true;
  }
  return false;
}
