import { describe, expect, it } from "vitest";
import { Backoff, SeededRandom, TimerTable, cryptoRandom, randomIceString, randomInt } from "@tsrtc/base";

describe("TimerTable", () => {
  it("reports the earliest deadline and expires due timers in order", () => {
    const t = new TimerTable<"a" | "b" | "c">();
    expect(t.next()).toBeUndefined();
    t.set("a", 300);
    t.set("b", 100);
    t.set("c", 200);
    expect(t.next()).toBe(100);
    expect(t.expire(250)).toEqual(["b", "c"]);
    expect(t.next()).toBe(300);
    t.setIfIdle("a", 50);
    expect(t.get("a")).toBe(300);
    t.clear("a");
    expect(t.next()).toBeUndefined();
  });
});

describe("Backoff", () => {
  it("doubles from the initial value up to the cap", () => {
    const b = new Backoff(1000, 60_000);
    const seen = Array.from({ length: 9 }, () => b.next());
    expect(seen).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
    b.reset();
    expect(b.peek()).toBe(1000);
  });
});

describe("random sources", () => {
  it("a seed gives the same stream, another seed another", () => {
    const a = new SeededRandom(42).fill(new Uint8Array(64));
    const b = new SeededRandom(42).fill(new Uint8Array(64));
    const c = new SeededRandom(43).fill(new Uint8Array(64));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
  it("seeded floats are uniform enough", () => {
    const r = new SeededRandom(7);
    let below = 0;
    for (let i = 0; i < 100_000; i++) if (r.nextFloat() < 0.3) below++;
    expect(below / 100_000).toBeGreaterThan(0.29);
    expect(below / 100_000).toBeLessThan(0.31);
  });
  it("crypto source fills large buffers", () => {
    const buf = cryptoRandom.fill(new Uint8Array(70_000));
    expect(buf.subarray(65_536).some((x) => x !== 0)).toBe(true);
  });
  it("randomInt stays in range and ice strings use ice-chars", () => {
    const r = new SeededRandom(1);
    for (let i = 0; i < 1000; i++) {
      const v = randomInt(r, 7);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(7);
    }
    expect(randomIceString(r, 24)).toMatch(/^[A-Za-z0-9+/]{24}$/);
  });
});
