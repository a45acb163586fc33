/**
 * Relayed candidates (RFC 8445 §5.1.1.2) through TURN servers (RFC 8656): one TurnClient per
 * host interface and TURN server, its relayed address becoming a "relay" local candidate whose
 * base is the relayed address itself. Checks, responses and data whose `from` is a relayed
 * address are wrapped by the client (Send indications, ChannelData once a channel is bound for
 * application data) and leave from the host socket to the server; what the server relays back
 * is unwrapped and handled as if it had reached the relayed address from the peer.
 *
 * Permissions (§9) are installed for every remote candidate's IP as pairs form; the client keeps
 * the allocation, permissions and channels refreshed until the agent closes, which releases it.
 * An allocation lost while in use (437 to a Refresh, or no answers until it expired) is made
 * again once, and its new relayed address signaled as a new relay candidate. The Allocate answer
 * also gives a server-reflexive candidate (its XOR-MAPPED-ADDRESS).
 *
 * Over TCP or TLS to the server (RFC 8656 §3.1, RFC 7065 `?transport=tcp` and `turns:`) the
 * client's messages are transmits from a stand-in local address (the host IP, port 0) that the
 * Node layer writes to a connection of its own (relayStream); the relay is UDP all the same.
 */
import { type Address, type Millis, type Transmit, formatAddress, sameAddress } from "@tsrtc/base";
import { TurnClient } from "@tsrtc/turn";
import { type Candidate, computeFoundation, computePriority } from "./candidate.js";
import { addServerReflexive, maybeGatheringComplete } from "./checks.js";
import { addLocal } from "./locals.js";
import type { AgentState } from "./state.js";
import type { HostInterface, IceRelayStream, IceTurnServer } from "./types.js";

export interface RelayAllocation {
  readonly server: IceTurnServer;
  readonly host: HostInterface;
  readonly localPreference: number;
  readonly client: TurnClient;
  /** Client-server transport (RFC 8656 §3.1). */
  readonly transport: "udp" | "tcp" | "tls";
  /** The client's local address: the host socket over UDP, a stand-in (port 0) over TCP/TLS. */
  readonly local: Address;
  /** Over TCP/TLS: what the Node layer needs, made once (the same object for every message). */
  stream?: IceRelayStream;
  /** Still counted in relayPending. */
  pending: boolean;
  /** The relayed address, once allocated (the relay candidate's base). */
  relayed?: Address;
  /** Our address as the server saw it (the Allocate answer's XOR-MAPPED-ADDRESS). */
  mapped?: Address;
  /** This allocation replaces a lost one (reallocate): it is not replaced in turn. */
  readonly replacement: boolean;
  /** A replacement waiting to send its Allocate at this time. */
  startAt?: Millis;
  /** The STUN error code that ended the allocation (0: no answer), once it is lost. */
  lostCode?: number;
  /** Over TCP/TLS: lost with its connection (the next one is a new 5-tuple). */
  connectionLost?: boolean;
}

/**
 * After an allocation was lost to a refresh that got no answer, wait this long before
 * allocating again from the same 5-tuple: the client gives up less than 5 s before the lifetime
 * it was granted ends, and an Allocate on a 5-tuple the server still holds gets 437
 * (RFC 8656 §7.2).
 */
const REALLOCATE_AFTER_TIMEOUT: Millis = 5_000;

function isLive(r: RelayAllocation): boolean {
  const st = r.client.state;
  return st !== "failed" && st !== "closed" && st !== "new";
}

function urlOf(server: IceTurnServer): string {
  return server.url ?? `turn:${formatAddress(server.address)}`;
}

/** The transport to a TURN server; undefined for TURN over DTLS (`turns:...?transport=udp`), unsupported. */
export function turnTransport(server: IceTurnServer): "udp" | "tcp" | "tls" | undefined {
  const t = server.transport ?? "udp";
  if (server.secure) return t === "tcp" ? "tls" : undefined;
  return t;
}

