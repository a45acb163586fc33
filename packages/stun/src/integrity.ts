/**
 * MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5) and MESSAGE-INTEGRITY-SHA256 (§14.6).
 *
 * The HMAC covers the message up to (not including) the integrity attribute, with the header's
 * length field set as if the integrity attribute were the last one. Nothing is copied: the two
 * length bytes are patched in place for the duration of the (synchronous) MAC and restored.
 */
import { createHmac, createSecretKey, type KeyObject } from "node:crypto";
import { constantTimeEqual } from "@tsrtc/base";
import { HEADER_LENGTH, MESSAGE_INTEGRITY_SIZE } from "./constants.js";
import { HmacSha1Key } from "./hmac-sha1.js";

/**
 * A credential key ready for MACs: the SHA-1 pad states and the node:crypto KeyObject are
 * computed once and reused for every message. Build one per credential (ICE: one per
 * password; TURN: one per long-term key) and keep it.
 */
export class IntegrityKey {
  private sha1?: HmacSha1Key;
  private keyObject?: KeyObject;

  constructor(readonly bytes: Uint8Array) {}

  /** HMAC-SHA1 state, computed on first use. */
  get hmacSha1(): HmacSha1Key {
    return (this.sha1 ??= new HmacSha1Key(this.bytes));
  }

  /** node:crypto key for HMAC-SHA256, created on first use. */
  get secretKey(): KeyObject {
    return (this.keyObject ??= createSecretKey(this.bytes));
  }
}

/** Accept raw key bytes or a prepared key; raw bytes build a throwaway IntegrityKey. */
export function toIntegrityKey(key: IntegrityKey | Uint8Array): IntegrityKey {
  return key instanceof IntegrityKey ? key : new IntegrityKey(key);
}

function patchLength(data: Uint8Array, length: number): number {
  const saved = (data[2] << 8) | data[3];
  data[2] = length >>> 8;
  data[3] = length;
  return saved;
}

function restoreLength(data: Uint8Array, saved: number): void {
  data[2] = saved >>> 8;
  data[3] = saved;
}

/**
 * Write the HMAC-SHA1 for an integrity attribute whose header starts at `attrAt` (its value at
 * attrAt + 4), over data[0, attrAt) with the length field covering through that attribute.
 */
export function writeHmacSha1(data: Uint8Array, attrAt: number, key: IntegrityKey): void {
  const saved = patchLength(data, attrAt + MESSAGE_INTEGRITY_SIZE - HEADER_LENGTH);
  key.hmacSha1.mac(data, 0, attrAt, data, attrAt + 4);
  restoreLength(data, saved);
}

/** Check the 20-byte MESSAGE-INTEGRITY value at attrAt + 4 (constant-time compare). */
export function checkHmacSha1(data: Uint8Array, attrAt: number, key: IntegrityKey): boolean {
  const saved = patchLength(data, attrAt + MESSAGE_INTEGRITY_SIZE - HEADER_LENGTH);
  const ok = key.hmacSha1.verify(data, 0, attrAt, data, attrAt + 4);
  restoreLength(data, saved);
  return ok;
}

/** HMAC-SHA256 over data[0, attrAt) with the length covering an integrity value of `valueLength`. */
function hmacSha256(data: Uint8Array, attrAt: number, valueLength: number, key: IntegrityKey): Uint8Array {
  const saved = patchLength(data, attrAt + 4 + valueLength - HEADER_LENGTH);
  const mac = createHmac("sha256", key.secretKey).update(data.subarray(0, attrAt)).digest();
  restoreLength(data, saved);
  return mac;
}

/** Write a MESSAGE-INTEGRITY-SHA256 value of `valueLength` bytes (16..32, §14.6) at attrAt + 4. */
export function writeHmacSha256(data: Uint8Array, attrAt: number, valueLength: number, key: IntegrityKey): void {
  const mac = hmacSha256(data, attrAt, valueLength, key);
  data.set(mac.subarray(0, valueLength), attrAt + 4);
}

/** Check a MESSAGE-INTEGRITY-SHA256 value (possibly truncated, §14.6) at attrAt + 4. */
export function checkHmacSha256(data: Uint8Array, attrAt: number, valueLength: number, key: IntegrityKey): boolean {
  const mac = hmacSha256(data, attrAt, valueLength, key);
  return constantTimeEqual(mac.subarray(0, valueLength), data.subarray(attrAt + 4, attrAt + 4 + valueLength));
}
