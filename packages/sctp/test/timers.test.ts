import { describe, expect, it } from "vitest";
import { ChunkType } from "../src/constants.js";
import { RtoEstimator } from "../src/rto.js";
import { A_ADDR, B_ADDR, connectBoth, pair, payload } from "./helpers.js";

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

describe("retransmission back-off (RFC 9260 §6.3.3 E2)", () => {
  it("doubles up to the back-off cap, never below the measured RTO; a measurement collapses it", () => {
    const r = new RtoEstimator(1000, 400, 60_000, 3000);
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      r.backoff();
      seen.push(r.rto);
    }
    expect(seen).toEqual([2000, 3000, 3000, 3000, 3000, 3000]);
    r.measure(100);
    expect(r.rto).toBe(400);
    // a path whose measured RTO is above the cap keeps it (no back-off, no early timer)
    r.measure(8000);
    const measured = r.rto;
    expect(measured).toBeGreaterThan(3000);
    r.backoff();
    expect(r.rto).toBe(measured);
  });

  it("after an outage the first retransmission comes within the back-off cap of the link's return", () => {
    const { sim, a, b } = pair({ delay: 20 }, { seed: 5 });
    expect(connectBoth(sim, a, b)).toBe(true);
    for (let i = 0; i < 40; i++) a.assoc.send(1, 53, payload(i, 4000));
    sim.runUntil(() => b.messages.length >= 5, { maxTime: 10_000 });
    sim.network.cut(A_ADDR, B_ADDR);
    sim.runFor(24_000);
    const before = b.messages.length;
    expect(before).toBeLessThan(40);
    sim.network.restore(A_ADDR, B_ADDR);
    const t0 = sim.now;
    expect(sim.runUntil(() => b.messages.length > before, { maxTime: 60_000 })).toBe(true);
    // virtual time: with back-off up to 10 s (the old RTO.Max) this took 8.4 s here
    expect(sim.now - t0).toBeLessThanOrEqual(3000 + 2 * 20 + 10);
    expect(sim.runUntil(() => b.messages.length === 40, { maxTime: 60_000 })).toBe(true);
    expect(a.closed).toBeUndefined();
  });
});

describe("association setup (RFC 9260 §5.1, T1-init)", () => {
  it("retries INIT with back-off capped at 3 s and gives up after about a minute", () => {
    const { sim, a } = pair({ delay: 10 }, { seed: 9 });
    const inits: number[] = [];
    sim.network.trace = (e) => {
      if (e.type === "send" && e.data[12] === ChunkType.INIT) inits.push(sim.now);
    };
    sim.network.cut(A_ADDR, B_ADDR);
    a.assoc.connect(sim.now);
    expect(sim.runUntil(() => a.closed !== undefined, { maxTime: 300_000 })).toBe(true);
    const gaps = inits.slice(1).map((t, i) => t - inits[i]);
    expect(Math.max(...gaps)).toBe(3000);
    expect(sim.now).toBeGreaterThan(55_000);
    expect(sim.now).toBeLessThan(70_000);
    expect(String((a.closed as { reason: string }).reason)).toMatch(/setup timed out/);
  });
});
