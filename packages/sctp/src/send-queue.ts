/**
 * Outgoing user messages waiting for TSNs. Messages are fragmented lazily by the sender as
 * packets are built (RFC 9260 §6.9), in FIFO order across streams so that the fragments of one
 * DATA message get consecutive TSNs. Per-stream buffered amounts feed RTCDataChannel's
 * bufferedAmount and its low-threshold event.
 */
export interface OutMessage {
  stream: number;
  ppid: number;
  data: Uint8Array;
  /** Bytes already handed out as fragments. */
  offset: number;
  unordered: boolean;
  /** SSN (DATA) or MID (I-DATA), assigned with the first fragment; -1 before. */
  mid: number;
  nextFsn: number;
  /** Partial reliability (RFC 3758): retransmissions allowed, Infinity when reliable. */
  maxRetransmits: number;
  /** Partial reliability by lifetime: absolute expiry time, Infinity when none; -(lifetime + 1) until first sent. */
  expiresAt: number;
  abandoned: boolean;
}

export interface OutStream {
  /** Turns per round-robin cycle (from the channel priority, RFC 8831 §6.4), and what is left of them. */
  weight: number;
  credit: number;
  buffered: number;
  lowThreshold: number;
  /** Messages queued and not yet fully fragmented. */
  pending: number;
  nextSsn: number;
  nextMid: number;
  nextUnorderedMid: number;
}

interface StreamQueue {
  q: OutMessage[];
  head: number;
}

/**
 * Per-stream FIFOs served round-robin, so one channel's large message does not hold back the
 * others. With DATA a message, once started, is finished before the next (its fragments need
 * consecutive TSNs, RFC 9260 §6.9); with I-DATA the streams take turns fragment by fragment
 * (RFC 8260 §1: no head-of-line blocking between streams).
 */
export class SendQueue {
  private readonly queues = new Map<number, StreamQueue>();
  /** Streams with queued messages, in round-robin order. */
  private ring: number[] = [];
  private cursor = 0;
  private inProgress: OutMessage | undefined;
  private count = 0;
  readonly streams = new Map<number, OutStream>();
  totalBuffered = 0;
  /** Interleave fragments of different streams (I-DATA). */
  interleave = false;

  constructor(private readonly onLow: (stream: number) => void) {}

  stream(id: number): OutStream {
    let s = this.streams.get(id);
    if (!s) {
      s = { weight: 2, credit: 2, buffered: 0, lowThreshold: 0, pending: 0, nextSsn: 0, nextMid: 0, nextUnorderedMid: 0 };
      this.streams.set(id, s);
    }
    return s;
  }

  push(m: OutMessage): void {
    let sq = this.queues.get(m.stream);
    if (!sq) {
      sq = { q: [], head: 0 };
      this.queues.set(m.stream, sq);
    }
    if (sq.head >= sq.q.length) this.ring.push(m.stream);
    sq.q.push(m);
    const s = this.stream(m.stream);
    s.buffered += m.data.length;
    s.pending++;
    this.count++;
    this.totalBuffered += m.data.length;
  }

  /** Messages queued and not fully fragmented. */
  get size(): number {
    return this.count;
  }

  /**
   * The message whose next fragment goes out now. With interleaving, small messages of other
   * streams may pass a message being fragmented, but only one message is fragmented at a time:
   * several half-sent large messages could fill the peer's reassembly buffer with no message
   * able to complete.
   */
  peek(): OutMessage | undefined {
    if (this.inProgress) return this.inProgress;
    const n = this.ring.length;
    if (n === 0) return undefined;
    if (this.cursor >= n) this.cursor = 0;
    const p = this.partial;
    for (let k = 0; k < n; k++) {
      const at = (this.cursor + k) % n;
      const sq = this.queues.get(this.ring[at])!;
      const m = sq.q[sq.head];
      if (p && m !== p && m.data.length - m.offset > this.singleChunkMax) continue;
      this.cursor = at;
      return m;
    }
    return p;
  }

