/**
 * tsrtc for the PeerConnection benchmarks: gathers on 127.0.0.1 only (its `tsrtc.hosts` option;
 * by default it skips loopback as browsers do) and has no STUN server unless given one.
 */
import { RTCPeerConnection as TsrtcPeerConnection } from "@tsrtc/webrtc";
import type { AdapterModule } from "../pc/types.js";

export const name = "tsrtc";

class LoopbackPeerConnection extends TsrtcPeerConnection {
  constructor() {
    super({ iceServers: [], tsrtc: { hosts: ["127.0.0.1"], ipv6: false } });
  }
}

export const RTCPeerConnection = LoopbackPeerConnection as unknown as AdapterModule["RTCPeerConnection"];
