import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TimedHeap } from "../src/heap.js";

describe("TimedHeap", () => {
  it("pops by time, then by sequence number, whatever the push order", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean()), { maxLength: 200 }), (ops) => {
        const h = new TimedHeap<{ at: number; seq: number }>();
        const mirror: { at: number; seq: number }[] = [];
        let seq = 0;
        const popped: { at: number; seq: number }[] = [];
        const expected: { at: number; seq: number }[] = [];
        for (const [at, pop] of ops) {
          if (pop) {
            mirror.sort((x, y) => x.at - y.at || x.seq - y.seq);
            const want = mirror.shift();
            const got = h.pop();
            if (want) expected.push(want);
            if (got) popped.push(got);
          } else {
            const item = { at, seq: ++seq };
            h.push(item);
            mirror.push(item);
          }
        }
        expect(popped).toEqual(expected);
        expect(h.size).toBe(mirror.length);
      }),
    );
  });
});
