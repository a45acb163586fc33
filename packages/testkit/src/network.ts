import { type Address, type Millis, SeededRandom, logger } from "@tsrtc/base";
import { keyOf } from "./keys.js";
import { type LinkConditions, PERFECT_LINK, resolveConditions } from "./conditions.js";
import type { Filter, SentInfo } from "./filters.js";
import { TimedHeap } from "./heap.js";
import type { Nat } from "./nat.js";

const log = logger("testkit:net");
const logEnabled = (): boolean => (log as { enabled?: boolean }).enabled === true;

/** Why the network dropped a datagram. */
export type DropReason = "filtered" | "lost" | "tooBig" | "cut" | "unroutable" | "nat" | "hairpin" | "queueFull";

/** Per-datagram counters. Each sent datagram ends in exactly one of delivered or a drop reason
 * (duplicates add one more delivery each). */
export interface NetworkStats {
  sent: number;
  delivered: number;
  bytesSent: number;
  bytesDelivered: number;
  /** Dropped by link loss. */
  lost: number;
  /** Extra copies made by link duplication. */
  duplicated: number;
  /** Larger than the link MTU. */
  tooBig: number;
  /** Dropped by a filter. */
  filtered: number;
  /** Dropped by `cut`. */
  cut: number;
  /** Addressed to an address no node owns, or to a private address of another realm. */
  unroutable: number;
  /** Refused by a NAT (no mapping, filtering, hairpinning off, ports exhausted). */
  natDropped: number;
  /** Bandwidth queue overflow. */
  queueFull: number;
  /** Deliveries that arrived after a datagram sent later on the same path. */
  reordered: number;
}

/** What the trace hook sees. */
export interface TraceEvent {
  type: "send" | "deliver" | "drop";
  reason?: DropReason;
  /** Virtual time of the event. */
  now: Millis;
  seq: number;
  from: Address;
  to: Address;
  data: Uint8Array;
}

/** A datagram handed out by `popArrival`. */
export interface Arrival {
  seq: number;
  at: Millis;
  /** Source as seen by the receiver (after any NAT on the sender's side). */
  from: Address;
  /** The receiving address (after any NAT on the receiver's side). */
  to: Address;
  data: Uint8Array;
}

interface InFlight {
  at: Millis;
  /** Heap tie-break: schedule order, unique (copies of one datagram get their own). */
  seq: number;
  /** The datagram's send sequence number (shared by copies). */
  dseq: number;
  origin: Address;
  from: Address;
  to: Address;
  data: Uint8Array;
}

export interface NetworkOptions {
  /** Seed for loss, jitter, duplication and reordering draws. */
  seed: number;
  /** Default conditions of every link. */
  conditions?: Partial<LinkConditions>;
}

/** A host (IP string) or an address (its host is used) naming one end of a link. */
export type Endpoint = Address | string;

const hostOf = (e: Endpoint): string => (typeof e === "string" ? e : e.host);

/**
 * A seeded datagram network. `send` decides a datagram's fate at once (filters, MTU, NAT out,
 * loss, delay, jitter, duplication, reordering, bandwidth); `popArrival` hands out arrivals in
 * time order, applying cuts, NATs on the receiving side and routing at arrival time.
 *
 * Links are named by hosts: a datagram's link is (sender's own host, destination host as
 * addressed). Conditions are looked up most specific first: the directed link, the reverse
 * direction (links are symmetric unless set `oneWay`), any link of the sender's host, any
 * link of the destination host, then the defaults.
 */
export class Network {
  readonly stats: NetworkStats = {
    sent: 0,
    delivered: 0,
    bytesSent: 0,
    bytesDelivered: 0,
    lost: 0,
    duplicated: 0,
    tooBig: 0,
    filtered: 0,
    cut: 0,
    unroutable: 0,
    natDropped: 0,
    queueFull: 0,
    reordered: 0,
  };
  /** Called for every send, delivery and drop when set (off by default). */
  trace: ((e: TraceEvent) => void) | undefined;

