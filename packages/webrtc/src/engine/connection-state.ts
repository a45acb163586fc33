/** W3C RTCPeerConnectionState (§4.3.3) from the ICE and DTLS transport states. */
import type { DtlsTransportState, IceConnectionState, PeerConnectionState } from "./types.js";

export function peerConnectionState(ice: IceConnectionState, dtls: DtlsTransportState, current: PeerConnectionState): PeerConnectionState {
  if (ice === "failed" || dtls === "failed") return "failed";
  if (ice === "disconnected") return "disconnected";
  if ((ice === "new" || ice === "closed") && (dtls === "new" || dtls === "closed")) return "new";
  if ((ice === "connected" || ice === "completed") && (dtls === "connected" || dtls === "closed")) {
    // A DTLS transport closed before it ever connected is not a connection.
    return dtls === "closed" && current !== "connected" ? "connecting" : "connected";
  }
  return "connecting";
}
