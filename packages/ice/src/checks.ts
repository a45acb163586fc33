/**
 * Outgoing checks and their outcomes: connectivity checks (RFC 8445 §7.2.4, paced by Ta
 * §6.1.4.2, RTO per §14.3), server-reflexive gathering requests (§5.1.1.2) and consent checks
 * (RFC 7675). All go through the STUN client transaction table (retransmissions, timeouts);
 * their responses are processed per §7.2.5.
 */
import { type Address, type Millis, formatAddress, sameAddress } from "@tsrtc/base";
import { type StunMessage, StunClass, StunMethod, newTransactionId } from "@tsrtc/stun";
import { computeFoundation, computePriority } from "./candidate.js";
import { mayReplaceSelected, maybeNominate, updateConnectionState, updateSelection } from "./nomination.js";
import { type CandidatePair, type LocalCandidate, PairState } from "./pair.js";
import type { AgentState, Generation, TxContext } from "./state.js";

/** RFC 8445 §7.1.1: PRIORITY carries the priority a peer-reflexive candidate from this base would have. */
export function prflxPriorityOf(local: LocalCandidate): number {
  const p = local.candidate.priority;
  return computePriority("prflx", (p >>> 8) & 0xffff, local.candidate.component);
}

/** Build a Binding request for `gen` into the shared builder (RFC 8445 §7.1.1, §7.1.2). */
function buildCheck(s: AgentState, gen: Generation, priority: number, useCandidate: boolean): Uint8Array {
  const b = s.builder
    .begin(StunMethod.Binding, StunClass.Request, newTransactionId(s.rng))
    .username(`${gen.remote!.ufrag}:${gen.local.ufrag}`)
    .priority(priority);
  if (s.controlling) b.iceControlling(s.tieBreaker);
  else b.iceControlled(s.tieBreaker);
  if (useCandidate) b.useCandidate();
  return b.messageIntegrity(gen.remoteKey!).fingerprint().view();
}

/**
 * Pacing (§6.1.4.2): send the one check due now, if any. Returns whether a check left, so the
 * caller re-arms the pacer at now + Ta.
 */
export function sendNextCheck(s: AgentState, now: Millis): boolean {
  const gen = s.gen;
  if (!gen.remote) return false;
  const pair = gen.checklist.next(gen.selected ? (p) => mayReplaceSelected(s, gen, p) : undefined);
  if (!pair) return false;
  startCheck(s, gen, pair, now);
  return true;
}

function startCheck(s: AgentState, gen: Generation, pair: CandidatePair, now: Millis): void {
  supersedeCheck(s, pair, now);
  const useCandidate = s.controlling && pair.useCandidate;
  const priority = prflxPriorityOf(pair.local);
  const data = buildCheck(s, gen, priority, useCandidate);
  // §14.3: RTO = MAX(500 ms, Ta * (Waiting + In-Progress pairs)).
  const rto = Math.max(s.settings.checkRto, s.settings.ta * gen.checklist.pacedCount());
  pair.state = PairState.inProgress;
  pair.checkStartedAt = now;
  pair.transactionKey = s.txs.start(now, {
    to: pair.remote.address,
    from: pair.local.base,
    data,
    context: { kind: "check", gen, pair, useCandidate, controlling: s.controlling, priority, superseded: false },
    rto,
    maxRto: Math.max(rto, s.settings.maxCheckRto),
    rc: s.settings.checkSends,
    rm: 2,
  });
  s.stats.checksSent++;
  s.txStarted++;
}

/** RFC 7675 §5.1: one consent check on the pair data goes over. */
export function sendConsentCheck(s: AgentState, gen: Generation, pair: CandidatePair, now: Millis): void {
  if (!gen.remote) return;
  const data = buildCheck(s, gen, prflxPriorityOf(pair.local), s.controlling);
  s.txs.start(now, {
    to: pair.remote.address,
    from: pair.local.base,
    data,
    context: { kind: "consent", gen, pair, controlling: s.controlling },
    rto: s.settings.checkRto,
    rc: 4,
    rm: 2,
  });
  s.stats.consentChecksSent++;
  s.txStarted++;
}

