import { describe, expect, it } from "vitest";
import { connectBoth, pair, payload } from "./helpers.js";

describe("congestion control over a bottleneck (RFC 9260 §7.2)", () => {
  for (const iData of [false, true]) {
    it(`fills most of an 8 Mbit/s drop-tail link and keeps its own losses low (${iData ? "I-DATA" : "DATA"})`, () => {
      const { sim, a, b } = pair({ delay: 20, bandwidth: 8_000_000, queueBytes: 64_000 }, { seed: 2, a: { iData }, b: { iData } });
      expect(connectBoth(sim, a, b)).toBe(true);
      const bytes = 8 << 20;
      for (let i = 0; i < 128; i++) a.assoc.send(1, 53, payload(i, 64 * 1024));
      const t0 = sim.now;
      expect(sim.runUntil(() => b.messages.length === 128, { maxTime: 120_000 })).toBe(true);
      const seconds = (sim.now - t0) / 1000;
      const utilisation = (bytes * 8) / seconds / 8_000_000;
      // virtual time, deterministic: the transfer uses more than 80% of the bottleneck
      expect(utilisation).toBeGreaterThan(0.8);
      expect(utilisation).toBeLessThanOrEqual(1);
      // drop-tail losses happen (cwnd probes past the queue) but stay a small share
      const stats = sim.network.stats;
      expect(stats.queueFull).toBeGreaterThan(0);
      expect(stats.queueFull / stats.sent).toBeLessThan(0.05);
    });
  }
});
