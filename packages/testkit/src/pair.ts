import { type Address, address } from "@tsrtc/base";
import type { LinkConditions } from "./conditions.js";
import { type PointToPointHooks, type SimNode, pointToPoint } from "./node.js";
import { Simulation } from "./simulation.js";

export interface TwoPeersOptions<A, B> {
  /** Network seed; default 1. */
  seed?: number;
  /** Link conditions between the two (the defaults of the network). */
  conditions?: Partial<LinkConditions>;
  /** Default 10.0.0.1:5000 and 10.0.0.2:5000. */
  addressA?: Address;
  addressB?: Address;
  hooksA?: PointToPointHooks<A>;
  hooksB?: PointToPointHooks<B>;
}

/**
 * The common two-engine setup: two single-path cores (DTLS, SCTP) wired to each other with
 * `pointToPoint` in a fresh Simulation. Nodes are named "a" and "b" unless hooks say otherwise.
 *
 * ```ts
 * const { sim } = twoPeers(client, server, { seed: 3, conditions: { loss: 0.1, delay: 20 } });
 * sim.network.addFilter(dropWhere(dtlsFlight(4, { transmission: 1 }), Infinity));
 * expect(sim.runUntil(() => client.connected && server.connected, { maxTime: 30_000 })).toBe(true);
 * ```
 */
export function twoPeers<A extends object, B extends object>(
  coreA: A,
  coreB: B,
  opts: TwoPeersOptions<A, B> = {},
): { sim: Simulation; a: SimNode; b: SimNode; addressA: Address; addressB: Address } {
  const addressA = opts.addressA ?? address("10.0.0.1", 5000);
  const addressB = opts.addressB ?? address("10.0.0.2", 5000);
  const sim = new Simulation({ seed: opts.seed ?? 1, conditions: opts.conditions });
  const a = sim.addNode(pointToPoint(coreA, addressA, addressB, { name: "a", ...opts.hooksA }));
  const b = sim.addNode(pointToPoint(coreB, addressB, addressA, { name: "b", ...opts.hooksB }));
  return { sim, a, b, addressA, addressB };
}
