/**
 * IceAgent: a full ICE agent (RFC 8445) with trickle (RFC 8838), consent freshness (RFC 7675),
 * restart (§9) and mDNS host names, as a sans-IO core (DESIGN.md §1).
 *
 * Inputs: handlePacket(data, from, local, now) for every datagram on any of our sockets, gather()
 * with the interface addresses the Node layer bound, addRemoteCandidate / setRemoteCredentials
 * from signaling, resolvedMdns() with answers to "mdns-query" events, restart(), send(), close().
 * Outputs: pollTransmit() (Transmit with `from` = the local socket), pollEvent(), pollTimeout().
 *
 * BUNDLE demux (RFC 7983): handlePacket returns a verdict instead of queueing an event per
 * datagram. "stun" means ICE consumed it; "data" means it is not STUN and comes from a peer
 * address ICE knows, so the caller routes it on by its first byte (DTLS, SRTP, ...);
 * "dropped" means not STUN and from a stranger. No allocation per data packet.
 */
import {
  type Address,
  type Core,
  type Millis,
  type RandomSource,
  type Transmit,
  cryptoRandom,
  sameAddress,
} from "@tsrtc/base";
import { StunClass, StunMethod, isStunMessage } from "@tsrtc/stun";
import type { TurnClientStats } from "@tsrtc/turn";
import type { Candidate } from "./candidate.js";
import { handleResponse, handleTransactionTimeouts, sendNextCheck, setRole } from "./checks.js";
import { consentDeadline, handleConsentTimers } from "./consent.js";
import { assertCredentials } from "./credentials.js";
import { gather, regather, startGathering } from "./gathering.js";
import { addLocal } from "./locals.js";
import { maybeNominate, nominationDeadline, retire, updateConnectionState } from "./nomination.js";
import type { CandidatePair } from "./pair.js";
import {
  closeRelays,
  drainRelay,
  handleRelayTimeouts,
  handleReleasePacket,
  handleReleaseTimeouts,
  isReleasing,
  releaseDeadline,
  pollRelayTransmit,
  relayAt,
  relayDeadline,
  relayFrom,
  relayStreamClosed,
  relayStreamFor,
  relayTransmit,
} from "./relay.js";
import { addRemoteCandidate, applyRemoteCredentials, resolvedMdns } from "./remote-candidates.js";
import { handleRequest } from "./requests.js";
import { AgentState } from "./state.js";
import type { RelayAllocation } from "./relay.js";
import type {
  HostInterface,
  IceAgentConfig,
  IceAgentEvent,
  IceConnectionState,
  IceCredentials,
  IceGatheringState,
  IceRelayStream,
  IceStats,
  PacketVerdict,
} from "./types.js";

export interface SelectedPair {
  local: Candidate;
  remote: Candidate;
  /** Last measured round trip on the pair (checks and consent), ms. */
  rtt?: number;
  /** The socket to send from. */
  localAddress: Address;
  remoteAddress: Address;
}

export class IceAgent implements Core<IceAgentEvent> {
  private readonly s: AgentState;

  constructor(config: IceAgentConfig, rng: RandomSource = cryptoRandom) {
    this.s = new AgentState(config, rng);
  }

  // ---- what the agent knows --------------------------------------------------------------

