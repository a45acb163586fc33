/**
 * The sending half of an association: TSN assignment, bundling DATA into packets within cwnd
 * and the peer's window (RFC 9260 §6.1), SACK processing (§6.2.1), the retransmission timer
 * (§6.3), fast retransmit (§7.2.4), and partial reliability with its advanced peer ack point
 * (RFC 3758 §3.5).
 */
import { DATA_HEADER_SIZE, DataFlags, IDATA_HEADER_SIZE } from "./constants.js";
import { writeData } from "./chunks/data.js";
import type { ForwardTsnChunk, ForwardTsnEntry } from "./chunks/forward-tsn.js";
import type { SackChunk } from "./chunks/sack.js";
import { CongestionControl } from "./congestion.js";
import type { PacketBuilder } from "./packet.js";
import { RtoEstimator } from "./rto.js";
import type { OutMessage, SendQueue } from "./send-queue.js";
import { tsnGt, tsnGte, tsnLt, tsnLte } from "./tsn.js";

const MAX_OUTSTANDING_CHUNKS = 16384;
const EMPTY = new Uint8Array(0);

export class InflightChunk {
  sentAt = 0;
  sends = 0;
  /** Acknowledged by a gap block (not yet by the cumulative ack): the peer may still renege. */
  acked = false;
  /** The SACK (Sender.sackSeq) whose gap blocks last covered this chunk. */
  gapSeq = 0;
  miss = 0;
  /** Marked for retransmission. */
  rtx = false;
  abandoned = false;
  /** Counted in the flight size. */
  inFlight = false;
  /** Already fast-retransmitted: later losses of it wait for T3 (§7.2.4). */
  fastRetransmitted = false;

  constructor(
    readonly tsn: number,
    readonly msg: OutMessage,
    readonly flags: number,
    readonly fsn: number,
    readonly payload: Uint8Array,
  ) {}
}

export interface SenderConfig {
  mtu: number;
  iData: boolean;
  /** FORWARD-TSN negotiated (RFC 3758 §3.3). Without it every message is sent reliably. */
  partialReliability?: boolean;
  rtoInitial: number;
  rtoMin: number;
  rtoMax: number;
  /** Cap on the backed-off RTO (see RtoEstimator.backoff); rtoMax when not set. */
  maxBackoff?: number;
  /**
   * Max.Burst (RFC 9260 §6.1 D, §16: 4): packets carrying DATA sent per transmission
   * opportunity (a SACK, a T3 expiry, new data on an idle queue). Unlimited when not set.
   */
  maxBurst?: number;
}

export type SackOutcome = "ok" | "old" | "violation";

export class Sender {
  nextTsn: number;
  /** The peer's cumulative TSN ack. */
  cumAck: number;
  private chunks: InflightChunk[] = [];
  private head = 0;
  flightSize = 0;
  /** The peer's last advertised receive window (a_rwnd); usable = peerRwnd - flightSize (§6.2.1). */
  peerRwnd: number;
  readonly cc: CongestionControl;
  readonly rto: RtoEstimator;
  /** T3-rtx deadline (§6.3.2), undefined when stopped. */
  t3: number | undefined;
  private rttTsn = -1;
  private rttSentAt = 0;
  private rtxPending = 0;
  private rtxFrom = 0;
  advancedPeerAckPoint: number;
  forwardTsnNeeded = false;
  /** Consecutive T3 expiries without progress (association error counter, §8.1). */
  errorCount = 0;
  stats = { retransmitted: 0, fastRetransmits: 0, timeouts: 0, abandoned: 0, burstLimited: 0, reneged: 0 };
  private sackSeq = 0;
  /** Chunks above the cumulative ack marked acked by gap blocks. */
  private gapAcked = 0;
  /** DATA packets still allowed before the next transmission opportunity (Max.Burst). */
  private burstLeft: number;
  private burstCounted = false;

