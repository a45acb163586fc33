/**
 * Closing ICE agents with their TURN allocations released (RFC 8656 §8: a Refresh with LIFETIME 0
 * each, queued by IceAgent.close and sent from the host socket the allocation was made from).
 *
 * At close() the agent first sends its goodbyes, then the releases (closeAfterGoodbyes).
 * An agent the engine drops before close() is released too (AgentReleases): the candidate pool
 * discarded (W3C §4.4.1.6 iceCandidatePoolSize 0) or gathering again with new ICE servers, and
 * the agent of a first offer rolled back (W3C §4.4.1.5). Without the release its allocations
 * would stay on the server until their lifetime ran out (RFC 8656 §7: 10 minutes by default).
 * The releases leave before anything the next agent sends: an Allocate from the same 5-tuple
 * gets 437 while the old allocation lives (§7.2).
 *
 * A dropped agent is kept for a few seconds while its TURN clients are still releasing: a
 * release lost or answered 438 (Stale Nonce) is sent again, and an Allocate it had in flight,
 * whose answer reaches the socket the next agent shares, is answered by a release of the
 * allocation it made (else that allocation would outlive us and make the next agent's 437).
 */
import type { Address, Millis, Transmit } from "@tsrtc/base";
import type { IceAgent, IceRelayStream } from "@tsrtc/ice";

/** At most this many release datagrams wait (one per allocation; a bound against misuse). */
const MAX_PENDING = 64;
/** At most this many dropped agents are kept releasing (the oldest is let go beyond). */
const MAX_AGENTS = 8;
/**
 * How long a dropped agent is kept for its releases: enough for a release's retransmission and
 * a 438 retry (RFC 8489 §6.2.1: RTO 500 ms), and for an Allocate in flight to be answered.
 */
const RELEASE_WINDOW: Millis = 5_000;

export class AgentReleases {
  private readonly pending: Transmit[] = [];
  /** Releases to TURN servers over TCP/TLS: the connection each goes to (the agent is gone). */
  private readonly streams = new WeakMap<Transmit, IceRelayStream>();
  /** Dropped agents still releasing (IceAgent.releasing), until `until`. */
  private readonly agents: { agent: IceAgent; until: Millis }[] = [];

  /** Close `agent` (its allocations are released) and keep what its closing sends. */
  release(agent: IceAgent, now: Millis): void {
    agent.close(now);
    this.collect(agent);
    if (!agent.releasing) return;
    if (this.agents.length >= MAX_AGENTS) this.agents.shift();
    this.agents.push({ agent, until: now + RELEASE_WINDOW });
  }

  /** Dropped agents are still releasing: hand them STUN responses and timeouts. */
  get active(): boolean {
    return this.agents.length > 0;
  }

  /**
   * A datagram that may answer a dropped agent's TURN client (an Allocate it had in flight, its
   * release): such answers reach the same host socket as the successor's, which would drop
   * them as unknown transactions. True when a dropped agent took it.
   */
  handlePacket(data: Uint8Array, from: Address, local: Address, now: Millis): boolean {
    // STUN success or error responses only (RFC 8489 §5: class bit C1 is the first byte's lowest).
    if (this.agents.length === 0 || data.length < 20 || data[0] > 3 || (data[0] & 1) === 0) return false;
    for (const d of this.agents) {
      if (d.agent.handlePacket(data, from, local, now) !== "stun") continue;
      this.collect(d.agent);
      this.prune(now);
      return true;
    }
    return false;
  }

  handleTimeout(now: Millis): void {
    if (this.agents.length === 0) return;
    for (const d of this.agents) {
      if (now >= d.until) continue;
      d.agent.handleTimeout(now);
      this.collect(d.agent);
    }
    this.prune(now);
  }

