/**
 * Nomination and selection (RFC 8445 §8): regular nomination when controlling (§8.1.1), what the
 * controlled side accepts (USE-CANDIDATE on any valid pair, which also covers a peer that
 * nominates aggressively, as Chromium does), the selected pair, and the connection state.
 */
import type { Address, Millis } from "@tsrtc/base";
import type { CandidatePair } from "./pair.js";
import { PairState } from "./pair.js";
import type { AgentState, Generation } from "./state.js";
import type { IceConnectionState } from "./types.js";

/**
 * The selected pair of a generation is its highest-priority nominated valid pair (§8.1.1: the
 * controlled agent may see several nominated by an aggressive peer). A new selection in the
 * current generation retires the previous generation (ICE restart, §9).
 */
export function updateSelection(s: AgentState, gen: Generation, now: Millis): void {
  // W3C RTCIceTransportState "failed" / RFC 8445 §8 and RFC 7675 §5.1: once failed, nothing is
  // selected again until an ICE restart (restart() clears `failed`), even if the peer's checks
  // succeed or nominate a pair after the link comes back.
  if (s.failed) return;
  const best = gen.checklist.bestValid(true);
  if (!best || best === gen.selected) return;
  const wasActive = s.activePair();
  gen.selected = best;
  if (gen === s.gen && s.prev) retire(s, s.prev);
  // §8.1.2 / §8.3: the component is done; stop ordinary checks of lower pairs still waiting.
  for (const p of gen.checklist.pairs) {
    if (p.priority < best.priority && (p.state === PairState.waiting || p.state === PairState.frozen)) {
      p.state = PairState.failed;
    }
  }
  if (s.activePair() !== wasActive) {
    s.lastConsentAt = now;
    s.nextConsentAt = now + s.settings.consentInterval;
    s.emit({
      type: "selected-pair",
      local: best.local.candidate,
      remote: best.remote.candidate,
      localAddress: best.local.base,
      remoteAddress: best.remote.address,
    });
  }
  updateConnectionState(s, now);
}

/**
 * Drop a generation: its transactions stop, its pairs are forgotten. The remote addresses of its
 * valid pairs stay known as data sources until the next retirement: after a restart the peer may
 * still send on the old pair until its own selection moves (Chromium, as controlled, sends its
 * closing SCTP ABORT and DTLS close_notify there), and DTLS authenticates what arrives anyway.
 */
export function retire(s: AgentState, gen: Generation): void {
  const remotes: Address[] = [];
  for (const p of gen.checklist.pairs) {
    if (p.transactionKey) s.txs.cancel(p.transactionKey);
    if (p.valid && remotes.length < MAX_RETIRED_REMOTES) remotes.push(p.remote.address);
  }
  s.retiredRemotes = remotes;
  if (s.prev === gen) s.prev = undefined;
}

/** How many remote addresses of a retired generation stay accepted as data sources. */
const MAX_RETIRED_REMOTES = 8;

/**
 * Controlling agent, regular nomination (§8.1.1): once a pair is valid, nominate the best valid
 * pair when no higher-priority pair is still being checked, or after `nominationDelay`.
 * Nominating means one more check on that pair, with USE-CANDIDATE.
 */
export function maybeNominate(s: AgentState, gen: Generation, now: Millis): void {
  if (!s.controlling || gen.nominating || !gen.remote || s.failed) return;
  const best = gen.checklist.bestValid();
  if (!best) {
    gen.firstValidAt = undefined;
    return;
  }
  gen.firstValidAt ??= now;
  let pendingAbove = false;
  for (const p of gen.checklist.pairs) {
    if (p === best) break;
    if (p.state === PairState.waiting || p.state === PairState.inProgress || p.state === PairState.frozen) {
      pendingAbove = true;
      break;
    }
  }
  if (pendingAbove && now < gen.firstValidAt + s.settings.nominationDelay) return;
  nominate(s, gen, best, now);
}

