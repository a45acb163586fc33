/**
 * The ICE agent's public vocabulary: configuration, states, events and counters.
 */
import type { Address, Millis } from "@tsrtc/base";
import type { Candidate } from "./candidate.js";

/** W3C RTCIceTransportState / RTCIceConnectionState values. */
export type IceConnectionState = "new" | "checking" | "connected" | "completed" | "disconnected" | "failed" | "closed";
/** W3C RTCIceGatheringState values. */
export type IceGatheringState = "new" | "gathering" | "complete";

export interface IceCredentials {
  /** 4..256 ice-chars (RFC 8839 §5.4). */
  ufrag: string;
  /** 22..256 ice-chars. */
  pwd: string;
}

/** One local interface address the Node layer bound a socket on (RFC 8445 §5.1.1.1). */
export interface HostInterface {
  /** The bound socket's address: the base of the host candidate. */
  address: Address;
  /** Chromium's network-id / network-cost extensions, copied into the candidate when given. */
  networkId?: number;
  networkCost?: number;
}

/**
 * A TURN server for relayed candidates (RFC 8445 §5.1.1.2, RFC 8656), as an RTCIceServer's
 * turn:/turns: URL, username and credential give it, with the host resolved to an IP literal
 * (`resolveTurnServers` in "@tsrtc/ice/node" does that from RTCIceServer entries).
 */
export interface IceTurnServer {
  /** The server's transport address. */
  address: Address;
  username: string;
  /** The long-term password (RTCIceServer.credential). */
  credential: string;
  /** The URL it came from, named in "candidate-error" events. */
  url?: string;
  /** Transport to the server (RFC 7065 `?transport=`): "udp" (default) or "tcp". */
  transport?: "udp" | "tcp";
  /** turns: TLS over TCP to the server (RFC 7065; TURN over DTLS is not supported: a candidate error). */
  secure?: boolean;
  /** The host as the URL names it: TLS checks the server's certificate against it (and sends it as SNI). */
  hostname?: string;
}

/**
 * A TURN allocation over TCP or TLS (RFC 8656 §3.1): what the Node layer needs to carry its
 * messages. Transmits whose `from` is `local` and `to` is `server` are whole messages to write
 * to that connection (IceAgent.relayStream tells them apart); what the connection brings, cut
 * into messages (TurnStreamFramer), goes to handlePacket(message, server, local, now); when the
 * connection closes or fails, IceAgent.relayStreamClosed.
 */
export interface IceRelayStream {
  /** Stands for the connection's local end in transmits and handlePacket (port 0: no socket). */
  local: Address;
  server: Address;
  transport: "tcp" | "tls";
  /** For TLS: the name to verify the certificate against (an IP literal when the URL had one). */
  hostname: string;
  url: string | undefined;
}

export interface IceAgentConfig {
  /** RFC 8445 §6.1.1: the offerer (full ICE) starts controlling. */
  controlling: boolean;
  /** STUN servers for server-reflexive candidates, already resolved to IP addresses. */
  stunServers?: readonly Address[];
  /** TURN servers: one allocation per host interface of the same family and server. */
  turnServers?: readonly IceTurnServer[];
  /**
   * W3C RTCIceTransportPolicy. "relay": only relayed candidates are gathered, signaled and
   * paired; the host sockets still carry the TURN traffic, and anything else arriving on them
   * is dropped. Default "all". IceAgent.setTransportPolicy changes it from the next gathering phase.
   */
  iceTransportPolicy?: "all" | "relay";
  /** Our own credentials; drawn from the RandomSource when absent (ufrag 4*... RFC 8839 §5.4). */
  localCredentials?: IceCredentials;
  /** Ta, the pacing interval between checks (RFC 8445 §14.2). Default 50 ms. */
  ta?: Millis;
  /** First retransmission timeout of a check; RFC 8445 §14.3 RTO = max(this, Ta * active pairs). Default 500 ms. */
  checkRto?: Millis;
  /** Cap of the doubling RTO of a check. Default 1600 ms. */
  maxCheckRto?: Millis;
  /** Requests sent per check before the pair fails (RFC 8489 Rc). Default 7. */
  checkSends?: number;
  /** Controlling: how long after the first valid pair to wait for a better one before nominating. Default 500 ms. */
  nominationDelay?: Millis;
  /** RFC 7675: mean interval of consent checks. Default 5000 ms (randomized ±20 %). */
  consentInterval?: Millis;
  /** RFC 7675 §5.1: consent is lost after this long without a response. Default 30 000 ms. */
  consentTimeout?: Millis;
  /** After this long without a consent response the state shows "disconnected". Default 10 000 ms. */
  disconnectedTimeout?: Millis;
  /** How long to wait for an mDNS answer before falling back to peer-reflexive discovery. Default 5000 ms. */
  mdnsTimeout?: Millis;
  /** Publish our host candidates as random `<uuid>.local` names (as browsers do without permission). */
  mdnsHostCandidates?: boolean;
  /** RFC 8445 §6.1.2.5 cap on pairs. Default 100. */
  maxPairs?: number;
  /** Cap on peer-reflexive remote candidates learned from checks. Default 50. */
  maxPeerReflexive?: number;
  /** Cap on remote candidates overall (signaled + peer-reflexive). Default 200. */
  maxRemoteCandidates?: number;
}

