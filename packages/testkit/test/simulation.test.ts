import { address } from "@tsrtc/base";
import { describe, expect, it } from "vitest";
import { Simulation, pointToPoint } from "../src/index.js";
import { PingPong } from "./toys.js";

const A = address("10.0.0.1", 5000);
const B = address("10.0.0.2", 5000);

describe("Simulation", () => {
  it("runs two ping-pong endpoints for 30 virtual seconds", () => {
    const sim = new Simulation({ seed: 7, conditions: { delay: 25 } });
    const a = new PingPong(100, 0, 30_000);
    const b = new PingPong(undefined);
    sim.addNode(pointToPoint(a, A, B, { name: "a" }));
    sim.addNode(pointToPoint(b, B, A, { name: "b" }));
    sim.runFor(30_100);
    expect(sim.now).toBe(30_100);
    expect(a.sent).toBe(301);
    expect(b.pings).toEqual(Array.from({ length: 301 }, (_, i) => i + 1));
    expect(a.pongs).toEqual(b.pings);
    expect(sim.network.stats.delivered).toBe(602);
  });
});
