import type { Address, Millis } from "@tsrtc/base";
import { keyOf } from "./keys.js";
import { VirtualClock } from "./clock.js";
import type { LinkConditions } from "./conditions.js";
import { Nat, type NatOptions } from "./nat.js";
import { Network, type TraceEvent } from "./network.js";
import { type SimNode, nodeAddresses } from "./node.js";

export interface SimulationOptions {
  /** Seed of the network's random draws (and, offset, of NAT port allocation). Default 1. */
  seed?: number;
  /** Default link conditions. */
  conditions?: Partial<LinkConditions>;
  /** Virtual start time, ms. Default 0. */
  start?: Millis;
  /** Trace hook for every send, delivery and drop (off by default). */
  trace?: (e: TraceEvent) => void;
}

export interface RunLimits {
  /** Virtual ms from the call after which to give up. Default 60 000. */
  maxTime?: Millis;
  /** Most events to process. Default 1 000 000. */
  maxSteps?: number;
}

/** A node that fires its timeout this many times at one instant is considered stuck. */
const STUCK_LIMIT = 10_000;
/** A node that yields this many datagrams in one drain is considered runaway. */
const DRAIN_LIMIT = 100_000;

/**
 * The driver: a virtual clock, a seeded network, NATs and nodes. Each `step` processes the
 * single earliest event — a datagram arrival or a node's timeout — at its time; on a tie,
 * datagrams (in send order) come before timeouts (in node order). After any input to a node,
 * and before every step, nodes' `pollTransmit` queues are drained into the network, so calls
 * a test makes on a core between steps are picked up.
 */
export class Simulation {
  readonly clock: VirtualClock;
  readonly network: Network;
  /** Events processed so far. */
  steps = 0;
  private readonly nodes: SimNode[] = [];
  private readonly owned = new Map<SimNode, Set<string>>();
  private readonly byAddress = new Map<string, SimNode>();
  private readonly seed: number;
  private natCount = 0;
  private stuckNode: SimNode | undefined;
  private stuckAt = NaN;
  private stuckCount = 0;

  constructor(opts: SimulationOptions = {}) {
    this.seed = opts.seed ?? 1;
    this.clock = new VirtualClock(opts.start ?? 0);
    this.network = new Network({ seed: this.seed, conditions: opts.conditions });
    this.network.trace = opts.trace;
  }

  /** The current virtual time. */
  get now(): Millis {
    return this.clock.now;
  }

  /**
   * Add a node. With `behind`, its addresses of the NAT's IP family are private addresses
   * behind that NAT; addresses of the other family stay public (NAT44 beside native IPv6).
   */
  addNode<N extends SimNode>(node: N, opts: { behind?: Nat } = {}): N {
    if (this.owned.has(node)) throw new Error(`node ${node.name} was already added`);
    const keys = new Set<string>();
    const addrs = nodeAddresses(node);
    for (const a of addrs) {
      if (this.byAddress.has(keyOf(a))) throw new Error(`node ${node.name}: ${keyOf(a)} belongs to another node`);
    }
    const bound: Address[] = [];
    try {
      for (const a of addrs) {
        const nat = opts.behind && a.family === opts.behind.family ? opts.behind : undefined;
        this.network.bind(a, nat);
        bound.push(a);
      }
    } catch (e) {
      for (const a of bound) this.network.unbind(a);
      throw e;
    }
    for (const a of addrs) {
      keys.add(keyOf(a));
      this.byAddress.set(keyOf(a), node);
    }
    this.nodes.push(node);
    this.owned.set(node, keys);
    return node;
  }

  /** Take a node off the network (a crash): datagrams to it are then unroutable. */
  removeNode(node: SimNode): void {
    const keys = this.owned.get(node);
    if (!keys) return;
    for (const k of keys) {
      this.byAddress.delete(k);
      this.network.unbindKey(k);
    }
    this.owned.delete(node);
    this.nodes.splice(this.nodes.indexOf(node), 1);
  }

  /**
   * Give a node one more address after it was added (a TURN server's relayed address). The
   * simulation's own record is the truth from then on; the node's `addresses` is not re-read.
   */
  addAddress(node: SimNode, a: Address, opts: { behind?: Nat } = {}): void {
    const keys = this.owned.get(node);
    if (!keys) throw new Error(`node ${node.name} is not in the simulation`);
    const k = keyOf(a);
    if (this.byAddress.has(k)) throw new Error(`node ${node.name}: ${k} belongs to a node already`);
    this.network.bind(a, opts.behind && a.family === opts.behind.family ? opts.behind : undefined);
    keys.add(k);
    this.byAddress.set(k, node);
  }

  /** Take one address away from a node; datagrams to it become unroutable. */
  removeAddress(node: SimNode, a: Address): void {
    const keys = this.owned.get(node);
    const k = keyOf(a);
    if (!keys?.has(k)) return;
    keys.delete(k);
    this.byAddress.delete(k);
    this.network.unbind(a);
  }

