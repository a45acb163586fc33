/**
 * The agent's shared state. The IceAgent facade (agent.ts) owns one AgentState; the protocol
 * pieces (checks.ts, requests.ts, nomination.ts, consent.ts, gathering.ts) are functions over it,
 * each one job, so no file grows into a god object.
 */
import {
  type Address,
  type Millis,
  type RandomSource,
  type Transmit,
  addressKey,
  randomBytes,
  randomIceString,
  sameAddress,
} from "@tsrtc/base";
import { type IntegrityKey, StunBuilder, StunMessage, StunTransactions, shortTermIntegrityKey } from "@tsrtc/stun";
import type { Candidate } from "./candidate.js";
import { Checklist } from "./checklist.js";
import { assertCredentials } from "./credentials.js";
import type { CandidatePair, LocalCandidate, RemoteCandidate } from "./pair.js";
import type { RelayAllocation } from "./relay.js";
import {
  type IceAgentConfig,
  type IceAgentEvent,
  type IceConnectionState,
  type IceCredentials,
  type HostInterface,
  type IceGatheringState,
  type IceStats,
  type IceTurnServer,
  emptyStats,
} from "./types.js";

/**
 * One ICE "generation": a set of credentials and the checks made with them. An ICE restart
 * (RFC 8445 §9) starts a new generation; the previous one keeps its selected pair (and answers
 * checks with its old credentials) until the new one selects a pair.
 */
export interface Generation {
  readonly index: number;
  readonly local: IceCredentials;
  readonly localKey: IntegrityKey;
  remote?: IceCredentials;
  remoteKey?: IntegrityKey;
  readonly checklist: Checklist;
  readonly remoteCandidates: RemoteCandidate[];
  /** RFC 8838 §13: the peer sent end-of-candidates. */
  remoteEnded: boolean;
  prflxCount: number;
  selected?: CandidatePair;
  /** Controlling: when the first pair became valid (starts the nomination delay). */
  firstValidAt?: Millis;
  /** Controlling: a pair was nominated (regular nomination happens once, §8.1.1). */
  nominating?: CandidatePair;
  /** Controlling: times the nominating check timed out and was sent again. */
  nominationRetries: number;
  /** Requests that came before the remote credentials: triggered checks to run once known. */
  pendingTriggers: { local: LocalCandidate; remote: RemoteCandidate; useCandidate: boolean }[];
}

export type TxContext =
  | {
      kind: "check";
      gen: Generation;
      pair: CandidatePair;
      useCandidate: boolean;
      controlling: boolean;
      priority: number;
      /** Replaced by a newer check on the pair (RFC 8445 §7.3.1.4): only its success still counts. */
      superseded: boolean;
    }
  | { kind: "consent"; gen: Generation; pair: CandidatePair; controlling: boolean }
  | { kind: "srflx"; base: LocalCandidate; server: Address };

/** Resolved defaults of IceAgentConfig. */
export interface Settings {
  ta: Millis;
  checkRto: Millis;
  maxCheckRto: Millis;
  checkSends: number;
  nominationDelay: Millis;
  consentInterval: Millis;
  consentTimeout: Millis;
  disconnectedTimeout: Millis;
  mdnsTimeout: Millis;
  mdnsHostCandidates: boolean;
  maxPairs: number;
  maxPeerReflexive: number;
  maxRemoteCandidates: number;
  stunServers: readonly Address[];
  turnServers: readonly IceTurnServer[];
  /** iceTransportPolicy "relay": relayed candidates only (of the current gathering phase). */
  relayOnly: boolean;
}

export function settingsOf(c: IceAgentConfig): Settings {
  return {
    ta: c.ta ?? 50,
    checkRto: c.checkRto ?? 500,
    maxCheckRto: c.maxCheckRto ?? 1600,
    checkSends: c.checkSends ?? 7,
    nominationDelay: c.nominationDelay ?? 500,
    consentInterval: c.consentInterval ?? 5000,
    consentTimeout: c.consentTimeout ?? 30_000,
    disconnectedTimeout: c.disconnectedTimeout ?? 10_000,
    mdnsTimeout: c.mdnsTimeout ?? 5000,
    mdnsHostCandidates: c.mdnsHostCandidates ?? false,
    maxPairs: c.maxPairs ?? 100,
    maxPeerReflexive: c.maxPeerReflexive ?? 50,
    maxRemoteCandidates: c.maxRemoteCandidates ?? 200,
    stunServers: c.stunServers ?? [],
    turnServers: c.turnServers ?? [],
    relayOnly: c.iceTransportPolicy === "relay",
  };
}

