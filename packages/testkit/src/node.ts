import type { Address, Millis, Transmit } from "@tsrtc/base";

/**
 * What the `Simulation` steps: one endpoint on the virtual network. Any object of this shape
 * will do; `simNode` and `pointToPoint` build one around a sans-IO core.
 *
 * The driver calls `receive` for each datagram that arrives at one of the node's addresses and
 * `handleTimeout` when the virtual clock reaches `pollTimeout()`; after every such input (and
 * before every step) it drains `pollTransmit` into the network.
 */
export interface SimNode {
  /** A label for traces and error messages. */
  readonly name: string;
  /** The node's (first) address; a Transmit without `from` is sent from here. */
  readonly address: Address;
  /** Every address the node owns, if more than `address` (e.g. IPv4 and IPv6 host candidates). */
  readonly addresses?: readonly Address[];
  /** A datagram arrived: `from` is the (possibly NAT-mapped) source, `to` one of our addresses. */
  receive(data: Uint8Array, from: Address, to: Address, now: Millis): void;
  /** The clock reached (or passed) the deadline from `pollTimeout`. */
  handleTimeout(now: Millis): void;
  /** Next datagram to send; `from` must be one of the node's addresses when given. */
  pollTransmit(): Transmit | undefined;
  /** Earliest deadline, or undefined when idle. */
  pollTimeout(): Millis | undefined;
}

/** All addresses a node owns (`address` first, no duplicates). */
export function nodeAddresses(node: SimNode): Address[] {
  const out: Address[] = [node.address];
  for (const a of node.addresses ?? []) {
    if (!out.some((b) => b.host === a.host && b.port === a.port)) out.push(a);
  }
  return out;
}

/** Functions that make a SimNode out of anything (cores that know addresses: STUN, ICE). */
export interface SimNodeSpec {
  name: string;
  /** One address, or several (the first is the default source). */
  address: Address | readonly Address[];
  receive(data: Uint8Array, from: Address, to: Address, now: Millis): void;
  poll(): Transmit | undefined;
  /** Default: never a deadline. */
  timeout?(): Millis | undefined;
  /** Default: nothing. */
  tick?(now: Millis): void;
  /** Called after every input (receive or tick), e.g. to drain the core's events. */
  afterInput?(now: Millis): void;
}

/** Build a SimNode from functions. */
export function simNode(spec: SimNodeSpec): SimNode {
  const list = Array.isArray(spec.address) ? (spec.address as readonly Address[]) : [spec.address as Address];
  if (list.length === 0) throw new TypeError(`node ${spec.name}: needs at least one address`);
  const after = spec.afterInput;
  return {
    name: spec.name,
    address: list[0],
    addresses: list,
    receive(data, from, to, now) {
      spec.receive(data, from, to, now);
      after?.(now);
    },
    handleTimeout(now) {
      spec.tick?.(now);
      after?.(now);
    },
    pollTransmit: () => spec.poll(),
    pollTimeout: () => spec.timeout?.(),
  };
}

/**
 * How `pointToPoint` talks to a core that rides one path and sends bare datagrams (DTLS, SCTP).
 * Each hook defaults to the conventional method of the core:
 * `receive` → `core.handlePacket(data, now)`, `poll` → `core.pollTransmit()`,
 * `timeout` → `core.pollTimeout()`, `tick` → `core.handleTimeout(now)`.
 */
export interface PointToPointHooks<C> {
  name?: string;
  receive?(data: Uint8Array, now: Millis, core: C, from: Address): void;
  poll?(core: C): Uint8Array | undefined;
  timeout?(core: C): Millis | undefined;
  tick?(now: Millis, core: C): void;
  /** Called after every input (receive or tick), e.g. to drain the core's events. */
  afterInput?(now: Millis, core: C): void;
}

type Method = (...args: never[]) => unknown;

function method(core: object, name: string, nodeName: string): Method {
  const fn = (core as Record<string, unknown>)[name];
  if (typeof fn !== "function") {
    throw new TypeError(`pointToPoint(${nodeName}): core has no ${name}() and no hook replaces it`);
  }
  return (fn as Method).bind(core);
}

/**
 * Plug a single-path core into the network as a node at `local` that sends every datagram to
 * `remote`. It accepts datagrams from any source (a `receive` hook gets `from` to check it).
 * Throws at once if the core lacks a method that no hook replaces.
 *
 * ```ts
 * const a = pointToPoint(client, address("10.0.0.1", 5000), address("10.0.0.2", 5000));
 * const b = pointToPoint(sctp, local, remote, { receive: (d, now, c) => c.handleInput(d, now) });
 * ```
 */
