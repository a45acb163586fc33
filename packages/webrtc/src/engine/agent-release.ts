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
 */
import type { Millis, Transmit } from "@tsrtc/base";
import type { IceAgent, IceRelayStream } from "@tsrtc/ice";

/** At most this many release datagrams wait (one per allocation; a bound against misuse). */
const MAX_PENDING = 64;

export class AgentReleases {
  private readonly pending: Transmit[] = [];
  /** Releases to TURN servers over TCP/TLS: the connection each goes to (the agent is gone). */
  private readonly streams = new WeakMap<Transmit, IceRelayStream>();

  /** Close `agent` (its allocations are released) and keep what its closing sends. */
  release(agent: IceAgent, now: Millis): void {
    agent.close(now);
    for (let t = agent.pollTransmit(); t; t = agent.pollTransmit()) {
      if (this.pending.length >= MAX_PENDING) continue;
      this.pending.push(t);
      const stream = agent.relayStream(t);
      if (stream) this.streams.set(t, stream);
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

  /** Every release datagram waiting. */
  drain(): Transmit[] {
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
