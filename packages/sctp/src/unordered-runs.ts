/**
 * Fragments of unordered DATA messages (RFC 9260 §6.9): a message's fragments have consecutive
 * TSNs, so fragments are kept by TSN in runs of consecutive TSNs of one stream that may belong
 * to one message (a run never continues past an E fragment or before a B fragment). Adding a
 * fragment merges it with the runs beside it in constant time; a run from a B to an E fragment
 * is a whole message. (Walking to B and E on every arrival was quadratic: 65534 one-byte
 * fragments without a B took 85 s of CPU.)
 */
import { DataFlags } from "./constants.js";
import type { DataChunk } from "./chunks/data.js";
import { tsnLte } from "./tsn.js";

/** Incomplete runs held at most. A peer's incomplete unordered messages are bounded by its
 * holes (each gap cuts at most two), and gap ranges are capped at 256 (TsnTracker). */
const MAX_RUNS = 1024;

interface Run {
  start: number;
  end: number;
  bytes: number;
}

export type RunResult = { kind: "held" } | { kind: "full" } | { kind: "too-big"; bytes: number } | { kind: "message"; frags: DataChunk[]; bytes: number };

const HELD: RunResult = { kind: "held" };
const FULL: RunResult = { kind: "full" };

export class UnorderedRuns {
  private readonly frags = new Map<number, DataChunk>();
  /** Runs by their first and by their last TSN. */
  private readonly byStart = new Map<number, Run>();
  private readonly byEnd = new Map<number, Run>();

  constructor(private readonly maxMessage: number) {}

  get size(): number {
    return this.byStart.size;
  }

  /** Take a fragment; the caller counts held bytes (a message or a dropped run gives its total back). */
  add(c: DataChunk): RunResult {
    const t = c.tsn;
    if (this.frags.has(t)) return HELD; // a TSN is new here: the tracker filters duplicates
    const prev = (t - 1) >>> 0;
    const next = (t + 1) >>> 0;
    const leftFrag = c.flags & DataFlags.BEGIN ? undefined : this.frags.get(prev);
    const left = leftFrag && !(leftFrag.flags & DataFlags.END) && leftFrag.stream === c.stream ? this.byEnd.get(prev) : undefined;
    const rightFrag = c.flags & DataFlags.END ? undefined : this.frags.get(next);
    const right = rightFrag && !(rightFrag.flags & DataFlags.BEGIN) && rightFrag.stream === c.stream ? this.byStart.get(next) : undefined;
    if (!left && !right && this.byStart.size >= MAX_RUNS) return FULL;
    this.frags.set(t, c);
    let run: Run;
    if (left) {
      this.byEnd.delete(left.end);
      left.end = t;
      left.bytes += c.payload.length;
      run = left;
    } else {
      run = { start: t, end: t, bytes: c.payload.length };
      this.byStart.set(t, run);
    }
    if (right) {
      this.byStart.delete(right.start);
      this.byEnd.delete(right.end);
      run.end = right.end;
      run.bytes += right.bytes;
    }
    this.byEnd.set(run.end, run);
    if (run.bytes > this.maxMessage) {
      return { kind: "too-big", bytes: this.drop(run) };
    }
    const first = this.frags.get(run.start)!;
    const last = this.frags.get(run.end)!;
    if (!(first.flags & DataFlags.BEGIN) || !(last.flags & DataFlags.END)) return HELD;
    const out: DataChunk[] = [];
    for (let s = run.start; ; s = (s + 1) >>> 0) {
      out.push(this.frags.get(s)!);
      this.frags.delete(s);
      if (s === run.end) break;
    }
    this.byStart.delete(run.start);
    this.byEnd.delete(run.end);
    return { kind: "message", frags: out, bytes: run.bytes };
  }

  /**
   * After FORWARD-TSN moved the cumulative TSN to `cum`: a run that still needs a TSN at or
   * below `cum` (before its start without B, after its end without E), or one that another
   * message holds, can never complete. Returns the bytes dropped.
   */
  dropDead(cum: number): number {
    let dropped = 0;
    for (const run of this.byStart.values()) {
      // (A neighbour TSN held by another message is as final: runs are maximal.)
      const before = (run.start - 1) >>> 0;
      const after = (run.end + 1) >>> 0;
      const needsBefore = !(this.frags.get(run.start)!.flags & DataFlags.BEGIN) && (tsnLte(before, cum) || this.frags.has(before));
      const needsAfter = !(this.frags.get(run.end)!.flags & DataFlags.END) && (tsnLte(after, cum) || this.frags.has(after));
      if (needsBefore || needsAfter) dropped += this.drop(run);
    }
    return dropped;
  }

  private drop(run: Run): number {
    for (let s = run.start; ; s = (s + 1) >>> 0) {
      this.frags.delete(s);
      if (s === run.end) break;
    }
    this.byStart.delete(run.start);
    this.byEnd.delete(run.end);
    return run.bytes;
  }
}
