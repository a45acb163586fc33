/**
 * The checklist (RFC 8445 §6.1.2): forming pairs, pruning them (§6.1.2.4), the size cap
 * (§6.1.2.5), initial and later pair states (§6.1.2.6, RFC 8838 §10 for trickle), the triggered
 * check queue (§6.1.4.1) and which pair the next ordinary check goes to (§6.1.4.2).
 * One data stream, one component (BUNDLE with rtcp-mux), so one checklist per agent generation.
 */
import { addressKey, sameAddress } from "@tsrtc/base";
import { isUdp } from "./candidate.js";
import { type CandidatePair, type LocalCandidate, PairState, type RemoteCandidate, comparePairs, priorityFor } from "./pair.js";

export const DEFAULT_MAX_PAIRS = 100;

export class Checklist {
  /** Highest priority first. */
  readonly pairs: CandidatePair[] = [];
  private readonly byPath = new Map<string, CandidatePair>();
  private readonly triggered: CandidatePair[] = [];
  private nextId = 1;
  /** Pairs refused or evicted because of the cap (stats). */
  dropped = 0;

  constructor(readonly maxPairs = DEFAULT_MAX_PAIRS) {}

  private static key(base: LocalCandidate["base"], remote: RemoteCandidate["address"]): string {
    return `${addressKey(base)}>${addressKey(remote)}`;
  }

  /** The pair sending from `base` to `remote`, if any. */
  find(base: LocalCandidate["base"], remote: RemoteCandidate["address"]): CandidatePair | undefined {
    // Checks and consent come again and again on the same path: try the last hit before
    // building a key string.
    const last = this.lastFound;
    if (last && sameAddress(last.remote.address, remote) && sameAddress(last.local.base, base)) return last;
    const p = this.byPath.get(Checklist.key(base, remote));
    if (p) this.lastFound = p;
    return p;
  }
  /** The pair `find` returned last (removed pairs never stay here). */
  private lastFound: CandidatePair | undefined;

  /**
   * Can these two candidates be paired (RFC 8445 §6.1.2.2)? Same component, same transport
   * (UDP only here), same IP family. Server-reflexive and peer-reflexive local candidates are
   * never paired: their base is (§6.1.2.4), and its pair would be redundant.
   */
  static compatible(local: LocalCandidate, remote: RemoteCandidate): boolean {
    const l = local.candidate;
    const r = remote.candidate;
    if (l.type === "srflx" || l.type === "prflx") return false;
    return (
      l.component === r.component && isUdp(l) && isUdp(r) && local.base.family === remote.address.family
    );
  }

  /**
   * Add the pair (local, remote) if compatible and not redundant. RFC 8445 §6.1.2.4: of two
   * pairs with the same base and remote address, the higher-priority one stays. Returns the new
   * pair, or undefined when nothing was added.
   */
  add(local: LocalCandidate, remote: RemoteCandidate, controlling: boolean): CandidatePair | undefined {
    if (!Checklist.compatible(local, remote)) return undefined;
    const key = Checklist.key(local.base, remote.address);
    const priority = priorityFor(local.candidate, remote.candidate, controlling);
    const existing = this.byPath.get(key);
    if (existing) return undefined;
    if (this.pairs.length >= this.maxPairs) {
      // §6.1.2.5: keep the highest-priority pairs; evict the lowest that is not being checked.
      const victim = this.lowestEvictable();
      if (!victim || victim.priority >= priority) {
        this.dropped++;
        return undefined;
      }
      this.remove(victim);
      this.dropped++;
    }
    const foundation = `${local.candidate.foundation}:${remote.candidate.foundation}`;
    const pair: CandidatePair = {
      id: this.nextId++,
      local,
      remote,
      priority,
      // RFC 8838 §10 / RFC 8445 §6.1.2.6: one pair per foundation goes first, the rest wait frozen.
      state: this.foundationActive(foundation) ? PairState.frozen : PairState.waiting,
      foundation,
      valid: false,
      nominated: false,
      nominateOnSuccess: false,
      useCandidate: false,
    };
    if (this.foundationSucceeded(foundation)) pair.state = PairState.waiting;
    this.byPath.set(key, pair);
    this.insertSorted(pair);
    return pair;
  }

  private insertSorted(pair: CandidatePair): void {
    let i = this.pairs.length;
    while (i > 0 && comparePairs(this.pairs[i - 1], pair) > 0) i--;
    this.pairs.splice(i, 0, pair);
  }

  private lowestEvictable(): CandidatePair | undefined {
    for (let i = this.pairs.length - 1; i >= 0; i--) {
      const p = this.pairs[i];
      if (p.state !== PairState.inProgress && !p.valid) return p;
    }
    return undefined;
  }