  private defaults: LinkConditions;
  private readonly links = new Map<string, Partial<LinkConditions>>();
  /** Resolved conditions by sender host, then destination host. */
  private readonly resolved = new Map<string, Map<string, LinkConditions>>();
  private readonly cuts = new Set<string>();
  private readonly filters: Filter[] = [];
  private readonly nats: Nat[] = [];
  private readonly natByPublic = new Map<string, Nat>();
  private readonly bound = new Set<string>();
  private readonly busyUntil = new Map<string, Millis>();
  /** Highest datagram seq delivered, by sender address key, then destination key. */
  private readonly lastSeq = new Map<string, Map<string, number>>();
  private readonly queue = new TimedHeap<InFlight>();
  private readonly rng: SeededRandom;
  private seq = 0;
  private order = 0;

  constructor(opts: NetworkOptions) {
    this.rng = new SeededRandom(opts.seed);
    this.defaults = resolveConditions(opts.conditions ?? {}, PERFECT_LINK);
  }

  /** Datagrams in flight. */
  get inFlight(): number {
    return this.queue.size;
  }

  /** Change the default conditions (unspecified fields keep their current value). */
  setDefaults(c: Partial<LinkConditions>): void {
    this.defaults = resolveConditions(c, this.defaults);
    this.resolved.clear();
  }

  /**
   * Conditions for the link between `a` and `b` (both directions unless `oneWay`), or for every
   * link of `a` when `b` is "*". Unspecified fields fall back to the defaults.
   */
  setLink(a: Endpoint, b: Endpoint | "*", c: Partial<LinkConditions>, opts: { oneWay?: boolean } = {}): void {
    resolveConditions(c, this.defaults); // validate now
    const ha = hostOf(a);
    const hb = b === "*" ? "*" : hostOf(b);
    this.links.set(`${ha}>${hb}`, c);
    if (!opts.oneWay && hb !== "*") this.links.set(`${hb}>${ha}`, c);
    this.resolved.clear();
  }

  /** Forget per-link conditions set with `setLink` (both directions). */
  clearLink(a: Endpoint, b: Endpoint | "*"): void {
    const ha = hostOf(a);
    const hb = b === "*" ? "*" : hostOf(b);
    this.links.delete(`${ha}>${hb}`);
    this.links.delete(`${hb}>${ha}`);
    this.resolved.clear();
  }

  /** The conditions a datagram from host `from` to host `to` meets. */
  conditionsFor(from: Endpoint, to: Endpoint): LinkConditions {
    const f = hostOf(from);
    const t = hostOf(to);
    let byDest = this.resolved.get(f);
    if (!byDest) this.resolved.set(f, (byDest = new Map()));
    let c = byDest.get(t);
    if (!c) {
      const spec = this.links.get(`${f}>${t}`) ?? this.links.get(`${f}>*`) ?? this.links.get(`${t}>*`);
      c = spec ? resolveConditions(spec, this.defaults) : this.defaults;
      byDest.set(t, c);
    }
    return c;
  }

  /**
   * Simulate an outage: drop every datagram between hosts `a` and `b` (either direction) that
   * arrives while cut, including those already in flight. Without `b`, isolate `a` entirely.
   */
  cut(a: Endpoint, b?: Endpoint): void {
    this.cuts.add(cutKey(hostOf(a), b === undefined ? "*" : hostOf(b)));
  }

  /** End an outage started with the same arguments to `cut`. */
  restore(a: Endpoint, b?: Endpoint): void {
    this.cuts.delete(cutKey(hostOf(a), b === undefined ? "*" : hostOf(b)));
  }

  /** Is traffic between `a` and `b` cut (directly, or by isolating either)? */
  isCut(a: Endpoint, b: Endpoint): boolean {
    if (this.cuts.size === 0) return false;
    const ha = hostOf(a);
    const hb = hostOf(b);
    return this.cuts.has(cutKey(ha, hb)) || this.cuts.has(cutKey(ha, "*")) || this.cuts.has(cutKey(hb, "*"));
  }

  /** Add a filter; every sent datagram is shown to every filter in order. Returns it. */
  addFilter<F extends Filter>(f: F): F {
    this.filters.push(f);
    return f;
  }

