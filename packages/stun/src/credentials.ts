/**
 * Credential keys for MESSAGE-INTEGRITY(-SHA256) (RFC 8489 §9):
 *  - short-term (§9.1.1): key = the password's UTF-8 bytes (ICE: the peer's ice-pwd);
 *  - long-term (§9.2.2): key = MD5(username ":" realm ":" password), or with PASSWORD-ALGORITHM
 *    SHA-256, key = SHA-256(username ":" realm ":" password);
 *  - USERHASH (§14.4) = SHA-256(username ":" realm).
 * The OpaqueString / SASLprep preparation of RFC 8265 is the caller's job: WebRTC credentials
 * are ASCII, and TURN usernames from a REST API are too. Pass already-prepared strings.
 */
import { createHash } from "node:crypto";
import { utf8Encode } from "@tsrtc/base";
import { PasswordAlgorithm } from "./constants.js";
import { IntegrityKey } from "./integrity.js";

/** The short-term key bytes: the password itself (§9.1.1). */
export function shortTermKey(password: string): Uint8Array {
  return utf8Encode(password);
}

/** The long-term key bytes (§9.2.2) for the given PASSWORD-ALGORITHM (MD5 by default). */
export function longTermKey(
  username: string,
  realm: string,
  password: string,
  algorithm: number = PasswordAlgorithm.MD5,
): Uint8Array {
  const input = `${username}:${realm}:${password}`;
  if (algorithm === PasswordAlgorithm.MD5) return new Uint8Array(createHash("md5").update(input, "utf8").digest());
  if (algorithm === PasswordAlgorithm.SHA256) {
    return new Uint8Array(createHash("sha256").update(input, "utf8").digest());
  }
  throw new RangeError(`unsupported PASSWORD-ALGORITHM ${algorithm}`);
}

/** USERHASH value (§14.4): SHA-256(username ":" realm). */
export function userhash(username: string, realm: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`${username}:${realm}`, "utf8").digest());
}

/** A ready short-term IntegrityKey (keep it: its HMAC state is reused per message). */
export function shortTermIntegrityKey(password: string): IntegrityKey {
  return new IntegrityKey(shortTermKey(password));
}

/** A ready long-term IntegrityKey. */
export function longTermIntegrityKey(
  username: string,
  realm: string,
  password: string,
  algorithm: number = PasswordAlgorithm.MD5,
): IntegrityKey {
  return new IntegrityKey(longTermKey(username, realm, password, algorithm));
}
