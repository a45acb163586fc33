/**
 * Building responses to a decoded request (RFC 8489 §6.3): the same method and transaction id,
 * a success or error class, and for error responses ERROR-CODE (§14.8) plus, for 420,
 * UNKNOWN-ATTRIBUTES listing the comprehension-required types not understood (§6.3.1.1).
 */
import { StunClass, reasonPhrase } from "./constants.js";
import { StunBuilder } from "./builder.js";
import type { IntegrityKey } from "./integrity.js";
import type { StunMessage } from "./message.js";

export interface ResponseOptions {
  /** SOFTWARE to add (§14.14). */
  software?: string;
  /** Sign with MESSAGE-INTEGRITY (the request's credential). */
  integrity?: IntegrityKey | Uint8Array;
  /** Append FINGERPRINT. */
  fingerprint?: boolean;
  /** Builder to encode into (reused); the result is still a copy. */
  builder?: StunBuilder;
}

/** Start a success response to `request` in `builder` (caller adds attributes and trailers). */
export function beginSuccessResponse(builder: StunBuilder, request: StunMessage): StunBuilder {
  return builder.beginResponse(request, StunClass.SuccessResponse);
}

/** Start an error response with ERROR-CODE (the RFC's reason phrase when none is given). */
export function beginErrorResponse(
  builder: StunBuilder,
  request: StunMessage,
  code: number,
  reason: string = reasonPhrase(code),
): StunBuilder {
  return builder.beginResponse(request, StunClass.ErrorResponse).errorCode(code, reason);
}

function trailers(b: StunBuilder, opts: ResponseOptions): Uint8Array {
  if (opts.integrity) b.messageIntegrity(opts.integrity);
  if (opts.fingerprint) b.fingerprint();
  return b.finish();
}

/** A complete error response to `request`. */
export function buildErrorResponse(
  request: StunMessage,
  code: number,
  reason?: string,
  opts: ResponseOptions = {},
): Uint8Array {
  const b = beginErrorResponse(opts.builder ?? new StunBuilder(), request, code, reason);
  if (opts.software !== undefined) b.software(opts.software);
  return trailers(b, opts);
}

/**
 * The 420 (Unknown Attribute) response to a request carrying comprehension-required attributes
 * this package does not know (§6.3.1.1), or undefined when it carries none.
 */
export function buildUnknownAttributesResponse(request: StunMessage, opts: ResponseOptions = {}): Uint8Array | undefined {
  const unknown = request.unknownRequiredTypes();
  if (unknown.length === 0) return undefined;
  const b = beginErrorResponse(opts.builder ?? new StunBuilder(), request, 420);
  b.unknownAttributes(unknown);
  if (opts.software !== undefined) b.software(opts.software);
  return trailers(b, opts);
}