  /** The next time a dropped agent needs handleTimeout (at the latest, when it is let go). */
  pollTimeout(): Millis | undefined {
    let at: Millis | undefined;
    for (const d of this.agents) {
      const t = Math.min(d.agent.pollTimeout() ?? d.until, d.until);
      if (at === undefined || t < at) at = t;
    }
    return at;
  }

  private collect(agent: IceAgent): void {
    for (let t = agent.pollTransmit(); t; t = agent.pollTransmit()) {
      if (this.pending.length >= MAX_PENDING) continue;
      this.pending.push(t);
      const stream = agent.relayStream(t);
      if (stream) this.streams.set(t, stream);
    }
  }

  private prune(now: Millis): void {
    for (let i = this.agents.length - 1; i >= 0; i--) {
      const d = this.agents[i];
      if (now >= d.until || !d.agent.releasing) this.agents.splice(i, 1);
    }
  }

  /** The TCP/TLS connection a release goes to, when its allocation was made over one. */
  relayStream(t: Transmit): IceRelayStream | undefined {
    return this.streams.get(t);
  }

  /** The next release datagram to send, if any. */
  poll(): Transmit | undefined {
    return this.pending.shift();
  }

  /** Every release datagram waiting; the dropped agents are let go (the connection closes). */
  drain(): Transmit[] {
    this.agents.length = 0;
    return this.pending.splice(0);
  }

  get size(): number {
    return this.pending.length;
  }
}

/**
 * close(): the final DTLS/SCTP datagrams still queued (`pending` first, taken from the agent
 * already), not its STUN, then the agent closes and its allocations' releases follow, into `out`.
 */
export function closeAfterGoodbyes(agent: IceAgent, pending: Transmit | undefined, now: Millis, out: Transmit[]): void {
  if (pending && isGoodbye(pending)) out.push(pending);
  for (let t = agent.pollTransmit(); t; t = agent.pollTransmit()) if (isGoodbye(t)) out.push(t);
  agent.close(now);
  for (let t = agent.pollTransmit(); t; t = agent.pollTransmit()) out.push(t);
}

/**
 * A datagram that ends the session for the peer: DTLS carrying the SCTP ABORT or the
 * close_notify (RFC 7983: not STUN, not TURN ChannelData), also when the agent's TURN client
 * wrapped it for a relayed path (ChannelData, RFC 8656 §12.4, or the DATA of a Send indication,
 * §10.1). ICE's own STUN (checks, consent, TURN requests), wrapped or not, is not.
 */
function isGoodbye(t: Transmit): boolean {
  const d = relayedPayload(t.data);
  return d !== undefined && d.length > 0 && d[0] >= 20 && (d[0] < 64 || d[0] > 79);
}

/** STUN method Send, class indication (RFC 8656 §18), and the DATA attribute (0x0013). */
const SEND_INDICATION = 0x0016;
const ATTR_DATA = 0x0013;

/** What a TURN client's datagram carries for the peer (the datagram itself when not TURN); undefined for STUN of its own. */
function relayedPayload(d: Uint8Array): Uint8Array | undefined {
  if (d.length === 0) return d;
  if (d[0] >= 64 && d[0] <= 79) return d.length >= 4 ? d.subarray(4, Math.min(d.length, 4 + ((d[2] << 8) | d[3]))) : undefined;
  if (d[0] > 3) return d;
  if (d.length < 20 || ((d[0] << 8) | d[1]) !== SEND_INDICATION) return undefined;
  const end = Math.min(d.length, 20 + ((d[2] << 8) | d[3]));
  // RFC 8489 §14: attributes as type, length, value padded to 4 bytes.
  for (let i = 20; i + 4 <= end; ) {
    const type = (d[i] << 8) | d[i + 1];
    const len = (d[i + 2] << 8) | d[i + 3];
    if (i + 4 + len > end) return undefined;
    if (type === ATTR_DATA) return d.subarray(i + 4, i + 4 + len);
    i += 4 + ((len + 3) & ~3);
  }
  return undefined;
}
