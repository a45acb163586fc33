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
 */
import { type Address, type Millis, type Transmit, formatAddress, sameAddress } from "@tsrtc/base";
import { TurnClient } from "@tsrtc/turn";
import { type Candidate, computeFoundation, computePriority } from "./candidate.js";
import { maybeGatheringComplete } from "./checks.js";
import { addLocal } from "./locals.js";
import type { AgentState } from "./state.js";
import type { HostInterface, IceTurnServer } from "./types.js";

export interface RelayAllocation {
  readonly server: IceTurnServer;
  readonly host: HostInterface;
  readonly localPreference: number;
  readonly client: TurnClient;
  /** Still counted in relayPending. */
  pending: boolean;
  /** The relayed address, once allocated (the relay candidate's base). */
  relayed?: Address;
}

function urlOf(server: IceTurnServer): string {
  return server.url ?? `turn:${formatAddress(server.address)}`;
}

/** Start an allocation from `host` on every TURN server of its family (§5.1.1.2). */
export function startRelays(s: AgentState, host: HostInterface, localPreference: number, now: Millis): void {
  for (const server of s.settings.turnServers) {
    if (server.secure || (server.transport ?? "udp") !== "udp") {
      s.emit({
        type: "candidate-error",
        url: urlOf(server),
        address: host.address.host,
        port: host.address.port,
        errorCode: 701,
        errorText: "TURN over TCP or TLS is not supported; use turn: with UDP",
      });
      continue;
    }
    if (server.address.family !== host.address.family) continue;
    if (s.relays.some((r) => sameAddress(r.host.address, host.address) && sameAddress(r.server.address, server.address))) continue;
    const client = new TurnClient({
      server: server.address,
      username: server.username,
      password: server.credential,
      local: host.address,
      rng: s.rng,
    });
    const r: RelayAllocation = { server, host, localPreference, client, pending: true };
    s.relays.push(r);
    s.relayPending++;
    client.allocate(now);
  }
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
    if (srv.port === from.port && srv.host === from.host && sameAddress(r.host.address, local)) return r;
  }
  return undefined;
}

/** The allocation whose relayed address is `base`, if any. */
export function relayAt(s: AgentState, base: Address): RelayAllocation | undefined {
  for (const r of s.relays) if (r.relayed !== undefined && r.relayed.port === base.port && r.relayed.host === base.host) return r;
  return undefined;
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
    r.client.handleTimeout(now);
    drainRelay(s, r, now);
  }
}

export function relayDeadline(s: AgentState): Millis | undefined {
  let at: Millis | undefined;
  for (const r of s.relays) {
    const t = r.client.pollTimeout();
    if (t !== undefined && (at === undefined || t < at)) at = t;
  }
  return at;
}

/** Release every allocation (RFC 8656 §8: Refresh with LIFETIME 0); the requests leave at the next pollTransmit. */
export function closeRelays(s: AgentState, now: Millis): void {
  for (const r of s.relays) r.client.close(now);
}

/** Act on the client's events: a relay candidate when allocated, a candidate error when not. */
export function drainRelay(s: AgentState, r: RelayAllocation, now: Millis): void {
  for (let e = r.client.pollEvent(); e; e = r.client.pollEvent()) {
    if (e.type === "allocated") {
      r.relayed = e.relayed;
      addRelayCandidate(s, r, e.relayed, e.mapped, now);
      settle(s, r);
    } else if (e.type === "error" && e.fatal && r.pending) {
      s.emit({
        type: "candidate-error",
        url: urlOf(r.server),
        address: r.host.address.host,
        port: r.host.address.port,
        errorCode: e.code === 0 ? 701 : e.code,
        errorText: e.reason,
      });
      settle(s, r);
    }
  }
}

function settle(s: AgentState, r: RelayAllocation): void {
  if (!r.pending) return;
  r.pending = false;
  s.relayPending--;
  maybeGatheringComplete(s);
}

function addRelayCandidate(s: AgentState, r: RelayAllocation, relayed: Address, mapped: Address | undefined, now: Millis): void {
  if (s.closed) return;
  // With the "relay" policy the related address would reveal what the policy hides: 0.0.0.0 0,
  // as browsers write for hidden bases.
  const hide = s.settings.relayOnly || mapped === undefined;
  const c: Candidate = {
    foundation: computeFoundation("relay", r.host.address.host, "udp", r.server.address.host),
    component: 1,
    transport: "udp",
    priority: computePriority("relay", r.localPreference, 1),
    address: relayed.host,
    port: relayed.port,
    type: "relay",
    relatedAddress: hide ? (relayed.family === 6 ? "::" : "0.0.0.0") : mapped.host,
    relatedPort: hide ? 0 : mapped.port,
    generation: 0,
    ufrag: s.gen.local.ufrag,
    networkId: r.host.networkId,
    networkCost: r.host.networkCost,
    extensions: [],
  };
  addLocal(s, { candidate: c, base: relayed }, now);
  // Remote candidates known already get their permissions now (later ones as they come).
  for (const rc of s.gen.remoteCandidates) if (rc.address.family === relayed.family) r.client.createPermission(rc.address, now);
}
