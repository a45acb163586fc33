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

/** Not STUN (RFC 7983: first byte 0..3): DTLS carrying the SCTP ABORT or the close_notify. */
function isGoodbye(t: Transmit): boolean {
  return t.data.length > 0 && t.data[0] >= 20;
}
