/**
 * W3C transports (§5.5 RTCDtlsTransport, §5.6 RTCIceTransport, §6.1 RTCSctpTransport): views
 * on the engine's one BUNDLE transport. The peer connection dispatches their statechange events.
 */
import { type Candidate, formatCandidate } from "@tsrtc/ice";
import type { PeerEngine } from "../engine/engine.js";
import type { DtlsTransportState, IceConnectionState, IceGatheringState, SctpTransportState } from "../engine/types.js";
import { RtcEventTarget } from "./event-target.js";
import { RTCIceCandidate } from "./ice-candidate.js";

export type RTCIceRole = "unknown" | "controlling" | "controlled";
export type RTCIceTransportState = IceConnectionState;

export interface RTCIceCandidatePair {
  local: RTCIceCandidate;
  remote: RTCIceCandidate;
}

export interface RTCIceParameters {
  usernameFragment: string;
  password: string;
}

type Handler = ((ev: Event) => unknown) | null;

function toRtc(c: Candidate, mid: string | null, index: number | null): RTCIceCandidate {
  return new RTCIceCandidate({ candidate: formatCandidate(c), sdpMid: mid ?? "0", sdpMLineIndex: index, usernameFragment: c.ufrag ?? null });
}

export class RTCIceTransport extends RtcEventTarget {
  /** @internal */
  constructor(private readonly engine: () => PeerEngine) {
    super();
  }
  get role(): RTCIceRole {
    const a = this.engine().iceAgent;
    return a ? (a.controlling ? "controlling" : "controlled") : "unknown";
  }
  get component(): "rtp" {
    return "rtp";
  }
  get state(): RTCIceTransportState {
    return this.engine().iceConnectionState;
  }
  get gatheringState(): IceGatheringState {
    return this.engine().iceGatheringState;
  }
  getLocalCandidates(): RTCIceCandidate[] {
    return (this.engine().iceAgent?.localCandidates ?? []).map((c) => toRtc(c, "0", 0));
  }
  getRemoteCandidates(): RTCIceCandidate[] {
    return (this.engine().iceAgent?.remoteCandidates ?? []).map((c) => toRtc(c, "0", 0));
  }
  getSelectedCandidatePair(): RTCIceCandidatePair | null {
    const p = this.engine().iceAgent?.selectedPair;
    return p ? { local: toRtc(p.local, "0", 0), remote: toRtc(p.remote, "0", 0) } : null;
  }
  getLocalParameters(): RTCIceParameters | null {
    const a = this.engine().iceAgent;
    return a ? { usernameFragment: a.localCredentials.ufrag, password: a.localCredentials.pwd } : null;
  }
  getRemoteParameters(): RTCIceParameters | null {
    const r = this.engine().iceAgent?.remoteCredentials;
    return r ? { usernameFragment: r.ufrag, password: r.pwd } : null;
  }
  get onstatechange(): Handler {
    return this.getHandler("statechange");
  }
  set onstatechange(f: Handler) {
    this.setHandler("statechange", f);
  }
  get ongatheringstatechange(): Handler {
    return this.getHandler("gatheringstatechange");
  }
  set ongatheringstatechange(f: Handler) {
    this.setHandler("gatheringstatechange", f);
  }
  get onselectedcandidatepairchange(): Handler {
    return this.getHandler("selectedcandidatepairchange");
  }
  set onselectedcandidatepairchange(f: Handler) {
    this.setHandler("selectedcandidatepairchange", f);
  }
}

export class RTCDtlsTransport extends RtcEventTarget {
  /** @internal */
  constructor(
    private readonly engine: () => PeerEngine,
    readonly iceTransport: RTCIceTransport,
  ) {
    super();
  }
  get state(): DtlsTransportState {
    return this.engine().dtlsState;
  }
  /** The peer's certificate chain, DER (W3C getRemoteCertificates). */
  getRemoteCertificates(): ArrayBuffer[] {
    const c = this.engine().remoteCertificate;
    return c ? [c.buffer.slice(c.byteOffset, c.byteOffset + c.byteLength) as ArrayBuffer] : [];
  }
  get onstatechange(): Handler {
    return this.getHandler("statechange");
  }
  set onstatechange(f: Handler) {
    this.setHandler("statechange", f);
  }
  get onerror(): Handler {
    return this.getHandler("error");
  }
  set onerror(f: Handler) {
    this.setHandler("error", f);
  }
}

export class RTCSctpTransport extends RtcEventTarget {
  /** @internal */
  constructor(
    private readonly engine: () => PeerEngine,
    readonly transport: RTCDtlsTransport,
  ) {
    super();
  }
  get state(): SctpTransportState {
    return this.engine().sctpState ?? "connecting";
  }
  /**
   * W3C §6.1.1: the peer's a=max-message-size (we have no sending limit of our own); Infinity
   * when the peer says 0 (no limit).
   */
  get maxMessageSize(): number {
    const r = this.engine().remoteMaxMessageSize;
    if (r === undefined) return 65536;
    return r === 0 ? Infinity : r;
  }
  get maxChannels(): number | null {
    return this.engine().channels.maxChannels;
  }
  get onstatechange(): Handler {
    return this.getHandler("statechange");
  }
  set onstatechange(f: Handler) {
    this.setHandler("statechange", f);
  }
}
