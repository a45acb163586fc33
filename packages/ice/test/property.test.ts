import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SeededRandom, address, sameAddress } from "@tsrtc/base";
import { NatTypes, Simulation } from "@tsrtc/testkit";
import { bothConnected, makePeer, shuffledSignaling, signalAll } from "./peers.js";

describe("two agents, random conditions (property)", () => {
  it("always connect, on the same path seen from both ends, with one controlling side", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom(0, 0.1, 0.3),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 3 }),
        (seed, loss, aControls, bControls, nA) => {
          const sim = new Simulation({ seed, conditions: { delay: 5 + (seed % 30), jitter: seed % 20, loss } });
          const rng = new SeededRandom(seed);
          const addrsA = [address("10.0.0.1", 5000), address("10.0.1.1", 5001), address("2001:db8::1", 5002)].slice(0, nA);
          const a = makePeer(sim, "A", addrsA, { controlling: aControls }, seed + 1);
          const b = makePeer(sim, "B", [address("10.0.0.2", 6000), address("2001:db8::2", 6002)], { controlling: bControls }, seed + 2);
          shuffledSignaling(sim, a, b, rng, 30);
          expect(sim.runUntil(bothConnected(a, b), { maxTime: 40_000 })).toBe(true);
          // Let nomination settle, then both ends must agree on the path.
          sim.runFor(3000);
          const pa = a.agent.selectedPair!;
          const pb = b.agent.selectedPair!;
          expect(sameAddress(pa.localAddress, pb.remoteAddress)).toBe(true);
          expect(sameAddress(pa.remoteAddress, pb.localAddress)).toBe(true);
          expect(a.agent.controlling).not.toBe(b.agent.controlling);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("one side behind a NAT of any RFC 4787 kind (property)", () => {
  it("connects through the NAT's mapping, learned as peer-reflexive", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom(0, 0.2),
        fc.constantFrom(...(Object.keys(NatTypes) as (keyof typeof NatTypes)[])),
        fc.boolean(),
        (seed, loss, kind, aControls) => {
          const sim = new Simulation({ seed, conditions: { delay: 5 + (seed % 40), jitter: seed % 10, loss } });
          const nat = sim.addNat({ publicIp: "203.0.113.1", ...NatTypes[kind] });
          const a = makePeer(sim, "A", [address("192.168.1.10", 5000)], { controlling: aControls }, seed + 1, { behind: nat });
          const b = makePeer(sim, "B", [address("198.51.100.2", 6000)], { controlling: !aControls }, seed + 2);
          signalAll(a, b, 0);
          expect(sim.runUntil(bothConnected(a, b), { maxTime: 40_000 }), kind).toBe(true);
          sim.runFor(3000);
          const pa = a.agent.selectedPair!;
          const pb = b.agent.selectedPair!;
          expect(sameAddress(pa.remoteAddress, pb.localAddress)).toBe(true);
          expect(pb.remoteAddress.host).toBe("203.0.113.1");
          expect(pb.remote.type).toBe("prflx");
        },
      ),
      { numRuns: 40 },
    );
  });
});