export class AgentState {
  readonly settings: Settings;
  controlling: boolean;
  /** RFC 8445 §7.1.1: 64-bit random tie-breaker, fixed for the session. */
  readonly tieBreaker: bigint;
  gen: Generation;
  /** The generation before a restart, kept while it still carries the data path. */
  prev?: Generation;
  /** Remote addresses of the last retired generation's valid pairs (still accepted for data). */
  retiredRemotes: Address[] = [];
  private genCount = 0;
  /** Host (and later relayed) candidates we pair, plus reflexive ones we learned. */
  readonly locals: LocalCandidate[] = [];
  /** Every outgoing request: checks, consent checks, server-reflexive gathering. */
  readonly txs = new StunTransactions<TxContext>();
  readonly stats: IceStats = emptyStats();
  readonly events: IceAgentEvent[] = [];
  /** STUN responses waiting to leave (they go before requests and data: see IceAgent.pollTransmit). */
  readonly transmits: Transmit[] = [];
  /**
   * Application data (DTLS, SRTP, ...) waiting to leave, from `dataHead` on: it goes out after
   * every STUN datagram, so a saturated data path never starves checks and consent (RFC 7675).
   * A head index instead of shift() keeps a long backlog O(1) per datagram.
   */
  dataOut: Transmit[] = [];
  dataHead = 0;
  /** Reused for every decode and encode (the core is synchronous and never re-entered). */
  readonly msg = new StunMessage();
  readonly builder = new StunBuilder();
  connectionState: IceConnectionState = "new";
  gatheringState: IceGatheringState = "new";
  closed = false;
  /** Sticky "failed" (consent lost, or every pair failed): cleared by a restart. */
  failed = false;
  /** Pacing (RFC 8445 §6.1.4.2): when the next ordinary or triggered check may leave. */
  nextCheckAt: Millis | undefined;
  lastCheckAt = -Infinity;
  /** Consent freshness (RFC 7675) of the pair data goes over. */
  nextConsentAt: Millis | undefined;
  lastConsentAt: Millis | undefined;
  /** Remote `.local` names waiting for resolvedMdns(), with their candidates and deadline. */
  readonly mdnsPending = new Map<string, { deadline: Millis; candidates: Candidate[] }>();
  readonly mdnsResolved = new Map<string, string>();
  /** Gathering: host interfaces given, srflx transactions outstanding, all hosts given? */
  srflxPending = 0;
  /** Requests started in the transaction table (to count its retransmissions). */
  txStarted = 0;
  txSent = 0;
  hostsDone = false;
  /** The host interfaces given to gather(), with their local preference (a later gathering phase may need them). */
  readonly hosts: { host: HostInterface; localPreference: number }[] = [];
  /**
   * iceTransportPolicy set since the agent was made (setTransportPolicy): "relay" or not,
   * applied at the start of the next gathering phase (RFC 8829 §3.5.3).
   */
  nextRelayOnly: boolean | undefined;
  /** Remote candidates naming a ufrag we do not know yet (a peer restart whose credentials are late). */
  readonly heldCandidates: Candidate[] = [];
  /** Our published mDNS names (mdnsHostCandidates): base address key -> name. */
  readonly mdnsNames = new Map<string, string>();
  /** TURN allocations (relay.ts): one per host interface and TURN server. */
  readonly relays: RelayAllocation[] = [];
  /** Allocations not yet done (gathering completes when none is). */
  relayPending = 0;
  /** The latest time handed in (relayed transmits wrap at pollTransmit, which has none). */
  lastNow: Millis = 0;
  /** After a "relayed" verdict: the unwrapped datagram, who sent it, and the relayed address it reached. */
  relayedPayload: Uint8Array | undefined;
  relayedFrom: Address | undefined;
  relayedLocal: Address | undefined;

  constructor(
    config: IceAgentConfig,
    readonly rng: RandomSource,
  ) {
    this.settings = settingsOf(config);
    this.controlling = config.controlling;
    const tb = randomBytes(rng, 8);
    let v = 0n;
    for (const b of tb) v = (v << 8n) | BigInt(b);
    this.tieBreaker = v;
    this.gen = this.newGeneration(config.localCredentials);
  }

  newGeneration(creds?: IceCredentials): Generation {
    // RFC 8839 §5.4: ufrag at least 4 ice-chars (24 bits of randomness), pwd at least 22 (128 bits).
    const local = creds ?? { ufrag: randomIceString(this.rng, 8), pwd: randomIceString(this.rng, 24) };
    assertCredentials(local, "local");
    return {
      index: this.genCount++,
      local,
      localKey: shortTermIntegrityKey(local.pwd),
      checklist: new Checklist(this.settings.maxPairs),
      remoteCandidates: [],
      remoteEnded: false,
      prflxCount: 0,
      pendingTriggers: [],
      nominationRetries: 0,
    };
  }

  emit(e: IceAgentEvent): void {
    this.events.push(e);
  }

  /** The pair data goes over: this generation's selection, else the previous one's. */
  activePair(): CandidatePair | undefined {
    return this.gen.selected ?? this.prev?.selected;
  }

  /** The generation owning the active pair. */
  activeGeneration(): Generation | undefined {
    if (this.gen.selected) return this.gen;
    if (this.prev?.selected) return this.prev;
    return undefined;
  }

  /** The local candidate whose base is `addr` and which we pair (host or relayed). */
  localByBase(addr: Address): LocalCandidate | undefined {
    for (const l of this.locals) {
      if (l.candidate.type !== "srflx" && l.candidate.type !== "prflx" && sameAddress(l.base, addr)) return l;
    }
    return undefined;
  }

  /** Kick the pacer: a check may go out at the next Ta boundary. */
  schedule(now: Millis): void {
    // No checks once failed: only a restart starts them again (RFC 8445 §9).
    if (this.closed || this.failed) return;
    const at = Math.max(now, this.lastCheckAt + this.settings.ta);
    if (this.nextCheckAt === undefined || at < this.nextCheckAt) this.nextCheckAt = at;
  }

  /** The remote candidate of `gen` at `addr`, if any. */
  static remoteAt(gen: Generation, addr: Address): RemoteCandidate | undefined {
    for (const r of gen.remoteCandidates) if (sameAddress(r.address, addr)) return r;
    return undefined;
  }

  mdnsNameFor(base: Address): string | undefined {
    return this.mdnsNames.get(addressKey(base));
  }
}
