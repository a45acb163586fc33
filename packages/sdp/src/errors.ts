import { ProtocolError } from "@tsrtc/base";

/**
 * A description (or one of its attributes) did not match the SDP grammar (RFC 8866 §9 and the
 * attribute's own RFC). `line` is the 1-based line number in the parsed text, or undefined when
 * the offending attribute was added by code rather than parsed; `expected` says what the grammar
 * wanted there.
 */
export class SdpParseError extends ProtocolError {
  override readonly name: string = "SdpParseError";
  constructor(
    readonly line: number | undefined,
    readonly expected: string,
    /** The text that was found instead, when there is one (truncated in the message). */
    readonly found?: string,
    code = "malformed",
  ) {
    super("sdp", code, describe(line, expected, found));
  }
}

function describe(line: number | undefined, expected: string, found: string | undefined): string {
  const where = line === undefined ? "" : `line ${line}: `;
  if (found === undefined) return `${where}expected ${expected}`;
  const shown = found.length > 60 ? `${found.slice(0, 60)}...` : found;
  return `${where}expected ${expected}, got ${JSON.stringify(shown)}`;
}

/** True when `e` is an SdpParseError. */
export function isSdpParseError(e: unknown): e is SdpParseError {
  return e instanceof SdpParseError;
}