/**
 * RFC 8445 §5.1.2.1: a relay reached over TCP or TLS is the last resort, below every UDP relay
 * as libwebrtc ranks them (UDP, then TCP, then TLS): a quarter of the host's local preference
 * over TCP, an eighth over TLS.
 */
export function relayLocalPreference(hostPreference: number, transport: "udp" | "tcp" | "tls"): number {
  return transport === "udp" ? hostPreference : transport === "tcp" ? hostPreference >> 2 : hostPreference >> 3;
}

/** Start an allocation from `host` on every TURN server of its family (§5.1.1.2). */
export function startRelays(s: AgentState, host: HostInterface, localPreference: number, now: Millis): void {
  for (const server of s.settings.turnServers) {
    const transport = turnTransport(server);
    if (transport === undefined) {
      s.emit({
        type: "candidate-error",
        url: urlOf(server),
        address: host.address.host,
        port: host.address.port,
        errorCode: 701,
        errorText: "TURN over DTLS is not supported; use turns: over TLS, or turn:",
      });
      continue;
    }
    if (server.address.family !== host.address.family) continue;
    // One allocation per host, server address and kind of transport: a stream (TCP or TLS) is told
    // from another only by its addresses, so TCP and TLS to the same address count as one.
    const stream = transport !== "udp";
    if (
      s.relays.some(
        (r) => sameAddress(r.host.address, host.address) && sameAddress(r.server.address, server.address) && (r.transport !== "udp") === stream,
      )
    ) {
      continue;
    }
    const r = newAllocation(s, server, host, localPreference, false);
    r.pending = true;
    s.relayPending++;
    r.client.allocate(now);
  }
}

function newAllocation(s: AgentState, server: IceTurnServer, host: HostInterface, localPreference: number, replacement: boolean): RelayAllocation {
  const transport = turnTransport(server) ?? "udp";
  const local: Address = transport === "udp" ? host.address : { family: host.address.family, host: host.address.host, port: 0 };
  const client = new TurnClient({
    server: server.address,
    username: server.username,
    password: server.credential,
    local,
    rng: s.rng,
    transport,
  });
  const r: RelayAllocation = { server, host, localPreference, client, transport, local, pending: false, replacement };
  s.relays.push(r);
  return r;
}

/**
 * An allocation that was working is gone: the server answered a Refresh with 437 (Allocation
 * Mismatch: it forgot us, after a restart say), or refreshes got no answer until it expired
 * (RFC 8656 §8), or its TCP/TLS connection closed. Allocate once more from the same host socket,
 * at once after a 437 or a lost connection, after REALLOCATE_AFTER_TIMEOUT otherwise. The lost allocation stays in the list, dead, so what
 * still leaves from its relayed address is dropped by its client (its pairs fail on their own).
 */
function reallocate(s: AgentState, lost: RelayAllocation, now: Millis): void {
  if (s.closed || lost.replacement || lost.relayed === undefined) return;
  const r = newAllocation(s, lost.server, lost.host, lost.localPreference, true);
  // A new TCP/TLS connection is a new 5-tuple: no need to wait for the server to forget the old
  // one. Refreshes unanswered on a connection still open: the same wait as over UDP.
  r.startAt = lost.lostCode === 437 || lost.connectionLost === true ? now : now + REALLOCATE_AFTER_TIMEOUT;
}

/**
 * The allocation whose server sent `from` to our socket `local`, if any. A Binding message is
 * never the TURN client's: when the TURN server is also our STUN server, its answers to our
 * server-reflexive requests go to the agent.
 */
export function relayFrom(s: AgentState, data: Uint8Array, from: Address, local: Address): RelayAllocation | undefined {
  // RFC 8489 §5: the method bits of the type, without the class bits (0x0110), 0x001 = Binding.
  if (data.length >= 2 && data[0] < 4 && (((data[0] << 8) | data[1]) & 0x3eef) === 0x0001) return undefined;
  for (const r of s.relays) {
    const srv = r.client.server;
    if (srv.port === from.port && srv.host === from.host && sameAddress(r.local, local) && isLive(r)) return r;
  }
  return undefined;
}

