/**
 * Local candidates (RFC 8445 §5.1.1): host candidates from the interface addresses the Node layer
 * bound (§5.1.1.1), optionally published under random mDNS names, server-reflexive ones through
 * the configured STUN servers (§5.1.1.2), and their pairing with the remote candidates already
 * known (RFC 8838: trickle works both ways).
 */
import { type Address, type Millis, addressKey, sameAddress, toHex } from "@tsrtc/base";
import { type Candidate, computeFoundation, computePriority, localPreferenceFor } from "./candidate.js";
import { maybeGatheringComplete, sendSrflxRequest } from "./checks.js";
import { addLocal } from "./locals.js";
import type { LocalCandidate } from "./pair.js";
import { addMappedCandidates, relayRelated, startRelays } from "./relay.js";
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
    if (!s.hosts.some((k) => addressKey(k.host.address) === addressKey(h.address))) s.hosts.push({ host: h, localPreference: lp });
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
 *
 * A restart starts a gathering phase, so it applies the iceTransportPolicy as it is now (RFC 8829
 * §3.5.3): under "relay" only the relay candidates stay (with their related address hidden);
 * back under "all", the host candidates the "relay" policy left out come back, with their
 * server-reflexive ones (from the STUN servers and the TURN allocations' mapped addresses).
 */
export function regather(s: AgentState, now: Millis): void {
  startGathering(s);
  s.hostsDone = false;
  const relayOnly = s.settings.relayOnly;
  // The old generation's srflx candidates are forgotten (never paired, §6.1.2.4), so the answers
  // are judged afresh: the same mapping comes back as a candidate of the new generation. Under
  // "relay" nothing but relayed candidates may be signaled or checked from (§3.5.3).
  for (let i = s.locals.length - 1; i >= 0; i--) {
    const type = s.locals[i].candidate.type;
    if (type === "srflx" || (relayOnly && type !== "relay" && !isRelayBase(s, s.locals[i].base))) s.locals.splice(i, 1);
  }
  const ufrag = s.gen.local.ufrag;
  for (let i = 0; i < s.locals.length; i++) {
    const l = s.locals[i];
    if (l.candidate.type === "prflx") continue;
    if (l.candidate.type === "relay") s.locals[i] = { ...l, candidate: { ...l.candidate, ...relayRelated(s, l.base) } };
    s.emit({ type: "candidate", candidate: { ...s.locals[i].candidate, ufrag } });
  }
  if (!relayOnly) {
    // Hosts a "relay" gathering phase left out (addHost skips those we have).
    for (const h of s.hosts) addHost(s, h.host, h.localPreference, now);
    for (const l of s.locals) {
      if (l.candidate.type !== "host") continue;
      for (const server of s.settings.stunServers) if (server.family === l.base.family) sendSrflxRequest(s, l, server, now);
    }
    addMappedCandidates(s);
  }
  s.hostsDone = true;
  maybeGatheringComplete(s);
}

/** A relayed address of ours (the base of relay candidates and of prflx ones learned through them). */
function isRelayBase(s: AgentState, base: Address): boolean {
  return s.relays.some((r) => r.relayed !== undefined && sameAddress(r.relayed, base));
}

function addHost(s: AgentState, h: HostInterface, localPreference: number, now: Millis): LocalCandidate | undefined {
  const base = h.address;
  if (s.locals.some((l) => addressKey(l.base) === addressKey(base) && l.candidate.type === "host")) return undefined;
  let shown = base.host;
  if (s.settings.mdnsHostCandidates) {
    // A host a "relay" phase left out comes back under the name it was published with (one
    // name per address: a new one each all/relay/all cycle would pile up registrations).
    const key = addressKey(base);
    const known = s.mdnsNames.get(key);
    shown = known ?? `${uuid(s)}.local`;
    if (known === undefined) {
      s.mdnsNames.set(key, shown);
      s.emit({ type: "mdns-register", name: shown, address: base.host });
    }
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
