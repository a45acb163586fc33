/**
 * The small control chunks of RFC 9260 §3.3: HEARTBEAT(-ACK) (§3.3.5-6), ABORT (§3.3.7),
 * SHUTDOWN (§3.3.8), SHUTDOWN-ACK (§3.3.9), ERROR (§3.3.10), COOKIE-ECHO (§3.3.11),
 * COOKIE-ACK (§3.3.12), SHUTDOWN-COMPLETE (§3.3.13).
 */
import { ParseError } from "@tsrtc/base";
import { ChunkType, ErrorCause, ParamType } from "../constants.js";
import { encodeChunk, readU16, readU32, writeU16 } from "../packet.js";
import { type Param, decodeParams, encodeParams, u32Value } from "../params/param.js";

/** An error cause has the TLV layout of a parameter (§3.3.10). */
export type ErrorCauseTlv = Param;

/** HEARTBEAT / HEARTBEAT-ACK carry one Heartbeat Info parameter; we keep its opaque value. */
export function decodeHeartbeat(value: Uint8Array): Uint8Array {
  const params = decodeParams(value, 0, value.length);
  const info = params.find((p) => p.type === ParamType.HEARTBEAT_INFO);
  if (!info) throw new ParseError("sctp", "missing-param", "HEARTBEAT without Heartbeat Info", 0);
  return info.value;
}

export function encodeHeartbeat(type: typeof ChunkType.HEARTBEAT | typeof ChunkType.HEARTBEAT_ACK, info: Uint8Array): Uint8Array {
  return encodeChunk(type, 0, encodeParams([{ type: ParamType.HEARTBEAT_INFO, value: info }]));
}

/** ABORT and ERROR carry error causes; ABORT's T bit (0x01) says the tag is reflected. */
export function decodeCauses(value: Uint8Array): ErrorCauseTlv[] {
  return decodeParams(value, 0, value.length);
}

export function encodeAbort(causes: readonly ErrorCauseTlv[], reflected = false): Uint8Array {
  return encodeChunk(ChunkType.ABORT, reflected ? 1 : 0, encodeParams(causes));
}

export function encodeError(causes: readonly ErrorCauseTlv[]): Uint8Array {
  return encodeChunk(ChunkType.ERROR, 0, encodeParams(causes));
}

export function decodeShutdown(value: Uint8Array): number {
  if (value.length < 4) throw new ParseError("sctp", "truncated", "SHUTDOWN", 0);
  return readU32(value, 0);
}

export function encodeShutdown(cumTsnAck: number): Uint8Array {
  return encodeChunk(ChunkType.SHUTDOWN, 0, u32Value(cumTsnAck));
}

export function encodeEmpty(type: number, flags = 0): Uint8Array {
  return encodeChunk(type, flags, new Uint8Array(0));
}

export function encodeCookieEcho(cookie: Uint8Array): Uint8Array {
  return encodeChunk(ChunkType.COOKIE_ECHO, 0, cookie);
}

// Error cause builders (§3.3.10.x).

export function causeInvalidStream(stream: number): ErrorCauseTlv {
  const v = new Uint8Array(4);
  writeU16(v, 0, stream);
  return { type: ErrorCause.INVALID_STREAM_ID, value: v };
}

export function causeUnrecognizedChunk(chunk: Uint8Array): ErrorCauseTlv {
  return { type: ErrorCause.UNRECOGNIZED_CHUNK, value: chunk };
}

export function causeProtocolViolation(text: string): ErrorCauseTlv {
  return { type: ErrorCause.PROTOCOL_VIOLATION, value: new TextEncoder().encode(text) };
}

export function causeUserAbort(text: string): ErrorCauseTlv {
  return { type: ErrorCause.USER_INITIATED_ABORT, value: new TextEncoder().encode(text) };
}

export function causeStaleCookie(stalenessUs: number): ErrorCauseTlv {
  return { type: ErrorCause.STALE_COOKIE, value: u32Value(Math.min(0xffffffff, Math.max(0, stalenessUs))) };
}

export function causeNoUserData(tsn: number): ErrorCauseTlv {
  return { type: ErrorCause.NO_USER_DATA, value: u32Value(tsn) };
}

export function causeOutOfResource(): ErrorCauseTlv {
  return { type: ErrorCause.OUT_OF_RESOURCE, value: new Uint8Array(0) };
}

/** A readable line for an error cause, for events and logs. */
export function describeCause(c: ErrorCauseTlv): string {
  switch (c.type) {
    case ErrorCause.INVALID_STREAM_ID:
      return `invalid stream ${c.value.length >= 2 ? readU16(c.value, 0) : "?"}`;
    case ErrorCause.USER_INITIATED_ABORT:
    case ErrorCause.PROTOCOL_VIOLATION:
      return `${c.type === ErrorCause.PROTOCOL_VIOLATION ? "protocol violation" : "user abort"}: ${new TextDecoder().decode(c.value)}`;
    default:
      return `cause ${c.type}`;
  }
}
