import { describe, expect, it } from "vitest";
import { connectBoth, pair, payload } from "./helpers.js";

const MSG = 64 * 1024;
const COUNT = 256; // 16 MiB

describe("reliable ordered transfer of 16 MiB in 64 KiB messages", () => {
  for (const [loss, iData] of [[0, false], [0.05, false], [0.2, false], [0, true], [0.05, true], [0.2, true]] as const) {
    it(`is byte-exact and in order with ${loss * 100}% loss, reordering and duplication (${iData ? "I-DATA" : "DATA"})`, () => {
      const { sim, a, b } = pair({ delay: 15, jitter: 4, loss, duplicate: 0.02, reorder: 0.03 }, { seed: 7 + loss * 100, a: { iData }, b: { iData } });
      expect(connectBoth(sim, a, b, 120_000)).toBe(true);
      for (let i = 0; i < COUNT; i++) a.assoc.send(1, 53, payload(i, MSG));
      const done = sim.runUntil(() => b.messages.length >= COUNT, { maxTime: 3_600_000, maxSteps: 5_000_000 });
      expect(done).toBe(true);
      expect(b.messages).toHaveLength(COUNT);
      for (let i = 0; i < COUNT; i++) {
        const m = b.messages[i];
        expect(m.stream).toBe(1);
        expect(m.data.length).toBe(MSG);
        expect(Buffer.from(m.data).equals(Buffer.from(payload(i, MSG)))).toBe(true);
      }
      expect(a.closed).toBeUndefined();
      expect(b.closed).toBeUndefined();
      expect(a.assoc.negotiated?.iData).toBe(iData);
      expect(a.assoc.stats.internalErrors + b.assoc.stats.internalErrors).toBe(0);
    });
  }
});
