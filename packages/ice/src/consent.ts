/**
 * Consent freshness (RFC 7675) on the pair data goes over: a check every ~5 s randomized over
 * [0.8, 1.2] of the interval (§5.1), "disconnected" while responses are late, and consent lost
 * — the pair dropped, the state "failed" — after 30 s without one. The checks double as the
 * keepalives of RFC 8445 §11 (they refresh NAT bindings far more often than Tr = 15 s).
 */
import { type Millis, randomInt } from "@tsrtc/base";
import { sendConsentCheck } from "./checks.js";
import { retire, updateConnectionState } from "./nomination.js";
import { PairState } from "./pair.js";
import type { AgentState } from "./state.js";

/** The next consent check time: interval × uniform[0.8, 1.2] (RFC 7675 §5.1). */
export function nextConsentTime(s: AgentState, now: Millis): Millis {
  const i = s.settings.consentInterval;
  return now + Math.round(i * 0.8 + randomInt(s.rng, Math.max(1, Math.round(i * 0.4)) + 1));
}

export function consentDeadline(s: AgentState): Millis | undefined {
  if (!s.activePair() || s.lastConsentAt === undefined) return undefined;
  let at = s.lastConsentAt + s.settings.consentTimeout;
  if (s.connectionState !== "disconnected") at = Math.min(at, s.lastConsentAt + s.settings.disconnectedTimeout);
  if (s.nextConsentAt !== undefined) at = Math.min(at, s.nextConsentAt);
  return at;
}

export function handleConsentTimers(s: AgentState, now: Millis): void {
  const gen = s.activeGeneration();
  const pair = s.activePair();
  if (!gen || !pair || s.lastConsentAt === undefined) return;
  if (now - s.lastConsentAt >= s.settings.consentTimeout) {
    // §5.1: consent expired: stop sending on the pair.
    pair.state = PairState.failed;
    pair.valid = false;
    pair.nominated = false;
    gen.selected = undefined;
    s.nextConsentAt = undefined;
    s.lastConsentAt = undefined;
    if (gen === s.gen) {
      s.failed = true;
    } else {
      // A restart is under way and the old generation's pair lost consent: drop it; the new
      // generation's checks decide the state (it is not "failed" while they may still succeed).
      retire(s, gen);
    }
    updateConnectionState(s, now);
    return;
  }
  if (s.nextConsentAt !== undefined && now >= s.nextConsentAt) {
    sendConsentCheck(s, gen, pair, now);
    s.nextConsentAt = nextConsentTime(s, now);
  }
  updateConnectionState(s, now);
}
