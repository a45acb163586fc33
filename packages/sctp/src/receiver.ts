/**
 * The receiving half of an association: accept DATA / I-DATA (RFC 9260 §6.2), hand chunks to
 * reassembly, decide when to SACK (delayed ack, §6.2: at least every second packet, at once on
 * gaps or duplicates) and apply FORWARD-TSN (RFC 3758 §3.6).
 */
import { DataFlags } from "./constants.js";
import { type ErrorCauseTlv, causeInvalidStream } from "./chunks/control.js";
import type { DataChunk } from "./chunks/data.js";
import type { ForwardTsnChunk } from "./chunks/forward-tsn.js";
import type { SackChunk } from "./chunks/sack.js";
import { type Deliver, Reassembly } from "./reassembly.js";
import { TsnTracker, TsnVerdict } from "./tsn-tracker.js";

export interface ReceiverConfig {
  rwnd: number;
  /** The cap on the a_rwnd we advertise (SctpOptions.advertisedWindow); rwnd when absent. */
  advertised?: number;
  maxMessage: number;
  inStreams: number;
  delayedAck: number;
}

export class Receiver {
  readonly tracker: TsnTracker;
  readonly reassembly: Reassembly;
  /** A SACK must go out with the next packet. */
  sackNow = false;
  /** Some DATA is unacknowledged; the delayed-ack deadline if so. */
  sackDeadline: number | undefined;
  private dataPackets = 0;
  private immediate = false;
  errors: ErrorCauseTlv[] = [];
  /** Set when the peer broke a limit that ends the association. */
  abortReason: string | undefined;
  stats = { dataChunks: 0, duplicates: 0, refused: 0, invalidStream: 0, bytes: 0, staleForwardTsn: 0 };

  constructor(
    peerInitialTsn: number,
    private readonly cfg: ReceiverConfig,
    deliver: Deliver,
  ) {
    this.tracker = new TsnTracker(peerInitialTsn);
    this.reassembly = new Reassembly(cfg.rwnd, cfg.maxMessage, deliver);
  }

  /** One DATA / I-DATA chunk; the payload is known to be non-empty. */
  onData(c: DataChunk): void {
    this.stats.dataChunks++;
    const t = this.tracker;
    const v = t.check(c.tsn);
    if (v === TsnVerdict.DUPLICATE) {
      this.stats.duplicates++;
      t.noteDuplicate(c.tsn);
      this.immediate = true;
      return;
    }
    if (v === TsnVerdict.REFUSED) {
      this.stats.refused++;
      return;
    }
    if (c.flags & DataFlags.IMMEDIATE) this.immediate = true;
    if (c.stream >= this.cfg.inStreams) {
      // §6.8 / §3.3.10.1: acknowledge the TSN, drop the data, report an Invalid Stream Identifier.
      this.stats.invalidStream++;
      if (this.errors.length < 8) this.errors.push(causeInvalidStream(c.stream));
      t.mark(c.tsn);
      return;
    }
    const r = this.reassembly.add(c, ((c.tsn - t.highest) | 0) < 0);
    if (r === "full") {
      // §6.2: a DATA chunk dropped for lack of window is answered at once with a SACK.
      this.stats.refused++;
      this.immediate = true;
      return;
    }
    if (r === "too-big") {
      this.abortReason = `message on stream ${c.stream} exceeds ${this.cfg.maxMessage} bytes`;
      return;
    }
    if (!t.mark(c.tsn)) {
      this.stats.refused++;
      return;
    }
    this.stats.bytes += c.payload.length;
  }

  /** After all chunks of a packet that carried DATA: schedule the SACK. */
  afterDataPacket(now: number): void {
    this.dataPackets++;
    if (this.immediate || this.tracker.hasGaps || this.dataPackets >= 2) {
      this.sackNow = true;
    } else if (this.sackDeadline === undefined) {
      this.sackDeadline = now + this.cfg.delayedAck;
    }
    this.immediate = false;
  }

  onForwardTsn(f: ForwardTsnChunk): void {
    this.sackNow = true;
    // RFC 3758 §3.6: a FORWARD-TSN that does not move the cumulative TSN is a duplicate (its
    // skips were applied when it first came); only the SACK is owed.
    if (!this.tracker.forwardTo(f.newCumTsn)) {
      this.stats.staleForwardTsn++;
      return;
    }
    const n = this.cfg.inStreams;
    const entries = f.entries.every((e) => e.stream < n) ? f.entries : f.entries.filter((e) => e.stream < n);
    this.reassembly.forward(this.tracker.cum, entries, f.iForward);
  }

  onTimeout(now: number): void {
    if (this.sackDeadline !== undefined && now >= this.sackDeadline) {
      this.sackNow = true;
      this.sackDeadline = undefined;
    }
  }

  get sackPending(): boolean {
    return this.sackNow || this.sackDeadline !== undefined;
  }

  aRwnd(): number {
    return Math.max(0, Math.min(this.cfg.advertised ?? this.cfg.rwnd, this.cfg.rwnd - this.reassembly.bytes));
  }

  /** The SACK to send now; clears the pending state. Gap blocks are capped to fit one packet. */
  takeSack(maxGaps: number): SackChunk {
    this.sackNow = false;
    this.sackDeadline = undefined;
    this.dataPackets = 0;
    const t = this.tracker;
    return { cumTsnAck: t.cum, aRwnd: this.aRwnd(), gaps: t.hasGaps ? t.gapBlocks(maxGaps) : [], dups: t.takeDups() };
  }
}