/**
 * The allocation whose relayed address is `base`, if any: a live one first (a replacement may
 * have been given the same relayed address), else the lost one, whose client drops the datagram.
 */
export function relayAt(s: AgentState, base: Address): RelayAllocation | undefined {
  let dead: RelayAllocation | undefined;
  for (const r of s.relays) {
    if (r.relayed === undefined || r.relayed.port !== base.port || r.relayed.host !== base.host) continue;
    if (isLive(r)) return r;
    dead ??= r;
  }
  return dead;
}

/**
 * Install a permission for `peer`'s IP on every allocation whose relayed address has its family
 * (RFC 8656 §9; a relayed address is IPv4 unless asked otherwise, §7.1, whatever the server's
 * family). Allocations still pending get theirs when they are allocated (addRelayCandidate).
 */
export function installPermissions(s: AgentState, peer: Address, now: Millis): void {
  for (const r of s.relays) {
    if (r.relayed === undefined || r.relayed.family !== peer.family || r.client.state !== "allocated") continue;
    r.client.createPermission(peer, now);
  }
}

/**
 * Hand a transmit whose `from` is a relayed address to its TURN client. Application data (not
 * STUN) binds a channel to the peer first, so it goes as ChannelData once the server confirms.
 */
export function relayTransmit(s: AgentState, r: RelayAllocation, t: Transmit): void {
  const now = s.lastNow;
  const stun = t.data.length > 0 && t.data[0] < 4;
  if (!stun) r.client.bindChannel(t.to, now);
  r.client.send(t.to, t.data, now);
  drainRelay(s, r, now);
}

/**
 * The TCP/TLS allocation a transmit belongs to: its `from` is the stand-in local address (port 0,
 * which no socket has) and its `to` the server. Undefined for everything that goes over UDP.
 */
export function relayStreamFor(s: AgentState, from: Address | undefined, to: Address): IceRelayStream | undefined {
  if (from === undefined || from.port !== 0) return undefined;
  for (const r of s.relays) {
    if (r.transport === "udp" || !sameAddress(r.local, from) || !sameAddress(r.client.server, to)) continue;
    return streamOf(r);
  }
  return undefined;
}

function streamOf(r: RelayAllocation): IceRelayStream {
  // A 300 redirect moves the client to another server: a new stream then.
  if (r.stream !== undefined && r.stream.server === r.client.server) return r.stream;
  return (r.stream = {
    local: r.local,
    server: r.client.server,
    transport: r.transport === "tls" ? "tls" : "tcp",
    hostname: r.server.hostname ?? r.server.address.host,
    url: r.server.url,
  });
}

/**
 * The connection of a TCP/TLS allocation closed or failed: the server drops an allocation whose
 * connection is gone (RFC 8656 §3.1), so the client loses it (a candidate error while still
 * allocating; otherwise allocated once more, over a new connection, as after a 437).
 */
export function relayStreamClosed(s: AgentState, local: Address, server: Address, reason: string, now: Millis): void {
  for (const r of s.relays) {
    if (r.transport === "udp" || !sameAddress(r.local, local) || !sameAddress(r.client.server, server) || !isLive(r)) continue;
    r.connectionLost = true;
    r.client.connectionLost(reason);
    drainRelay(s, r, now);
  }
}

/** The next datagram any TURN client has for its server. */
export function pollRelayTransmit(s: AgentState): Transmit | undefined {
  for (const r of s.relays) {
    const t = r.client.pollTransmit();
    if (t) return t;
  }
  return undefined;
}

export function handleRelayTimeouts(s: AgentState, now: Millis): void {
  for (const r of s.relays) {
    if (r.startAt !== undefined) {
      if (now < r.startAt) continue;
      r.startAt = undefined;
      r.client.allocate(now);
    }
    r.client.handleTimeout(now);
    drainRelay(s, r, now);
  }
}