/** §5.1.1.2: a plain Binding request to a STUN server from a host candidate's base. */
export function sendSrflxRequest(s: AgentState, base: LocalCandidate, server: Address, now: Millis): void {
  const data = s.builder.begin(StunMethod.Binding, StunClass.Request, newTransactionId(s.rng)).fingerprint().view();
  s.txs.start(now, { to: server, from: base.base, data, context: { kind: "srflx", base, server }, rto: 500, rc: 3, rm: 4 });
  s.srflxPending++;
  s.txStarted++;
}

/**
 * A success or error response arrived at `local` from `from`. Checks integrity against the
 * transaction's credentials before it may complete anything (RFC 8489 §9.1.4), then applies
 * the outcome.
 */
export function handleResponse(s: AgentState, m: StunMessage, from: Address, local: Address, now: Millis): void {
  s.stats.responsesIn++;
  const ctx = s.txs.context(m.transactionKey);
  if (!ctx) {
    s.stats.droppedUnmatched++;
    return;
  }
  if (ctx.kind !== "srflx") {
    // Responses to checks are signed with the peer's password (§7.2.5.2; RFC 8489 §9.1.4).
    if (!ctx.gen.remoteKey || !m.checkIntegrity(ctx.gen.remoteKey)) {
      s.stats.droppedBadIntegrity++;
      return;
    }
  }
  if (!s.txs.handleResponse(m, from, now)) return;
  for (let e = s.txs.pollEvent(); e; e = s.txs.pollEvent()) {
    if (e.type === "success") onSuccess(s, e.context, e.response, e.from, local, now, e.rtt, e.key);
    else if (e.type === "error") onError(s, e.context, e.code, now);
    else onTimeout(s, e.context, now);
  }
}

/**
 * RFC 8445 §7.3.1.4, a pair In-Progress when the peer's check arrives: stop retransmitting its
 * check so a triggered check can go at once. The old check's success still counts for a while
 * (the table keeps it, quiet); its errors and its end are ignored.
 */
export function supersedeCheck(s: AgentState, pair: CandidatePair, now: Millis): void {
  const key = pair.transactionKey;
  if (!key) return;
  const ctx = s.txs.context(key);
  if (ctx?.kind === "check") ctx.superseded = true;
  s.txs.stopRetransmitting(key, now, SUPERSEDED_WAIT_RTOS * s.settings.checkRto);
  pair.transactionKey = undefined;
}

/** How long (in first RTOs) the answer to a superseded check still counts. */
const SUPERSEDED_WAIT_RTOS = 8;

/** Run retransmissions and timeouts of the transaction table. */
export function handleTransactionTimeouts(s: AgentState, now: Millis): void {
  s.txs.handleTimeout(now);
  for (let e = s.txs.pollEvent(); e; e = s.txs.pollEvent()) {
    if (e.type === "timeout") onTimeout(s, e.context, now);
  }
}

function onSuccess(
  s: AgentState,
  ctx: TxContext,
  m: StunMessage,
  from: Address,
  local: Address,
  now: Millis,
  rtt: Millis | undefined,
  key: string,
): void {
  let mapped: Address | undefined;
  try {
    mapped = m.xorMappedAddress();
  } catch {
    mapped = undefined;
  }
  if (ctx.kind === "srflx") {
    if (mapped) addServerReflexive(s, ctx.base, ctx.server, mapped, `stun:${formatAddress(ctx.server)}`);
    return srflxDone(s);
  }
  const { gen, pair } = ctx;
  if (ctx.kind === "consent") {
    // RFC 7675 §5.1: an authenticated answer on the same 5-tuple, both ends, renews consent.
    const symmetric = sameAddress(from, pair.remote.address) && sameAddress(local, pair.local.base);
    if (!symmetric) return;
    if (rtt !== undefined) pair.rtt = rtt;
    if (s.activePair() === pair) {
      s.lastConsentAt = now;
      updateConnectionState(s, now);
    }
    return;
  }
  if (pair.transactionKey !== undefined && pair.transactionKey !== key) {
    // An older (superseded) check answered first: it settles the pair, and makes the newer
    // check redundant unless that one carries a nomination the older did not.
    const newer = s.txs.context(pair.transactionKey);
    if (!(newer?.kind === "check" && newer.useCandidate && !ctx.useCandidate)) {
      s.txs.cancel(pair.transactionKey);
      pair.transactionKey = undefined;
    }
  } else pair.transactionKey = undefined;
  // §7.2.5.2.1: the response must come from where the request went, to where it came from.
  if (!sameAddress(from, pair.remote.address) || !sameAddress(local, pair.local.base)) {
    pair.state = PairState.failed;
    updateConnectionState(s, now);
    return;
  }
  if (mapped) {
    pair.mapped = mapped;
    learnLocalPeerReflexive(s, pair.local, mapped, ctx.priority);
  }
  // §7.2.5.3.2-3: the pair is valid; its foundation's frozen pairs may go.
  if (rtt !== undefined) pair.rtt = rtt;
  pair.state = PairState.succeeded;
  pair.valid = true;
  gen.checklist.unfreezeFoundation(pair.foundation);
  if (ctx.useCandidate && ctx.controlling && s.controlling) pair.nominated = true;
  if (!s.controlling && pair.nominateOnSuccess) pair.nominated = true;
  if (pair.nominated) updateSelection(s, gen, now);
  if (gen === s.gen) maybeNominate(s, gen, now);
  s.schedule(now);
  updateConnectionState(s, now);
}

