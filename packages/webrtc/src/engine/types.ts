/** The engine's vocabulary: configuration, states, events and counters. */
import type { Address, RandomSource, Transmit } from "@tsrtc/base";
import type { DtlsCertificate } from "@tsrtc/dtls";
import type { IceAgentConfig, IceConnectionState, IceGatheringState } from "@tsrtc/ice";
import type { ChannelEvent } from "./channels.js";

export type SignalingState = "stable" | "have-local-offer" | "have-remote-offer" | "have-local-pranswer" | "have-remote-pranswer" | "closed";
export type PeerConnectionState = "new" | "connecting" | "connected" | "disconnected" | "failed" | "closed";
export type DtlsTransportState = "new" | "connecting" | "connected" | "closed" | "failed";
export type SctpTransportState = "connecting" | "connected" | "closed";
export type { IceConnectionState, IceGatheringState };

/** Default a=max-message-size we advertise: Chromium's value, so both behave alike (notes §4). */
export const DEFAULT_MAX_MESSAGE_SIZE = 262144;
/** We reassemble incoming messages up to this size whatever we advertise (Chromium does too). */
export const DEFAULT_MAX_RECEIVE_MESSAGE_SIZE = 4 * 1024 * 1024;

export interface EngineConfig {
  /** Our DTLS certificates; the first is used, all are advertised (W3C certificates). */
  certificates: readonly DtlsCertificate[];
  rng: RandomSource;
  /** STUN servers, resolved to IP addresses (none by default: nothing is contacted). */
  stunServers?: readonly Address[];
  /** "relay" gathers no host or reflexive candidate (no TURN yet: nothing at all). */
  iceTransportPolicy?: "all" | "relay";
  /** a=max-message-size we advertise. */
  maxMessageSize?: number;
  /** Largest incoming message we reassemble. */
  maxReceiveMessageSize?: number;
  /**
   * Non-standard: use this as the peer's max-message-size (0 = no limit) instead of its
   * a=max-message-size, for peers known to accept more than they advertise (Chromium advertises
   * 262144 yet reassembles larger messages). Without it, send() obeys the advertised limit (W3C).
   */
  remoteMaxMessageSize?: number;
  /** Tuning passed to the ICE agent (timers, caps). */
  ice?: Partial<Omit<IceAgentConfig, "controlling" | "localCredentials" | "stunServers">>;
  /**
   * Resolve the peer's mDNS (`.local`) host candidates: "query" emits "mdns-query" events for
   * the Node layer; "off" drops them at once (the peer's checks still reveal its address as
   * peer-reflexive, RFC 8445 §7.3.1.3). Default "query".
   */
  mdns?: "query" | "off";
  /** Largest DTLS/SCTP packet we build. Default 1200. */
  mtu?: number;
}

export type EngineEvent =
  | { type: "icecandidate"; candidate: string | null; mid: string | null; mLineIndex: number | null; ufrag: string | null }
  | { type: "icecandidateerror"; address: string | null; port: number | null; url: string; errorCode: number; errorText: string }
  | { type: "icegatheringstatechange"; state: IceGatheringState }
  | { type: "iceconnectionstatechange"; state: IceConnectionState }
  | { type: "connectionstatechange"; state: PeerConnectionState }
  | { type: "dtlsstatechange"; state: DtlsTransportState }
  | { type: "sctpstatechange"; state: SctpTransportState }
  | { type: "selectedcandidatepairchange" }
  | { type: "signalingstatechange"; state: SignalingState }
  /** Resolve this remote `.local` host name (multicast DNS); answer with resolvedMdns(). */
  | { type: "mdns-query"; name: string }
  | ChannelEvent;

/** Datagrams the engine dropped, by reason (the hostile-traffic counters). */
export interface DropCounters {
  /** RTP/RTCP: no media yet (RFC 7983 128..191). */
  rtp: number;
  rtcp: number;
  /** First byte in no RFC 7983 range, or ZRTP / TURN channel data. */
  unknownKind: number;
  /** Not STUN, from an address ICE never paired with. */
  unknownSource: number;
  /** DTLS before we had a DTLS endpoint, beyond the small early buffer. */
  earlyDtlsOverflow: number;
  /** Anything before the ICE agent exists or after close. */
  noTransport: number;
  empty: number;
}

export interface EngineCounters {
  /** Every UDP datagram (STUN included). */
  datagramsSent: number;
  datagramsReceived: number;
  bytesSentTotal: number;
  bytesReceivedTotal: number;
  /** Non-STUN datagrams on the ICE transport (W3C RTCTransportStats: payload, no checks). */
  packetsSent: number;
  packetsReceived: number;
  bytesSent: number;
  bytesReceived: number;
  stunSent: number;
  stunReceived: number;
  dropped: DropCounters;
}

export function newCounters(): EngineCounters {
  return {
    datagramsSent: 0,
    datagramsReceived: 0,
    bytesSentTotal: 0,
    bytesReceivedTotal: 0,
    packetsSent: 0,
    packetsReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    stunSent: 0,
    stunReceived: 0,
    dropped: { rtp: 0, rtcp: 0, unknownKind: 0, unknownSource: 0, earlyDtlsOverflow: 0, noTransport: 0, empty: 0 },
  };
}

/** What the first answer tells the DTLS endpoint: our role (RFC 8842 a=setup) and the peer's fingerprints. */
export interface DtlsSetup {
  role: "client" | "server";
  fingerprints: { algorithm: string; value: string }[];
}

/** Count a datagram sent (`sign` 1), or take it back (-1: it will not leave after all). True for STUN. */
export function countSent(c: EngineCounters, t: Transmit, sign: 1 | -1): boolean {
  const n = t.data.length;
  c.datagramsSent += sign;
  c.bytesSentTotal += sign * n;
  const stun = n > 0 && t.data[0] < 4;
  if (stun) c.stunSent += sign;
  else {
    c.packetsSent += sign;
    c.bytesSent += sign * n;
  }
  return stun;
}
