/**
 * DTLS handshake header (RFC 6347 §4.2.2): msg_type(1) length(3) message_seq(2)
 * fragment_offset(3) fragment_length(3), then the fragment.
 */
import { ParseError } from "@tsrtc/base";
import { HANDSHAKE_HEADER_LENGTH } from "../constants.js";

export interface HandshakeFragment {
  msgType: number;
  length: number;
  messageSeq: number;
  fragmentOffset: number;
  fragment: Uint8Array;
}

/** Parse one fragment at `at`; returns it and the offset after it. Throws ParseError when malformed. */
export function readHandshakeFragment(d: Uint8Array, at: number): { fragment: HandshakeFragment; next: number } {
  if (at + HANDSHAKE_HEADER_LENGTH > d.length) throw new ParseError("dtls", "truncated", "handshake header", at);
  const msgType = d[at];
  const length = (d[at + 1] << 16) | (d[at + 2] << 8) | d[at + 3];
  const messageSeq = (d[at + 4] << 8) | d[at + 5];
  const fragmentOffset = (d[at + 6] << 16) | (d[at + 7] << 8) | d[at + 8];
  const fragmentLength = (d[at + 9] << 16) | (d[at + 10] << 8) | d[at + 11];
  const start = at + HANDSHAKE_HEADER_LENGTH;
  if (start + fragmentLength > d.length) throw new ParseError("dtls", "truncated", "handshake fragment", at);
  if (fragmentOffset + fragmentLength > length) throw new ParseError("dtls", "bad-length", "fragment beyond message", at);
  return {
    fragment: { msgType, length, messageSeq, fragmentOffset, fragment: d.subarray(start, start + fragmentLength) },
    next: start + fragmentLength,
  };
}

/** One fragment, header included. */
export function encodeHandshakeFragment(
  msgType: number,
  messageSeq: number,
  body: Uint8Array,
  offset: number,
  fragmentLength: number,
): Uint8Array {
  const out = new Uint8Array(HANDSHAKE_HEADER_LENGTH + fragmentLength);
  out[0] = msgType;
  out[1] = body.length >>> 16;
  out[2] = body.length >>> 8;
  out[3] = body.length;
  out[4] = messageSeq >>> 8;
  out[5] = messageSeq;
  out[6] = offset >>> 16;
  out[7] = offset >>> 8;
  out[8] = offset;
  out[9] = fragmentLength >>> 16;
  out[10] = fragmentLength >>> 8;
  out[11] = fragmentLength;
  out.set(body.subarray(offset, offset + fragmentLength), HANDSHAKE_HEADER_LENGTH);
  return out;
}

/**
 * The message as the handshake transcript sees it: one unfragmented piece, offset 0 and
 * fragment_length = length (RFC 6347 §4.2.6).
 */
export function encodeWholeMessage(msgType: number, messageSeq: number, body: Uint8Array): Uint8Array {
  return encodeHandshakeFragment(msgType, messageSeq, body, 0, body.length);
}