export function nominate(s: AgentState, gen: Generation, pair: CandidatePair, now: Millis): void {
  gen.nominating = pair;
  pair.useCandidate = true;
  gen.checklist.trigger(pair);
  // The nominating check goes out now rather than at the next Ta slot. Pacing (§14) limits how
  // fast new checks open bindings through NATs; this one repeats a check that just succeeded on
  // a validated pair, so it opens nothing, and waiting one Ta (50 ms by default) would be the
  // largest part of connection setup on a LAN. The pacer restarts from this check.
  if (!s.closed && !s.failed && (s.nextCheckAt === undefined || s.nextCheckAt > now)) s.nextCheckAt = now;
}

/** When the controlling agent's nomination timer is due (for pollTimeout). */
export function nominationDeadline(s: AgentState, gen: Generation): Millis | undefined {
  if (!s.controlling || gen.nominating || gen.firstValidAt === undefined) return undefined;
  return gen.firstValidAt + s.settings.nominationDelay;
}

/**
 * Could checks on `p` still change what `gen` selected? The rule behind "completed" (W3C
 * RTCIceTransportState: "finished checking all candidate pairs and found a connection";
 * "connected" means "still checking other candidate pairs to see if there is a better
 * connection"): only a pair that could become a better selection keeps the state at
 * "connected". That is a pair of higher priority than the selected one while we are controlled
 * (the peer may still nominate it, as Chromium does when it finds a better path). A lower pair
 * never can (§8.1.2), nor anything once we, controlling, have nominated (regular nomination
 * happens once, §8.1.1). So a remote candidate trickled after "completed" that forms only such
 * pairs leaves the state alone instead of flapping completed → connected → completed while
 * pointless checks run; those pairs are not checked at all (checks.ts, Checklist.next), except
 * when the peer's own checks trigger them (§7.3.1.4). As libwebrtc, the state moves only when
 * the selected pair's fate can actually change.
 */
export function mayReplaceSelected(s: AgentState, gen: Generation, p: CandidatePair): boolean {
  const sel = gen.selected;
  if (!sel) return true;
  return p !== sel && !s.controlling && p.priority > sel.priority;
}

/**
 * The W3C connection state from what the agent knows (transitions as browsers show them):
 * new → checking (remote credentials and candidates, checks under way) → connected (a pair is
 * selected) → completed (nothing left to check that could change the selection, both sides done
 * gathering: see mayReplaceSelected); disconnected while consent responses are late; failed when
 * consent is lost or every pair failed after both sides ended their candidates; closed after close().
 */
export function updateConnectionState(s: AgentState, now: Millis): void {
  const next = computeState(s, now);
  // Browsers always show "connected" before "completed".
  if (next === "completed" && s.connectionState !== "connected" && s.connectionState !== "completed") {
    s.connectionState = "connected";
    s.emit({ type: "connection-state", state: "connected" });
  }
  if (next !== s.connectionState) {
    s.connectionState = next;
    s.emit({ type: "connection-state", state: next });
  }
}

function computeState(s: AgentState, now: Millis): IceConnectionState {
  if (s.closed) return "closed";
  // "failed" is terminal until restart() (W3C RTCIceTransportState): checked before any pair.
  if (s.failed) return "failed";
  const active = s.activePair();
  if (active) {
    if (s.lastConsentAt !== undefined && now - s.lastConsentAt >= s.settings.disconnectedTimeout) return "disconnected";
    const gen = s.gen;
    if (
      gen.selected &&
      gen.remoteEnded &&
      s.gatheringState === "complete" &&
      gen.checklist.activeCount((p) => mayReplaceSelected(s, gen, p)) === 0
    ) {
      return "completed";
    }
    return "connected";
  }
  const gen = s.gen;
  if (!gen.remote) return s.connectionState === "new" ? "new" : s.connectionState;
  if (gen.checklist.pairs.length === 0) return s.connectionState === "new" ? "new" : s.connectionState;
  if (gen.remoteEnded && s.gatheringState === "complete" && gen.checklist.allFailed() && s.mdnsPending.size === 0) {
    s.failed = true;
    return "failed";
  }
  return "checking";
}
