import type { Millis } from "./core.js";

/**
 * A core's timer table: named deadlines, of which the earliest is the core's `pollTimeout()`.
 * Tables are small (a handful of timers per core), so a linear scan beats a heap.
 */
export class TimerTable<K extends string = string> {
  private readonly deadlines = new Map<K, Millis>();

  set(key: K, at: Millis): void {
    this.deadlines.set(key, at);
  }

  /** Arm only if not already armed (keeps the earlier deadline). */
  setIfIdle(key: K, at: Millis): void {
    if (!this.deadlines.has(key)) this.deadlines.set(key, at);
  }

  clear(key: K): void {
    this.deadlines.delete(key);
  }

  clearAll(): void {
    this.deadlines.clear();
  }

  get(key: K): Millis | undefined {
    return this.deadlines.get(key);
  }

  isArmed(key: K): boolean {
    return this.deadlines.has(key);
  }

  /** Earliest deadline, or undefined when nothing is armed. */
  next(): Millis | undefined {
    let min: Millis | undefined;
    for (const at of this.deadlines.values()) if (min === undefined || at < min) min = at;
    return min;
  }

  /** Disarm and return, earliest first, every timer due at `now`. */
  expire(now: Millis): K[] {
    const due: [K, Millis][] = [];
    for (const [k, at] of this.deadlines) if (at <= now) due.push([k, at]);
    if (due.length === 0) return [];
    due.sort((a, b) => a[1] - b[1]);
    for (const [k] of due) this.deadlines.delete(k);
    return due.map((d) => d[0]);
  }
}

/**
 * Exponential backoff: `initial`, doubled (or times `factor`) on each `next()`, capped at `max`.
 * Used for STUN (RFC 8489 §6.2.1), DTLS (RFC 6347 §4.2.4.1) and SCTP (RFC 9260 §6.3.3).
 */
export class Backoff {
  private current: Millis;

  constructor(
    readonly initial: Millis,
    readonly max: Millis = Infinity,
    readonly factor = 2,
  ) {
    this.current = initial;
  }

  /** The interval to wait now; the following call returns the next, longer one. */
  next(): Millis {
    const v = this.current;
    this.current = Math.min(this.current * this.factor, this.max);
    return v;
  }

  /** The interval `next()` would return, without advancing. */
  peek(): Millis {
    return this.current;
  }

  reset(initial: Millis = this.initial): void {
    this.current = initial;
  }
}