function onError(s: AgentState, ctx: TxContext, code: number, now: Millis): void {
  if (ctx.kind === "srflx") return srflxDone(s);
  if (ctx.kind === "consent") {
    // §7.2.5.1 holds for every Binding request carrying our role, consent checks included: a
    // 487 means the peer keeps our role (a late conflict), so we take the other one; another
    // consent check, sent at once rather than a consent interval later, renews consent.
    // Other errors leave consent to its timer.
    if (code === 487 && s.controlling === ctx.controlling) {
      s.stats.roleConflicts++;
      setRole(s, !ctx.controlling, now);
      if (s.activePair() === ctx.pair) sendConsentCheck(s, ctx.gen, ctx.pair, now);
    }
    return;
  }
  // A superseded check's error is stale.
  if (ctx.superseded) return;
  const { gen, pair } = ctx;
  pair.transactionKey = undefined;
  if (code === 487) {
    // §7.2.5.1: role conflict; switch to the role opposite to the one the request claimed.
    s.stats.roleConflicts++;
    if (s.controlling === ctx.controlling) setRole(s, !ctx.controlling, now);
    return recheck(s, gen, pair, now);
  }
  pair.state = PairState.failed;
  if (gen.nominating === pair) nominationFailed(s, gen, pair, now);
  updateConnectionState(s, now);
}

/** Check `pair` again: Waiting, on the triggered-check queue (§7.2.5.4), at the next pacing slot. */
function recheck(s: AgentState, gen: Generation, pair: CandidatePair, now: Millis): void {
  gen.checklist.trigger(pair);
  s.schedule(now);
}

/**
 * The nominating check on `pair` failed for good (§8.1.1): the pair leaves the valid list, so
 * the next nomination goes to another valid pair, if any, rather than to this one again.
 */
function nominationFailed(s: AgentState, gen: Generation, pair: CandidatePair, now: Millis): void {
  gen.nominating = undefined;
  pair.useCandidate = false;
  pair.valid = false;
  maybeNominate(s, gen, now);
}

function onTimeout(s: AgentState, ctx: TxContext, now: Millis): void {
  if (ctx.kind === "srflx") return srflxDone(s);
  if (ctx.kind === "consent") return;
  const { gen, pair } = ctx;
  pair.transactionKey = undefined;
  if (pair.valid && gen.nominating !== pair) {
    // A redundant check on a pair already proven valid: it stays valid (consent watches it).
    pair.state = PairState.succeeded;
    return;
  }
  if (gen.nominating === pair && pair.valid && s.controlling && gen.nominationRetries < 2) {
    // The peer may have seen our USE-CANDIDATE and selected the pair while every answer was
    // lost: nominate the same pair again rather than a different one it would not expect.
    gen.nominationRetries++;
    return recheck(s, gen, pair, now);
  }
  if (pair.peerCheckedAt !== undefined && (pair.rechecks ?? 0) < 3) {
    // The peer's checks reach us on this pair, so ours were unlucky, not hopeless: try again
    // (a bounded number of times) rather than fail a pair that works the other way.
    pair.rechecks = (pair.rechecks ?? 0) + 1;
    pair.peerCheckedAt = undefined;
    return recheck(s, gen, pair, now);
  }
  pair.state = PairState.failed;
  if (gen.nominating === pair) nominationFailed(s, gen, pair, now);
  updateConnectionState(s, now);
}

