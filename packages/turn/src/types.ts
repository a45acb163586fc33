/**
 * The TURN client's public vocabulary: configuration, states, events and counters.
 */
import type { Address, Millis, RandomSource } from "@tsrtc/base";

export interface TurnClientConfig {
  /** The TURN server's transport address (already resolved to an IP literal). */
  server: Address;
  username: string;
  /** The long-term password (WebRTC's RTCIceServer.credential). */
  password: string;
  /** The local socket the client's datagrams leave from (copied into every Transmit's `from`). */
  local?: Address;
  rng?: RandomSource;
  /** Allocation lifetime to ask for, seconds (RFC 8656 §7.2: default 600, the server may cut it). */
  lifetime?: number;
  /** SOFTWARE to add to requests. */
  software?: string;
  /** First retransmission timeout of requests (RFC 8489 §6.2.1). Default 500 ms. */
  rto?: Millis;
  /** Requests sent per transaction (Rc). Default 7. */
  requestSends?: number;
  /** Refresh a permission this long after it was installed (RFC 8656 §9: lifetime 300 s). Default 240 000 ms. */
  permissionRefresh?: Millis;
  /** Refresh a channel binding this long after it was made (§12: lifetime 10 min). Default 300 000 ms. */
  channelRefresh?: Millis;
  /** Datagrams held per peer while its permission is being installed. Default 32. */
  maxQueuedPerPeer?: number;
  /**
   * Permissions kept (and refreshed) at most; a new one beyond it forgets the oldest without a
   * channel, so a long session with many peers (ICE restarts) does not grow without bound. Default 256.
   */
  maxPermissions?: number;
  /**
   * Family of the relayed address (RFC 8656 §7.1: IPv4 unless REQUESTED-ADDRESS-FAMILY asks for
   * IPv6, whatever the family of the server's own address). Default 4.
   */
  relayFamily?: 4 | 6;
  /** Follow a 300 (Try Alternate) answer to Allocate (RFC 8489 §10). Default true. */
  followAlternate?: boolean;
  /**
   * The client-server leg (RFC 8656 §3.1): "udp" (default), or a byte stream, "tcp" or "tls".
   * Over a stream every Transmit is one whole message to write to the connection, handlePacket
   * takes one whole message (TurnStreamFramer delimits them), requests are not retransmitted
   * (RFC 8489 §6.2.2: one timeout of Ti = 39.5 s), ChannelData is padded to 4 bytes (§12.5),
   * and connectionLost() ends the allocation. The relay itself stays UDP (REQUESTED-TRANSPORT).
   */
  transport?: TurnTransport;
}

export type TurnTransport = "udp" | "tcp" | "tls";

export type TurnClientState = "new" | "allocating" | "allocated" | "closing" | "closed" | "failed";

export type TurnOperation = "allocate" | "refresh" | "permission" | "channel-bind";

export type TurnClientEvent =
  /** The allocation exists: data sent to `relayed` by permitted peers comes to us (RFC 8656 §7.3). */
  | { type: "allocated"; relayed: Address; mapped: Address | undefined; lifetime: number }
  /** A Refresh succeeded; the allocation lives `lifetime` more seconds. */
  | { type: "refreshed"; lifetime: number }
  /** A permission for this peer IP is installed (or refreshed for the first time after a failure). */
  | { type: "permission"; peer: string }
  /** Data to and from `peer` now travels as ChannelData on `channel`. */
  | { type: "channel"; peer: Address; channel: number }
  /**
   * A request failed: `code` is the STUN error code (0 when the transaction timed out or the
   * answer was unusable). `fatal` errors end the allocation (state "failed").
   */
  | { type: "error"; operation: TurnOperation; code: number; reason: string; peer?: Address; fatal: boolean }
  /** A 300 (Try Alternate) moved us to another server (RFC 8489 §10); allocation starts over there. */
  | { type: "redirected"; server: Address }
  /** The allocation is gone: released by close(), expired, or failed. */
  | { type: "closed"; reason: "released" | "expired" | "failed" };

/** What handlePacket did with a datagram. */
export type TurnVerdict =
  /** Not from our server: not ours to judge. */
  | "foreign"
  /** A response or indication the client consumed. */
  | "consumed"
  /** Application data from a peer: read `peer` and `payload` (valid until the next call). */
  | "data"
  /** Malformed, unauthenticated, unknown or unwanted: dropped and counted in stats. */
  | "dropped";

export interface TurnClientStats {
  requestsSent: number;
  responsesIn: number;
  authChallenges: number;
  staleNonces: number;
  dataIndicationsIn: number;
  channelDataIn: number;
  sendIndicationsOut: number;
  channelDataOut: number;
  /** Not STUN nor ChannelData, or an unparseable STUN message. */
  droppedMalformed: number;
  droppedBadFingerprint: number;
  /** Responses whose MESSAGE-INTEGRITY was missing or wrong (RFC 8489 §9.2.5). */
  droppedBadIntegrity: number;
  /** Responses matching no pending transaction. */
  droppedUnmatched: number;
  /** ChannelData shorter than its length field says (RFC 8656 §12.6), or longer than its padding allows. */
  droppedTruncated: number;
  /** ChannelData on a channel we never bound (§12.6). */
  droppedUnknownChannel: number;
  /** Data indications from a peer we hold no permission for, or without DATA / XOR-PEER-ADDRESS. */
  droppedNoPermission: number;
  /** Indications or requests of methods a client does not take. */
  droppedUnexpected: number;
  /** Datagrams to send dropped: no allocation, queue full, or permission refused. */
  droppedOutgoing: number;
}

export function emptyTurnStats(): TurnClientStats {
  return {
    requestsSent: 0,
    responsesIn: 0,
    authChallenges: 0,
    staleNonces: 0,
    dataIndicationsIn: 0,
    channelDataIn: 0,
    sendIndicationsOut: 0,
    channelDataOut: 0,
    droppedMalformed: 0,
    droppedBadFingerprint: 0,
    droppedBadIntegrity: 0,
    droppedUnmatched: 0,
    droppedTruncated: 0,
    droppedUnknownChannel: 0,
    droppedNoPermission: 0,
    droppedUnexpected: 0,
    droppedOutgoing: 0,
  };
}
