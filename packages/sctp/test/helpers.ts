import { SeededRandom, address } from "@tsrtc/base";
import { type LinkConditions, Simulation, pointToPoint } from "@tsrtc/testkit";
import { SctpAssociation, type SctpOptions } from "../src/association.js";
import type { SctpEvent } from "../src/events.js";

export interface Peer {
  assoc: SctpAssociation;
  events: SctpEvent[];
  messages: { stream: number; ppid: number; data: Uint8Array; unordered: boolean }[];
  connected: boolean;
  closed: SctpEvent | undefined;
}

export const A_ADDR = address("10.0.0.1", 5000);
export const B_ADDR = address("10.0.0.2", 5000);

export function makePeer(seed: number, opts: Partial<SctpOptions> = {}): Peer {
  const assoc = new SctpAssociation({ rng: new SeededRandom(seed), ...opts });
  return { assoc, events: [], messages: [], connected: false, closed: undefined };
}

export function drain(p: Peer): void {
  for (let e = p.assoc.pollEvent(); e; e = p.assoc.pollEvent()) {
    if (e.type === "message") p.messages.push(e);
    else p.events.push(e);
    if (e.type === "connected") p.connected = true;
    if (e.type === "closed") p.closed = e;
  }
}

export function pair(
  conditions: Partial<LinkConditions> = {},
  opts: { seed?: number; a?: Partial<SctpOptions>; b?: Partial<SctpOptions> } = {},
): { sim: Simulation; a: Peer; b: Peer } {
  const sim = new Simulation({ seed: opts.seed ?? 1, conditions: { delay: 10, ...conditions } });
  const a = makePeer(100 + (opts.seed ?? 1), opts.a);
  const b = makePeer(200 + (opts.seed ?? 1), opts.b);
  sim.addNode(pointToPoint(a.assoc, A_ADDR, B_ADDR, { name: "A", afterInput: () => drain(a), poll: (c) => c.pollTransmit(sim.now) }));
  sim.addNode(pointToPoint(b.assoc, B_ADDR, A_ADDR, { name: "B", afterInput: () => drain(b), poll: (c) => c.pollTransmit(sim.now) }));
  return { sim, a, b };
}

/** Both sides send INIT as WebRTC does; run until both are up. */
export function connectBoth(sim: Simulation, a: Peer, b: Peer, maxTime = 30_000): boolean {
  a.assoc.connect(sim.now);
  b.assoc.connect(sim.now);
  return sim.runUntil(() => a.connected && b.connected, { maxTime });
}

/** Deterministic pseudo-random payload. */
export function payload(seed: number, n: number): Uint8Array {
  return new SeededRandom(seed).fill(new Uint8Array(n));
}