  constructor(
    initialTsn: number,
    peerRwnd: number,
    private readonly queue: SendQueue,
    private readonly cfg: SenderConfig,
  ) {
    this.nextTsn = initialTsn >>> 0;
    this.cumAck = (initialTsn - 1) >>> 0;
    this.advancedPeerAckPoint = this.cumAck;
    this.peerRwnd = peerRwnd;
    this.cc = new CongestionControl(cfg.mtu, peerRwnd);
    this.rto = new RtoEstimator(cfg.rtoInitial, cfg.rtoMin, cfg.rtoMax, cfg.maxBackoff ?? cfg.rtoMax);
    this.burstLeft = this.maxBurst;
  }

  private get maxBurst(): number {
    const b = this.cfg.maxBurst;
    return b === undefined || b <= 0 ? Infinity : b;
  }

  /**
   * A transmission opportunity (RFC 9260 §6.1 D): the next packets may carry up to Max.Burst
   * packets of DATA. SACKs and T3 call it themselves; the association calls it when data is
   * queued on an idle queue. Without the limit, one SACK that frees a whole window (a large
   * cumulative ack after a loss is repaired, a window update, data after an idle spell) sends
   * the whole window back to back, which overflows small queues on the path (and the kernel's
   * socket buffer when both peers share a process).
   */
  openBurst(): void {
    this.burstLeft = this.maxBurst;
    this.burstCounted = false;
  }

  /** Chunks sent and not yet covered by the cumulative ack. */
  get outstanding(): number {
    return this.chunks.length - this.head;
  }

  hasDataToSend(): boolean {
    return this.rtxPending > 0 || this.queue.size > 0;
  }

  /** Put retransmissions, then new data, into the packet under construction. Returns true if any DATA went in. */
  fill(pb: PacketBuilder, limit: number, now: number): boolean {
    const hdr = this.cfg.iData ? IDATA_HEADER_SIZE : DATA_HEADER_SIZE;
    let wrote = false;
    const cc = this.cc;
    // Max.Burst; nothing in flight means no SACK is coming to open the next burst.
    if (this.burstLeft <= 0) {
      if (this.flightSize > 0) {
        if (!this.burstCounted && this.hasDataToSend()) {
          this.burstCounted = true;
          this.stats.burstLimited++;
        }
        return false;
      }
      this.openBurst();
    }
    // Retransmissions first (§6.1 rule C); a fast retransmit may ignore cwnd for one packet (§7.2.4).
    if (this.rtxPending > 0) {
      for (let i = Math.max(this.rtxFrom, this.head); i < this.chunks.length && this.rtxPending > 0; i++) {
        const c = this.chunks[i];
        if (!c.rtx) continue;
        const size = hdr + c.payload.length;
        if (pb.room(limit) < size) break;
        if (this.flightSize >= cc.cwnd && !(cc.inFastRecovery && !wrote)) break;
        this.rtxFrom = i + 1;
        c.rtx = false;
        this.rtxPending--;
        this.emit(pb, c, now);
        this.stats.retransmitted++;
        wrote = true;
      }
      if (this.rtxPending > 0) {
        if (wrote) this.burstLeft--;
        return wrote;
      }
    }
    const q = this.queue;
    if (this.flightSize === 0 && this.outstanding === 0 && q.size > 0) this.afterIdle(now);
    for (;;) {
      if (this.flightSize >= cc.cwnd) break;
      // Tiny messages could otherwise put more TSNs in flight than a receiver can acknowledge
      // (gap offsets are 16-bit) or than half the 16-bit SSN space.
      if (this.chunks.length - this.head >= MAX_OUTSTANDING_CHUNKS) break;
      const m = q.peek();
      if (!m) break;
      const room = (pb.room(limit) - hdr) & ~3;
      const remaining = m.data.length - m.offset;
      if (room <= 0 || (room < remaining && room < 64)) break;
      // A message that fits a packet of its own is not split across two (no reassembly for it).
      if (room < remaining && remaining <= limit - 12 - hdr && !pb.empty) break;
      const len = remaining < room ? remaining : room;
      // §6.1 rule A: respect the peer's window, except one probe chunk when nothing is in flight.
      if (len > this.peerRwnd - this.flightSize && this.flightSize > 0) break;
      if (m.offset === 0) {
        // A negative expiry is a lifetime not yet started: it starts now (PR-SCTP timed reliability).
        if (m.expiresAt < 0) m.expiresAt = now - m.expiresAt - 1;
        if (m.expiresAt <= now && this.cfg.partialReliability !== false) {
          // RFC 3758 §3.5 A1: an expired message that never left is dropped without a TSN.
          q.discard(m);
          this.stats.abandoned++;
          continue;
        }
        q.assignSequence(m, this.cfg.iData);
      }
      let flags = m.unordered ? DataFlags.UNORDERED : 0;
      if (m.offset === 0) flags |= DataFlags.BEGIN;
      if (m.offset + len === m.data.length) flags |= DataFlags.END;
      const c = new InflightChunk(this.nextTsn, m, flags, m.nextFsn++, m.data.subarray(m.offset, m.offset + len));
      this.nextTsn = (this.nextTsn + 1) >>> 0;
      this.chunks.push(c);
      q.consume(m, len);
      if (this.rttTsn < 0) {
        this.rttTsn = c.tsn;
        this.rttSentAt = now;
      }
      this.emit(pb, c, now);
      wrote = true;
    }
    if (wrote) this.burstLeft--;
    return wrote;
  }

