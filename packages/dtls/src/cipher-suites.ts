/**
 * The AEAD cipher suites we speak (RFC 5289, RFC 7905). All are ECDHE, so every handshake has
 * forward secrecy; no CBC, no static RSA.
 */
export const CipherSuite = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 0xc02b,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 0xc02c,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 0xc02f,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 0xc030,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca9,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca8,
} as const;
export type CipherSuiteName = keyof typeof CipherSuite;

export type AeadAlgorithm = "aes-128-gcm" | "aes-256-gcm" | "chacha20-poly1305";

export interface CipherSuiteInfo {
  id: number;
  name: CipherSuiteName;
  /** Which certificate key signs the key exchange. */
  auth: "ecdsa" | "rsa";
  aead: AeadAlgorithm;
  keyLength: number;
  /** client_write_IV / server_write_IV length: 4-byte salt for GCM (RFC 5288 §3), 12 for ChaCha (RFC 7905 §2). */
  fixedIvLength: number;
  /** Explicit per-record nonce carried in the record: 8 for GCM, 0 for ChaCha20-Poly1305. */
  explicitNonceLength: number;
  /** PRF hash (RFC 5246 §5; the suite's SHA-384 for *_SHA384). */
  prfHash: "sha256" | "sha384";
}

const TABLE: CipherSuiteInfo[] = [
  suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ecdsa", "aes-128-gcm", "sha256"),
  suite("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ecdsa", "aes-256-gcm", "sha384"),
  suite("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ecdsa", "chacha20-poly1305", "sha256"),
  suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "rsa", "aes-128-gcm", "sha256"),
  suite("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "rsa", "aes-256-gcm", "sha384"),
  suite("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "rsa", "chacha20-poly1305", "sha256"),
];

function suite(
  name: CipherSuiteName,
  auth: "ecdsa" | "rsa",
  aead: AeadAlgorithm,
  prfHash: "sha256" | "sha384",
): CipherSuiteInfo {
  const chacha = aead === "chacha20-poly1305";
  return {
    id: CipherSuite[name],
    name,
    auth,
    aead,
    keyLength: aead === "aes-128-gcm" ? 16 : 32,
    fixedIvLength: chacha ? 12 : 4,
    explicitNonceLength: chacha ? 0 : 8,
    prfHash,
  };
}

/** Our default preference order: what browsers pick first, first. */
export const DEFAULT_CIPHER_SUITES: CipherSuiteName[] = TABLE.map((s) => s.name);

export function cipherSuiteById(id: number): CipherSuiteInfo | undefined {
  for (const s of TABLE) if (s.id === id) return s;
  return undefined;
}

export function cipherSuiteByName(name: CipherSuiteName): CipherSuiteInfo {
  for (const s of TABLE) if (s.name === name) return s;
  throw new TypeError(`unknown cipher suite ${name}`);
}

/** Bytes an AEAD record adds to its plaintext: explicit nonce + 16-byte tag. */
export function aeadOverhead(s: CipherSuiteInfo): number {
  return s.explicitNonceLength + 16;
}