export function relayDeadline(s: AgentState): Millis | undefined {
  let at: Millis | undefined;
  for (const r of s.relays) {
    const t = r.startAt ?? r.client.pollTimeout();
    if (t !== undefined && (at === undefined || t < at)) at = t;
  }
  return at;
}

/** Release every allocation (RFC 8656 §8: Refresh with LIFETIME 0); the requests leave at the next pollTransmit. */
export function closeRelays(s: AgentState, now: Millis): void {
  for (const r of s.relays) {
    r.startAt = undefined;
    r.client.close(now);
  }
}

/**
 * After close(): the TURN clients still releasing (a Refresh with LIFETIME 0 not yet answered, or
 * an Allocate in flight whose allocation they will release) keep running, so a lost release is
 * sent again and a 438 answered with the new nonce. Their events are of no use any more.
 */
function releasing(r: RelayAllocation): boolean {
  return r.client.state === "closing";
}

export function isReleasing(s: AgentState): boolean {
  return s.relays.some(releasing);
}

/** A closed agent: a datagram for a releasing client's transaction; true when it took it. */
export function handleReleasePacket(s: AgentState, data: Uint8Array, from: Address, local: Address, now: Millis): boolean {
  const r = relayFrom(s, data, from, local);
  if (!r || !releasing(r)) return false;
  const taken = r.client.handlePacket(data, from, now) === "consumed";
  while (r.client.pollEvent());
  return taken;
}

export function handleReleaseTimeouts(s: AgentState, now: Millis): void {
  for (const r of s.relays) {
    if (!releasing(r)) continue;
    r.client.handleTimeout(now);
    while (r.client.pollEvent());
  }
}

export function releaseDeadline(s: AgentState): Millis | undefined {
  let at: Millis | undefined;
  for (const r of s.relays) {
    const t = releasing(r) ? r.client.pollTimeout() : undefined;
    if (t !== undefined && (at === undefined || t < at)) at = t;
  }
  return at;
}

/**
 * Act on the client's events: candidates when allocated, a candidate error when the allocation
 * could not be made, one new allocation when a working one is lost.
 */
export function drainRelay(s: AgentState, r: RelayAllocation, now: Millis): void {
  for (let e = r.client.pollEvent(); e; e = r.client.pollEvent()) {
    if (e.type === "allocated") {
      const lost = r.replacement ? lostRelayed(s, r) : undefined;
      r.relayed = e.relayed;
      r.mapped = e.mapped;
      if (e.mapped) addMappedCandidate(s, r, e.mapped);
      if (lost && !sameAddress(lost, e.relayed)) forgetRelayCandidate(s, lost);
      addRelayCandidate(s, r, e.relayed, now);
      settle(s, r);
    } else if (e.type === "error" && e.fatal) {
      r.lostCode = e.code;
      if (r.relayed === undefined) {
        s.emit({
          type: "candidate-error",
          url: urlOf(r.server),
          address: r.host.address.host,
          port: r.host.address.port,
          errorCode: e.code === 0 ? 701 : e.code,
          errorText: e.reason,
        });
      }
      settle(s, r);
    } else if (e.type === "closed" && e.reason !== "released") {
      reallocate(s, r, now);
    }
  }
}

/** The relayed address of the allocation `replacement` replaces. */
function lostRelayed(s: AgentState, replacement: RelayAllocation): Address | undefined {
  for (const r of s.relays) {
    if (r !== replacement && r.relayed !== undefined && r.host === replacement.host && r.server === replacement.server) return r.relayed;
  }
  return undefined;
}

/**
 * The lost allocation's relay candidate is no longer ours to offer: not signaled again at a
 * restart, not paired with new remote candidates. Its existing pairs fail on their own.
 */
