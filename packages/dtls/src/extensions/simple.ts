/**
 * Extensions with (almost) no body: extended_master_secret (RFC 7627 §5.1, empty) and
 * renegotiation_info (RFC 5746 §3.2: renegotiated_connection<0..255>, empty on an initial handshake).
 */
import { ExtensionType } from "../constants.js";
import type { Extension } from "./codec.js";

export function extendedMasterSecretExtension(): Extension {
  return { type: ExtensionType.extendedMasterSecret, data: new Uint8Array(0) };
}

/** Initial handshake: a single zero length byte (RFC 5746 §3.4, §3.6). */
export function renegotiationInfoExtension(): Extension {
  return { type: ExtensionType.renegotiationInfo, data: Uint8Array.of(0) };
}

/** True when the data is the empty renegotiated_connection of an initial handshake. */
export function isInitialRenegotiationInfo(data: Uint8Array): boolean {
  return data.length === 1 && data[0] === 0;
}
