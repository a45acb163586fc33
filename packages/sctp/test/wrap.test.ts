import { type RandomSource, SeededRandom } from "@tsrtc/base";
import { describe, expect, it } from "vitest";
import { connectBoth, pair, payload } from "./helpers.js";

/** A seeded source whose third draw (the initial TSN in connect()) is 0xfffffff0. */
function tsnNearWrap(seed: number): RandomSource {
  const inner = new SeededRandom(seed);
  let calls = 0;
  return {
    fill(buf: Uint8Array): Uint8Array {
      calls++;
      if (calls === 3 && buf.length === 4) {
        buf.set([0xff, 0xff, 0xff, 0xf0]);
        return buf;
      }
      return inner.fill(buf);
    },
  };
}

describe("sequence number wrap-around", () => {
  for (const iData of [false, true]) {
    it(`TSNs wrap past 2^32 under loss and reordering (${iData ? "I-DATA" : "DATA"})`, () => {
      const { sim, a, b } = pair({ delay: 10, jitter: 5, loss: 0.05 }, { seed: 4, a: { rng: tsnNearWrap(1), iData }, b: { rng: tsnNearWrap(2), iData } });
      expect(connectBoth(sim, a, b)).toBe(true);
      expect(a.assoc.negotiated!.localInitialTsn).toBe(0xfffffff0);
      expect(b.assoc.negotiated!.localInitialTsn).toBe(0xfffffff0);
      for (let i = 0; i < 40; i++) {
        a.assoc.send(1, 53, payload(i, 20_000));
        b.assoc.send(2, 53, payload(100 + i, 20_000), { unordered: i % 2 === 0 });
      }
      expect(sim.runUntil(() => a.messages.length === 40 && b.messages.length === 40, { maxTime: 300_000 })).toBe(true);
      b.messages.forEach((m, i) => expect(Buffer.compare(Buffer.from(m.data), Buffer.from(payload(i, 20_000)))).toBe(0));
      const back = a.messages.map((m) => m.data);
      for (let i = 0; i < 40; i++) expect(back.some((d) => Buffer.compare(Buffer.from(d), Buffer.from(payload(100 + i, 20_000))) === 0)).toBe(true);
    });
  }

  it("stream sequence numbers wrap past 65535 on a long-lived ordered stream (DATA)", () => {
    const { sim, a, b } = pair({ delay: 2, loss: 0.02 }, { seed: 6, a: { iData: false }, b: { iData: false } });
    expect(connectBoth(sim, a, b)).toBe(true);
    const N = 70_000;
    const msg = (i: number): Uint8Array => Uint8Array.of(i >>> 16, i >>> 8, i);
    for (let i = 0; i < N; i++) a.assoc.send(1, 53, msg(i));
    expect(sim.runUntil(() => b.messages.length === N, { maxTime: 600_000, maxSteps: 5_000_000 })).toBe(true);
    for (let i = 0; i < N; i++) {
      const d = b.messages[i].data;
      if (((d[0] << 16) | (d[1] << 8) | d[2]) !== i) throw new Error(`message ${i} out of order`);
    }
  });
});
