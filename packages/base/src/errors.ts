/**
 * Typed protocol errors. Cores never let these escape on remote input: they catch them,
 * count the drop, or answer with the protocol's own error. They are thrown by parsers so a
 * caller sees exactly what was wrong and where.
 */
export class ProtocolError extends Error {
  override readonly name: string = "ProtocolError";
  constructor(
    /** Which protocol raised it: "stun", "dtls", "sctp", "sdp", ... */
    readonly protocol: string,
    /** A short stable code a caller can switch on: "truncated", "bad-length", ... */
    readonly code: string,
    message: string,
  ) {
    super(`${protocol}: ${message}`);
  }
}

/** Input bytes did not parse: `offset` is where the parser stood when it gave up. */
export class ParseError extends ProtocolError {
  override readonly name: string = "ParseError";
  constructor(protocol: string, code: string, message: string, readonly offset: number) {
    super(protocol, code, `${message} (at byte ${offset})`);
  }
}

/** Truthy when `e` is a ProtocolError (or a subclass) raised by our own code. */
export function isProtocolError(e: unknown): e is ProtocolError {
  return e instanceof ProtocolError;
}
