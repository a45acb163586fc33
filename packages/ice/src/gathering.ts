/**
 * Local candidates (RFC 8445 §5.1.1): host candidates from the interface addresses the Node layer
 * bound (§5.1.1.1), optionally published under random mDNS names, server-reflexive ones through
 * the configured STUN servers (§5.1.1.2), and their pairing with the remote candidates already
 * known (RFC 8838: trickle works both ways).
 */
import { type Millis, addressKey, toHex } from "@tsrtc/base";
import { type Candidate, computeFoundation, computePriority, localPreferenceFor } from "./candidate.js";
import { maybeGatheringComplete, sendSrflxRequest } from "./checks.js";
import { addLocal } from "./locals.js";
import type { LocalCandidate } from "./pair.js";
import { startRelays } from "./relay.js";
import type { AgentState } from "./state.js";
import type { HostInterface } from "./types.js";

/** A random RFC 4122 version-4 UUID (as Chromium names its mDNS host candidates). */
function uuid(s: AgentState): string {
  const b = s.rng.fill(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = toHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function startGathering(s: AgentState): void {
  if (s.gatheringState !== "gathering") {
    s.gatheringState = "gathering";
    s.emit({ type: "gathering-state", state: "gathering" });
  }
}

/**
 * Add every host interface, start server-reflexive requests and TURN allocations, and finish
 * when they are done. With the "relay" policy the hosts only carry the TURN allocations.
 */
export function gather(s: AgentState, hosts: readonly HostInterface[], now: Millis): void {
  startGathering(s);
  s.hostsDone = false;
  const rank = { 4: 0, 6: 0 };
  for (const h of hosts) {
    const family = h.address.family;
    const lp = localPreferenceFor(family, rank[family]++, h.networkCost ?? 0);
    startRelays(s, h, lp, now);
    if (s.settings.relayOnly) continue;
    const lc = addHost(s, h, lp, now);
    if (!lc) continue;
    for (const server of s.settings.stunServers) if (server.family === family) sendSrflxRequest(s, lc, server, now);
  }
  s.hostsDone = true;
  maybeGatheringComplete(s);
}

/**
 * ICE restart (RFC 8445 §9): the new generation's candidates, signaled with its ufrag (RFC 8838
 * §11: a candidate belongs to the generation its ufrag names). Host and relay candidates keep
 * their addresses and are signaled again at once; server-reflexive candidates are gathered again
 * through the STUN servers (§5.1.1.2), since the NAT binding they reflect may be gone or moved,
 * and each is signaled when its answer comes. Peer-reflexive ones are learned again by checks.
 */
export function regather(s: AgentState, now: Millis): void {
  startGathering(s);
  s.hostsDone = false;
  // The old generation's srflx candidates are forgotten (never paired, §6.1.2.4), so the answers
  // are judged afresh: the same mapping comes back as a candidate of the new generation.
  for (let i = s.locals.length - 1; i >= 0; i--) if (s.locals[i].candidate.type === "srflx") s.locals.splice(i, 1);
  const ufrag = s.gen.local.ufrag;
  for (const l of s.locals) {
    if (l.candidate.type === "prflx") continue;
    s.emit({ type: "candidate", candidate: { ...l.candidate, ufrag } });
  }
  for (const l of s.locals) {
    if (l.candidate.type !== "host") continue;
    for (const server of s.settings.stunServers) if (server.family === l.base.family) sendSrflxRequest(s, l, server, now);
  }
  s.hostsDone = true;
  maybeGatheringComplete(s);
}

function addHost(s: AgentState, h: HostInterface, localPreference: number, now: Millis): LocalCandidate | undefined {
  const base = h.address;
  if (s.locals.some((l) => addressKey(l.base) === addressKey(base) && l.candidate.type === "host")) return undefined;
  let shown = base.host;
  if (s.settings.mdnsHostCandidates) {
    shown = `${uuid(s)}.local`;
    s.mdnsNames.set(addressKey(base), shown);
    s.emit({ type: "mdns-register", name: shown, address: base.host });
  }
  const c: Candidate = {
    foundation: computeFoundation("host", base.host),
    component: 1,
    transport: "udp",
    priority: computePriority("host", localPreference, 1),
    address: shown,
    port: base.port,
    type: "host",
    generation: 0,
    ufrag: s.gen.local.ufrag,
    networkId: h.networkId,
    networkCost: h.networkCost,
    extensions: [],
  };
  const lc: LocalCandidate = { candidate: c, base };
  addLocal(s, lc, now);
  return lc;
}