  removeFilter(f: Filter): void {
    const i = this.filters.indexOf(f);
    if (i >= 0) this.filters.splice(i, 1);
  }

  /** Attach a NAT: datagrams to its public IP go through its `inbound`. */
  addNat(nat: Nat): Nat {
    if (this.natByPublic.has(nat.publicIp)) throw new Error(`a NAT already has public IP ${nat.publicIp}`);
    if ([...this.bound].some((k) => k.startsWith(`${nat.publicIp}:`) || k.startsWith(`[${nat.publicIp}]:`))) {
      throw new Error(`${nat.publicIp} is already a node's address`);
    }
    this.nats.push(nat);
    this.natByPublic.set(nat.publicIp, nat);
    return nat;
  }

  /**
   * Let datagrams be delivered to `a`; with `behind`, `a`'s host is on that NAT's private side
   * (the NAT must have been added). A host already behind a NAT stays behind it. Private hosts
   * must be unique across the whole network.
   */
  bind(a: Address, behind?: Nat): void {
    const key = keyOf(a);
    if (this.bound.has(key)) throw new Error(`address ${key} is already bound`);
    if (this.natByPublic.has(a.host)) throw new Error(`${a.host} is a NAT's public IP`);
    const realm = this.realmOf(a.host);
    if (behind) {
      if (!this.nats.includes(behind)) throw new Error(`${behind.name} was not added to the network`);
      if (realm && realm !== behind) throw new Error(`${a.host} is already behind ${realm.name}`);
      behind.addPrivateHost(a.host);
    }
    this.bound.add(key);
  }

  unbind(a: Address): void {
    this.bound.delete(keyOf(a));
  }

  /** `unbind` by `addressKey` string. */
  unbindKey(key: string): void {
    this.bound.delete(key);
  }

  isBound(a: Address): boolean {
    return this.bound.has(keyOf(a));
  }

  /**
   * A node at `from` sends `data` to `to` at `now`. The bytes are copied (cores may reuse their
   * buffers). Returns the datagram's sequence number.
   */
  send(from: Address, to: Address, data: Uint8Array, now: Millis): number {
    const seq = ++this.seq;
    const s = this.stats;
    s.sent++;
    s.bytesSent += data.length;
    const bytes = data.slice();
    this.emit("send", undefined, now, seq, from, to, bytes);

    if (this.filters.length > 0) {
      const info: SentInfo = { from, to, now, seq };
      let drop = false;
      for (const f of this.filters) if (f.shouldDrop(bytes, info)) drop = true;
      if (drop) return this.drop("filtered", now, seq, from, to, bytes);
    }
    const c = this.conditionsFor(from, to);
    if (bytes.length > c.mtu) return this.drop("tooBig", now, seq, from, to, bytes);

    // Routing and the sender-side NAT (which sits next to the sender, so it acts at send time).
    const realm = this.realmOf(from.host);
    const destRealm = this.realmOf(to.host);
    let src = from;
    if (destRealm && destRealm !== realm) return this.drop("unroutable", now, seq, from, to, bytes);
    if (realm && destRealm !== realm) {
      if (to.host === realm.publicIp && !realm.hairpinning) {
        realm.stats.hairpinDropped++;
        return this.drop("hairpin", now, seq, from, to, bytes);
      }
      const mapped = realm.outbound(from, to, now);
      if (!mapped) return this.drop("nat", now, seq, from, to, bytes);
      src = mapped;
    }

    if (c.loss > 0 && this.rng.nextFloat() < c.loss) return this.drop("lost", now, seq, from, to, bytes);

    let depart = now;
    if (c.bandwidth !== undefined) {
      const key = `${from.host}>${to.host}`;
      const busy = Math.max(now, this.busyUntil.get(key) ?? now);
      const backlog = ((busy - now) * c.bandwidth) / 8000;
      if (c.queueBytes !== undefined && backlog + bytes.length > c.queueBytes) {
        return this.drop("queueFull", now, seq, from, to, bytes);
      }
      depart = busy + (bytes.length * 8000) / c.bandwidth;
      this.busyUntil.set(key, depart);
    }
    this.schedule(depart + this.latency(c), seq, from, src, to, bytes);
    if (c.duplicate > 0 && this.rng.nextFloat() < c.duplicate) {
      s.duplicated++;
      this.schedule(depart + this.latency(c), seq, from, src, to, bytes.slice());
    }
    return seq;
  }

