/**
 * The adapter contract of the PeerConnection benchmarks: a module exporting a W3C
 * RTCPeerConnection (bench/adapters/*.ts), already configured to use loopback and no STUN
 * server. These structural types are the slice of the W3C API the scenarios use (the repo's type
 * check has no DOM lib, and each implementation ships its own declarations).
 */

export interface CandidateLike {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
}

export interface DescriptionLike {
  type: "offer" | "answer";
  sdp: string;
}

export interface DataChannelLike {
  readonly readyState: string;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  binaryType?: string;
  send(data: Uint8Array | string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null | undefined;
  onmessage: ((ev: { data: unknown }) => void) | null | undefined;
  addEventListener(type: string, listener: (ev: unknown) => void): void;
  removeEventListener(type: string, listener: (ev: unknown) => void): void;
}

export interface PeerConnectionLike {
  createDataChannel(label: string, init?: { ordered?: boolean }): DataChannelLike;
  createOffer(): Promise<DescriptionLike>;
  createAnswer(): Promise<DescriptionLike>;
  setLocalDescription(d: DescriptionLike): Promise<void>;
  setRemoteDescription(d: DescriptionLike): Promise<void>;
  addIceCandidate(c: CandidateLike): Promise<void>;
  close(): void;
  readonly connectionState: string;
  onicecandidate: ((ev: { candidate: CandidateLike | null | undefined }) => void) | null | undefined;
  ondatachannel: ((ev: { channel: DataChannelLike }) => void) | null | undefined;
}

/** What every bench/adapters/<name>.ts module exports. */
export interface AdapterModule {
  /** "tsrtc", "werift", "wrtc (libwebrtc)". */
  name: string;
  RTCPeerConnection: new () => PeerConnectionLike;
}