  get localCredentials(): IceCredentials {
    return this.s.gen.local;
  }
  get remoteCredentials(): IceCredentials | undefined {
    return this.s.gen.remote;
  }
  get controlling(): boolean {
    return this.s.controlling;
  }
  get tieBreaker(): bigint {
    return this.s.tieBreaker;
  }
  get connectionState(): IceConnectionState {
    return this.s.connectionState;
  }
  get gatheringState(): IceGatheringState {
    return this.s.gatheringState;
  }
  get stats(): Readonly<IceStats> {
    return this.s.stats;
  }
  /**
   * After handlePacket returned "relayed": the datagram a peer sent through one of our TURN
   * relays, unwrapped (a view, valid until the next handlePacket), and that peer's address.
   */
  get relayedPayload(): Uint8Array | undefined {
    return this.s.relayedPayload;
  }
  get relayedFrom(): Address | undefined {
    return this.s.relayedFrom;
  }
  /** The TURN allocations: server, transport to it, relayed address, state and the client's counters. */
  get relays(): {
    url: string | undefined;
    server: Address;
    transport: "udp" | "tcp" | "tls";
    relayed: Address | undefined;
    state: string;
    stats: TurnClientStats;
  }[] {
    return this.s.relays.map((r) => ({
      url: r.server.url,
      server: r.client.server,
      transport: r.transport,
      relayed: r.relayed,
      state: r.client.state,
      stats: r.client.stats,
    }));
  }
  /** Local candidates, as signaled (host, srflx, relay) and learned (prflx). */
  get localCandidates(): Candidate[] {
    return this.s.locals.map((l) => l.candidate);
  }
  /**
   * Where a local candidate came from: the URL of the STUN or TURN server that gave a srflx or
   * relay candidate (W3C RTCIceCandidateStats.url; a STUN server's URL is rebuilt from its
   * address, `stun:ip:port`). Undefined for host and peer-reflexive candidates.
   */
  localCandidateUrl(c: Candidate): string | undefined {
    for (const l of this.s.locals) if (l.candidate === c) return l.url;
    for (const l of this.s.locals) {
      const k = l.candidate;
      if (k.type === c.type && k.port === c.port && k.address === c.address) return l.url;
    }
    return undefined;
  }
  /**
   * The transport to the TURN server a relay candidate came through (W3C RTCIceCandidateStats.
   * relayProtocol: "udp", "tcp" or "tls"); undefined for other candidates.
   */
  localCandidateRelayProtocol(c: Candidate): "udp" | "tcp" | "tls" | undefined {
    if (c.type !== "relay") return undefined;
    const base: Address = { family: c.address.includes(":") ? 6 : 4, host: c.address, port: c.port };
    return relayAt(this.s, base)?.transport;
  }
  /** Remote candidates of the current generation (signaled and peer-reflexive). */
  get remoteCandidates(): Candidate[] {
    return this.s.gen.remoteCandidates.map((r) => r.candidate);
  }
  /** The current checklist, highest priority first (read-only use: stats, tests). */
  get pairs(): readonly CandidatePair[] {
    return this.s.gen.checklist.pairs;
  }
  /** The pair data goes over (the previous generation's during a restart), if any. */
  get selectedPair(): SelectedPair | undefined {
    const p = this.s.activePair();
    if (!p) return undefined;
    return {
      local: p.local.candidate,
      remote: p.remote.candidate,
      rtt: p.rtt,
      localAddress: p.local.base,
      remoteAddress: p.remote.address,
    };
  }

  // ---- local side ------------------------------------------------------------------------

  /**
   * Gather from the host interfaces the Node layer bound sockets on (it filters link-local and
   * loopback addresses as browsers do), then server-reflexive candidates through the STUN servers.
   * Candidates come out as "candidate" events; "gathering-state" complete when done.
   */
  gather(hosts: readonly HostInterface[], now: Millis): void {
    this.assertOpen();
    this.s.lastNow = now;
    this.applyTransportPolicy();
    gather(this.s, hosts, now);
  }

  /**
   * W3C setConfiguration with another iceTransportPolicy: it applies from the next gathering
   * phase (RFC 8829 §3.5.3: the policy is read at the start of each phase), that is the first
   * gather() or the next restart(). Candidates of the running phase are left as they are.
   */
  setTransportPolicy(policy: "all" | "relay"): void {
    this.assertOpen();
    this.s.nextRelayOnly = policy === "relay";
  }

  private applyTransportPolicy(): void {
    const s = this.s;
    if (s.nextRelayOnly === undefined) return;
    s.settings.relayOnly = s.nextRelayOnly;
    s.nextRelayOnly = undefined;
  }

  /** Add a local candidate gathered elsewhere (a TURN relay, later): signaled and paired. */
  addLocalCandidate(candidate: Candidate, base: Address, now: Millis): void {
    this.assertOpen();
    startGathering(this.s);
    addLocal(this.s, { candidate, base }, now);
  }

  /**
   * Set the role from signaling (JSEP: the offerer controls; an ICE-lite peer never does,
   * RFC 8445 §6.1.1). Role conflicts found on the wire are repaired on their own (§7.3.1.1).
   */
  setControlling(controlling: boolean, now: Millis): void {
    this.assertOpen();
    setRole(this.s, controlling, now);
  }

  // ---- remote side -----------------------------------------------------------------------

