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
  buffered: number;
  lowThreshold: number;
  /** Messages queued and not yet fully fragmented. */
  pending: number;
  nextSsn: number;
  nextMid: number;
  nextUnorderedMid: number;
}

export class SendQueue {
  private q: OutMessage[] = [];
  private head = 0;
  readonly streams = new Map<number, OutStream>();
  totalBuffered = 0;

  constructor(private readonly onLow: (stream: number) => void) {}

  stream(id: number): OutStream {
    let s = this.streams.get(id);
    if (!s) {
      s = { buffered: 0, lowThreshold: 0, pending: 0, nextSsn: 0, nextMid: 0, nextUnorderedMid: 0 };
      this.streams.set(id, s);
    }
    return s;
  }

  push(m: OutMessage): void {
    this.q.push(m);
    const s = this.stream(m.stream);
    s.buffered += m.data.length;
    s.pending++;
    this.totalBuffered += m.data.length;
  }

  get size(): number {
    return this.q.length - this.head;
  }

  peek(): OutMessage | undefined {
    return this.head < this.q.length ? this.q[this.head] : undefined;
  }

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

  /** `len` bytes of the head message became a fragment. */
  consume(m: OutMessage, len: number): void {
    m.offset += len;
    this.release(m.stream, len);
    if (m.offset >= m.data.length) this.shift();
  }

  /** Drop the head message (expired or abandoned): its unsent bytes leave the buffer. */
  discardHead(): OutMessage | undefined {
    const m = this.peek();
    if (!m) return undefined;
    this.release(m.stream, m.data.length - m.offset);
    this.shift();
    return m;
  }

  /** Reset the outgoing sequence numbers of a stream (RFC 6525 §5.1.2, after a reset succeeds). */
  resetSequences(stream: number): void {
    const s = this.streams.get(stream);
    if (!s) return;
    s.nextSsn = 0;
    s.nextMid = 0;
    s.nextUnorderedMid = 0;
  }

  private shift(): void {
    const m = this.q[this.head];
    this.stream(m.stream).pending--;
    this.q[this.head++] = undefined as unknown as OutMessage;
    if (this.head > 1024 && this.head * 2 > this.q.length) {
      this.q = this.q.slice(this.head);
      this.head = 0;
    }
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