  /** §7.2.1: a path left idle loses half its cwnd per RTO, down to 4 MTU. */
  private afterIdle(now: number): void {
    if (this.lastSend < 0) return;
    const idle = now - this.lastSend;
    for (let t = this.rto.rto; t <= idle && this.cc.cwnd > 4 * this.cfg.mtu; t += this.rto.rto) {
      this.cc.cwnd = Math.max(this.cc.cwnd >> 1, 4 * this.cfg.mtu);
    }
    this.lastSend = now;
  }

  private lastSend = -1;

  private emit(pb: PacketBuilder, c: InflightChunk, now: number): void {
    this.lastSend = now;
    const m = c.msg;
    writeData(pb, this.cfg.iData, c.flags, c.tsn, m.stream, m.mid, c.fsn, m.ppid, c.payload);
    c.sends++;
    c.sentAt = now;
    c.miss = 0;
    if (!c.inFlight) {
      c.inFlight = true;
      this.flightSize += c.payload.length;
    }
    if (this.t3 === undefined) this.t3 = now + this.rto.rto;
  }

  /** §6.2.1: process a SACK. */
  handleSack(s: SackChunk, now: number): SackOutcome {
    const cum = s.cumTsnAck;
    if (tsnLt(cum, this.cumAck)) return "old";
    if (tsnGte(cum, this.nextTsn)) return "violation";
    const flightBefore = this.flightSize;
    let bytesAcked = 0;
    const cumAdvanced = tsnGt(cum, this.cumAck);
    const chunks = this.chunks;
    // Cumulative part.
    while (this.head < chunks.length && tsnLte(chunks[this.head].tsn, cum)) {
      const c = chunks[this.head];
      if (c.inFlight) this.flightSize -= c.payload.length;
      if (!c.acked && !c.abandoned) bytesAcked += c.payload.length;
      if (c.acked) this.gapAcked--;
      if (c.rtx) this.rtxPending--;
      if (c.tsn === this.rttTsn) {
        // Karn's rule (§6.3.1 C5): only chunks sent once give an RTT sample.
        if (c.sends === 1) this.rto.measure(now - this.rttSentAt);
        this.rttTsn = -1;
      }
      chunks[this.head++] = undefined as unknown as InflightChunk;
    }
    if (this.rttTsn >= 0 && tsnLte(this.rttTsn, cum)) this.rttTsn = -1;
    this.cumAck = cum;
    if (tsnLt(this.advancedPeerAckPoint, cum)) this.advancedPeerAckPoint = cum;
    // Gap ack blocks.
    let htna = -1;
    const base = this.head;
    const limit = chunks.length - base;
    // Blocks must ascend without overlap (§3.3.4); others are ignored, which also bounds the
    // work a hostile SACK can cause to one pass over the outstanding chunks.
    let prevEnd = 0;
    const seq = ++this.sackSeq;
    let covered = 0;
    for (let g = 0; g + 1 < s.gaps.length; g += 2) {
      const start = s.gaps[g];
      const end = s.gaps[g + 1];
      if (start <= prevEnd || end < start || start > limit) continue;
      prevEnd = end;
      for (let off = start; off <= end && off <= limit; off++) {
        const c = chunks[base + off - 1];
        c.gapSeq = seq;
        covered++;
        if (c.acked) continue;
        c.acked = true;
        this.gapAcked++;
        this.settle(c);
        if (!c.abandoned) bytesAcked += c.payload.length;
        if (off - 1 > htna) htna = off - 1;
      }
    }
    // Fast retransmit: chunks below the highest newly acked TSN miss one more report (§7.2.4).
    if (htna >= 0) {
      let marked = false;
      for (let i = base; i < base + htna; i++) {
        const c = chunks[i];
        if (c.acked || c.abandoned || c.rtx || !c.inFlight || c.fastRetransmitted) continue;
        if (++c.miss >= 3) {
          c.miss = 0;
          c.fastRetransmitted = true;
          if (this.mayRetransmit(c, now)) {
            this.markRtx(c, i);
            marked = true;
          }
        }
      }
      if (marked) {
        this.stats.fastRetransmits++;
        this.cc.onFastRetransmit((this.nextTsn - 1) >>> 0);
      }
    }
    // §6.2.1 D iv: gap-acked TSNs this SACK no longer reports were reneged (freed by the
    // receiver). They were kept until the cumulative ack (§6.2: MUST NOT free before), and
    // now count as possibly lost again. Only TSNs up to the highest one this SACK reports
    // are judged (a receiver may leave out its last blocks when they do not fit), unless it
    // reports no gap at all.
    if (this.gapAcked > covered) this.detectReneging(seq, s.gaps.length === 0 ? limit : prevEnd < limit ? prevEnd : limit, now);
    if (this.cc.inFastRecovery && tsnGte(cum, this.cc.fastRecoveryExit)) this.cc.exitFastRecovery();
    if (cumAdvanced) {
      this.cc.onCumAck(bytesAcked, flightBefore >= this.cc.cwnd);
      this.errorCount = 0;
    }
    if (this.flightSize <= 0) {
      this.flightSize = 0;
      this.cc.onFlightEmpty();
    }
    this.peerRwnd = s.aRwnd;
    // T3 rules R2/R3 (§6.3.2).
    if (this.outstanding === 0) this.t3 = undefined;
    else if (cumAdvanced || this.t3 === undefined) this.t3 = now + this.rto.rto;
    this.updateAdvancedPeerAckPoint();
    this.compact();
    this.openBurst();
    return "ok";
  }

