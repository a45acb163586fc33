/**
 * SRTP protection profiles negotiated by DTLS-SRTP (RFC 5764 §4.1.2, RFC 7714 §14.2), with the
 * key, salt and tag lengths each one fixes. All lengths are in bytes.
 */

/** DTLS-SRTP profile identifiers (the two-byte values of the use_srtp extension). */
export const SrtpProfileId = {
  AES128_CM_HMAC_SHA1_80: 0x0001,
  AES128_CM_HMAC_SHA1_32: 0x0002,
  /** NULL cipher, HMAC-SHA1 80-bit tag: authentication only (tests, debugging). */
  NULL_HMAC_SHA1_80: 0x0005,
  NULL_HMAC_SHA1_32: 0x0006,
  AEAD_AES_128_GCM: 0x0007,
  AEAD_AES_256_GCM: 0x0008,
} as const;
export type SrtpProfileId = (typeof SrtpProfileId)[keyof typeof SrtpProfileId];

export type SrtpCipherKind = "aes-cm-hmac" | "null-hmac" | "aead-gcm";

export interface SrtpProfile {
  readonly id: SrtpProfileId;
  readonly name: string;
  readonly kind: SrtpCipherKind;
  /** Master (and session) encryption key length. */
  readonly keyLength: number;
  /** Master salt length: 14 for AES-CM (RFC 3711), 12 for AEAD (RFC 7714 §12). */
  readonly saltLength: number;
  /** HMAC-SHA1 session authentication key length; 0 for AEAD. */
  readonly authKeyLength: number;
  /** SRTP authentication tag length. */
  readonly rtpTagLength: number;
  /** SRTCP authentication tag length: 80 bits even for the _32 profiles (RFC 5764 §4.1.2). */
  readonly rtcpTagLength: number;
}

function profile(p: SrtpProfile): SrtpProfile {
  return Object.freeze(p);
}

const TABLE: ReadonlyMap<number, SrtpProfile> = new Map<number, SrtpProfile>([
  [0x0001, profile({ id: 0x0001, name: "SRTP_AES128_CM_HMAC_SHA1_80", kind: "aes-cm-hmac", keyLength: 16, saltLength: 14, authKeyLength: 20, rtpTagLength: 10, rtcpTagLength: 10 })],
  [0x0002, profile({ id: 0x0002, name: "SRTP_AES128_CM_HMAC_SHA1_32", kind: "aes-cm-hmac", keyLength: 16, saltLength: 14, authKeyLength: 20, rtpTagLength: 4, rtcpTagLength: 10 })],
  [0x0005, profile({ id: 0x0005, name: "SRTP_NULL_HMAC_SHA1_80", kind: "null-hmac", keyLength: 16, saltLength: 14, authKeyLength: 20, rtpTagLength: 10, rtcpTagLength: 10 })],
  [0x0006, profile({ id: 0x0006, name: "SRTP_NULL_HMAC_SHA1_32", kind: "null-hmac", keyLength: 16, saltLength: 14, authKeyLength: 20, rtpTagLength: 4, rtcpTagLength: 10 })],
  [0x0007, profile({ id: 0x0007, name: "SRTP_AEAD_AES_128_GCM", kind: "aead-gcm", keyLength: 16, saltLength: 12, authKeyLength: 0, rtpTagLength: 16, rtcpTagLength: 16 })],
  [0x0008, profile({ id: 0x0008, name: "SRTP_AEAD_AES_256_GCM", kind: "aead-gcm", keyLength: 32, saltLength: 12, authKeyLength: 0, rtpTagLength: 16, rtcpTagLength: 16 })],
]);

/** All supported profiles, in the order of our DTLS use_srtp preference (AEAD first). */
export const SUPPORTED_SRTP_PROFILES: readonly SrtpProfileId[] = [0x0007, 0x0008, 0x0001, 0x0002];

/** The profile for a DTLS-SRTP id, or undefined when we do not support it. */
export function findSrtpProfile(id: number): SrtpProfile | undefined {
  return TABLE.get(id);
}

/** The profile for an id or a profile object; throws on an unknown id (programmer error). */
export function srtpProfile(p: SrtpProfileId | SrtpProfile): SrtpProfile {
  if (typeof p === "object") return p;
  const found = TABLE.get(p);
  if (!found) throw new RangeError(`unknown SRTP protection profile 0x${Number(p).toString(16).padStart(4, "0")}`);
  return found;
}

/** Bytes the DTLS exporter must yield for this profile: 2 * (key + salt) (RFC 5764 §4.2). */
export function keyingMaterialLength(p: SrtpProfileId | SrtpProfile): number {
  const info = srtpProfile(p);
  return 2 * (info.keyLength + info.saltLength);
}

/** The TLS exporter label for DTLS-SRTP keying material (RFC 5764 §4.2). */
export const DTLS_SRTP_EXPORTER_LABEL = "EXTRACTOR-dtls_srtp";
