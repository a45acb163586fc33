import { describe, expect, it } from "vitest";
import { Simulation } from "@tsrtc/testkit";
import { bothConnected, connectedPair } from "./peers.js";

describe("two agents on the virtual network", () => {
  it("connect with A controlling", () => {
    const sim = new Simulation({ seed: 1, conditions: { delay: 10 } });
    const [a, b] = connectedPair(sim);
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 10_000 })).toBe(true);
    expect(a.agent.selectedPair!.remoteAddress.host).toBe("10.0.0.2");
    expect(b.agent.selectedPair!.remoteAddress.host).toBe("10.0.0.1");
    expect(a.agent.controlling).toBe(true);
    expect(b.agent.controlling).toBe(false);
    expect(a.states).toEqual(["checking", "connected", "completed"].slice(0, a.states.length));
    expect(a.states.slice(0, 2)).toEqual(["checking", "connected"]);
  });
});
