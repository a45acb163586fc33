/**
 * Wire constants of DTLS 1.2 (RFC 6347), TLS 1.2 (RFC 5246) and the extensions WebRTC needs.
 * `as const` objects plus unions, never enums (DESIGN.md §3).
 */

/** DTLS 1.2 on the wire is {254, 253}; DTLS 1.0 is {254, 255} (RFC 6347 §4.1). */
export const DTLS_1_2 = 0xfefd;
export const DTLS_1_0 = 0xfeff;

/** RFC 5246 §6.2.1 ContentType. */
export const ContentType = {
  changeCipherSpec: 20,
  alert: 21,
  handshake: 22,
  applicationData: 23,
} as const;
export type ContentType = (typeof ContentType)[keyof typeof ContentType];

/** RFC 5246 §7.4 and RFC 6347 §4.2.2 HandshakeType. */
export const HandshakeType = {
  helloRequest: 0,
  clientHello: 1,
  serverHello: 2,
  helloVerifyRequest: 3,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
  certificateVerify: 15,
  clientKeyExchange: 16,
  finished: 20,
} as const;
export type HandshakeType = (typeof HandshakeType)[keyof typeof HandshakeType];

/** RFC 5246 §7.2 AlertLevel. */
export const AlertLevel = { warning: 1, fatal: 2 } as const;
export type AlertLevel = (typeof AlertLevel)[keyof typeof AlertLevel];

/** RFC 5246 §7.2 AlertDescription (the ones we send or name). */
export const AlertDescription = {
  closeNotify: 0,
  unexpectedMessage: 10,
  badRecordMac: 20,
  recordOverflow: 22,
  handshakeFailure: 40,
  badCertificate: 42,
  unsupportedCertificate: 43,
  certificateUnknown: 46,
  illegalParameter: 47,
  decodeError: 50,
  decryptError: 51,
  protocolVersion: 70,
  insufficientSecurity: 71,
  internalError: 80,
  userCanceled: 90,
  noRenegotiation: 100,
  unsupportedExtension: 110,
} as const;
export type AlertDescription = number;

export function alertName(d: number): string {
  for (const [k, v] of Object.entries(AlertDescription)) if (v === d) return k;
  return `alert_${d}`;
}

/** IANA TLS ExtensionType values we read or write. */
export const ExtensionType = {
  serverName: 0,
  supportedGroups: 10,
  ecPointFormats: 11,
  signatureAlgorithms: 13,
  useSrtp: 14,
  extendedMasterSecret: 23,
  renegotiationInfo: 0xff01,
} as const;

/** TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3). */
export const RENEGOTIATION_SCSV = 0x00ff;

/** IANA NamedGroup (RFC 8422 §5.1.1, RFC 7748). */
export const NamedGroup = {
  secp256r1: 23,
  secp384r1: 24,
  x25519: 29,
} as const;
export type NamedGroup = (typeof NamedGroup)[keyof typeof NamedGroup];

/** IANA SignatureScheme (RFC 8446 §4.2.3 code points, used in TLS 1.2 as hash+signature pairs). */
export const SignatureScheme = {
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
} as const;
export type SignatureScheme = (typeof SignatureScheme)[keyof typeof SignatureScheme];

/** ClientCertificateType (RFC 5246 §7.4.4, RFC 8422 §5.5). */
export const ClientCertificateType = { rsaSign: 1, ecdsaSign: 64 } as const;

/** DTLS-SRTP protection profiles (RFC 5764 §4.1.2, RFC 7714 §14.2). */
export const SrtpProfile = {
  SRTP_AES128_CM_HMAC_SHA1_80: 0x0001,
  SRTP_AES128_CM_HMAC_SHA1_32: 0x0002,
  SRTP_AEAD_AES_128_GCM: 0x0007,
  SRTP_AEAD_AES_256_GCM: 0x0008,
} as const;
export type SrtpProfileName = keyof typeof SrtpProfile;
export type SrtpProfileId = (typeof SrtpProfile)[SrtpProfileName];

/** Key and salt lengths of each SRTP profile (RFC 5764 §4.1.2, RFC 7714 §12). */
export const SRTP_PROFILE_KEYS: Record<SrtpProfileName, { keyLength: number; saltLength: number }> = {
  SRTP_AES128_CM_HMAC_SHA1_80: { keyLength: 16, saltLength: 14 },
  SRTP_AES128_CM_HMAC_SHA1_32: { keyLength: 16, saltLength: 14 },
  SRTP_AEAD_AES_128_GCM: { keyLength: 16, saltLength: 12 },
  SRTP_AEAD_AES_256_GCM: { keyLength: 32, saltLength: 12 },
};

export function srtpProfileName(id: number): SrtpProfileName | undefined {
  for (const [k, v] of Object.entries(SrtpProfile)) if (v === id) return k as SrtpProfileName;
  return undefined;
}

/** Largest plaintext in one record (RFC 5246 §6.2.1). */
export const MAX_PLAINTEXT = 1 << 14;
/** Largest ciphertext in one record (RFC 5246 §6.2.3: 2^14 + 2048). */
export const MAX_CIPHERTEXT = (1 << 14) + 2048;
export const RECORD_HEADER_LENGTH = 13;
export const HANDSHAKE_HEADER_LENGTH = 12;
