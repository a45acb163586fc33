/**
 * Incoming Binding requests (RFC 8445 §7.3): authentication with short-term credentials
 * (RFC 8489 §9.1.3), unknown comprehension-required attributes (§6.3.1.1), role conflicts
 * (§7.3.1.1), the success response (§7.3.1.2), peer-reflexive remote candidates (§7.3.1.3),
 * triggered checks (§7.3.1.4) and nomination by the controlling peer (§7.3.1.5).
 */
import { type Address, type Millis } from "@tsrtc/base";
import {
  AttrType,
  type IntegrityKey,
  type StunMessage,
  StunClass,
  buildErrorResponse,
  buildUnknownAttributesResponse,
} from "@tsrtc/stun";
import { computeFoundation, computePriority } from "./candidate.js";
import { setRole, supersedeCheck } from "./checks.js";
import { updateSelection } from "./nomination.js";
import { type LocalCandidate, PairState, type RemoteCandidate } from "./pair.js";
import { AgentState, type Generation } from "./state.js";

function respondError(s: AgentState, m: StunMessage, code: number, from: Address, local: Address, key?: IntegrityKey): void {
  const data =
    code === 420
      ? buildUnknownAttributesResponse(m, { integrity: key, fingerprint: true, builder: s.builder })!
      : buildErrorResponse(m, code, undefined, { integrity: key, fingerprint: true, builder: s.builder });
  s.stats.errorsSent[code] = (s.stats.errorsSent[code] ?? 0) + 1;
  s.transmits.push({ from: local, to: from, data });
}

/**
 * Which generation's credentials the USERNAME "ours:theirs" names (RFC 8445 §7.3: the part
 * before the colon is our ufrag): the current one, or the one before a restart. Compared as
 * bytes (ufrags are ASCII ice-chars, RFC 8839 §5.4), so no string is decoded per request.
 */
function generationFor(s: AgentState, m: StunMessage): Generation | undefined {
  const i = m.indexOf(AttrType.Username);
  if (i < 0) return undefined;
  const at = m.attributeOffset(i);
  const len = m.attributeLength(i);
  if (namesUfrag(m.data, at, len, s.gen.local.ufrag)) return s.gen;
  if (s.prev && namesUfrag(m.data, at, len, s.prev.local.ufrag)) return s.prev;
  return undefined;
}

function namesUfrag(d: Uint8Array, at: number, len: number, ufrag: string): boolean {
  const n = ufrag.length;
  if (len <= n || d[at + n] !== 0x3a /* ":" */) return false;
  for (let k = 0; k < n; k++) if (d[at + k] !== ufrag.charCodeAt(k)) return false;
  return true;
}

export function handleRequest(s: AgentState, m: StunMessage, from: Address, local: Address, now: Millis): void {
  s.stats.requestsIn++;
  // Only Binding requests come here (other methods are discarded first, RFC 8489 §6.3: agent.ts).
  // RFC 8489 §9.1.3: no MESSAGE-INTEGRITY or no USERNAME → 400; wrong ones → 401, unsigned.
  if (m.integrityAt < 0 || !m.has(AttrType.Username)) {
    respondError(s, m, 400, from, local);
    return;
  }
  const gen = generationFor(s, m);
  if (!gen || !m.checkIntegrity(gen.localKey)) {
    respondError(s, m, 401, from, local);
    return;
  }
  // RFC 8489 §6.3.1: after authentication, refuse what we must understand and do not.
  if (m.hasUnknownRequired()) {
    respondError(s, m, 420, from, local, gen.localKey);
    return;
  }
  // §7.3.1.1: only a peer claiming our own role conflicts; read its tie-breaker, not the other.
  let theirs: bigint | undefined;
  let priority: number | undefined;
  let useCandidate: boolean;
  try {
    theirs = s.controlling ? m.iceControlling() : m.iceControlled();
    priority = m.priority();
    useCandidate = m.useCandidate();
  } catch {
    respondError(s, m, 400, from, local, gen.localKey);
    return;
  }
  // §7.3.1.1: role conflict repair by tie-breaker.
  if (theirs !== undefined && s.controlling) {
    s.stats.roleConflicts++;
    if (s.tieBreaker >= theirs) {
      respondError(s, m, 487, from, local, gen.localKey);
      return;
    }
    setRole(s, false, now);
  } else if (theirs !== undefined) {
    s.stats.roleConflicts++;
    if (s.tieBreaker >= theirs) setRole(s, true, now);
    else {
      respondError(s, m, 487, from, local, gen.localKey);
      return;
    }
  }
  // §7.3.1.2: success, with the source address as XOR-MAPPED-ADDRESS.
  const data = s.builder
    .beginResponse(m, StunClass.SuccessResponse)
    .xorMappedAddress(from)
    .messageIntegrity(gen.localKey)
    .fingerprint()
    .finish();
  s.transmits.push({ from: local, to: from, data });
  s.stats.successSent++;
  learn(s, gen, from, local, priority, useCandidate && !s.controlling, now);
}

/** §7.3.1.3 and §7.3.1.4: learn the source as a peer-reflexive candidate, then a triggered check. */
function learn(
  s: AgentState,
  gen: Generation,
  from: Address,
  local: Address,
  priority: number | undefined,
  useCandidate: boolean,
  now: Millis,
): void {
  const lc = s.localByBase(local);
  if (!lc) return;
  let rc = AgentState.remoteAt(gen, from);
  if (!rc) {
    if (gen.prflxCount >= s.settings.maxPeerReflexive || gen.remoteCandidates.length >= s.settings.maxRemoteCandidates) {
      s.stats.prflxCapped++;
      return;
    }
    rc = {
      candidate: {
        foundation: computeFoundation("prflx", from.host),
        component: lc.candidate.component,
        transport: "udp",
        priority: priority ?? computePriority("prflx"),
        address: from.host,
        port: from.port,
        type: "prflx",
        extensions: [],
      },
      address: from,
    };
    gen.remoteCandidates.push(rc);
    gen.prflxCount++;
  }
  if (!gen.remote) {
    // Trickle: the answer with the remote credentials is not here yet; check once it is.
    if (gen.pendingTriggers.length < s.settings.maxPeerReflexive) gen.pendingTriggers.push({ local: lc, remote: rc, useCandidate });
    return;
  }
  triggerCheck(s, gen, lc, rc, useCandidate, now);
}

export function triggerCheck(
  s: AgentState,
  gen: Generation,
  lc: LocalCandidate,
  rc: RemoteCandidate,
  useCandidate: boolean,
  now: Millis,
): void {
  let pair = gen.checklist.find(lc.base, rc.address);
  if (!pair) {
    pair = gen.checklist.add(lc, rc, s.controlling);
    if (!pair) {
      s.stats.pairsCapped++;
      return;
    }
  }
  if (useCandidate) {
    // §7.3.1.5: nominated now if valid, else as soon as its triggered check succeeds.
    if (pair.valid) {
      if (!pair.nominated) {
        pair.nominated = true;
        updateSelection(s, gen, now);
      }
    } else pair.nominateOnSuccess = true;
  }
  pair.peerCheckedAt = now;
  if (pair.state === PairState.succeeded) return;
  if (pair.state === PairState.inProgress) {
    // §7.3.1.4: the peer just reached us on this pair. If our check has been out for longer
    // than a first RTO (its answer is late or lost), check again now instead of waiting out
    // the backed-off retransmissions; the old check's answer still counts.
    if (pair.checkStartedAt === undefined || now - pair.checkStartedAt < s.settings.checkRto) return;
    supersedeCheck(s, pair, now);
  }
  gen.checklist.trigger(pair);
  s.schedule(now);
}