function forgetRelayCandidate(s: AgentState, relayed: Address): void {
  const i = s.locals.findIndex((l) => l.candidate.type === "relay" && sameAddress(l.base, relayed));
  if (i >= 0) s.locals.splice(i, 1);
}

/**
 * RFC 8445 §5.1.1.2: the Allocate success carries XOR-MAPPED-ADDRESS, our address as the server
 * saw it, so a TURN server gives a server-reflexive candidate as a STUN server would (libwebrtc
 * signals it too). Not when the same server is also a STUN server of ours (its Binding answer
 * brings that candidate), nor under the "relay" policy; a duplicate of a srflx candidate from
 * any STUN server is dropped (addServerReflexive).
 */
function addMappedCandidate(s: AgentState, r: RelayAllocation, mapped: Address): void {
  // Over TCP/TLS the mapped address is the connection's, of no use to UDP checks.
  if (s.closed || s.settings.relayOnly || r.transport !== "udp") return;
  if (s.settings.stunServers.some((a) => sameAddress(a, r.server.address))) return;
  const base = s.locals.find((l) => l.candidate.type === "host" && sameAddress(l.base, r.host.address));
  if (base) addServerReflexive(s, base, r.server.address, mapped, urlOf(r.server));
}

/**
 * A new gathering phase under "all" (regather): the allocations' server-reflexive candidates
 * again, which the restart forgot with the other srflx ones or a "relay" phase held back.
 */
export function addMappedCandidates(s: AgentState): void {
  for (const r of s.relays) if (r.mapped !== undefined && r.relayed !== undefined && isLive(r)) addMappedCandidate(s, r, r.mapped);
}

/**
 * The related address of the relay candidate based at `relayed`: the mapped address, except under
 * the "relay" policy, where it would reveal what the policy hides (RFC 8829 §3.5.3): 0.0.0.0 0,
 * as browsers write for hidden bases.
 */
export function relayRelated(s: AgentState, relayed: Address): { relatedAddress: string; relatedPort: number } {
  const mapped = s.settings.relayOnly ? undefined : relayAt(s, relayed)?.mapped;
  if (mapped === undefined) return { relatedAddress: relayed.family === 6 ? "::" : "0.0.0.0", relatedPort: 0 };
  return { relatedAddress: mapped.host, relatedPort: mapped.port };
}

function settle(s: AgentState, r: RelayAllocation): void {
  if (!r.pending) return;
  r.pending = false;
  s.relayPending--;
  maybeGatheringComplete(s);
}

function addRelayCandidate(s: AgentState, r: RelayAllocation, relayed: Address, now: Millis): void {
  if (s.closed) return;
  if (s.locals.some((l) => l.candidate.type === "relay" && sameAddress(l.base, relayed))) {
    // A replacement allocation got the lost one's relayed address back: the candidate and its
    // pairs carry on; only the permissions must be installed again.
    for (const rc of s.gen.remoteCandidates) if (rc.address.family === relayed.family) r.client.createPermission(rc.address, now);
    return;
  }
  const c: Candidate = {
    // §5.1.1.3: the transport to the server is part of the foundation (TCP and UDP relays differ).
    foundation: computeFoundation("relay", r.host.address.host, r.transport === "udp" ? "udp" : `udp/${r.transport}`, r.server.address.host),
    component: 1,
    transport: "udp",
    priority: computePriority("relay", relayLocalPreference(r.localPreference, r.transport), 1),
    address: relayed.host,
    port: relayed.port,
    type: "relay",
    ...relayRelated(s, relayed),
    generation: 0,
    ufrag: s.gen.local.ufrag,
    networkId: r.host.networkId,
    networkCost: r.host.networkCost,
    extensions: [],
  };
  addLocal(s, { candidate: c, base: relayed, url: urlOf(r.server) }, now);
  // Remote candidates known already get their permissions now (later ones as they come).
  for (const rc of s.gen.remoteCandidates) if (rc.address.family === relayed.family) r.client.createPermission(rc.address, now);
}
