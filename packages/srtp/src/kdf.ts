/**
 * SRTP key derivation (RFC 3711 §4.3) with the AES-CM PRF (§4.3.3), key derivation rate 0,
 * and AES-256 for 256-bit master keys (RFC 6188 §3, as RFC 7714 §11 uses for AES-256-GCM).
 */
import { createCipheriv } from "node:crypto";
import { srtpProfile, type SrtpProfile, type SrtpProfileId } from "./profiles.js";

/** Key derivation labels (RFC 3711 §4.3.1 and §4.3.2). */
export const KdfLabel = {
  RTP_ENCRYPTION: 0x00,
  RTP_AUTH: 0x01,
  RTP_SALT: 0x02,
  RTCP_ENCRYPTION: 0x03,
  RTCP_AUTH: 0x04,
  RTCP_SALT: 0x05,
} as const;
export type KdfLabel = (typeof KdfLabel)[keyof typeof KdfLabel];

/**
 * The AES-CM PRF of RFC 3711 §4.3.3: `length` bytes of AES counter-mode keystream under the
 * master key, starting from x * 2^16 where x = key_id XOR master_salt (§4.3.1) and
 * key_id = label || (index DIV kdr) = label || 0^48. A 12-byte AEAD master salt is zero-padded
 * on the right to 112 bits (RFC 7714 §11, as libsrtp does).
 */
export function aesCmPrf(masterKey: Uint8Array, masterSalt: Uint8Array, label: number, length: number): Uint8Array {
  if (masterKey.length !== 16 && masterKey.length !== 32) {
    throw new RangeError(`SRTP master key must be 16 or 32 bytes, got ${masterKey.length}`);
  }
  if (masterSalt.length > 14) throw new RangeError(`SRTP master salt must be at most 14 bytes, got ${masterSalt.length}`);
  const iv = new Uint8Array(16);
  iv.set(masterSalt, 0);
  // key_id is 56 bits, right-aligned in the 112-bit x: the label sits at byte 7 (§4.3.1).
  iv[7] ^= label;
  const cipher = createCipheriv(masterKey.length === 16 ? "aes-128-ctr" : "aes-256-ctr", masterKey, iv);
  const out = new Uint8Array(length);
  const ks = cipher.update(out);
  out.set(ks.subarray(0, length));
  return out;
}

/** Session keys of one direction, for SRTP and SRTCP. Auth keys are empty for AEAD profiles. */
export interface SessionKeys {
  readonly rtpKey: Uint8Array;
  readonly rtpSalt: Uint8Array;
  readonly rtpAuthKey: Uint8Array;
  readonly rtcpKey: Uint8Array;
  readonly rtcpSalt: Uint8Array;
  readonly rtcpAuthKey: Uint8Array;
}

/** Derive the six session keys for one direction from its master key and salt (§4.3). */
export function deriveSessionKeys(
  profile: SrtpProfileId | SrtpProfile,
  masterKey: Uint8Array,
  masterSalt: Uint8Array,
): SessionKeys {
  const p = srtpProfile(profile);
  if (masterKey.length !== p.keyLength) {
    throw new RangeError(`${p.name} needs a ${p.keyLength}-byte master key, got ${masterKey.length}`);
  }
  if (masterSalt.length !== p.saltLength) {
    throw new RangeError(`${p.name} needs a ${p.saltLength}-byte master salt, got ${masterSalt.length}`);
  }
  const none = new Uint8Array(0);
  return {
    rtpKey: aesCmPrf(masterKey, masterSalt, KdfLabel.RTP_ENCRYPTION, p.keyLength),
    rtpSalt: aesCmPrf(masterKey, masterSalt, KdfLabel.RTP_SALT, p.saltLength),
    rtpAuthKey: p.authKeyLength ? aesCmPrf(masterKey, masterSalt, KdfLabel.RTP_AUTH, p.authKeyLength) : none,
    rtcpKey: aesCmPrf(masterKey, masterSalt, KdfLabel.RTCP_ENCRYPTION, p.keyLength),
    rtcpSalt: aesCmPrf(masterKey, masterSalt, KdfLabel.RTCP_SALT, p.saltLength),
    rtcpAuthKey: p.authKeyLength ? aesCmPrf(masterKey, masterSalt, KdfLabel.RTCP_AUTH, p.authKeyLength) : none,
  };
}
