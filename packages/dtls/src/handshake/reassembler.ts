/**
 * Handshake message reassembly (RFC 6347 §4.2.3): fragments arrive in any order, duplicated or
 * overlapping; a message is handed on only when complete and only in message_seq order (§4.2.2).
 * Memory is bounded: at most WINDOW messages ahead of the next expected one, each at most
 * `maxMessageLength` bytes.
 */
import type { HandshakeFragment } from "./header.js";

export interface HandshakeMessage {
  msgType: number;
  messageSeq: number;
  body: Uint8Array;
  /** Record epoch the message came in (all its fragments must share it). */
  epoch: number;
  /** Record sequence number of the last fragment received (HelloVerifyRequest echoes it, RFC 6347 §4.2.1). */
  recordSeq: number;
}

interface Partial {
  msgType: number;
  epoch: number;
  body: Uint8Array;
  /** Sorted, disjoint received ranges [start, end). */
  ranges: number[];
  received: number;
  recordSeq: number;
}

export type AddResult = "accepted" | "old" | "too-far" | "too-long" | "inconsistent" | "too-fragmented";

const WINDOW = 16;
/**
 * Most disjoint pieces a message may be in while it is reassembled. Merging a fragment costs
 * the number of pieces, so without a cap a peer sending one-byte fragments with gaps (a thousand
 * fit in one datagram) makes reassembly quadratic: seconds of CPU for a 64 KiB message. Genuine
 * flights, even a large chain fragmented at a small MTU and reordered, stay far below this.
 */
export const MAX_PIECES = 128;

export class Reassembler {
  /** The next message_seq to hand on. */
  nextSeq = 0;
  private readonly pending = new Map<number, Partial>();

  constructor(private readonly maxMessageLength = 1 << 16) {}

  /**
   * `replaceOnConflict`: a fragment that disagrees with what is buffered for its message_seq
   * replaces it (a server waiting for a ClientHello must not let junk fragments block it).
   */
  add(f: HandshakeFragment, epoch: number, recordSeq = 0, replaceOnConflict = false, maxLength = this.maxMessageLength): AddResult {
    if (f.messageSeq < this.nextSeq) return "old";
    if (f.messageSeq >= this.nextSeq + WINDOW) return "too-far";
    if (f.length > maxLength) return "too-long";
    let p = this.pending.get(f.messageSeq);
    if (!p) {
      p = { msgType: f.msgType, epoch, body: new Uint8Array(f.length), ranges: [], received: 0, recordSeq };
      this.pending.set(f.messageSeq, p);
    } else if (p.msgType !== f.msgType || p.body.length !== f.length || p.epoch !== epoch) {
      if (!replaceOnConflict) return "inconsistent";
      p = { msgType: f.msgType, epoch, body: new Uint8Array(f.length), ranges: [], received: 0, recordSeq };
      this.pending.set(f.messageSeq, p);
    }
    const start = f.fragmentOffset;
    const end = start + f.fragment.length;
    if (end > start) {
      if (p.ranges.length >= 2 * MAX_PIECES && !coversOrTouches(p.ranges, start, end)) return "too-fragmented";
      p.body.set(f.fragment, start);
      addRange(p, start, end);
    }
    p.recordSeq = recordSeq;
    return "accepted";
  }

  /** The next complete message in order, or undefined. */
  pop(): HandshakeMessage | undefined {
    const p = this.pending.get(this.nextSeq);
    if (!p || p.received !== p.body.length) return undefined;
    this.pending.delete(this.nextSeq);
    return { msgType: p.msgType, messageSeq: this.nextSeq++, body: p.body, epoch: p.epoch, recordSeq: p.recordSeq };
  }

  /** Any complete message regardless of order (a server waiting for its first ClientHello). */
  popAnyComplete(): HandshakeMessage | undefined {
    for (const [seq, p] of this.pending) {
      if (p.received === p.body.length) {
        this.pending.delete(seq);
        return { msgType: p.msgType, messageSeq: seq, body: p.body, epoch: p.epoch, recordSeq: p.recordSeq };
      }
    }
    return undefined;
  }

  /** Disjoint pieces held for message `seq` (0 when none): at most MAX_PIECES. */
  pieces(seq: number): number {
    return (this.pending.get(seq)?.ranges.length ?? 0) / 2;
  }

  /** Messages buffered (complete or not). */
  get size(): number {
    return this.pending.size;
  }

  clear(): void {
    this.pending.clear();
  }
}

/** Whether [start, end) overlaps or adjoins a piece already held (merging adds no piece). */
function coversOrTouches(r: number[], start: number, end: number): boolean {
  for (let i = 0; i < r.length; i += 2) if (r[i] <= end && start <= r[i + 1]) return true;
  return false;
}

function addRange(p: Partial, start: number, end: number): void {
  const r = p.ranges;
  const merged: number[] = [];
  let s = start;
  let e = end;
  let i = 0;
  while (i < r.length && r[i + 1] < s) {
    merged.push(r[i], r[i + 1]);
    i += 2;
  }
  while (i < r.length && r[i] <= e) {
    s = Math.min(s, r[i]);
    e = Math.max(e, r[i + 1]);
    i += 2;
  }
  merged.push(s, e);
  while (i < r.length) {
    merged.push(r[i], r[i + 1]);
    i += 2;
  }
  p.ranges = merged;
  let total = 0;
  for (let j = 0; j < merged.length; j += 2) total += merged[j + 1] - merged[j];
  p.received = total;
}
