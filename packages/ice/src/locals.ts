/**
 * Adding a local candidate we pair (host, or relayed through a TURN server): it is signaled as a
 * "candidate" event and paired with the remote candidates already known (RFC 8838: trickle works
 * both ways).
 */
import type { Millis } from "@tsrtc/base";
import type { LocalCandidate } from "./pair.js";
import type { AgentState } from "./state.js";

/** Add a local candidate (host, or relayed through a TURN server), signal it and pair it. */
export function addLocal(s: AgentState, lc: LocalCandidate, now: Millis): void {
  s.locals.push(lc);
  s.emit({ type: "candidate", candidate: lc.candidate });
  const gen = s.gen;
  let added = false;
  for (const r of gen.remoteCandidates) if (gen.checklist.add(lc, r, s.controlling)) added = true;
  if (added) s.schedule(now);
}
