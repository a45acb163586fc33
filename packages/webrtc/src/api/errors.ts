/**
 * W3C errors: DOMException with the WebIDL names (InvalidStateError, InvalidAccessError,
 * OperationError, ...), RTCError (an OperationError with an errorDetail, W3C §11.1), and
 * the plain TypeError / RangeError where WebIDL asks for them.
 */
import { RtcError } from "../engine/errors.js";

export type RTCErrorDetailType =
  | "data-channel-failure"
  | "dtls-failure"
  | "fingerprint-failure"
  | "sctp-failure"
  | "sdp-syntax-error"
  | "hardware-encoder-not-available"
  | "hardware-encoder-error";

export interface RTCErrorInit {
  errorDetail: RTCErrorDetailType;
  sdpLineNumber?: number;
  sctpCauseCode?: number;
  receivedAlert?: number;
  sentAlert?: number;
  httpRequestStatusCode?: number;
}

/** W3C RTCError: a DOMException named OperationError with details. */
export class RTCError extends DOMException {
  readonly errorDetail: RTCErrorDetailType;
  readonly sdpLineNumber: number | null;
  readonly sctpCauseCode: number | null;
  readonly receivedAlert: number | null;
  readonly sentAlert: number | null;
  readonly httpRequestStatusCode: number | null;

  constructor(init: RTCErrorInit, message = "") {
    super(message, "OperationError");
    this.errorDetail = init.errorDetail;
    this.sdpLineNumber = init.sdpLineNumber ?? null;
    this.sctpCauseCode = init.sctpCauseCode ?? null;
    this.receivedAlert = init.receivedAlert ?? null;
    this.sentAlert = init.sentAlert ?? null;
    this.httpRequestStatusCode = init.httpRequestStatusCode ?? null;
  }
}

export function domError(name: string, message: string): DOMException {
  return new DOMException(message, name);
}

export function invalidState(message: string): DOMException {
  return new DOMException(message, "InvalidStateError");
}

/**
 * What the API throws for an error from below: an engine RtcError becomes the DOMException (or
 * TypeError/RangeError) it names; an SDP syntax error an RTCError "sdp-syntax-error"; anything
 * else an OperationError carrying the message.
 */
export function toW3cError(e: unknown): Error {
  if (e instanceof DOMException || e instanceof TypeError || e instanceof RangeError) return e;
  if (e instanceof RtcError) {
    if (e.rtcName === "TypeError") return new TypeError(e.message);
    if (e.rtcName === "RangeError") return new RangeError(e.message);
    if (e.rtcName === "OperationError" && e.message.startsWith("sdp-syntax-error")) {
      const m = /line (\d+)/.exec(e.message);
      return new RTCError({ errorDetail: "sdp-syntax-error", sdpLineNumber: m ? Number(m[1]) : undefined }, e.message);
    }
    return new DOMException(e.message, e.rtcName);
  }
  return new DOMException(e instanceof Error ? e.message : String(e), "OperationError");
}
