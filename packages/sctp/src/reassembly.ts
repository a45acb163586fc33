/**
 * Reassembly and in-order delivery of user messages (RFC 9260 §6.5, §6.6, §6.9; RFC 8260 §2.1
 * for I-DATA). Fragments are held per stream and message until complete; ordered messages wait
 * for their turn. Held bytes are capped (the receive window) and so is a single message.
 */
import { DataFlags } from "./constants.js";
import type { DataChunk } from "./chunks/data.js";
import type { ForwardTsnEntry } from "./chunks/forward-tsn.js";
import { ssnLt } from "./tsn.js";
import { UnorderedRuns } from "./unordered-runs.js";

interface Partial {
  frags: DataChunk[];
  bytes: number;
  /** DATA: TSN of the B fragment; I-DATA: 0 once B is seen. -1 until then. */
  first: number;
  /** DATA: TSN of the E fragment; I-DATA: FSN of the E fragment. -1 until then. */
  last: number;
  ppid: number;
  /** Bytes of other data pinned by views held in frags (see Reassembly.hold). */
  pinned: number;
  /** The buffer of the last fragment held as a view (its pinned bytes are counted once). */
  pinnedBuffer: ArrayBufferLike | undefined;
}

/** A fragment at least this large may stay a view into its packet's buffer (see Reassembly.hold). */
const MIN_VIEW = 512;

interface InStream {
  /** Next SSN (DATA) or MID (I-DATA) to deliver in order. */
  next: number;
  ordered: Map<number, Partial>;
  /** I-DATA unordered messages by MID. */
  unordered: Map<number, Partial>;
  /** I-DATA: the last unordered MID skipped by I-FORWARD-TSN (-1: none); later fragments of it are stale. */
  unorderedSkipped: number;
}

export type Deliver = (stream: number, ppid: number, data: Uint8Array, unordered: boolean) => void;
export type AddResult = "ok" | "full" | "too-big";

export class Reassembly {
  bytes = 0;
  /** Bytes pinned beyond the held payloads by fragments kept as views, at most `capacity`. */
  pinned = 0;
  private readonly streams = new Map<number, InStream>();
  /** DATA unordered fragments (§6.9: a message's fragments have consecutive TSNs). */
  private readonly unorderedRuns: UnorderedRuns;

  constructor(
    private readonly capacity: number,
    private readonly maxMessage: number,
    private readonly deliver: Deliver,
  ) {
    this.unorderedRuns = new UnorderedRuns(maxMessage);
  }

  private stream(id: number): InStream {
    let s = this.streams.get(id);
    if (!s) {
      s = { next: 0, ordered: new Map(), unordered: new Map(), unorderedSkipped: -1 };
      this.streams.set(id, s);
    }
    return s;
  }

  /**
   * `fillsGap`: the chunk's TSN is below the highest TSN received. Such chunks are taken up to
   * twice the capacity, so that a message blocking delivery can always be completed (we never
   * renege); only data that extends the received range is refused when the buffer is full.
   */
  add(c: DataChunk, fillsGap = false): AddResult {
    const unordered = (c.flags & DataFlags.UNORDERED) !== 0;
    const whole = (c.flags & (DataFlags.BEGIN | DataFlags.END)) === (DataFlags.BEGIN | DataFlags.END);
    if (unordered && whole) {
      this.deliver(c.stream, c.ppid, c.payload, true);
      return "ok";
    }
    const s = this.stream(c.stream);
    if (unordered && c.iData && s.unorderedSkipped >= 0 && ((c.mid - s.unorderedSkipped) | 0) <= 0) return "ok";
    if (!unordered) {
      // DATA: no "stale SSN" test. Duplicates and chunks skipped by FORWARD-TSN are filtered
      // by TSN before reassembly (a message's fragments have consecutive TSNs), and at most
      // 65535 TSNs are held ahead of the cumulative TSN, so every pending message on a stream
      // has a distinct SSN in [next, next + 65535] even past the 16-bit wrap.
      // I-DATA: interleaved fragments of a skipped message can come after its I-FORWARD-TSN,
      // so a MID below `next` is stale (MIDs are 32-bit: the serial test holds).
      if (c.iData && ((c.mid - s.next) | 0) < 0) return "ok";
      if (whole && c.mid === s.next && !s.ordered.has(c.mid)) {
        this.deliver(c.stream, c.ppid, c.payload, false);
        s.next = c.iData ? (s.next + 1) >>> 0 : (s.next + 1) & 0xffff;
        this.drain(c.stream, s, c.iData);
        return "ok";
      }
    }
    if (this.bytes + c.payload.length > (fillsGap ? 2 * this.capacity : this.capacity)) return "full";
    if (unordered && !c.iData) {
      // Held bytes are counted by payload; a small view would pin its whole packet (up to a
      // DTLS record's 16 KiB for one byte), so small payloads of large packets are copied.
      if (c.payload.buffer.byteLength > 2 * c.payload.length + 256) c.payload = c.payload.slice();
      return this.addUnorderedData(c);
    }
    const map = unordered ? s.unordered : s.ordered;
    let p = map.get(c.mid);
    if (!p) {
      p = { frags: [], bytes: 0, first: -1, last: -1, ppid: 0, pinned: 0, pinnedBuffer: undefined };
      map.set(c.mid, p);
    }
    this.hold(p, c);
    const key = c.iData ? c.fsn : c.tsn;
    // Appended in arrival order and sorted once when complete: a sorted insert was quadratic
    // for fragments arriving in reverse (65534 of them took 11 s of CPU).
    p.frags.push(c);
    p.bytes += c.payload.length;
    this.bytes += c.payload.length;
    if (p.bytes > this.maxMessage) {
      this.dropPartial(map, c.mid, p);
      return "too-big";
    }
    if (c.flags & DataFlags.BEGIN) {
      p.first = c.iData ? 0 : c.tsn;
      p.ppid = c.ppid;
    }
    if (c.flags & DataFlags.END) p.last = key;
    if (!complete(p, c.iData)) return "ok";
    if (unordered) {
      map.delete(c.mid);
      this.release(p);
      this.deliver(c.stream, p.ppid, assemble(p, c.iData), true);
    } else if (c.mid === s.next) {
      this.drain(c.stream, s, c.iData);
    }
    return "ok";
  }