  /**
   * The peer's ufrag and pwd (RFC 8839 §5.4). New values after earlier ones mean the peer
   * restarted ICE (RFC 8445 §9): we restart too (new local credentials, read them from
   * `localCredentials` for the answer) unless restart() was already called for this round.
   */
  setRemoteCredentials(creds: IceCredentials, now: Millis): void {
    this.assertOpen();
    assertCredentials(creds, "remote");
    const s = this.s;
    const gen = s.gen;
    if (gen.remote) {
      if (gen.remote.ufrag === creds.ufrag && gen.remote.pwd === creds.pwd) return;
      this.restart(now);
    }
    applyRemoteCredentials(s, creds, now);
  }

  /**
   * A remote candidate: a parsed Candidate, an a=candidate line, or null / "" for
   * end-of-candidates (RFC 8838 §13). Bad input is dropped and counted, never thrown.
   */
  addRemoteCandidate(c: Candidate | string | null, now: Millis): void {
    this.assertOpen();
    addRemoteCandidate(this.s, c, now);
  }

  /**
   * The answer to an "mdns-query": the address, or undefined when none came. Without an address
   * the candidate is dropped; the peer's checks still reveal it as peer-reflexive (§7.3.1.3).
   */
  resolvedMdns(name: string, ip: string | undefined, now: Millis): void {
    resolvedMdns(this.s, name, ip, now);
  }

  // ---- restart, close --------------------------------------------------------------------

  /**
   * ICE restart (RFC 8445 §9): new local credentials and a fresh checklist. The selected pair of
   * the old generation keeps carrying data (and answering consent with the old credentials)
   * until the new generation selects one. Host and relay candidates are re-signaled with the new
   * ufrag; server-reflexive ones are gathered again (the NAT's mapping may have changed, which is
   * often why the application restarts) and signaled as they come.
   */
  restart(now: Millis, creds?: IceCredentials): void {
    this.assertOpen();
    const s = this.s;
    const old = s.gen;
    if (s.prev) retire(s, s.prev);
    for (const p of old.checklist.pairs) {
      if (p !== old.selected && p.transactionKey) {
        s.txs.cancel(p.transactionKey);
        p.transactionKey = undefined;
      }
    }
    s.prev = old.selected ? old : undefined;
    s.gen = s.newGeneration(creds);
    s.failed = false;
    s.gatheringState = "new";
    this.applyTransportPolicy();
    regather(s, now);
    updateConnectionState(s, now);
  }

  /**
   * Stop: state "closed"; no more checks, data or candidates. Only the releases of the TURN
   * allocations go on (RFC 8656 §8, see `releasing`).
   */
  close(now: Millis = 0): void {
    const s = this.s;
    if (s.closed) return;
    s.closed = true;
    s.txs.clear();
    s.transmits.length = 0;
    s.dataOut = [];
    s.dataHead = 0;
    s.nextCheckAt = undefined;
    s.nextConsentAt = undefined;
    s.mdnsPending.clear();
    // RFC 8656 §8: release the allocations; their Refresh requests leave at the next pollTransmit.
    closeRelays(s, now);
    updateConnectionState(s, now);
  }

  /**
   * Closed, with TURN allocations still being released: keep handing the agent its datagrams
   * (handlePacket answers "stun" for a release's answer, "dropped" for anything else) and its
   * timeouts, and sending its transmits, until this is false (or for as long as you can wait:
   * a release's transaction ends within seconds, an Allocate in flight within 39.5 s).
   */
  get releasing(): boolean {
    return this.s.closed && isReleasing(this.s);
  }

  private assertOpen(): void {
    if (this.s.closed) throw new Error("InvalidStateError: the ICE agent is closed");
  }

  // ---- datagrams -------------------------------------------------------------------------

  /**
   * Whether a transmit is a message to a TURN server over TCP or TLS (RFC 8656 §3.1): then the
   * Node layer writes `t.data` to that allocation's connection (opening it on the first message)
   * instead of sending a datagram. Undefined for every UDP transmit (one comparison).
   */
  relayStream(t: Transmit): IceRelayStream | undefined {
    return relayStreamFor(this.s, t.from, t.to);
  }

  /** The TCP/TLS connection of `stream` closed or failed: its allocation is lost (RFC 8656 §3.1). */
  relayStreamClosed(stream: { local: Address; server: Address }, reason: string, now: Millis): void {
    const s = this.s;
    if (s.closed) return;
    s.lastNow = now;
    relayStreamClosed(s, stream.local, stream.server, reason, now);
  }

