import type { Millis } from "@tsrtc/base";

/**
 * How a link treats datagrams. Probabilities are per datagram, drawn from the network's seeded
 * random source, so the same seed gives the same outcome.
 */
export interface LinkConditions {
  /** One-way propagation delay, ms. */
  delay: Millis;
  /** Extra delay drawn uniformly in [0, jitter) ms per datagram; jitter larger than the
   * spacing between datagrams reorders them. */
  jitter: Millis;
  /** Probability that a datagram is lost (0..1). */
  loss: number;
  /** Probability that a delivered datagram is also delivered a second time (0..1); the copy
   * draws its own jitter. */
  duplicate: number;
  /** Probability that a datagram is held back by `reorderDelay` so later ones overtake it (0..1). */
  reorder: number;
  /** Extra delay of a reordered datagram; default: the link delay, at least 1 ms. */
  reorderDelay?: Millis;
  /** Largest UDP payload, bytes; larger datagrams are dropped and counted as `tooBig`. */
  mtu: number;
  /** Bits per second of each direction; datagrams queue behind each other. Undefined: unlimited. */
  bandwidth?: number;
  /** With `bandwidth`: the most bytes waiting in a direction's queue; beyond, drop (`queueFull`). */
  queueBytes?: number;
}

/** A perfect link: no delay, no loss, the largest IPv4 UDP payload. */
export const PERFECT_LINK: Readonly<LinkConditions> = Object.freeze({
  delay: 0,
  jitter: 0,
  loss: 0,
  duplicate: 0,
  reorder: 0,
  mtu: 65507,
});

/** Fill in unspecified fields from `base` and check ranges (programmer errors throw). */
export function resolveConditions(c: Partial<LinkConditions>, base: Readonly<LinkConditions> = PERFECT_LINK): LinkConditions {
  const out: LinkConditions = { ...base };
  for (const [k, v] of Object.entries(c) as [keyof LinkConditions, number | undefined][]) {
    if (v !== undefined) out[k] = v;
  }
  for (const k of ["loss", "duplicate", "reorder"] as const) {
    if (!(out[k] >= 0 && out[k] <= 1)) throw new RangeError(`${k} must be in [0, 1], got ${out[k]}`);
  }
  for (const k of ["delay", "jitter", "mtu"] as const) {
    if (!(out[k] >= 0) || !Number.isFinite(out[k])) throw new RangeError(`${k} must be a finite number ≥ 0, got ${out[k]}`);
  }
  if (out.bandwidth !== undefined && !(out.bandwidth > 0)) throw new RangeError(`bandwidth must be > 0 bits/s`);
  if (out.reorderDelay !== undefined && !(out.reorderDelay >= 0)) throw new RangeError(`reorderDelay must be ≥ 0`);
  return out;
}