  /**
   * Keep a fragment until its message is complete, copied only when it must be: the message is
   * copied once anyway when its fragments are joined. A view pins its whole buffer (a decrypted
   * DTLS record, or a slab shared by several records): small fragments, and any once the pinned
   * bytes beyond the held payloads reach `capacity`, are copied, so that held memory stays
   * within about twice the receive window. A message's fragments usually share a buffer, counted
   * once.
   */
  private hold(p: Partial, c: DataChunk): void {
    const buf = c.payload.buffer;
    const extra = buf.byteLength - c.payload.length;
    if (extra <= c.payload.length + 256) return;
    if (buf === p.pinnedBuffer) return;
    if (c.payload.length >= MIN_VIEW && this.pinned + extra <= this.capacity) {
      p.pinned += extra;
      this.pinned += extra;
      p.pinnedBuffer = buf;
      return;
    }
    c.payload = c.payload.slice();
  }

  /** A message leaves reassembly (delivered or dropped). */
  private release(p: Partial): void {
    this.bytes -= p.bytes;
    this.pinned -= p.pinned;
    p.pinned = 0;
  }

  private addUnorderedData(c: DataChunk): AddResult {
    const r = this.unorderedRuns.add(c);
    switch (r.kind) {
      case "held":
        this.bytes += c.payload.length;
        return "ok";
      case "full":
        return "full";
      case "too-big":
        this.bytes -= r.bytes - c.payload.length;
        return "too-big";
      case "message":
        this.bytes -= r.bytes - c.payload.length;
        this.deliver(c.stream, r.frags[0].ppid, join(r.frags, r.bytes), true);
        return "ok";
    }
  }

  private drain(id: number, s: InStream, iData: boolean): void {
    for (;;) {
      const p = s.ordered.get(s.next);
      if (!p || !complete(p, iData)) return;
      s.ordered.delete(s.next);
      this.release(p);
      s.next = iData ? (s.next + 1) >>> 0 : (s.next + 1) & 0xffff;
      this.deliver(id, p.ppid, assemble(p, iData), false);
    }
  }

  private dropPartial(map: Map<number, Partial>, key: number, p: Partial): void {
    map.delete(key);
    this.release(p);
  }