export type IceAgentEvent =
  /** A local candidate to signal to the peer (trickle: send it as soon as it comes). */
  | { type: "candidate"; candidate: Candidate }
  | { type: "gathering-state"; state: IceGatheringState }
  | { type: "connection-state"; state: IceConnectionState }
  /** The pair data now goes over: send from `local` (a socket address) to `remote`. */
  | { type: "selected-pair"; local: Candidate; remote: Candidate; localAddress: Address; remoteAddress: Address }
  /** RFC 8445 §7.3.1.1 / §7.2.5.1: a role conflict was repaired and our role changed. */
  | { type: "role"; controlling: boolean }
  /** Please resolve this remote `.local` name by multicast DNS; answer with resolvedMdns(). */
  | { type: "mdns-query"; name: string }
  /** We published `name` for `address` (mdnsHostCandidates): answer mDNS queries for it. */
  | { type: "mdns-register"; name: string; address: string }
  /**
   * W3C icecandidateerror: a TURN server gave no candidate from the local `address`:`port`.
   * `errorCode` is the STUN error code (401, 486, ...) or 701 when the server could not be
   * reached (or its transport is not supported).
   */
  | { type: "candidate-error"; url: string; address: string; port: number; errorCode: number; errorText: string };

/** What handlePacket did with a datagram (RFC 7983 demux for BUNDLE). */
export type PacketVerdict =
  /** A STUN message: ICE consumed it (answered, matched or dropped and counted). */
  | "stun"
  /** Not STUN, from a peer address ICE knows: route it on (DTLS, SRTP, ...). */
  | "data"
  /** Not STUN, from an address ICE never paired with: dropped and counted. */
  | "dropped"
  /**
   * Not STUN, relayed by a TURN server from a known peer: route on `IceAgent.relayedPayload`
   * (the datagram without its ChannelData or Data-indication wrapping), not the datagram itself.
   */
  | "relayed";

/** Counters; remote input is dropped and counted here, never thrown. */
export interface IceStats {
  packetsIn: number;
  requestsIn: number;
  responsesIn: number;
  indicationsIn: number;
  successSent: number;
  /** Error responses sent, by code (400, 401, 420, 487). */
  errorsSent: Record<number, number>;
  checksSent: number;
  retransmits: number;
  /** Not parseable as STUN. */
  droppedMalformed: number;
  /**
   * Requests and indications of a method other than Binding: silently discarded (RFC 8489 §6.3,
   * "the method value is a supported method"), never answered.
   */
  droppedUnknownMethod: number;
  droppedBadFingerprint: number;
  /** Responses whose MESSAGE-INTEGRITY was missing or wrong. */
  droppedBadIntegrity: number;
  /** Responses matching no transaction. */
  droppedUnmatched: number;
  /** Non-STUN datagrams from unknown sources. */
  droppedUnknownSource: number;
  /** Datagrams from source port 0: nothing can be sent back there (Node's send would throw). */
  droppedBadSource: number;
  /** iceTransportPolicy "relay": datagrams that reached a host socket other than from a TURN server. */
  droppedNotRelayed: number;
  /** Remote candidates refused (bad address, other ufrag, caps). */
  droppedCandidates: number;
  /** Peer-reflexive candidates not learned because of maxPeerReflexive. */
  prflxCapped: number;
  /** Pairs refused or evicted because of maxPairs. */
  pairsCapped: number;
  roleConflicts: number;
  consentChecksSent: number;
}

export function emptyStats(): IceStats {
  return {
    packetsIn: 0,
    requestsIn: 0,
    responsesIn: 0,
    indicationsIn: 0,
    successSent: 0,
    errorsSent: {},
    checksSent: 0,
    retransmits: 0,
    droppedMalformed: 0,
    droppedUnknownMethod: 0,
    droppedBadFingerprint: 0,
    droppedBadIntegrity: 0,
    droppedUnmatched: 0,
    droppedUnknownSource: 0,
    droppedBadSource: 0,
    droppedNotRelayed: 0,
    droppedCandidates: 0,
    prflxCapped: 0,
    pairsCapped: 0,
    roleConflicts: 0,
    consentChecksSent: 0,
  };
}
