import { describe, expect, it } from "vitest";
import { connectBoth, pair, payload } from "./helpers.js";

describe("two associations", () => {
  it("connect (both INIT) and exchange messages", () => {
    const { sim, a, b } = pair();
    expect(connectBoth(sim, a, b)).toBe(true);
    a.assoc.send(1, 51, payload(1, 10));
    a.assoc.send(1, 53, payload(2, 5000));
    b.assoc.send(2, 53, payload(3, 70000));
    sim.runFor(1000);
    expect(b.messages.map((m) => m.data.length)).toEqual([10, 5000]);
    expect(b.messages[1].data).toEqual(payload(2, 5000));
    expect(a.messages[0].data).toEqual(payload(3, 70000));
  });
});
