import type { Address, Millis } from "@tsrtc/base";

/** What a predicate or filter knows about a datagram when a node sends it (before any NAT). */
export interface SentInfo {
  /** The sending node's own address. */
  readonly from: Address;
  /** The destination as the sender addressed it. */
  readonly to: Address;
  /** Virtual time of sending. */
  readonly now: Millis;
  /** Network-wide send counter (1 for the first datagram ever sent). */
  readonly seq: number;
}

/**
 * A test on a datagram. Byte sniffers (`isStun`, `isDtls`, ...) look only at `data`;
 * address predicates (`sentFrom`, `sentTo`) only at `info`. Stateful predicates (DTLS flight
 * tracking) rely on seeing every datagram in send order, which filters guarantee.
 */
export type Predicate = (data: Uint8Array, info: SentInfo) => boolean;

/**
 * Decides, at send time, whether to drop a datagram. The network shows every sent datagram to
 * every filter, in the order filters were added, even when an earlier filter already dropped it.
 */
export interface Filter {
  /** True to drop this datagram. */
  shouldDrop(data: Uint8Array, info: SentInfo): boolean;
  /** How many datagrams this filter dropped so far. */
  readonly dropped: number;
  /** Label for traces. */
  readonly name: string;
}

const always: Predicate = () => true;

/**
 * Drop the `n`-th datagram (1-based) that matches `predicate` (default: every datagram), once.
 * `dropNth(3, isDtls)` drops the third DTLS datagram sent on the network.
 */
export function dropNth(n: number, predicate: Predicate = always, name = `dropNth(${n})`): Filter {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`dropNth: n must be a positive integer, got ${n}`);
  return dropMatches(predicate, (k) => k === n, name);
}

/**
 * Drop the first `times` datagrams that match `predicate` (default once; `Infinity` = all).
 */
export function dropWhere(predicate: Predicate, times = 1, name = `dropWhere(${times})`): Filter {
  if (!(times >= 0)) throw new RangeError(`dropWhere: times must be ≥ 0, got ${times}`);
  return dropMatches(predicate, (k) => k <= times, name);
}

/** Drop matching datagrams whose match index (1-based) is in `indices`: `dropMatching(isStun, [1, 3])`. */
export function dropMatching(predicate: Predicate, indices: Iterable<number>, name = "dropMatching"): Filter {
  const set = new Set(indices);
  return dropMatches(predicate, (k) => set.has(k), name);
}

function dropMatches(predicate: Predicate, pick: (k: number) => boolean, name: string): Filter {
  let matched = 0;
  let dropped = 0;
  return {
    name,
    get dropped() {
      return dropped;
    },
    shouldDrop(data, info) {
      if (!predicate(data, info)) return false;
      matched++;
      if (!pick(matched)) return false;
      dropped++;
      return true;
    },
  };
}

/** Every predicate holds (each is still evaluated, so stateful predicates keep their count). */
export function allOf(...ps: Predicate[]): Predicate {
  return (data, info) => {
    let ok = true;
    for (const p of ps) if (!p(data, info)) ok = false;
    return ok;
  };
}

/** At least one predicate holds (each is still evaluated). */
export function anyOf(...ps: Predicate[]): Predicate {
  return (data, info) => {
    let ok = false;
    for (const p of ps) if (p(data, info)) ok = true;
    return ok;
  };
}

/** The predicate does not hold. */
export function not(p: Predicate): Predicate {
  return (data, info) => !p(data, info);
}

/** Sent by the node at `a` (a host string matches any port). */
export function sentFrom(a: Address | string): Predicate {
  return (_d, info) => matchAddress(info.from, a);
}

/** Addressed to `a` (a host string matches any port). */
export function sentTo(a: Address | string): Predicate {
  return (_d, info) => matchAddress(info.to, a);
}

function matchAddress(x: Address, a: Address | string): boolean {
  return typeof a === "string" ? x.host === a : x.host === a.host && x.port === a.port;
}