  /** Arrival time of the next datagram in flight. */
  nextArrival(): Millis | undefined {
    return this.queue.peek()?.at;
  }

  /**
   * Take the next datagram arriving at or before `until`, applying cuts, the receiving NAT and
   * routing (drops are counted and skipped). Undefined when none is due.
   */
  popArrival(until: Millis): Arrival | undefined {
    for (;;) {
      const next = this.queue.peek();
      if (!next || next.at > until) return undefined;
      this.queue.pop();
      const out = this.arrive(next);
      if (out) return out;
    }
  }

  /** Drop everything in flight (counted as `cut`). */
  clearInFlight(now: Millis): void {
    for (let d = this.queue.pop(); d; d = this.queue.pop()) this.drop("cut", now, d.dseq, d.from, d.to, d.data);
  }

  private arrive(d: InFlight): Arrival | undefined {
    const now = d.at;
    let to = d.to;
    const nat = this.natByPublic.get(to.host);
    if (nat) {
      const internal = nat.inbound(d.from, to, now);
      if (!internal) return void this.drop("nat", now, d.dseq, d.from, d.to, d.data);
      to = internal;
    }
    if (this.cuts.size > 0 && (this.isCut(d.origin, d.to) || this.isCut(d.from, to) || this.isCut(d.origin, to))) {
      return void this.drop("cut", now, d.dseq, d.from, to, d.data);
    }
    if (!this.bound.has(keyOf(to))) return void this.drop("unroutable", now, d.dseq, d.from, to, d.data);
    const s = this.stats;
    s.delivered++;
    s.bytesDelivered += d.data.length;
    let byDest = this.lastSeq.get(keyOf(d.origin));
    if (!byDest) this.lastSeq.set(keyOf(d.origin), (byDest = new Map()));
    const dest = keyOf(d.to);
    if (d.dseq < (byDest.get(dest) ?? 0)) s.reordered++;
    else byDest.set(dest, d.dseq);
    this.emit("deliver", undefined, now, d.dseq, d.from, to, d.data);
    return { seq: d.dseq, at: d.at, from: d.from, to, data: d.data };
  }

  private latency(c: LinkConditions): Millis {
    let t = c.delay;
    if (c.jitter > 0) t += this.rng.nextFloat() * c.jitter;
    if (c.reorder > 0 && this.rng.nextFloat() < c.reorder) t += c.reorderDelay ?? Math.max(1, c.delay);
    return t;
  }

  private schedule(at: Millis, seq: number, origin: Address, from: Address, to: Address, data: Uint8Array): void {
    // Equal arrival times keep schedule order: the heap compares (at, seq).
    this.queue.push({ at, seq: ++this.order, dseq: seq, origin, from, to, data });
  }

  private realmOf(host: string): Nat | undefined {
    for (const n of this.nats) if (n.isPrivate(host)) return n;
    return undefined;
  }

  private drop(reason: DropReason, now: Millis, seq: number, from: Address, to: Address, data: Uint8Array): number {
    const s = this.stats;
    if (reason === "hairpin" || reason === "nat") s.natDropped++;
    else s[reason]++;
    this.emit("drop", reason, now, seq, from, to, data);
    return seq;
  }

  private emit(
    type: TraceEvent["type"],
    reason: DropReason | undefined,
    now: Millis,
    seq: number,
    from: Address,
    to: Address,
    data: Uint8Array,
  ): void {
    if (this.trace) this.trace({ type, reason, now, seq, from, to, data });
    if (logEnabled()) log("%s%s #%d %s -> %s %dB @%d", type, reason ? `(${reason})` : "", seq, keyOf(from), keyOf(to), data.length, now);
  }
}

function cutKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}