  remove(pair: CandidatePair): void {
    if (this.lastFound === pair) this.lastFound = undefined;
    const i = this.pairs.indexOf(pair);
    if (i >= 0) this.pairs.splice(i, 1);
    this.byPath.delete(Checklist.key(pair.local.base, pair.remote.address));
    const t = this.triggered.indexOf(pair);
    if (t >= 0) this.triggered.splice(t, 1);
  }

  private foundationActive(foundation: string): boolean {
    return this.pairs.some(
      (p) => p.foundation === foundation && (p.state === PairState.waiting || p.state === PairState.inProgress),
    );
  }

  private foundationSucceeded(foundation: string): boolean {
    return this.pairs.some((p) => p.foundation === foundation && p.state === PairState.succeeded);
  }

  /** RFC 8445 §7.2.5.3.3: a success unfreezes every frozen pair of the same foundation. */
  unfreezeFoundation(foundation: string): void {
    for (const p of this.pairs) if (p.foundation === foundation && p.state === PairState.frozen) p.state = PairState.waiting;
  }

  /**
   * RFC 8445 §7.2.5.4 / §7.3.1.4: put a pair on the triggered-check queue (once), Waiting. A
   * check still in flight on it is replaced when the triggered one leaves.
   */
  trigger(pair: CandidatePair): void {
    pair.state = PairState.waiting;
    if (!this.triggered.includes(pair)) this.triggered.push(pair);
  }

  /**
   * The pair the next check goes to (RFC 8445 §6.1.4.2): the head of the triggered queue, else
   * the highest-priority Waiting pair, else the highest-priority Frozen pair whose foundation has
   * no pair Waiting or In-Progress (unfrozen). A frozen pair whose foundation is being checked
   * waits for that check: its success unfreezes the foundation (§7.2.5.3.3), its failure lets
   * the next frozen pair go here. With `worthChecking`, Waiting and Frozen pairs it refuses fail
   * instead (triggered checks still go: the peer asked for them, §7.3.1.4).
   */
  next(worthChecking?: (p: CandidatePair) => boolean): CandidatePair | undefined {
    while (this.triggered.length > 0) {
      const p = this.triggered.shift()!;
      if (p.state === PairState.waiting) return p;
    }
    if (worthChecking) {
      // §8.1.2: once a pair is selected, ordinary checks on pairs that could not replace it
      // stop; late pairs (trickled after the selection) never start them.
      for (const p of this.pairs) {
        if ((p.state === PairState.waiting || p.state === PairState.frozen) && !worthChecking(p)) p.state = PairState.failed;
      }
    }
    for (const p of this.pairs) if (p.state === PairState.waiting) return p;
    for (const p of this.pairs) {
      if (p.state === PairState.frozen && !this.foundationActive(p.foundation)) {
        p.state = PairState.waiting;
        return p;
      }
    }
    return undefined;
  }

  /** RFC 8445 §14.3: the pairs an RTO is scaled by, Waiting and In-Progress (not Frozen). */
  pacedCount(): number {
    let n = 0;
    for (const p of this.pairs) if (p.state === PairState.waiting || p.state === PairState.inProgress) n++;
    return n;
  }

  /**
   * Pairs not yet finished: Frozen, Waiting or In-Progress (the checklist is not done while any
   * is), optionally only those `counts` accepts.
   */
  activeCount(counts?: (p: CandidatePair) => boolean): number {
    let n = 0;
    for (const p of this.pairs) {
      if (p.state === PairState.frozen || p.state === PairState.waiting || p.state === PairState.inProgress) {
        if (!counts || counts(p)) n++;
      }
    }
    return n;
  }

  hasTriggered(): boolean {
    return this.triggered.length > 0;
  }

  /** RFC 8445 §6.1.2.3: priorities depend on the role; recompute and re-sort after a switch. */
  recomputePriorities(controlling: boolean): void {
    for (const p of this.pairs) p.priority = priorityFor(p.local.candidate, p.remote.candidate, controlling);
    this.pairs.sort(comparePairs);
  }

  /** The highest-priority valid pair (RFC 8445 §7.2.5.3.2), optionally nominated ones only. */
  bestValid(nominatedOnly = false): CandidatePair | undefined {
    for (const p of this.pairs) if (p.valid && (!nominatedOnly || p.nominated)) return p;
    return undefined;
  }

  /** Any pair whose remote address is `addr` (for accepting data from a known peer). */
  hasRemote(addr: RemoteCandidate["address"]): boolean {
    for (const p of this.pairs) if (sameAddress(p.remote.address, addr)) return true;
    return false;
  }

  allFailed(): boolean {
    return this.pairs.every((p) => p.state === PairState.failed);
  }
}
