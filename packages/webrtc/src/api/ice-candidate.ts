/** W3C RTCIceCandidate (§4.8.2) with the fields parsed from the candidate attribute. */
import { tryParseCandidate } from "@tsrtc/ice";

export type RTCIceComponent = "rtp" | "rtcp";
export type RTCIceProtocol = "udp" | "tcp";
export type RTCIceCandidateType = "host" | "srflx" | "prflx" | "relay";
export type RTCIceTcpCandidateType = "active" | "passive" | "so";

export interface RTCIceCandidateInit {
  candidate?: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

export class RTCIceCandidate {
  readonly candidate: string;
  readonly sdpMid: string | null;
  readonly sdpMLineIndex: number | null;
  readonly usernameFragment: string | null;
  readonly foundation: string | null = null;
  readonly component: RTCIceComponent | null = null;
  readonly priority: number | null = null;
  readonly address: string | null = null;
  readonly protocol: RTCIceProtocol | null = null;
  readonly port: number | null = null;
  readonly type: RTCIceCandidateType | null = null;
  readonly tcpType: RTCIceTcpCandidateType | null = null;
  readonly relatedAddress: string | null = null;
  readonly relatedPort: number | null = null;
  /** The STUN/TURN server URL a reflexive/relay candidate came from (local candidates only). */
  readonly url: string | null = null;

  constructor(init: RTCIceCandidateInit = {}) {
    const sdpMid = init.sdpMid ?? null;
    const sdpMLineIndex = init.sdpMLineIndex ?? null;
    if (sdpMid === null && sdpMLineIndex === null) throw new TypeError("sdpMid and sdpMLineIndex are both null");
    this.candidate = init.candidate ?? "";
    this.sdpMid = sdpMid;
    this.sdpMLineIndex = sdpMLineIndex;
    let ufrag = init.usernameFragment ?? null;
    const c = this.candidate === "" ? undefined : tryParseCandidate(this.candidate);
    if (c) {
      this.foundation = c.foundation;
      this.component = c.component === 2 ? "rtcp" : "rtp";
      this.priority = c.priority;
      this.address = c.address;
      this.protocol = c.transport.toLowerCase() === "tcp" ? "tcp" : "udp";
      this.port = c.port;
      this.type = c.type;
      this.tcpType = c.tcpType ?? null;
      this.relatedAddress = c.relatedAddress ?? null;
      this.relatedPort = c.relatedPort ?? null;
      ufrag ??= c.ufrag ?? null;
    }
    this.usernameFragment = ufrag;
  }

  toJSON(): RTCIceCandidateInit {
    return { candidate: this.candidate, sdpMid: this.sdpMid, sdpMLineIndex: this.sdpMLineIndex, usernameFragment: this.usernameFragment };
  }
}
