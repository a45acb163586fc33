/**
 * Candidate pairs (RFC 8445 §6.1.2): what the checklist holds, their states (§6.1.2.6) and
 * their priority (§6.1.2.3).
 */
import type { Address } from "@tsrtc/base";
import type { Candidate } from "./candidate.js";

/** A local candidate and the socket it is sent from (its base, RFC 8445 §5.1.1). */
export interface LocalCandidate {
  readonly candidate: Candidate;
  /** The local transport address datagrams for this candidate leave from. */
  readonly base: Address;
  /** srflx and relay: the URL of the STUN or TURN server it came from (W3C RTCIceCandidateStats.url). */
  readonly url?: string;
}

/** A remote candidate with its address resolved to an IP literal. */
export interface RemoteCandidate {
  readonly candidate: Candidate;
  readonly address: Address;
}

export const PairState = {
  frozen: "frozen",
  waiting: "waiting",
  inProgress: "in-progress",
  succeeded: "succeeded",
  failed: "failed",
} as const;
export type PairState = (typeof PairState)[keyof typeof PairState];

export interface CandidatePair {
  readonly id: number;
  readonly local: LocalCandidate;
  /** Replaced (same address) when a signaled candidate turns out to be a learned peer-reflexive one. */
  remote: RemoteCandidate;
  /** RFC 8445 §6.1.2.3, recomputed when the role changes. */
  priority: bigint;
  state: PairState;
  /** RFC 8445 §6.1.2.6: local foundation + remote foundation. */
  readonly foundation: string;
  /** A check on it succeeded with a symmetric response (RFC 8445 §7.2.5.3.2: the valid list). */
  valid: boolean;
  /** Nominated (RFC 8445 §8.1.1): USE-CANDIDATE sent and answered, or received on a valid pair. */
  nominated: boolean;
  /** Controlled: a request with USE-CANDIDATE came in before the pair was valid (§7.3.1.5). */
  nominateOnSuccess: boolean;
  /** Controlling: the next check on this pair carries USE-CANDIDATE. */
  useCandidate: boolean;
  /** In-flight connectivity check, if any (its STUN transaction key). */
  transactionKey?: string;
  /** When that check was first sent. */
  checkStartedAt?: number;
  /** When the peer's last authenticated check on this pair came in. */
  peerCheckedAt?: number;
  /** Check transactions that timed out and were started again because the peer reaches us. */
  rechecks?: number;
  /** Round trip of the last check or consent answered without a retransmission (Karn). */
  rtt?: number;
  /** Local address learned from the XOR-MAPPED-ADDRESS of a successful check. */
  mapped?: Address;
}

/**
 * RFC 8445 §6.1.2.3: pair priority = 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0), where G is the
 * controlling agent's candidate priority and D the controlled agent's. Up to 2^63: a bigint.
 */
export function pairPriority(controllingPriority: number, controlledPriority: number): bigint {
  const g = BigInt(controllingPriority);
  const d = BigInt(controlledPriority);
  const min = g < d ? g : d;
  const max = g < d ? d : g;
  return (min << 32n) + 2n * max + (g > d ? 1n : 0n);
}

/** The pair's priority as seen by an agent that is (or is not) controlling. */
export function priorityFor(local: Candidate, remote: Candidate, controlling: boolean): bigint {
  return controlling ? pairPriority(local.priority, remote.priority) : pairPriority(remote.priority, local.priority);
}

/** Sort order: highest priority first; ties broken by id (older first) for a stable order. */
export function comparePairs(a: CandidatePair, b: CandidatePair): number {
  if (a.priority !== b.priority) return a.priority > b.priority ? -1 : 1;
  return a.id - b.id;
}