  /** A datagram arrived at our socket `local` from `from`. Never throws on remote input. */
  handlePacket(data: Uint8Array, from: Address, local: Address, now: Millis): PacketVerdict {
    const s = this.s;
    s.stats.packetsIn++;
    if (s.closed) return s.relays.length > 0 && handleReleasePacket(s, data, from, local, now) ? "stun" : "dropped";
    if (from.port === 0) {
      s.stats.droppedBadSource++;
      return "dropped";
    }
    if (s.relays.length > 0 || s.settings.relayOnly) {
      const r = relayFrom(s, data, from, local);
      if (r) return this.handleRelayed(r, data, from, now);
      if (s.settings.relayOnly && !this.onHostPath(local)) {
        s.stats.droppedNotRelayed++;
        return "dropped";
      }
    }
    if (data.length > 0 && data[0] < 4) {
      if (!isStunMessage(data)) {
        s.stats.droppedMalformed++;
        return "stun";
      }
      this.handleStun(data, from, local, now);
      return "stun";
    }
    if (this.knownPeer(from)) return "data";
    s.stats.droppedUnknownSource++;
    return "dropped";
  }

  /** A datagram from a TURN server: its own traffic, or a peer's datagram relayed to us. */
  private handleRelayed(r: RelayAllocation, data: Uint8Array, from: Address, now: Millis): PacketVerdict {
    const s = this.s;
    s.lastNow = now;
    const v = r.client.handlePacket(data, from, now);
    if (v !== "data") {
      drainRelay(s, r, now);
      return v === "consumed" ? "stun" : "dropped";
    }
    const payload = r.client.payload!;
    const peer = r.client.peer!;
    const relayed = r.relayed!;
    if (payload.length > 0 && payload[0] < 4) {
      if (isStunMessage(payload)) this.handleStun(payload, peer, relayed, now);
      else s.stats.droppedMalformed++;
      return "stun";
    }
    if (!this.knownPeer(peer)) {
      s.stats.droppedUnknownSource++;
      return "dropped";
    }
    s.relayedPayload = payload;
    s.relayedFrom = peer;
    s.relayedLocal = relayed;
    return "relayed";
  }

  private handleStun(data: Uint8Array, from: Address, local: Address, now: Millis): void {
    const s = this.s;
    const m = s.msg;
    try {
      m.parse(data);
    } catch {
      s.stats.droppedMalformed++;
      return;
    }
    // RFC 8445 §7.3 / RFC 7983: a FINGERPRINT that does not match means "not ours".
    if (m.fingerprintAt >= 0 && !m.checkFingerprint()) {
      s.stats.droppedBadFingerprint++;
      return;
    }
    // RFC 8489 §6.3: among the first checks on any STUN message, "the method value is a
    // supported method"; a message failing them "is silently discarded". A request or
    // indication of a method other than Binding (the only one ICE uses, RFC 8445 §7) gets no
    // answer, not even a 400: the 400/420 answers of §6.3.1 come later, for requests of a
    // supported method that passed authentication (requests.ts). Silence also keeps the agent
    // from answering spoofed traffic. Responses go on: a foreign method matches no transaction.
    if (m.method !== StunMethod.Binding && m.cls !== StunClass.SuccessResponse && m.cls !== StunClass.ErrorResponse) {
      s.stats.droppedUnknownMethod++;
      return;
    }
    switch (m.cls) {
      case StunClass.Request:
        handleRequest(s, m, from, local, now);
        break;
      case StunClass.SuccessResponse:
      case StunClass.ErrorResponse:
        handleResponse(s, m, from, local, now);
        break;
      default:
        s.stats.indicationsIn++; // Binding indications (keepalives) need no answer (§11).
    }
  }

  /**
   * Under a "relay" policy set by a restart, the previous generation's host pair carries the data
   * (and its consent) until the new generation selects a relayed pair (RFC 8445 §9).
   */
  private onHostPath(local: Address): boolean {
    const p = this.s.activePair();
    return p !== undefined && p.local.candidate.type !== "relay" && sameAddress(p.local.base, local);
  }

  private knownPeer(from: Address): boolean {
    const s = this.s;
    const active = s.activePair();
    if (active && sameAddress(active.remote.address, from)) return true;
    if (AgentState.remoteAt(s.gen, from)) return true;
    if (s.prev !== undefined && AgentState.remoteAt(s.prev, from) !== undefined) return true;
    for (const r of s.retiredRemotes) if (sameAddress(r, from)) return true;
    return false;
  }