  /** With interleaving: the message currently being fragmented, if any. */
  private partial: OutMessage | undefined;
  /** Largest message that goes out as one chunk (set from the MTU). */
  singleChunkMax = 1100;

  /** Assign the stream sequence (SSN or MID) when a message's first fragment leaves. */
  assignSequence(m: OutMessage, iData: boolean): void {
    const s = this.stream(m.stream);
    if (iData) {
      if (m.unordered) {
        m.mid = s.nextUnorderedMid;
        s.nextUnorderedMid = (s.nextUnorderedMid + 1) >>> 0;
      } else {
        m.mid = s.nextMid;
        s.nextMid = (s.nextMid + 1) >>> 0;
      }
    } else if (m.unordered) {
      m.mid = 0;
    } else {
      m.mid = s.nextSsn;
      s.nextSsn = (s.nextSsn + 1) & 0xffff;
    }
  }

  /** `len` bytes of `m` (the message peek() returned) became a fragment. */
  consume(m: OutMessage, len: number): void {
    m.offset += len;
    this.release(m.stream, len);
    if (m.offset >= m.data.length) {
      this.remove(m);
    } else if (this.interleave) {
      this.partial = m;
      this.turnTaken(m.stream, this.ring.indexOf(m.stream));
    } else {
      this.inProgress = m;
    }
  }

  /** Drop a message that has not been fully fragmented (expired or abandoned). */
  discard(m: OutMessage): void {
    const sq = this.queues.get(m.stream);
    if (!sq || sq.q.indexOf(m, sq.head) < 0) return;
    this.release(m.stream, m.data.length - m.offset);
    this.remove(m);
  }

  /** Reset the outgoing sequence numbers of a stream (RFC 6525 §5.1.2, after a reset succeeds). */
  resetSequences(stream: number): void {
    const s = this.streams.get(stream);
    if (!s) return;
    s.nextSsn = 0;
    s.nextMid = 0;
    s.nextUnorderedMid = 0;
  }

  private remove(m: OutMessage): void {
    if (this.inProgress === m) this.inProgress = undefined;
    if (this.partial === m) this.partial = undefined;
    const sq = this.queues.get(m.stream)!;
    const at = sq.q.indexOf(m, sq.head);
    if (at === sq.head) sq.q[sq.head++] = undefined as unknown as OutMessage;
    else sq.q.splice(at, 1);
    this.stream(m.stream).pending--;
    this.count--;
    const idx = this.ring.indexOf(m.stream);
    if (sq.head >= sq.q.length) {
      sq.q = [];
      sq.head = 0;
      this.ring.splice(idx, 1);
      if (idx < this.cursor) this.cursor--;
      const st = this.stream(m.stream);
      st.credit = st.weight;
    } else {
      if (sq.head > 1024 && sq.head * 2 > sq.q.length) {
        sq.q = sq.q.slice(sq.head);
        sq.head = 0;
      }
      this.turnTaken(m.stream, idx);
    }
  }

  /** A stream used one of its turns; when its credit is spent the next stream's turn comes. */
  private turnTaken(stream: number, idx: number): void {
    const st = this.stream(stream);
    if (--st.credit > 0) return;
    st.credit = st.weight;
    if (idx === this.cursor) this.cursor++;
  }

  /** Weighted round robin: a stream of priority p gets about p/128 turns per cycle (128 = 1, 256 = 2, ...). */
  setPriority(stream: number, priority: number): void {
    const st = this.stream(stream);
    st.weight = Math.max(1, Math.min(64, Math.round(priority / 128)));
    st.credit = Math.min(st.credit, st.weight);
  }

  private release(stream: number, len: number): void {
    if (len <= 0) return;
    const s = this.stream(stream);
    const before = s.buffered;
    s.buffered -= len;
    this.totalBuffered -= len;
    if (before > s.lowThreshold && s.buffered <= s.lowThreshold) this.onLow(stream);
  }
}
