import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ReplayWindow } from "@tsrtc/base";

describe("ReplayWindow", () => {
  it("accepts new, rejects duplicates and too-old", () => {
    const w = new ReplayWindow(64);
    expect(w.accept(0)).toBe(true);
    expect(w.accept(0)).toBe(false);
    expect(w.accept(5)).toBe(true);
    expect(w.accept(3)).toBe(true);
    expect(w.accept(3)).toBe(false);
    expect(w.accept(100)).toBe(true);
    expect(w.check(36)).toBe(false); // 100 - 36 = 64: outside a 64-wide window
    expect(w.check(37)).toBe(true);
    expect(w.accept(37)).toBe(true);
    expect(w.accept(37)).toBe(false);
    expect(w.highest).toBe(100);
  });

  it("check does not move the window (authenticate first)", () => {
    const w = new ReplayWindow(16);
    w.accept(10);
    expect(w.check(1000)).toBe(true);
    expect(w.check(9)).toBe(true);
    expect(w.highest).toBe(10);
  });

  it("forgets bits when jumping forward past the window", () => {
    const w = new ReplayWindow(32);
    for (let i = 0; i < 32; i++) w.accept(i);
    w.accept(1000);
    expect(w.check(999)).toBe(true);
    expect(w.check(1000 - 31)).toBe(true);
    expect(w.check(1000 - 32)).toBe(false);
  });

  it("agrees with a set-based model for random sequences and sizes", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.integer({ min: 0, max: 600 }), { maxLength: 300 }),
        (size, seqs) => {
          const w = new ReplayWindow(size);
          const seen = new Set<number>();
          let top = -1;
          for (const s of seqs) {
            const expected = !seen.has(s) && (s > top || top - s < size);
            if (w.accept(s) !== expected) return false;
            if (expected) {
              seen.add(s);
              top = Math.max(top, s);
            }
          }
          return true;
        },
      ),
    );
  });

  it("refuses silly sizes", () => {
    expect(() => new ReplayWindow(0)).toThrow(RangeError);
  });
});
