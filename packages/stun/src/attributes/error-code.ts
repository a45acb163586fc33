/**
 * ERROR-CODE (RFC 8489 §14.8): 21 reserved bits, the class (hundreds, 3..6) in 3 bits, the
 * number (0..99) in 8 bits, then a UTF-8 reason phrase of at most 128 characters (763 bytes).
 * TURN's ADDRESS-ERROR-CODE (RFC 8656 §18) puts an address family in the first byte.
 */
import { utf8Decode } from "@tsrtc/base";
import { stunError } from "./errors.js";

export interface ErrorCodeValue {
  code: number;
  reason: string;
}

export interface AddressErrorCodeValue extends ErrorCodeValue {
  /** 1 = IPv4, 2 = IPv6 (RFC 8656 §18). */
  family: number;
}

export const MAX_REASON_BYTES = 763;

export function readErrorCode(data: Uint8Array, at: number, len: number): ErrorCodeValue {
  if (len < 4) throw stunError("bad-error-code", `ERROR-CODE of ${len} bytes`, at);
  const cls = data[at + 2] & 0x07;
  const num = data[at + 3];
  if (cls < 3 || cls > 6 || num > 99) {
    throw stunError("bad-error-code", `error class ${cls} number ${num}`, at + 2);
  }
  return { code: cls * 100 + num, reason: readUtf8(data, at + 4, len - 4, MAX_REASON_BYTES) };
}

export function readAddressErrorCode(data: Uint8Array, at: number, len: number): AddressErrorCodeValue {
  const e = readErrorCode(data, at, len);
  return { family: data[at], code: e.code, reason: e.reason };
}

/** Encode an error code and reason at buf[at..]; returns the value length. */
export function writeErrorCode(buf: Uint8Array, at: number, code: number, reason: Uint8Array, family = 0): number {
  if (!Number.isInteger(code) || code < 300 || code > 699) throw new RangeError(`bad STUN error code ${code}`);
  if (reason.length > MAX_REASON_BYTES) throw new RangeError("reason phrase longer than 763 bytes");
  buf[at] = family;
  buf[at + 1] = 0;
  buf[at + 2] = Math.floor(code / 100);
  buf[at + 3] = code % 100;
  buf.set(reason, at + 4);
  return 4 + reason.length;
}

/** Strict UTF-8 of data[at, at + len), as a ParseError rather than a TypeError when invalid. */
export function readUtf8(data: Uint8Array, at: number, len: number, max: number): string {
  if (len > max) throw stunError("bad-attribute-length", `text of ${len} bytes (at most ${max})`, at);
  try {
    return utf8Decode(data.subarray(at, at + len));
  } catch {
    throw stunError("bad-utf8", "text is not valid UTF-8", at);
  }
}
