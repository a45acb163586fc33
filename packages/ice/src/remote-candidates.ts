/**
 * Remote candidates as they come in (RFC 8838 trickle): parsed and checked lines, held ones of a
 * newer generation, mDNS names waiting for the Node layer's answer, peer-reflexive ones replaced
 * by their signaled twin (RFC 8445 §7.3.1.3), and the pairing that waits for the credentials.
 * Bad input is dropped and counted; the caps keep every list bounded.
 */
import { type Address, type Millis, address as makeAddress, ipFamily, ipToBytes } from "@tsrtc/base";
import { shortTermIntegrityKey } from "@tsrtc/stun";
import { type Candidate, isMdnsName } from "./candidate.js";
import { isEndOfCandidates, parseCandidate } from "./candidate-sdp.js";
import { updateConnectionState } from "./nomination.js";
import type { RemoteCandidate } from "./pair.js";
import { installPermissions } from "./relay.js";
import { triggerCheck } from "./requests.js";
import { AgentState, type Generation } from "./state.js";
import type { IceCredentials } from "./types.js";

/**
 * The peer's credentials for the current generation: candidates that came before them are kept
 * if their ufrag matches (RFC 8838 §11), held ones of this generation are added, and checks the
 * peer's requests asked for are triggered.
 */
export function applyRemoteCredentials(s: AgentState, creds: IceCredentials, now: Millis): void {
  const g = s.gen;
  g.remote = { ufrag: creds.ufrag, pwd: creds.pwd };
  g.remoteKey = shortTermIntegrityKey(creds.pwd);
  for (let i = g.remoteCandidates.length - 1; i >= 0; i--) {
    const u = g.remoteCandidates[i].candidate.ufrag;
    if (u !== undefined && u !== creds.ufrag) {
      g.remoteCandidates.splice(i, 1);
      s.stats.droppedCandidates++;
    }
  }
  for (const r of g.remoteCandidates) for (const l of s.locals) g.checklist.add(l, r, s.controlling);
  const held = s.heldCandidates.splice(0);
  for (const c of held) {
    if (c.ufrag === creds.ufrag) addRemoteCandidate(s, c, now);
    else s.stats.droppedCandidates++;
  }
  const pending = g.pendingTriggers.splice(0);
  for (const t of pending) triggerCheck(s, g, t.local, t.remote, t.useCandidate, now);
  s.schedule(now);
  updateConnectionState(s, now);
}

/**
 * A remote candidate: a parsed Candidate, an a=candidate line, or null / "" for
 * end-of-candidates (RFC 8838 §13). Bad input is dropped and counted, never thrown.
 */
export function addRemoteCandidate(s: AgentState, c: Candidate | string | null, now: Millis): void {
  if (c === null || c === "" || (typeof c === "string" && isEndOfCandidates(c))) {
    s.gen.remoteEnded = true;
    updateConnectionState(s, now);
    return;
  }
  let cand: Candidate;
  try {
    cand = typeof c === "string" ? parseCandidate(c) : c;
  } catch {
    s.stats.droppedCandidates++;
    return;
  }
  if (cand.port === 0) {
    // Port 0 is no transport address (Node's socket.send would even throw on it); Chromium
    // signals TCP-active candidates with port 9, never 0.
    s.stats.droppedCandidates++;
    return;
  }
  const gen = s.gen;
  if (cand.ufrag !== undefined && gen.remote && cand.ufrag !== gen.remote.ufrag) {
    // Another generation: a stale one is dropped; a newer one (the peer restarted and its
    // credentials are still on their way) is held until setRemoteCredentials names it.
    if (s.prev?.remote?.ufrag === cand.ufrag || s.heldCandidates.length >= s.settings.maxRemoteCandidates) {
      s.stats.droppedCandidates++;
    } else s.heldCandidates.push(cand);
    return;
  }
  if (isMdnsName(cand.address)) {
    addMdnsCandidate(s, cand, now);
    return;
  }
  if (ipFamily(cand.address) === undefined) {
    s.stats.droppedCandidates++; // an FQDN other than mDNS: not supported
    return;
  }
  addResolved(s, gen, cand, makeAddress(cand.address, cand.port), now);
}

