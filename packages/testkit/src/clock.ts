import type { Millis } from "@tsrtc/base";

/**
 * A virtual monotonic clock in milliseconds. Nothing advances it but the caller (usually the
 * `Simulation` driver), so a 30-second scenario runs as fast as the cores can compute.
 */
export class VirtualClock {
  private t: Millis;

  constructor(start: Millis = 0) {
    if (!Number.isFinite(start)) throw new RangeError(`bad start time: ${start}`);
    this.t = start;
  }

  /** The current virtual time. */
  get now(): Millis {
    return this.t;
  }

  /** Move forward by `ms` (≥ 0); returns the new time. */
  advance(ms: Millis): Millis {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`cannot advance by ${ms}`);
    this.t += ms;
    return this.t;
  }

  /** Jump to `t`; the clock never goes backwards (throws if `t < now`). Returns the new time. */
  set(t: Millis): Millis {
    if (!Number.isFinite(t) || t < this.t) throw new RangeError(`cannot set clock to ${t} (now ${this.t})`);
    this.t = t;
    return this.t;
  }
}
