import { type Address, address } from "@tsrtc/base";
import { describe, expect, it } from "vitest";
import { type Arrival, type LinkConditions, Network, type TraceEvent } from "../src/index.js";

const A = address("10.0.0.1", 5000);
const B = address("10.0.0.2", 6000);
const C = address("10.0.0.3", 7000);

function net(seed: number, conditions: Partial<LinkConditions> = {}, bind: Address[] = [A, B, C]): Network {
  const n = new Network({ seed, conditions });
  for (const a of bind) n.bind(a);
  return n;
}

function drain(n: Network, until = Infinity): Arrival[] {
  const out: Arrival[] = [];
  for (let a = n.popArrival(until); a; a = n.popArrival(until)) out.push(a);
  return out;
}

/** n datagrams A→B, one per `spacing` ms; byte 0..3 = index. */
function sendMany(n: Network, count: number, spacing = 1, size = 100): void {
  for (let i = 0; i < count; i++) {
    const d = new Uint8Array(size);
    new DataView(d.buffer).setUint32(0, i);
    n.send(A, B, d, i * spacing);
  }
}

const indexOf = (a: Arrival): number => new DataView(a.data.buffer, a.data.byteOffset).getUint32(0);

describe("Network", () => {
  it("loses close to the configured rate for a seed", () => {
    for (const seed of [1, 2, 3]) {
      const n = net(seed, { loss: 0.2 });
      sendMany(n, 10_000);
      const got = drain(n).length;
      expect(n.stats.sent).toBe(10_000);
      expect(n.stats.lost + n.stats.delivered).toBe(10_000);
      expect(got).toBe(n.stats.delivered);
      expect(n.stats.lost / 10_000).toBeGreaterThan(0.18);
      expect(n.stats.lost / 10_000).toBeLessThan(0.22);
    }
  });

  it("gives the same outcome for the same seed and a different one for another seed", () => {
    const run = (seed: number): string => {
      const n = net(seed, { loss: 0.1, jitter: 30, duplicate: 0.05, reorder: 0.05, delay: 10 });
      const log: string[] = [];
      n.trace = (e) => log.push(`${e.type}:${e.reason ?? ""}:${e.seq}:${e.now}`);
      sendMany(n, 2000, 2);
      drain(n);
      return log.join(",");
    };
    expect(run(42)).toBe(run(42));
    expect(run(42)).not.toBe(run(43));
  });

  it("delivers after exactly the link delay without jitter, in order", () => {
    const n = net(1, { delay: 37 });
    sendMany(n, 50, 5);
    expect(drain(n, 36)).toEqual([]);
    const got = drain(n);
    expect(got.map(indexOf)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    got.forEach((a, i) => expect(a.at).toBe(i * 5 + 37));
    expect(n.stats.reordered).toBe(0);
  });

  it("keeps jittered delays within [delay, delay + jitter) and reorders when jitter exceeds spacing", () => {
    const n = net(5, { delay: 20, jitter: 50 });
    sendMany(n, 1000, 1);
    const got = drain(n);
    expect(got.length).toBe(1000);
    for (const a of got) {
      const sent = indexOf(a);
      expect(a.at - sent).toBeGreaterThanOrEqual(20);
      expect(a.at - sent).toBeLessThan(70);
    }
    const outOfOrder = got.filter((a, i) => i > 0 && indexOf(a) < indexOf(got[i - 1])).length;
    expect(outOfOrder).toBeGreaterThan(100);
    expect(n.stats.reordered).toBeGreaterThan(100);
  });

  it("does not reorder when jitter is smaller than the spacing", () => {
    const n = net(5, { delay: 20, jitter: 4 });
    sendMany(n, 1000, 5);
    const got = drain(n).map(indexOf);
    expect(got).toEqual([...got].sort((x, y) => x - y));
    expect(n.stats.reordered).toBe(0);
  });

  it("holds back about `reorder` of the datagrams so later ones overtake them", () => {
    const n = net(9, { delay: 10, reorder: 0.1 });
    sendMany(n, 5000, 1);
    const got = drain(n);
    expect(got.length).toBe(5000);
    const late = got.filter((a) => a.at - indexOf(a) === 20).length; // delay + reorderDelay (= delay)
    expect(late / 5000).toBeGreaterThan(0.08);
    expect(late / 5000).toBeLessThan(0.12);
    expect(n.stats.reordered).toBeGreaterThan(0);
  });

  it("drops datagrams larger than the MTU and counts them", () => {
    const n = net(1, { mtu: 1200 });
    n.send(A, B, new Uint8Array(1200), 0);
    n.send(A, B, new Uint8Array(1201), 0);
    n.send(A, B, new Uint8Array(9000), 0);
    const got = drain(n);
    expect(got.map((a) => a.data.length)).toEqual([1200]);
    expect(n.stats.tooBig).toBe(2);
  });

  it("duplicates about `duplicate` of the datagrams, each copy delivered", () => {
    const n = net(3, { duplicate: 0.25, delay: 5, jitter: 5 });
    sendMany(n, 4000);
    const got = drain(n);
    expect(n.stats.duplicated / 4000).toBeGreaterThan(0.23);
    expect(n.stats.duplicated / 4000).toBeLessThan(0.27);
    expect(got.length).toBe(4000 + n.stats.duplicated);
    expect(n.stats.delivered).toBe(got.length);
    const counts = new Map<number, number>();
    for (const a of got) counts.set(indexOf(a), (counts.get(indexOf(a)) ?? 0) + 1);
    expect([...counts.values()].filter((c) => c === 2).length).toBe(n.stats.duplicated);
    // copies are independent byte arrays
    const twice = [...counts].find(([, c]) => c === 2)![0];
    const [x, y] = got.filter((a) => indexOf(a) === twice);
    expect(x.data).not.toBe(y.data);
    expect(x.data).toEqual(y.data);
  });

  it("cuts and restores a link, dropping what arrives during the outage", () => {
    const n = net(1, { delay: 10 });
    n.send(A, B, Uint8Array.of(1), 0); // arrives at 10
    n.send(A, B, Uint8Array.of(2), 5); // arrives at 15
    expect(drain(n, 10).map((a) => a.data[0])).toEqual([1]);
    n.cut(A, B);
    n.send(B, A, Uint8Array.of(3), 12);
    n.send(A, C, Uint8Array.of(4), 12); // another link is unaffected
    expect(drain(n, 30).map((a) => a.data[0])).toEqual([4]);
    expect(n.stats.cut).toBe(2);
    expect(n.isCut(B, A)).toBe(true);
    n.restore(B, A);
    n.send(A, B, Uint8Array.of(5), 40);
    expect(drain(n).map((a) => a.data[0])).toEqual([5]);
  });

  it("isolates a host entirely with a one-argument cut", () => {
    const n = net(1);
    n.cut(B);
    n.send(A, B, Uint8Array.of(1), 0);
    n.send(B, C, Uint8Array.of(2), 0);
    n.send(A, C, Uint8Array.of(3), 0);
    expect(drain(n).map((a) => a.data[0])).toEqual([3]);
    n.restore(B);
    n.send(A, B, Uint8Array.of(4), 1);
    expect(drain(n).map((a) => a.data[0])).toEqual([4]);
  });

  it("applies per-link conditions over the defaults, symmetric unless oneWay", () => {
    const n = net(1, { delay: 5 });
    n.setLink(A, B, { delay: 100 });
    n.setLink(A.host, C.host, { delay: 50 }, { oneWay: true });
    expect(n.conditionsFor(A, B).delay).toBe(100);
    expect(n.conditionsFor(B, A).delay).toBe(100);
    expect(n.conditionsFor(A, C).delay).toBe(50);
    expect(n.conditionsFor(C, A).delay).toBe(5);
    expect(n.conditionsFor(B, C).delay).toBe(5);
    n.setLink(C, "*", { loss: 1 });
    expect(n.conditionsFor(B, C).loss).toBe(1);
    expect(n.conditionsFor(C, B).loss).toBe(1);
    n.setDefaults({ delay: 7 });
    expect(n.conditionsFor(B, C).delay).toBe(7);
    n.clearLink(A, B);
    expect(n.conditionsFor(A, B).delay).toBe(7);
    n.send(A, B, Uint8Array.of(1), 0);
    expect(drain(n)[0].at).toBe(7);
    expect(() => n.setLink(A, B, { loss: 1.5 })).toThrow(RangeError);
  });

  it("serialises datagrams at the link bandwidth and drops on queue overflow", () => {
    const n = net(1, { bandwidth: 8000, queueBytes: 3000 }); // 1 byte per ms
    for (let i = 0; i < 5; i++) n.send(A, B, new Uint8Array(1000), 0);
    const got = drain(n);
    expect(got.map((a) => a.at)).toEqual([1000, 2000, 3000]);
    expect(n.stats.queueFull).toBe(2);
  });

  it("counts datagrams to an address nobody owns as unroutable", () => {
    const n = net(1);
    n.send(A, address("10.9.9.9", 1), Uint8Array.of(1), 0);
    n.send(A, address(B.host, B.port + 1), Uint8Array.of(1), 0);
    expect(drain(n)).toEqual([]);
    expect(n.stats.unroutable).toBe(2);
  });

  it("copies the bytes at send time", () => {
    const n = net(1);
    const buf = Uint8Array.of(1, 2, 3);
    n.send(A, B, buf, 0);
    buf[0] = 99;
    expect([...drain(n)[0].data]).toEqual([1, 2, 3]);
  });

  it("traces sends, deliveries and drops", () => {
    const n = net(1, { mtu: 10 });
    const ev: TraceEvent[] = [];
    n.trace = (e) => ev.push(e);
    n.send(A, B, new Uint8Array(5), 0);
    n.send(A, B, new Uint8Array(50), 0);
    drain(n);
    expect(ev.map((e) => `${e.type}${e.reason ? `:${e.reason}` : ""}#${e.seq}`)).toEqual([
      "send#1",
      "send#2",
      "drop:tooBig#2",
      "deliver#1",
    ]);
  });

  it("rejects bad conditions", () => {
    expect(() => new Network({ seed: 1, conditions: { loss: -0.1 } })).toThrow(RangeError);
    expect(() => new Network({ seed: 1, conditions: { delay: Number.NaN } })).toThrow(RangeError);
    expect(() => new Network({ seed: 1, conditions: { bandwidth: 0 } })).toThrow(RangeError);
  });
});