export function pointToPoint<C extends object>(
  core: C,
  local: Address,
  remote: Address,
  hooks: PointToPointHooks<C> = {},
): SimNode {
  const name = hooks.name ?? `p2p ${local.host}:${local.port}`;
  let receive: (d: Uint8Array, now: Millis, from: Address) => void;
  if (hooks.receive) {
    const h = hooks.receive;
    receive = (d, now, from) => h(d, now, core, from);
  } else {
    const m = method(core, "handlePacket", name) as (d: Uint8Array, now: Millis) => void;
    receive = (d, now) => m(d, now);
  }
  let poll: () => Uint8Array | undefined;
  if (hooks.poll) {
    const h = hooks.poll;
    poll = () => h(core);
  } else {
    poll = method(core, "pollTransmit", name) as () => Uint8Array | undefined;
  }
  let timeout: () => Millis | undefined;
  if (hooks.timeout) {
    const h = hooks.timeout;
    timeout = () => h(core);
  } else {
    timeout = method(core, "pollTimeout", name) as () => Millis | undefined;
  }
  let tick: (now: Millis) => void;
  if (hooks.tick) {
    const h = hooks.tick;
    tick = (now) => h(now, core);
  } else {
    tick = method(core, "handleTimeout", name) as (now: Millis) => void;
  }
  const after = hooks.afterInput;
  return {
    name,
    address: local,
    receive(data, from, _to, now) {
      receive(data, now, from);
      after?.(now, core);
    },
    handleTimeout(now) {
      tick(now);
      after?.(now, core);
    },
    pollTransmit() {
      const data = poll();
      return data === undefined ? undefined : { to: remote, data, from: local };
    },
    pollTimeout: timeout,
  };
}

/**
 * How `transmitNode` talks to a core that knows addresses (ICE, a STUN client). Each hook
 * defaults to the conventional method: `receive` → `core.handlePacket(data, from, to, now)`,
 * `poll` → `core.pollTransmit()`, `timeout` → `core.pollTimeout()`, `tick` → `core.handleTimeout(now)`.
 */
export interface TransmitNodeHooks<C> {
  name?: string;
  receive?(data: Uint8Array, from: Address, to: Address, now: Millis, core: C): void;
  poll?(core: C): Transmit | undefined;
  timeout?(core: C): Millis | undefined;
  tick?(now: Millis, core: C): void;
  /** Called after every input (receive or tick), e.g. to drain the core's events. */
  afterInput?(now: Millis, core: C): void;
}

/**
 * Plug a core whose `pollTransmit` returns `Transmit { to, data, from? }` into the network at
 * one or several addresses (an ICE agent with host candidates on IPv4 and IPv6).
 *
 * ```ts
 * const node = sim.addNode(transmitNode(agent, [address("192.168.1.2", 5000), address("fd00::2", 5000)]), { behind: nat });
 * ```
 */
export function transmitNode<C extends object>(
  core: C,
  addresses: Address | readonly Address[],
  hooks: TransmitNodeHooks<C> = {},
): SimNode {
  const list = Array.isArray(addresses) ? (addresses as readonly Address[]) : [addresses as Address];
  const name = hooks.name ?? `node ${list[0]?.host}:${list[0]?.port}`;
  let receive: (d: Uint8Array, from: Address, to: Address, now: Millis) => void;
  if (hooks.receive) {
    const h = hooks.receive;
    receive = (d, from, to, now) => h(d, from, to, now, core);
  } else {
    receive = method(core, "handlePacket", name) as (d: Uint8Array, from: Address, to: Address, now: Millis) => void;
  }
  const h = hooks;
  return simNode({
    name,
    address: list,
    receive,
    poll: h.poll ? () => h.poll!(core) : (method(core, "pollTransmit", name) as () => Transmit | undefined),
    timeout: h.timeout ? () => h.timeout!(core) : (method(core, "pollTimeout", name) as () => Millis | undefined),
    tick: h.tick ? (now) => h.tick!(now, core) : (method(core, "handleTimeout", name) as (now: Millis) => void),
    afterInput: h.afterInput ? (now) => h.afterInput!(now, core) : undefined,
  });
}

/**
 * A stateless server node: `answer` gets each datagram and returns the replies to send (none,
 * one or several); a reply without `from` leaves from the address the request arrived at.
 * Fits request/response cores such as a STUN binding server:
 * `replyNode("stun", S, (d, from, _to, now) => server.handlePacket(d, from, now))`.
 */
export function replyNode(
  name: string,
  addresses: Address | readonly Address[],
  answer: (data: Uint8Array, from: Address, to: Address, now: Millis) => Transmit | readonly Transmit[] | undefined,
): SimNode {
  const out: Transmit[] = [];
  return simNode({
    name,
    address: addresses,
    receive(data, from, to, now) {
      const r = answer(data, from, to, now);
      if (r === undefined) return;
      for (const t of Array.isArray(r) ? (r as readonly Transmit[]) : [r as Transmit]) {
        out.push(t.from ? t : { to: t.to, data: t.data, from: to });
      }
    },
    poll: () => out.shift(),
  });
}