  /**
   * Send application data (DTLS, SRTP, ...) on the selected pair; before a pair is selected, on
   * the best valid pair (§12.1 allows it). Returns false when there is no path: none yet, or
   * consent was lost (RFC 7675 §5.1: no more data until a restart finds a fresh path; other
   * pairs validated long ago carry no consent either).
   */
  send(data: Uint8Array, now: Millis): boolean {
    const s = this.s;
    if (s.closed) return false;
    s.lastNow = now;
    const p = s.activePair() ?? (s.failed ? undefined : s.gen.checklist.bestValid());
    if (!p) return false;
    s.dataOut.push({ from: p.local.base, to: p.remote.address, data });
    return true;
  }

  // ---- Core --------------------------------------------------------------------------------

  handleTimeout(now: Millis): void {
    const s = this.s;
    if (s.closed) return handleReleaseTimeouts(s, now);
    s.lastNow = now;
    if (s.relays.length > 0) handleRelayTimeouts(s, now);
    handleTransactionTimeouts(s, now);
    if (s.failed) s.nextCheckAt = undefined; // failed: no checks until a restart
    if (s.nextCheckAt !== undefined && now >= s.nextCheckAt) {
      s.nextCheckAt = undefined;
      if (sendNextCheck(s, now)) {
        s.lastCheckAt = now;
        s.nextCheckAt = now + s.settings.ta;
      }
    }
    maybeNominate(s, s.gen, now);
    for (const [name, p] of s.mdnsPending) {
      if (now >= p.deadline) resolvedMdns(s, name, undefined, now);
    }
    handleConsentTimers(s, now);
    updateConnectionState(s, now);
  }

  /**
   * STUN first: responses, then requests (checks, consent, gathering), then queued application
   * data. Consent must not wait behind a backlog of data (RFC 7675 §5.1: late responses mean
   * lost consent), nor checks behind data during a restart.
   */
  pollTransmit(): Transmit | undefined {
    const s = this.s;
    if (s.relays.length === 0) return this.nextTransmit();
    // Through a relay: what leaves from a relayed address is wrapped by its TURN client (RFC 8656
    // §10-12) and goes to the server from the host socket; the clients' own datagrams go first.
    for (;;) {
      const wrapped = pollRelayTransmit(s);
      if (wrapped) return wrapped;
      const t = this.nextTransmit();
      if (!t) return undefined;
      const r = t.from ? relayAt(s, t.from) : undefined;
      if (!r) return t;
      relayTransmit(s, r, t);
    }
  }

  private nextTransmit(): Transmit | undefined {
    const s = this.s;
    if (s.transmits.length > 0) return s.transmits.shift();
    if (s.closed) return undefined;
    const t = s.txs.pollTransmit();
    if (t) {
      if (++s.txSent > s.txStarted) {
        s.stats.retransmits++;
        s.txSent = s.txStarted;
      }
      return t;
    }
    if (s.dataHead < s.dataOut.length) {
      const d = s.dataOut[s.dataHead++];
      if (s.dataHead === s.dataOut.length) {
        s.dataOut.length = 0;
        s.dataHead = 0;
      } else if (s.dataHead >= 1024 && s.dataHead * 2 >= s.dataOut.length) {
        s.dataOut.splice(0, s.dataHead); // compact a long-lived backlog now and then
        s.dataHead = 0;
      }
      return d;
    }
    return undefined;
  }

  pollEvent(): IceAgentEvent | undefined {
    return this.s.events.shift();
  }

  pollTimeout(): Millis | undefined {
    const s = this.s;
    if (s.closed) return releaseDeadline(s);
    let at = s.txs.pollTimeout() ?? Infinity;
    if (s.nextCheckAt !== undefined && s.gen.remote && !s.failed) at = Math.min(at, s.nextCheckAt);
    const n = nominationDeadline(s, s.gen);
    if (n !== undefined) at = Math.min(at, n);
    for (const p of s.mdnsPending.values()) at = Math.min(at, p.deadline);
    const c = consentDeadline(s);
    if (c !== undefined) at = Math.min(at, c);
    if (s.relays.length > 0) {
      const r = relayDeadline(s);
      if (r !== undefined) at = Math.min(at, r);
    }
    return at === Infinity ? undefined : at;
  }
}