  /** Create (or attach) a NAT. Its port-allocation seed defaults to the simulation's seed + its index. */
  addNat(nat: Nat | NatOptions): Nat {
    this.natCount++;
    const n = nat instanceof Nat ? nat : new Nat({ seed: this.seed + this.natCount, ...nat });
    return this.network.addNat(n);
  }

  /** The node owning `a`, if any. */
  nodeAt(a: Address): SimNode | undefined {
    return this.byAddress.get(keyOf(a));
  }

  /** Drain every node's pending transmits into the network at the current time. */
  flush(): void {
    for (const n of this.nodes) this.drain(n);
  }

  /** Time of the next event (arrival or timeout), or undefined when nothing is pending. */
  nextEventTime(): Millis | undefined {
    this.flush();
    const [, t] = this.nextTimer();
    const a = this.network.nextArrival() ?? Infinity;
    const m = Math.min(a, t);
    return m === Infinity ? undefined : Math.max(m, this.clock.now);
  }

  /**
   * Process the earliest event if it is due at or before `until`. Returns false (and does
   * nothing) when no event is pending up to then.
   */
  step(until: Millis = Infinity): boolean {
    this.flush();
    const [timerNode, timerAt] = this.nextTimer();
    const arrivalAt = this.network.nextArrival() ?? Infinity;
    const at = Math.min(arrivalAt, timerAt);
    if (at === Infinity || at > until) return false;
    if (at > this.clock.now) this.clock.set(at);
    const now = this.clock.now;
    this.steps++;
    if (arrivalAt <= timerAt) {
      const a = this.network.popArrival(arrivalAt);
      if (!a) return true; // dropped on arrival (cut, NAT, unroutable): still an event
      const node = this.byAddress.get(keyOf(a.to));
      if (!node) return true; // unbound between routing and here cannot happen; be safe
      this.stuckNode = undefined;
      node.receive(a.data, a.from, a.to, now);
      this.drain(node);
    } else {
      const node = timerNode!;
      if (node === this.stuckNode && now === this.stuckAt) {
        if (++this.stuckCount > STUCK_LIMIT) {
          throw new Error(`node ${node.name}: pollTimeout() stays at ${timerAt} ≤ now ${now} after ${STUCK_LIMIT} handleTimeout calls`);
        }
      } else {
        this.stuckNode = node;
        this.stuckAt = now;
        this.stuckCount = 1;
      }
      node.handleTimeout(now);
      this.drain(node);
    }
    return true;
  }

  /**
   * Step until `predicate()` holds (checked before the first step and after each), for at most
   * `maxTime` virtual ms and `maxSteps` events. Returns whether it holds. When it gives up for
   * lack of time or events, the clock stands at now + maxTime.
   */
  runUntil(predicate: () => boolean, limits: RunLimits = {}): boolean {
    const deadline = this.clock.now + (limits.maxTime ?? 60_000);
    const maxSteps = limits.maxSteps ?? 1_000_000;
    for (let n = 0; ; n++) {
      if (predicate()) return true;
      if (n >= maxSteps) return false;
      if (!this.step(deadline)) break;
    }
    if (deadline > this.clock.now && Number.isFinite(deadline)) this.clock.set(deadline);
    return predicate();
  }

  /**
   * Process every event due in the next `ms` virtual ms, then set the clock to now + ms.
   * Throws if that takes more than `maxSteps` events (default 1 000 000): a runaway node.
   * Returns the number of events processed.
   */
  runFor(ms: Millis, maxSteps = 1_000_000): number {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`runFor: bad duration ${ms}`);
    const deadline = this.clock.now + ms;
    let n = 0;
    while (this.step(deadline)) {
      if (++n > maxSteps) throw new Error(`runFor(${ms}): more than ${maxSteps} events by t=${this.clock.now}`);
    }
    this.clock.set(Math.max(deadline, this.clock.now));
    this.flush();
    return n;
  }

  private nextTimer(): [SimNode | undefined, Millis] {
    let best: SimNode | undefined;
    let at = Infinity;
    for (const n of this.nodes) {
      const t = n.pollTimeout();
      if (t !== undefined && t < at) {
        at = t;
        best = n;
      }
    }
    return [best, at];
  }

  private drain(node: SimNode): void {
    const keys = this.owned.get(node);
    if (!keys) return;
    const now = this.clock.now;
    for (let i = 0; ; i++) {
      const t = node.pollTransmit();
      if (!t) return;
      if (i >= DRAIN_LIMIT) throw new Error(`node ${node.name}: more than ${DRAIN_LIMIT} datagrams in one drain`);
      const from = t.from ?? node.address;
      if (!keys.has(keyOf(from))) {
        throw new Error(`node ${node.name} sent from ${keyOf(from)}, which it does not own`);
      }
      this.network.send(from, t.to, t.data, now);
    }
  }
}
