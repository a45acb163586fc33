/**
 * libwebrtc through @roamhq/wrtc (node-webrtc) for the PeerConnection benchmarks. Its network
 * manager gathers on loopback by default (127.0.0.1 and ::1, UDP and TCP); the scenarios' signaling
 * keeps only the UDP 127.0.0.1 candidates, as for the other implementations. No STUN server.
 */
import wrtc from "@roamhq/wrtc";
import type { AdapterModule } from "../pc/types.js";

export const name = "wrtc (libwebrtc)";

class LoopbackPeerConnection extends wrtc.RTCPeerConnection {
  constructor() {
    super({ iceServers: [] });
  }
}

export const RTCPeerConnection = LoopbackPeerConnection as unknown as AdapterModule["RTCPeerConnection"];
