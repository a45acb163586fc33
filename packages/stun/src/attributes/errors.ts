import { ParseError } from "@tsrtc/base";

/** A ParseError from the STUN codec; `at` is the byte where the problem lies. */
export function stunError(code: string, message: string, at: number): ParseError {
  return new ParseError("stun", code, message, at);
}

/** Throw unless an attribute value has exactly `want` bytes. */
export function expectLength(type: string, len: number, want: number, at: number): void {
  if (len !== want) throw stunError("bad-attribute-length", `${type} has ${len} bytes, expected ${want}`, at);
}
