import { dropWhere } from "@tsrtc/testkit";
import { describe, expect, it } from "vitest";
import { ChunkType } from "../src/constants.js";
import { A_ADDR, B_ADDR, connectBoth, pair, payload } from "./helpers.js";

function tag(i: number, size: number): Uint8Array {
  const d = payload(1000 + i, size);
  d[0] = i >>> 8;
  d[1] = i;
  return d;
}
const idOf = (d: Uint8Array): number => (d[0] << 8) | d[1];

for (const iData of [false, true]) {
describe(iData ? "with I-DATA (RFC 8260)" : "with DATA", () => {
  describe("unordered delivery", () => {
    it("delivers every message exactly once under loss, reordering and duplication", () => {
      const { sim, a, b } = pair({ delay: 10, jitter: 6, loss: 0.1, duplicate: 0.1, reorder: 0.1 }, { seed: 3, a: { iData }, b: { iData } });
      expect(connectBoth(sim, a, b)).toBe(true);
      const N = 600;
      for (let i = 0; i < N; i++) a.assoc.send(3, 53, tag(i, 2 + ((i * 997) % 5000)), { unordered: true });
      expect(sim.runUntil(() => b.messages.length >= N, { maxTime: 600_000 })).toBe(true);
      sim.runFor(5000);
      const ids = b.messages.map((m) => idOf(m.data));
      expect(new Set(ids).size).toBe(N);
      expect(ids).toHaveLength(N);
      for (const m of b.messages) {
        expect(m.unordered).toBe(true);
        expect(Buffer.from(m.data).equals(Buffer.from(tag(idOf(m.data), m.data.length)))).toBe(true);
      }
      // with this much jitter the order does differ from the send order
      expect(ids.some((id, i) => id !== i)).toBe(true);
    });
  });

  describe("partial reliability", () => {
    for (const unordered of [false, true]) {
      it(`max-retransmits 0 (${unordered ? "unordered" : "ordered"}) under 20% loss drops messages and never stalls`, () => {
        const { sim, a, b } = pair({ delay: 10, jitter: 2, loss: 0.2 }, { seed: 11, a: { iData }, b: { iData } });
        expect(connectBoth(sim, a, b)).toBe(true);
        const N = 400;
        for (let i = 0; i < N; i++) a.assoc.send(5, 53, tag(i, 3000), { maxRetransmits: 0, unordered });
        // then a reliable message on another stream: it must get through
        a.assoc.send(7, 51, tag(9999 & 0xffff, 100));
        expect(sim.runUntil(() => b.messages.some((m) => m.stream === 7), { maxTime: 300_000 })).toBe(true);
        sim.runFor(20_000);
        const got = b.messages.filter((m) => m.stream === 5).map((m) => idOf(m.data));
        expect(got.length).toBeLessThan(N);
        expect(got.length).toBeGreaterThan(N / 4);
        expect(new Set(got).size).toBe(got.length);
        if (!unordered) for (let i = 1; i < got.length; i++) expect(got[i]).toBeGreaterThan(got[i - 1]);
        // nothing left hanging on the sender, and later reliable messages on the same stream still flow
        const before = got.length;
        a.assoc.send(5, 53, tag(5000, 10));
        expect(sim.runUntil(() => b.messages.filter((m) => m.stream === 5).length > before, { maxTime: 60_000 })).toBe(true);
        expect(a.closed).toBeUndefined();
      });
    }

    for (const unordered of [false, true]) {
      it(`reliable and max-retransmits-0 messages mixed on one ${unordered ? "unordered" : "ordered"} stream: every reliable one arrives`, () => {
        const { sim, a, b } = pair({ delay: 10, jitter: 3, loss: 0.2 }, { seed: 13, a: { iData }, b: { iData } });
        expect(connectBoth(sim, a, b)).toBe(true);
        const N = 300;
        for (let i = 0; i < N; i++) a.assoc.send(6, 53, tag(i, 2500 + (i % 3) * 1000), i % 2 === 0 ? { unordered } : { unordered, maxRetransmits: 0 });
        const reliable = (id: number): boolean => id % 2 === 0;
        expect(sim.runUntil(() => b.messages.filter((m) => reliable(idOf(m.data))).length === N / 2, { maxTime: 600_000 })).toBe(true);
        sim.runFor(5000);
        const got = b.messages.map((m) => idOf(m.data));
        expect(new Set(got).size).toBe(got.length);
        for (const m of b.messages) expect(Buffer.compare(Buffer.from(m.data), Buffer.from(tag(idOf(m.data), m.data.length)))).toBe(0);
        if (!unordered) for (let i = 1; i < got.length; i++) expect(got[i]).toBeGreaterThan(got[i - 1]);
        expect(got.filter((id) => !reliable(id)).length).toBeLessThan(N / 2);
      });
    }

    it("max-packet-lifetime drops what cannot arrive in time and keeps the rest ordered", () => {
      const { sim, a, b } = pair({ delay: 50, loss: 0.2 }, { seed: 12, a: { iData }, b: { iData } });
      expect(connectBoth(sim, a, b)).toBe(true);
      const N = 200;
      for (let i = 0; i < N; i++) a.assoc.send(9, 53, tag(i, 1000), { maxLifetime: 150 });
      a.assoc.send(11, 53, tag(7777, 10));
      expect(sim.runUntil(() => b.messages.some((m) => m.stream === 11), { maxTime: 300_000 })).toBe(true);
      sim.runFor(10_000);
      const got = b.messages.filter((m) => m.stream === 9).map((m) => idOf(m.data));
      expect(got.length).toBeLessThan(N);
      for (let i = 1; i < got.length; i++) expect(got[i]).toBeGreaterThan(got[i - 1]);
    });
  });

  describe("outage", () => {
    it("survives a 30-second outage in the middle of a transfer and recovers", () => {
      const { sim, a, b } = pair({ delay: 20 }, { seed: 21, a: { iData }, b: { iData } });
      expect(connectBoth(sim, a, b)).toBe(true);
      const N = 64;
      for (let i = 0; i < N; i++) a.assoc.send(1, 53, tag(i, 64 * 1024));
      sim.runUntil(() => b.messages.length >= 8, { maxTime: 60_000 });
      expect(b.messages.length).toBeLessThan(N);
      sim.network.cut(A_ADDR, B_ADDR);
      sim.runFor(30_000);
      const during = b.messages.length;
      sim.network.restore(A_ADDR, B_ADDR);
      expect(sim.runUntil(() => b.messages.length >= N, { maxTime: 120_000 })).toBe(true);
      expect(during).toBeLessThan(N);
      expect(b.messages.map((m) => idOf(m.data))).toEqual(Array.from({ length: N }, (_, i) => i));
      expect(a.closed).toBeUndefined();
      expect(b.closed).toBeUndefined();
      // and traffic the other way still works
      b.assoc.send(2, 51, tag(1, 20));
      expect(sim.runUntil(() => a.messages.length === 1, { maxTime: 10_000 })).toBe(true);
    });

    it("gives up with a closed event when the peer never comes back", () => {
      const { sim, a, b } = pair({ delay: 20 }, { seed: 22, a: { iData }, b: { iData } });
      expect(connectBoth(sim, a, b)).toBe(true);
      a.assoc.send(1, 53, tag(1, 1000));
      sim.network.cut(A_ADDR, B_ADDR);
      expect(sim.runUntil(() => a.closed !== undefined, { maxTime: 600_000 })).toBe(true);
      expect(a.closed).toMatchObject({ type: "closed", byPeer: false });
    });
  });

  describe("stream reset", () => {
    for (const side of ["a", "b"] as const) {
      it(`resets a stream from ${side === "a" ? "the first" : "the second"} side after its queued data`, () => {
        const { sim, a, b } = pair({ delay: 10, loss: 0.05 }, { seed: 31, a: { iData }, b: { iData } });
        expect(connectBoth(sim, a, b)).toBe(true);
        const [x, y] = side === "a" ? [a, b] : [b, a];
        for (let i = 0; i < 20; i++) x.assoc.send(4, 53, tag(i, 10_000));
        expect(x.assoc.resetStreams([4])).toBe(true);
        expect(() => x.assoc.send(4, 53, tag(99, 1))).toThrow(/reset/);
        expect(sim.runUntil(() => x.events.some((e) => e.type === "stream-reset-outgoing"), { maxTime: 60_000 })).toBe(true);
        expect(y.events).toContainEqual({ type: "stream-reset-incoming", streams: [4] });
        expect(x.events).toContainEqual({ type: "stream-reset-outgoing", streams: [4], ok: true });
        // every message sent before the reset arrived first
        expect(y.messages.map((m) => idOf(m.data))).toEqual(Array.from({ length: 20 }, (_, i) => i));
        // the stream can be used again, starting from SSN 0 on both sides
        x.assoc.send(4, 51, tag(42, 5));
        expect(sim.runUntil(() => y.messages.length === 21, { maxTime: 10_000 })).toBe(true);
      });
    }
  });

  it("a reset request that overtakes its data is answered in-progress and retried until performed", () => {
      const { sim, a, b } = pair({ delay: 10 }, { seed: 33, a: { iData }, b: { iData } });
      expect(connectBoth(sim, a, b)).toBe(true);
      const isData = (d: Uint8Array): boolean => d[12] === ChunkType.DATA || d[12] === ChunkType.I_DATA;
      sim.network.addFilter(dropWhere((d, info) => isData(d) && info.from.host === "10.0.0.1", 1));
      a.assoc.send(4, 53, tag(1, 500));
      a.assoc.resetStreams([4]);
      expect(sim.runUntil(() => a.events.some((e) => e.type === "stream-reset-outgoing"), { maxTime: 30_000 })).toBe(true);
      const resets = (b.assoc as unknown as { resets: { stats: { answeredInProgress: number } } }).resets.stats;
      expect(resets.answeredInProgress).toBeGreaterThan(0);
      expect(b.messages).toHaveLength(1);
      const order = b.events.map((e) => e.type);
      expect(order).toContain("stream-reset-incoming");
    });

  describe("shutdown and abort", () => {
    it("SHUTDOWN closes both sides after the data is delivered", () => {
      const { sim, a, b } = pair({ delay: 5 }, { seed: 41, a: { iData }, b: { iData } });
      expect(connectBoth(sim, a, b)).toBe(true);
      a.assoc.send(1, 53, tag(1, 100_000));
      a.assoc.shutdown(sim.now);
      expect(() => a.assoc.send(1, 53, tag(2, 10))).toThrow(/shutting down/);
      expect(sim.runUntil(() => a.closed !== undefined && b.closed !== undefined, { maxTime: 30_000 })).toBe(true);
      expect(b.messages).toHaveLength(1);
    });

    it("ABORT closes the peer at once", () => {
      const { sim, a, b } = pair({ delay: 5 }, { seed: 42, a: { iData }, b: { iData } });
      expect(connectBoth(sim, a, b)).toBe(true);
      a.assoc.abort("bye", sim.now);
      expect(sim.runUntil(() => b.closed !== undefined, { maxTime: 1000 })).toBe(true);
      expect(b.closed).toMatchObject({ byPeer: true });
      expect(String((b.closed as { reason: string }).reason)).toContain("bye");
    });
  });
});
}