  /**
   * FORWARD-TSN / I-FORWARD-TSN (RFC 3758 §3.6, RFC 8260 §2.3.2), after the cumulative TSN
   * moved to `cum`. For each ordered stream listed, complete messages up to the listed SSN/MID
   * are delivered in order and incomplete ones (abandoned by the sender) dropped; the stream
   * then expects the SSN after it. Unordered DATA fragments are dropped when a TSN they still
   * need is now below the cumulative TSN (it was skipped).
   */
  forward(cum: number, entries: readonly ForwardTsnEntry[], iData: boolean): void {
    if (!iData) this.dropDeadUnordered(cum);
    for (const e of latestPerStream(entries, iData)) {
      const s = this.stream(e.stream);
      if (e.unordered) {
        for (const [mid, p] of s.unordered) if (((mid - e.mid) | 0) <= 0) this.dropPartial(s.unordered, mid, p);
        if (s.unorderedSkipped < 0 || ((e.mid - s.unorderedSkipped) | 0) > 0) s.unorderedSkipped = e.mid;
        continue;
      }
      const upTo = iData ? (e.mid + 1) >>> 0 : (e.mid + 1) & 0xffff;
      const behind = iData ? ((upTo - s.next) | 0) <= 0 : !ssnLt(s.next, upTo);
      if (behind) continue; // an old FORWARD-TSN: nothing new to skip
      const span = iData ? (upTo - s.next) >>> 0 : (upTo - s.next) & 0xffff;
      // The held messages in [next, upTo), in order: by stepping through the span when it is
      // the smaller, else by scanning what is held (work bounded by the smaller of the two).
      const keys: number[] = [];
      if (span <= s.ordered.size) {
        for (let k = s.next, i = 0; i < span; i++, k = iData ? (k + 1) >>> 0 : (k + 1) & 0xffff) if (s.ordered.has(k)) keys.push(k);
      } else {
        for (const k of s.ordered.keys()) {
          const d = iData ? (k - s.next) >>> 0 : (k - s.next) & 0xffff;
          if (d < span) keys.push(k);
        }
        keys.sort((x, y) => (iData ? ((x - s.next) >>> 0) - ((y - s.next) >>> 0) : ((x - s.next) & 0xffff) - ((y - s.next) & 0xffff)));
      }
      for (const k of keys) {
        const p = s.ordered.get(k)!;
        s.ordered.delete(k);
        this.release(p);
        if (complete(p, iData)) this.deliver(e.stream, p.ppid, assemble(p, iData), false);
      }
      s.next = upTo;
      this.drain(e.stream, s, iData);
    }
  }

  private dropDeadUnordered(cum: number): void {
    this.bytes -= this.unorderedRuns.dropDead(cum);
  }

  /** RFC 6525 §5.2.2: an incoming stream reset restarts its sequence at 0. */
  resetStream(id: number): void {
    const s = this.streams.get(id);
    if (!s) return;
    for (const p of s.ordered.values()) this.release(p);
    for (const p of s.unordered.values()) this.release(p);
    this.streams.delete(id);
  }

  /** Messages held, for limits and tests. */
  get heldMessages(): number {
    let n = this.unorderedRuns.size;
    for (const s of this.streams.values()) n += s.ordered.size + s.unordered.size;
    return n;
  }
}

/** One entry per stream (and U bit): the furthest one. A chunk may list a stream many times. */
function latestPerStream(entries: readonly ForwardTsnEntry[], iData: boolean): Iterable<ForwardTsnEntry> {
  if (entries.length <= 1) return entries;
  const m = new Map<number, ForwardTsnEntry>();
  for (const e of entries) {
    const key = e.stream * 2 + (e.unordered ? 1 : 0);
    const had = m.get(key);
    if (!had || (iData ? ((e.mid - had.mid) | 0) > 0 : ssnLt(had.mid, e.mid))) m.set(key, e);
  }
  return m.values();
}

function complete(p: Partial, iData: boolean): boolean {
  if (p.first < 0 || p.last < 0) return false;
  const span = iData ? p.last + 1 : ((p.last - p.first) | 0) + 1;
  return p.frags.length === span;
}

function assemble(p: Partial, iData: boolean): Uint8Array {
  const f = p.frags;
  if (f.length === 1) return f[0].payload;
  // Fragments in TSN (DATA) or FSN (I-DATA) order; in order already unless they arrived out of it.
  const first = p.first;
  const rank = iData ? (c: DataChunk): number => c.fsn : (c: DataChunk): number => (c.tsn - first) >>> 0;
  for (let i = 1; i < f.length; i++) {
    if (rank(f[i - 1]) > rank(f[i])) {
      f.sort((x, y) => rank(x) - rank(y));
      break;
    }
  }
  return join(f, p.bytes);
}

function join(frags: readonly DataChunk[], bytes: number): Uint8Array {
  if (frags.length === 1) return frags[0].payload;
  const out = new Uint8Array(bytes);
  let at = 0;
  for (const f of frags) {
    out.set(f.payload, at);
    at += f.payload.length;
  }
  return out;
}