  /** Reneged chunks (see handleSack) go back in flight with one miss indication. */
  private detectReneging(seq: number, upTo: number, now: number): void {
    const chunks = this.chunks;
    for (let i = this.head, end = this.head + upTo; i < end; i++) {
      const c = chunks[i];
      if (!c.acked || c.gapSeq === seq) continue;
      c.acked = false;
      this.gapAcked--;
      this.stats.reneged++;
      if (c.abandoned || c.rtx) continue;
      c.inFlight = true;
      this.flightSize += c.payload.length;
      c.miss++;
    }
    if (this.t3 === undefined) this.t3 = now + this.rto.rto;
  }

  /** §6.3.3: the retransmission timer expired. */
  onT3(now: number): void {
    this.t3 = undefined;
    if (this.outstanding === 0) return;
    this.stats.timeouts++;
    this.errorCount++;
    this.rto.backoff();
    this.cc.onTimeout();
    this.rttTsn = -1;
    for (let i = this.head; i < this.chunks.length; i++) {
      const c = this.chunks[i];
      if (c.acked || c.abandoned) continue;
      if (c.inFlight) {
        c.inFlight = false;
        this.flightSize -= c.payload.length;
      }
      if (!c.rtx && this.mayRetransmit(c, now)) this.markRtx(c, i);
    }
    if (this.flightSize < 0) this.flightSize = 0;
    this.updateAdvancedPeerAckPoint();
    if (tsnGt(this.advancedPeerAckPoint, this.cumAck)) this.forwardTsnNeeded = true;
    // Keep the timer running for what is still unacknowledged.
    this.t3 = now + this.rto.rto;
    this.openBurst();
  }

