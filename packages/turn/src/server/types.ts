/**
 * The TURN server core's public vocabulary: options, the Transmit it returns (which local
 * address sends), events and counters.
 */
import type { Address, IpFamily, Millis, RandomSource } from "@tsrtc/base";

/** A datagram to send: `from` is the local address that sends it (the listening or a relayed address). */
export interface TurnServerTransmit {
  /** "listening": to a client, from the server's own address; "relay": to a peer, from a relayed address. */
  via: "listening" | "relay";
  from: Address;
  to: Address;
  data: Uint8Array;
}

/**
 * Time-limited credentials (coturn's use-auth-secret, draft-uberti-behave-turn-rest):
 * username "<expiry unix seconds>:<user>", password base64(HMAC-SHA1(secret, username)).
 */
export interface RestCredentials {
  secret: string;
  /**
   * Wall-clock seconds at virtual time `now` (the core has no clock): the Node layer passes
   * `() => Date.now() / 1000` adjusted to its monotonic clock; tests pass their own.
   */
  unixSeconds: (now: Millis) => number;
}

export interface TurnServerOptions {
  /** The address clients send to (the source of every answer). */
  listening: Address;
  realm: string;
  /** Static user table: username -> password. */
  users?: Record<string, string>;
  /** Time-limited REST credentials, checked with their expiry. */
  rest?: RestCredentials;
  /**
   * Give a relayed transport address of `family` for a new allocation (the Node layer binds a
   * socket; tests hand out virtual ports). `evenPort`: the client sent EVEN-PORT (§7.2), the
   * port must be even. undefined: none available (508).
   */
  allocateRelay: (family: IpFamily, client: Address, evenPort: boolean) => Address | undefined;
  /** Relayed address families offered (RFC 8656 §7.2: others get 440). Default [4]. */
  relayFamilies?: IpFamily[];
  rng?: RandomSource;
  /** Allocation lifetime when the client asks for less or nothing, seconds (§7.2). Default 600. */
  defaultLifetime?: number;
  /** Longest allocation lifetime granted, seconds. Default 3600. */
  maxLifetime?: number;
  /** How long a nonce stays valid, ms (then 438). Default 10 minutes. */
  nonceLifetime?: Millis;
  /** Allocations one username may hold at once (more: 486). Default 10. */
  maxAllocationsPerUser?: number;
  /**
   * Relay to peers in private, loopback, link-local and reserved ranges (RFC 8656 §21.3:
   * refused by default with 403). Only for tests on virtual or loopback networks.
   */
  allowPrivatePeers?: boolean;
  /** Peer IPs refused with 403 even when otherwise allowed. */
  deniedPeers?: string[];
  /** Offer PASSWORD-ALGORITHMS (RFC 8489 §9.2.1: nonce cookie with the feature bit). */
  passwordAlgorithms?: number[];
  /** Redirect every Allocate to this server with 300 (RFC 8489 §10). */
  alternateServer?: Address;
  software?: string;
  /**
   * Accept RFC 5766's channel numbers 0x4000-0x7FFF (RFC 8656 §12 narrowed them to 0x4FFF).
   * coturn's turnutils_uclient still picks from the old range. Default false.
   */
  legacyChannels?: boolean;
}

export type TurnServerEvent =
  | { type: "allocated"; client: Address; relayed: Address; username: string; lifetime: number }
  /** The relayed address is free again: the Node layer closes its socket. */
  | { type: "deallocated"; client: Address; relayed: Address; reason: "released" | "expired" | "closed" };

export interface TurnServerStats {
  requests: number;
  /** Answers by code: 0 for success. */
  responses: Record<number, number>;
  allocations: number;
  relayedToPeers: number;
  relayedToClients: number;
  /** Not STUN nor ChannelData, or unparseable. */
  droppedMalformed: number;
  droppedBadFingerprint: number;
  /** Indications, responses, and requests from port 0. */
  droppedUnexpected: number;
  /** Send indications / ChannelData without an allocation, a permission or a channel. */
  droppedNoAllocation: number;
  droppedNoPermission: number;
  droppedUnknownChannel: number;
  droppedTruncated: number;
  /** Datagrams from peers without a permission, or to relayed addresses nobody holds. */
  droppedFromPeers: number;
}

export function emptyServerStats(): TurnServerStats {
  return {
    requests: 0,
    responses: {},
    allocations: 0,
    relayedToPeers: 0,
    relayedToClients: 0,
    droppedMalformed: 0,
    droppedBadFingerprint: 0,
    droppedUnexpected: 0,
    droppedNoAllocation: 0,
    droppedNoPermission: 0,
    droppedUnknownChannel: 0,
    droppedTruncated: 0,
    droppedFromPeers: 0,
  };
}