/**
 * Change role (§7.3.1.1 / §7.2.5.1): pair priorities depend on it (§6.1.2.3), so they are
 * recomputed. A pair already selected stays selected: the RFC asks only for the priorities to be
 * recomputed, and a conflict found late (on consent checks, after a renegotiation got the roles
 * wrong) must not break a working session; libwebrtc keeps its selected connection across a role
 * change too. Nominations still under way belong to the old role: they start over, and the new
 * controlling side nominates again only when nothing is selected yet.
 */
export function setRole(s: AgentState, controlling: boolean, now: Millis): void {
  if (s.controlling === controlling) return;
  s.controlling = controlling;
  s.gen.checklist.recomputePriorities(controlling);
  s.prev?.checklist.recomputePriorities(controlling);
  const gen = s.gen;
  const kept = gen.selected;
  for (const p of gen.checklist.pairs) {
    p.useCandidate = false;
    if (p === kept) continue;
    p.nominated = false;
    p.nominateOnSuccess = false;
  }
  // With a selected pair nomination is over (§8.1.1: once per session), whichever side did it.
  gen.nominating = kept;
  gen.firstValidAt = undefined;
  s.emit({ type: "role", controlling });
  if (controlling && !kept) maybeNominate(s, gen, now);
  updateConnectionState(s, now);
}

function knownLocalAddress(s: AgentState, addr: Address): boolean {
  for (const l of s.locals) {
    if (sameAddress(l.base, addr)) return true;
    if (l.candidate.port === addr.port && l.candidate.address === addr.host) return true;
  }
  return false;
}

/** §7.2.5.3.1: a mapped address we do not know is a peer-reflexive local candidate (not signaled). */
function learnLocalPeerReflexive(s: AgentState, base: LocalCandidate, mapped: Address, priority: number): void {
  if (knownLocalAddress(s, mapped) || s.locals.length >= 64) return;
  s.locals.push({
    candidate: {
      foundation: computeFoundation("prflx", base.base.host),
      component: base.candidate.component,
      transport: "udp",
      priority,
      address: mapped.host,
      port: mapped.port,
      type: "prflx",
      relatedAddress: base.base.host,
      relatedPort: base.base.port,
      extensions: [],
    },
    base: base.base,
  });
}

/**
 * §5.1.1.2: a server-reflexive candidate, unless it equals its base or a candidate we already
 * have (§5.1.3: redundant). From a STUN server's Binding answer, or from the XOR-MAPPED-ADDRESS
 * of a TURN Allocate success (relay.ts): whichever comes first is signaled, the other dropped.
 */
export function addServerReflexive(s: AgentState, base: LocalCandidate, server: Address, mapped: Address, url: string): void {
  // A late answer to a request of a phase before a restart under "relay" (RFC 8829 §3.5.3).
  if (s.settings.relayOnly || knownLocalAddress(s, mapped)) return;
  const hidden = s.mdnsNameFor(base.base) !== undefined;
  const lp = (base.candidate.priority >>> 8) & 0xffff;
  const c = {
    foundation: computeFoundation("srflx", base.base.host, "udp", server.host),
    component: base.candidate.component,
    transport: "udp",
    priority: computePriority("srflx", lp, base.candidate.component),
    address: mapped.host,
    port: mapped.port,
    type: "srflx" as const,
    // Browsers hide the private base of an obfuscated host behind 0.0.0.0 0.
    relatedAddress: hidden ? (mapped.family === 6 ? "::" : "0.0.0.0") : base.base.host,
    relatedPort: hidden ? 0 : base.base.port,
    generation: 0,
    ufrag: s.gen.local.ufrag,
    networkId: base.candidate.networkId,
    networkCost: base.candidate.networkCost,
    extensions: [],
  };
  s.locals.push({ candidate: c, base: base.base, url });
  s.emit({ type: "candidate", candidate: c });
}

/** A server-reflexive request ended, one way or another (§5.1.1.2). */
function srflxDone(s: AgentState): void {
  s.srflxPending--;
  maybeGatheringComplete(s);
}

/** Gathering is complete when every host was given and no server-reflexive request is pending. */
export function maybeGatheringComplete(s: AgentState): void {
  if (s.gatheringState === "gathering" && s.hostsDone && s.srflxPending <= 0 && s.relayPending <= 0) {
    s.gatheringState = "complete";
    s.emit({ type: "gathering-state", state: "complete" });
  }
}
