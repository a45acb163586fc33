import { describe, expect, it } from "vitest";
import { connectBoth, pair, payload } from "./helpers.js";

describe("timers", () => {
  it("pollTimeout never reports a deadline already handled by handleTimeout", () => {
    const { sim, a, b } = pair({ delay: 10, loss: 0.1 }, { seed: 3 });
    expect(connectBoth(sim, a, b)).toBe(true);
    for (let i = 0; i < 50; i++) a.assoc.send(1, 53, payload(i, 3000));
    for (let step = 0; step < 2000 && sim.step(); step++) {
      for (const p of [a, b]) {
        const t = p.assoc.pollTimeout();
        if (t !== undefined && t <= sim.now) {
          p.assoc.handleTimeout(sim.now);
          const again = p.assoc.pollTimeout();
          expect(again === undefined || again > sim.now).toBe(true);
        }
      }
    }
    expect(b.messages.length).toBeGreaterThan(0);
  });

  it("an idle established association only keeps its heartbeat timer", () => {
    const { sim, a, b } = pair({ delay: 10 }, { a: { heartbeatInterval: 30_000 } });
    expect(connectBoth(sim, a, b)).toBe(true);
    a.assoc.send(1, 53, payload(1, 100));
    sim.runFor(2000);
    const t = a.assoc.pollTimeout();
    expect(t).toBeDefined();
    expect(t! - sim.now).toBeGreaterThan(25_000);
  });
});
