import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TsnTracker, TsnVerdict } from "../src/tsn-tracker.js";

/** A plain model: a set of received TSN offsets from the initial TSN. */
class Model {
  got = new Set<number>();
  cum = -1;
  mark(off: number): void {
    this.got.add(off);
    while (this.got.has(this.cum + 1)) this.cum++;
  }
  forward(off: number): void {
    if (off <= this.cum) return;
    for (let i = this.cum + 1; i <= off; i++) this.got.add(i);
    this.cum = off;
    while (this.got.has(this.cum + 1)) this.cum++;
  }
  gaps(): number[] {
    const above = [...this.got].filter((x) => x > this.cum).sort((a, b) => a - b);
    const out: number[] = [];
    for (const x of above) {
      const d = x - this.cum;
      if (out.length > 0 && out[out.length - 1] === d - 1) out[out.length - 1] = d;
      else out.push(d, d);
    }
    return out;
  }
}

describe("TsnTracker against a model", () => {
  for (const initial of [1000, 0xffffff00]) {
    it(`cum, gap blocks and verdicts match (initial TSN ${initial.toString(16)})`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.oneof(fc.record({ op: fc.constant("mark" as const), off: fc.nat(400) }), fc.record({ op: fc.constant("fwd" as const), off: fc.nat(400) })), { maxLength: 300 }),
          (ops) => {
            const t = new TsnTracker(initial, 10_000);
            const m = new Model();
            for (const o of ops) {
              const tsn = (initial + o.off) >>> 0;
              if (o.op === "mark") {
                const v = t.check(tsn);
                const expected = m.got.has(o.off) || o.off <= m.cum ? TsnVerdict.DUPLICATE : TsnVerdict.NEW;
                expect(v).toBe(expected);
                if (v === TsnVerdict.NEW) {
                  expect(t.mark(tsn)).toBe(true);
                  m.mark(o.off);
                }
              } else {
                t.forwardTo(tsn);
                m.forward(o.off);
              }
              expect(t.cum).toBe((initial + m.cum) >>> 0);
            }
            expect(t.gapBlocks(1000)).toEqual(m.gaps());
          },
        ),
        { numRuns: 500 },
      );
    });
  }

  it("refuses TSNs beyond 65535 ahead and beyond its range budget", () => {
    const t = new TsnTracker(1, 2);
    // cum is 0: gap offsets reach 65535 at most
    expect(t.check(65536)).toBe(TsnVerdict.REFUSED);
    expect(t.check(65535)).toBe(TsnVerdict.NEW);
    t.mark(3);
    t.mark(5);
    expect(t.check(7)).toBe(TsnVerdict.REFUSED); // a third range
    expect(t.check(4)).toBe(TsnVerdict.NEW); // joins the two ranges
    expect(t.check(1)).toBe(TsnVerdict.NEW); // advances cum
  });
});
