/**
 * werift for the PeerConnection benchmarks, on loopback and with no STUN server.
 *
 * - Loopback: werift's gatherer skips internal interfaces; `iceAdditionalHostAddresses` adds
 *   127.0.0.1 as a host address (IPv6 off so ::1 is not tried either).
 * - STUN: werift's default configuration lists stun:stun.l.google.com:19302, and even with
 *   `iceServers: []` its ICE Connection falls back to that server (ice.js DEFAULT_STUN_SERVER in
 *   applyStunTurnServersFromOptions). We pass an empty list and patch that fallback out, so a
 *   Connection without a configured STUN server has none and gathers host candidates only.
 */
import { Connection, RTCPeerConnection as WeriftPeerConnection } from "werift";
import type { AdapterModule } from "../pc/types.js";

export const name = "werift";

interface StunFields {
  options: { stunServer?: unknown };
  stunServer: unknown;
}
const proto = Connection.prototype as unknown as { applyStunTurnServersFromOptions(this: StunFields): void };
const original = proto.applyStunTurnServersFromOptions;
proto.applyStunTurnServersFromOptions = function (this: StunFields) {
  original.call(this);
  if (this.options.stunServer === undefined) this.stunServer = undefined;
};

class LoopbackPeerConnection extends WeriftPeerConnection {
  constructor() {
    super({ iceServers: [], iceAdditionalHostAddresses: ["127.0.0.1"], iceUseIpv6: false });
  }
}

export const RTCPeerConnection = LoopbackPeerConnection as unknown as AdapterModule["RTCPeerConnection"];