  /** PR-SCTP (RFC 3758 §3.5 A3): abandon instead of retransmitting when the message's budget is spent. */
  private mayRetransmit(c: InflightChunk, now: number): boolean {
    if (this.cfg.partialReliability === false) return true;
    const m = c.msg;
    if (m.abandoned) return false;
    if (c.sends > m.maxRetransmits || m.expiresAt <= now) {
      this.abandon(m);
      return false;
    }
    return true;
  }

  /** A chunk that needs no more sending (gap-acked or abandoned): out of flight, off the retransmission list. */
  private settle(c: InflightChunk): void {
    if (c.inFlight) {
      c.inFlight = false;
      this.flightSize -= c.payload.length;
    }
    if (c.rtx) {
      c.rtx = false;
      this.rtxPending--;
    }
  }

  private markRtx(c: InflightChunk, index: number): void {
    c.rtx = true;
    this.rtxPending++;
    if (c.inFlight) {
      c.inFlight = false;
      this.flightSize -= c.payload.length;
    }
    if (index < this.rtxFrom) this.rtxFrom = index;
  }

  private abandon(m: OutMessage): void {
    m.abandoned = true;
    this.stats.abandoned++;
    for (let i = this.head; i < this.chunks.length; i++) {
      const c = this.chunks[i];
      if (c.msg !== m || c.abandoned) continue;
      c.abandoned = true;
      this.settle(c);
    }
    // A partly fragmented message loses its unsent tail too. Its fragments already sent may all
    // be acknowledged, leaving the receiver with a message that has no end: a placeholder end
    // fragment with a fresh TSN, abandoned and never sent, makes the advanced ack point (and
    // so a FORWARD-TSN naming this stream sequence) move past it. (dcsctp does the same.)
    if (m.offset > 0 && m.offset < m.data.length) {
      const end = new InflightChunk(this.nextTsn, m, DataFlags.END | (m.unordered ? DataFlags.UNORDERED : 0), m.nextFsn++, EMPTY);
      end.abandoned = true;
      this.nextTsn = (this.nextTsn + 1) >>> 0;
      this.chunks.push(end);
      if (this.t3 === undefined) this.t3 = this.lastSend + this.rto.rto;
    }
    if (m.offset < m.data.length) this.queue.discard(m);
  }

  /** RFC 3758 §3.5 C1-C3: move over abandoned chunks after the cumulative ack; ask for FORWARD-TSN. */
  private updateAdvancedPeerAckPoint(): void {
    let adv = tsnLt(this.advancedPeerAckPoint, this.cumAck) ? this.cumAck : this.advancedPeerAckPoint;
    for (let i = this.head + ((adv - this.cumAck) | 0); i < this.chunks.length && this.chunks[i].abandoned; i++) {
      adv = this.chunks[i].tsn;
    }
    this.advancedPeerAckPoint = adv;
    if (tsnGt(adv, this.cumAck)) this.forwardTsnNeeded = true;
  }

  /** The FORWARD-TSN / I-FORWARD-TSN to send, listing the streams of skipped ordered messages. */
  buildForwardTsn(): ForwardTsnChunk | undefined {
    this.forwardTsnNeeded = false;
    if (!tsnGt(this.advancedPeerAckPoint, this.cumAck)) return undefined;
    const latest = new Map<string, ForwardTsnEntry>();
    const n = (this.advancedPeerAckPoint - this.cumAck) | 0;
    for (let i = this.head; i < this.head + n && i < this.chunks.length; i++) {
      const m = this.chunks[i].msg;
      if (!this.chunks[i].abandoned) continue;
      if (m.unordered && !this.cfg.iData) continue;
      const key = `${m.stream}:${m.unordered ? 1 : 0}`;
      latest.set(key, { stream: m.stream, unordered: m.unordered, mid: m.mid });
    }
    return { iForward: this.cfg.iData, newCumTsn: this.advancedPeerAckPoint, entries: [...latest.values()] };
  }

  private compact(): void {
    if (this.head > 4096 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.rtxFrom = Math.max(0, this.rtxFrom - this.head);
      this.head = 0;
    }
  }
}
