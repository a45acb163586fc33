/**
 * Errors the engine throws on programmer misuse, named as the W3C specifications name them
 * (WebIDL DOMException names, plus TypeError / RangeError). The API layer turns a named error
 * into a DOMException (or a TypeError) without guessing from the message.
 */
export type RtcErrorName =
  | "InvalidStateError"
  | "InvalidAccessError"
  | "InvalidModificationError"
  | "OperationError"
  | "SyntaxError"
  | "NotSupportedError"
  | "InvalidCharacterError"
  | "TypeError"
  | "RangeError";

export class RtcError extends Error {
  constructor(
    readonly rtcName: RtcErrorName,
    message: string,
  ) {
    super(message);
    this.name = rtcName;
  }
}

export function rtcError(name: RtcErrorName, message: string): RtcError {
  return new RtcError(name, message);
}
