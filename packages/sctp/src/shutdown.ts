/**
 * Graceful shutdown (RFC 9260 §9.2): SHUTDOWN once everything sent is acknowledged, the SHUTDOWN
 * ACK once everything the peer's SHUTDOWN waits for is, SHUTDOWN COMPLETE, and the T2-shutdown
 * timer that repeats the last of them.
 */
import { ChunkType } from "./constants.js";
import { encodeEmpty, encodeShutdown } from "./chunks/control.js";
import { State } from "./handshake.js";
import type { Sender } from "./sender.js";

export interface ShutdownHost {
  state: State;
  readonly sender: Sender | undefined;
  /** Messages still queued by the user. */
  readonly queued: number;
  /** Our cumulative TSN ack, carried by SHUTDOWN. */
  readonly cumTsn: number;
  /** Send a stand-alone packet to the peer. */
  send(chunk: Uint8Array): void;
  terminate(reason: string, byPeer: boolean, error: boolean): void;
  /** ABORT with a Protocol Violation. */
  violation(reason: string): void;
  unexpected(): void;
}

export class GracefulShutdown {
  /** T2-shutdown deadline. */
  t2: number | undefined;
  private failures = 0;

  constructor(
    private readonly host: ShutdownHost,
    private readonly maxRetransmits: number,
  ) {}

  reset(): void {
    this.t2 = undefined;
    this.failures = 0;
  }

  /** SHUTDOWN from the peer: its cumulative ack acts like a SACK's. */
  onShutdown(cumTsnAck: number, now: number): void {
    const h = this.host;
    const s = h.sender;
    if (!s || (h.state !== State.ESTABLISHED && h.state !== State.SHUTDOWN_PENDING && h.state !== State.SHUTDOWN_RECEIVED)) {
      h.unexpected();
      return;
    }
    const out = s.handleSack({ cumTsnAck, aRwnd: s.peerRwnd, gaps: [], dups: [] }, now);
    if (out === "violation") return h.violation("SHUTDOWN acknowledges a TSN never sent");
    h.state = State.SHUTDOWN_RECEIVED;
    this.check(now);
  }

  /** SHUTDOWN ACK: answered with SHUTDOWN COMPLETE, and the association is over. True when it ended. */
  onShutdownAck(): boolean {
    const h = this.host;
    if (h.state !== State.SHUTDOWN_SENT && h.state !== State.SHUTDOWN_ACK_SENT) {
      h.unexpected();
      return false;
    }
    h.send(encodeEmpty(ChunkType.SHUTDOWN_COMPLETE));
    h.terminate("shutdown complete", true, false);
    return true;
  }

  /** SHUTDOWN COMPLETE: over, if we sent the SHUTDOWN ACK. True when it ended. */
  onShutdownComplete(): boolean {
    const h = this.host;
    if (h.state !== State.SHUTDOWN_ACK_SENT) {
      h.unexpected();
      return false;
    }
    h.terminate("shutdown complete", true, false);
    return true;
  }

  /** Send SHUTDOWN or SHUTDOWN ACK once nothing is queued or outstanding. */
  check(now: number): void {
    const h = this.host;
    const s = h.sender;
    if (!s || s.outstanding > 0 || h.queued > 0) return;
    if (h.state === State.SHUTDOWN_PENDING) {
      h.state = State.SHUTDOWN_SENT;
      h.send(encodeShutdown(h.cumTsn));
      this.t2 = now + s.rto.rto;
    } else if (h.state === State.SHUTDOWN_RECEIVED) {
      h.state = State.SHUTDOWN_ACK_SENT;
      h.send(encodeEmpty(ChunkType.SHUTDOWN_ACK));
      this.t2 = now + s.rto.rto;
    }
  }

  /** T2-shutdown: repeat SHUTDOWN or SHUTDOWN ACK with a backed-off RTO, give up after Association.Max.Retrans. */
  onTimeout(now: number): void {
    const s = this.host.sender;
    if (this.t2 === undefined || now < this.t2 || !s) return;
    if (++this.failures > this.maxRetransmits) {
      this.t2 = undefined;
      this.host.terminate("shutdown timed out", false, true);
      return;
    }
    s.rto.backoff();
    this.t2 = now + s.rto.rto;
    this.host.send(this.host.state === State.SHUTDOWN_SENT ? encodeShutdown(this.host.cumTsn) : encodeEmpty(ChunkType.SHUTDOWN_ACK));
  }
}
