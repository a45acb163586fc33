import { describe, expect, it } from "vitest";
import { connectBoth, pair, payload } from "./helpers.js";

describe("stream scheduling", () => {
  it("with I-DATA a large message on one stream does not hold back small ones on another", () => {
    const { sim, a, b } = pair({ delay: 5, bandwidth: 8_000_000 }, { a: { iData: true, maxMessageSize: 4 << 20 }, b: { iData: true } });
    expect(connectBoth(sim, a, b)).toBe(true);
    a.assoc.send(1, 53, payload(1, 2 << 20));
    for (let i = 0; i < 5; i++) a.assoc.send(2, 51, payload(10 + i, 100));
    expect(sim.runUntil(() => b.messages.length === 6, { maxTime: 60_000 })).toBe(true);
    expect(b.messages.map((m) => m.stream)).toEqual([2, 2, 2, 2, 2, 1]);
    expect(Buffer.compare(Buffer.from(b.messages[5].data), Buffer.from(payload(1, 2 << 20)))).toBe(0);
  });

  it("with DATA streams take turns by whole messages (weighted round robin, 2 turns at normal priority), each stream in order", () => {
    const { sim, a, b } = pair({ delay: 5 }, { a: { iData: false }, b: { iData: false } });
    expect(connectBoth(sim, a, b)).toBe(true);
    for (let i = 0; i < 4; i++) a.assoc.send(1, 53, payload(i, 50_000));
    for (let i = 0; i < 4; i++) a.assoc.send(2, 53, payload(100 + i, 50_000));
    expect(sim.runUntil(() => b.messages.length === 8, { maxTime: 60_000 })).toBe(true);
    expect(b.messages.map((m) => m.stream)).toEqual([1, 1, 2, 2, 1, 1, 2, 2]);
    const s1 = b.messages.filter((m) => m.stream === 1).map((m) => m.data);
    s1.forEach((d, i) => expect(Buffer.compare(Buffer.from(d), Buffer.from(payload(i, 50_000)))).toBe(0));
  });

  it("priority (RFC 8831 §6.4) weights the share of each stream", () => {
    const { sim, a, b } = pair({ delay: 5 }, { a: { iData: false }, b: { iData: false } });
    expect(connectBoth(sim, a, b)).toBe(true);
    a.assoc.setStreamPriority(1, 1024);
    a.assoc.setStreamPriority(2, 128);
    for (let i = 0; i < 40; i++) {
      a.assoc.send(1, 53, payload(i, 2000));
      a.assoc.send(2, 53, payload(100 + i, 2000));
    }
    expect(sim.runUntil(() => b.messages.length === 80, { maxTime: 60_000 })).toBe(true);
    const first = b.messages.slice(0, 36).map((m) => m.stream);
    expect(first.filter((s) => s === 1)).toHaveLength(32);
    expect(first.filter((s) => s === 2)).toHaveLength(4);
  });
});
