/** Alert protocol (RFC 5246 §7.2): two bytes, level and description. */
import { AlertDescription, AlertLevel, alertName } from "./constants.js";

export interface Alert {
  level: AlertLevel;
  description: number;
}

export function encodeAlert(a: Alert): Uint8Array {
  return Uint8Array.of(a.level, a.description);
}

/** Undefined when the fragment is not exactly one alert. */
export function decodeAlert(b: Uint8Array): Alert | undefined {
  if (b.length !== 2) return undefined;
  const level = b[0];
  if (level !== AlertLevel.warning && level !== AlertLevel.fatal) return undefined;
  return { level, description: b[1] };
}

/**
 * A fatal condition found while handling remote input: the endpoint answers with this alert and
 * closes. Thrown inside the core, always caught by the endpoint.
 */
export class DtlsAlertError extends Error {
  override readonly name = "DtlsAlertError";
  constructor(
    readonly description: number,
    message: string,
  ) {
    super(`dtls: ${alertName(description)}: ${message}`);
  }
}

export function fatal(description: number, message: string): never {
  throw new DtlsAlertError(description, message);
}

export { AlertDescription };
