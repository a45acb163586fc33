import { type Address, address } from "@tsrtc/base";
import { describe, expect, it } from "vitest";
import {
  type Filter,
  Network,
  allOf,
  anyOf,
  dropMatching,
  dropNth,
  dropWhere,
  isStun,
  not,
  sentFrom,
  sentTo,
} from "../src/index.js";

const A = address("10.0.0.1", 5000);
const B = address("10.0.0.2", 5000);
const B2 = address("10.0.0.2", 5001);

/** A 20-byte STUN Binding request whose transaction id starts with `n`. */
function stun(n: number): Uint8Array {
  const b = new Uint8Array(20);
  b[1] = 1;
  b.set([0x21, 0x12, 0xa4, 0x42, n], 4);
  return b;
}

/** A non-STUN datagram tagged `n`. */
const other = (n: number): Uint8Array => Uint8Array.of(0x80, n);
const tag = (d: Uint8Array): number => (d.length === 20 ? d[8] : d[1]);

/** Send `items` in order, return the tags delivered ("s3" = STUN #3, "o2" = other #2). */
function run(filters: Filter[], items: [Address, Address, Uint8Array][]): string[] {
  const n = new Network({ seed: 1 });
  for (const a of [A, B, B2]) n.bind(a);
  for (const f of filters) n.addFilter(f);
  items.forEach(([from, to, d], i) => n.send(from, to, d, i));
  const out: string[] = [];
  for (let a = n.popArrival(Infinity); a; a = n.popArrival(Infinity)) out.push(`${isStun(a.data) ? "s" : "o"}${tag(a.data)}`);
  expect(n.stats.filtered).toBe(items.length - out.length);
  return out;
}

const mixed: [Address, Address, Uint8Array][] = [
  [A, B, stun(1)],
  [A, B, other(1)],
  [B, A, stun(2)],
  [A, B, other(2)],
  [A, B2, stun(3)],
  [A, B, stun(4)],
];

describe("filters", () => {
  it("dropNth drops exactly the n-th datagram", () => {
    const f = dropNth(3);
    expect(run([f], mixed)).toEqual(["s1", "o1", "o2", "s3", "s4"]);
    expect(f.dropped).toBe(1);
  });

  it("dropNth with a predicate drops the n-th match only", () => {
    expect(run([dropNth(2, isStun)], mixed)).toEqual(["s1", "o1", "o2", "s3", "s4"]);
    expect(run([dropNth(3, isStun)], mixed)).toEqual(["s1", "o1", "s2", "o2", "s4"]);
    expect(run([dropNth(9, isStun)], mixed)).toEqual(["s1", "o1", "s2", "o2", "s3", "s4"]);
  });

  it("dropWhere drops the first `times` matches", () => {
    expect(run([dropWhere(isStun)], mixed)).toEqual(["o1", "s2", "o2", "s3", "s4"]);
    expect(run([dropWhere(isStun, 3)], mixed)).toEqual(["o1", "o2", "s4"]);
    expect(run([dropWhere(not(isStun), Infinity)], mixed)).toEqual(["s1", "s2", "s3", "s4"]);
    expect(run([dropWhere(isStun, 0)], mixed)).toHaveLength(6);
  });

  it("dropMatching drops chosen match indices", () => {
    expect(run([dropMatching(isStun, [1, 4])], mixed)).toEqual(["o1", "s2", "o2", "s3"]);
  });

  it("address predicates select a direction, a host or an exact port", () => {
    expect(run([dropWhere(sentFrom(B), Infinity)], mixed)).toEqual(["s1", "o1", "o2", "s3", "s4"]);
    expect(run([dropWhere(sentTo(B2), Infinity)], mixed)).toEqual(["s1", "o1", "s2", "o2", "s4"]);
    expect(run([dropWhere(sentTo(B.host), Infinity)], mixed)).toEqual(["s2"]);
    expect(run([dropWhere(allOf(isStun, sentTo(B)), Infinity)], mixed)).toEqual(["o1", "s2", "o2", "s3"]);
    expect(run([dropWhere(anyOf(sentFrom(B), sentTo(B2)), Infinity)], mixed)).toEqual(["s1", "o1", "o2", "s4"]);
  });

  it("shows every datagram to every filter, even one an earlier filter dropped", () => {
    const first = dropNth(1);
    const second = dropNth(2, isStun);
    expect(run([first, second], mixed)).toEqual(["o1", "o2", "s3", "s4"]);
    expect(first.dropped).toBe(1);
    expect(second.dropped).toBe(1);
    const both = [dropNth(1), dropNth(1)];
    expect(run(both, mixed)).toHaveLength(5);
  });

  it("can be removed", () => {
    const n = new Network({ seed: 1 });
    n.bind(B);
    const f = n.addFilter(dropWhere(() => true, Infinity));
    n.send(A, B, other(1), 0);
    n.removeFilter(f);
    n.send(A, B, other(2), 0);
    expect(n.popArrival(Infinity)?.data[1]).toBe(2);
    expect(f.dropped).toBe(1);
  });

  it("reject nonsense arguments", () => {
    expect(() => dropNth(0)).toThrow(RangeError);
    expect(() => dropNth(1.5)).toThrow(RangeError);
    expect(() => dropWhere(isStun, -1)).toThrow(RangeError);
  });
});