/**
 * Addresses no peer can be at: unspecified (0.0.0.0/8, ::; on Linux a datagram to them reaches
 * our own host), IPv4 multicast, reserved and broadcast (224.0.0.0/3), IPv6 multicast
 * (ff00::/8). Checks sent there would probe local services or a whole segment (RFC 8445 §5.1.1
 * gathers unicast addresses only), so candidates naming them are dropped.
 */
function unicastPeer(addr: Address): boolean {
  const b = ipToBytes(addr.host);
  if (b.length === 4) return b[0] !== 0 && b[0] < 224;
  if (b[0] === 0xff) return false;
  return !b.every((x) => x === 0);
}

function addResolved(s: AgentState, gen: Generation, cand: Candidate, addr: Address, now: Millis): void {
  if (!unicastPeer(addr)) {
    s.stats.droppedCandidates++;
    return;
  }
  const known = AgentState.remoteAt(gen, addr);
  if (known) {
    // The signaled candidate replaces a peer-reflexive one learned first (§7.3.1.3); the pair stays.
    if (known.candidate.type === "prflx" && cand.type !== "prflx") {
      const i = gen.remoteCandidates.indexOf(known);
      const signaled: RemoteCandidate = { candidate: cand, address: addr };
      gen.remoteCandidates[i] = signaled;
      gen.prflxCount--;
      for (const p of gen.checklist.pairs) if (p.remote === known) p.remote = signaled;
      gen.checklist.recomputePriorities(s.controlling);
    }
    return;
  }
  if (gen.remoteCandidates.length >= s.settings.maxRemoteCandidates) {
    s.stats.droppedCandidates++;
    return;
  }
  const rc: RemoteCandidate = { candidate: cand, address: addr };
  gen.remoteCandidates.push(rc);
  // RFC 8656 §9: our relays must let this peer's traffic in before its checks arrive.
  if (s.relays.length > 0) installPermissions(s, addr, now);
  if (!gen.remote) return; // paired once the credentials come
  let added = false;
  for (const l of s.locals) if (gen.checklist.add(l, rc, s.controlling)) added = true;
  if (added) s.schedule(now);
  updateConnectionState(s, now);
}

function addMdnsCandidate(s: AgentState, cand: Candidate, now: Millis): void {
  const name = cand.address.toLowerCase();
  const ip = s.mdnsResolved.get(name);
  if (ip !== undefined) {
    addResolved(s, s.gen, cand, makeAddress(ip, cand.port), now);
    return;
  }
  let p = s.mdnsPending.get(name);
  if (!p) {
    if (s.mdnsPending.size >= 32) {
      s.stats.droppedCandidates++;
      return;
    }
    p = { deadline: now + s.settings.mdnsTimeout, candidates: [] };
    s.mdnsPending.set(name, p);
    s.emit({ type: "mdns-query", name: cand.address });
  }
  if (p.candidates.length < 8) p.candidates.push(cand);
}

/** The Node layer's answer to an "mdns-query" (undefined: no answer came). */
export function resolvedMdns(s: AgentState, name: string, ip: string | undefined, now: Millis): void {
  const key = name.toLowerCase();
  const p = s.mdnsPending.get(key);
  if (!p) return;
  s.mdnsPending.delete(key);
  if (ip === undefined || ipFamily(ip) === undefined) {
    s.stats.droppedCandidates += p.candidates.length;
    updateConnectionState(s, now);
    return;
  }
  if (s.mdnsResolved.size >= 64) s.mdnsResolved.clear(); // a small cache, never unbounded
  s.mdnsResolved.set(key, ip);
  for (const c of p.candidates) addResolved(s, s.gen, c, makeAddress(ip, c.port), now);
}
