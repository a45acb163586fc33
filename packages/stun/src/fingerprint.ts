/**
 * FINGERPRINT (RFC 8489 §14.7): CRC-32 of the message up to the attribute, XORed with
 * 0x5354554E, with the header length covering the FINGERPRINT itself. Computed in place.
 */
import { crc32 } from "@tsrtc/base";
import { FINGERPRINT_SIZE, FINGERPRINT_XOR, HEADER_LENGTH } from "./constants.js";

/** The FINGERPRINT value for an attribute whose header starts at `attrAt`. */
export function fingerprintValue(data: Uint8Array, attrAt: number): number {
  const s2 = data[2];
  const s3 = data[3];
  const length = attrAt + FINGERPRINT_SIZE - HEADER_LENGTH;
  data[2] = length >>> 8;
  data[3] = length;
  const crc = crc32(data, 0, attrAt);
  data[2] = s2;
  data[3] = s3;
  return (crc ^ FINGERPRINT_XOR) >>> 0;
}

/** Write the FINGERPRINT value at attrAt + 4. */
export function writeFingerprint(data: Uint8Array, attrAt: number): void {
  const v = fingerprintValue(data, attrAt);
  const i = attrAt + 4;
  data[i] = v >>> 24;
  data[i + 1] = v >>> 16;
  data[i + 2] = v >>> 8;
  data[i + 3] = v;
}

/** True when the FINGERPRINT value at attrAt + 4 matches the message. */
export function checkFingerprint(data: Uint8Array, attrAt: number): boolean {
  const i = attrAt + 4;
  const got = ((data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3]) >>> 0;
  return got === fingerprintValue(data, attrAt);
}
