/**
 * Decoding a datagram that should be a STUN message, for the TURN client and server alike:
 * the first-byte and cookie test (RFC 7983, RFC 8489 §5), the parse, and the FINGERPRINT check
 * when one is present (§14.7). Never throws: it says why the datagram is unusable.
 */
import { type StunMessage, isStunMessage } from "@tsrtc/stun";

export type StunInput = "ok" | "malformed" | "bad-fingerprint";

/** Parse `data` into `m` (reused); "ok" when it is a whole STUN message with a good fingerprint. */
export function parseStunDatagram(m: StunMessage, data: Uint8Array): StunInput {
  if (data[0] >= 4 || !isStunMessage(data)) return "malformed";
  try {
    m.parse(data);
  } catch {
    return "malformed";
  }
  if (m.fingerprintAt >= 0 && !m.checkFingerprint()) return "bad-fingerprint";
  return "ok";
}
