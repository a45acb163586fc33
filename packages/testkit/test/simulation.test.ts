import { type Address, type Millis, type Transmit, address } from "@tsrtc/base";
import { describe, expect, it } from "vitest";
import { type SimNode, Simulation, VirtualClock, pointToPoint, simNode, traceRecorder } from "../src/index.js";
import { Box, PingPong } from "./toys.js";

const A = address("10.0.0.1", 5000);
const B = address("10.0.0.2", 5000);

function pair(seed: number, conditions = {}, a = new PingPong({ interval: 100, stopAt: 30_000 }), b = new PingPong()) {
  const sim = new Simulation({ seed, conditions });
  sim.addNode(pointToPoint(a, A, B, { name: "a" }));
  sim.addNode(pointToPoint(b, B, A, { name: "b" }));
  return { sim, a, b };
}

describe("VirtualClock", () => {
  it("advances and jumps forward only", () => {
    const c = new VirtualClock(10);
    expect(c.now).toBe(10);
    expect(c.advance(5)).toBe(15);
    expect(c.set(100)).toBe(100);
    expect(c.now).toBe(100);
    expect(() => c.set(99)).toThrow(RangeError);
    expect(() => c.advance(-1)).toThrow(RangeError);
    expect(() => c.advance(Number.NaN)).toThrow(RangeError);
  });
});

describe("Simulation", () => {
  it("runs two ping-pong endpoints for 30 virtual seconds", () => {
    const { sim, a, b } = pair(7, { delay: 25 });
    sim.runFor(30_100);
    expect(sim.now).toBe(30_100);
    expect(a.sent).toBe(301);
    expect(b.pings).toEqual(Array.from({ length: 301 }, (_, i) => i + 1));
    expect(a.pongs).toEqual(b.pings);
    expect(sim.network.stats.delivered).toBe(602);
  });

  it("runs 30 s over a lossy, jittery link, reproducibly per seed", () => {
    const once = (seed: number) => {
      const { sim, a, b } = pair(seed, { delay: 40, jitter: 150, loss: 0.1, duplicate: 0.02 });
      const steps = sim.runFor(30_500);
      return { a, b, stats: { ...sim.network.stats }, steps };
    };
    const r = once(11);
    expect(r.a.sent).toBe(301);
    // every pong answers a ping; losses both ways make the sets shrink
    expect(r.b.pings.length).toBeLessThan(301 + r.stats.duplicated);
    expect(r.a.pongs.length).toBeLessThan(r.b.pings.length + 1);
    expect(r.b.pings.length).toBeGreaterThan(230);
    expect(r.stats.delivered).toBe(r.b.pings.length + r.a.pongs.length);
    expect(r.stats.sent).toBe(r.stats.delivered + r.stats.lost - r.stats.duplicated);
    expect(r.stats.reordered).toBeGreaterThan(0);
    // one event per delivery and per timer firing
    expect(r.steps).toBe(r.stats.delivered + r.a.timeouts);
    const again = once(11);
    expect(again.a.pongs).toEqual(r.a.pongs);
    expect(again.b.pings).toEqual(r.b.pings);
    expect(again.stats).toEqual(r.stats);
    expect(once(12).b.pings).not.toEqual(r.b.pings);
  });

  it("survives an outage: cut, the peer goes silent, restore, it comes back", () => {
    const a = new PingPong({ interval: 200, stopAt: 30_000, idleTimeout: 1000 });
    const b = new PingPong({ idleTimeout: 1000 });
    const { sim } = pair(3, { delay: 20 }, a, b);
    sim.runFor(10_000);
    sim.network.cut(A, B);
    sim.runFor(5_000);
    sim.network.restore(A, B);
    sim.runFor(15_100); // the last ping, sent at 30 000, lands
    expect(a.sent).toBe(151);
    expect(b.silentAt).toHaveLength(1);
    expect(b.silentAt[0]).toBeGreaterThan(10_000);
    expect(b.silentAt[0]).toBeLessThanOrEqual(11_020);
    expect(b.backAt).toHaveLength(1);
    expect(b.backAt[0]).toBeGreaterThanOrEqual(15_000);
    expect(b.backAt[0]).toBeLessThanOrEqual(15_220);
    expect(a.silentAt).toHaveLength(1);
    expect(sim.network.stats.cut).toBeGreaterThan(20);
    // pings sent during the outage never arrived
    const missing = Array.from({ length: a.sent }, (_, i) => i + 1).filter((n) => !b.pings.includes(n));
    expect(missing.length).toBe(sim.network.stats.cut);
    expect(missing.every((n) => n * 200 - 200 >= 9_980 && n * 200 - 200 < 15_000)).toBe(true);
  });

  it("runUntil stops as soon as the predicate holds", () => {
    const { sim, a } = pair(1, { delay: 30 });
    expect(sim.runUntil(() => a.pongs.length >= 3)).toBe(true);
    expect(a.pongs).toEqual([1, 2, 3]);
    expect(sim.now).toBe(260); // ping 3 sent at 200, pong back at 260
  });

  it("runUntil gives up at maxTime, with the clock there", () => {
    const { sim, a } = pair(1, { loss: 1 });
    expect(sim.runUntil(() => a.pongs.length > 0, { maxTime: 5_000 })).toBe(false);
    expect(sim.now).toBe(5_000);
    expect(a.sent).toBe(51);
  });

  it("runUntil gives up after maxSteps, even when time stands still", () => {
    // two nodes bouncing one datagram forever with no delay
    const bounce = (name: string, me: Address, peer: Address): SimNode & { hits: number } => {
      const out: Transmit[] = [];
      const n = {
        name,
        address: me,
        hits: 0,
        receive(data: Uint8Array) {
          n.hits++;
          out.push({ to: peer, data });
        },
        handleTimeout() {},
        pollTransmit: () => out.shift(),
        pollTimeout: () => undefined,
      };
      return n;
    };
    const sim = new Simulation();
    const x = sim.addNode(bounce("x", A, B));
    const y = sim.addNode(bounce("y", B, A));
    sim.network.send(A, B, Uint8Array.of(1), 0);
    expect(sim.runUntil(() => false, { maxSteps: 1000 })).toBe(false);
    expect(x.hits + y.hits).toBe(1000);
    expect(sim.now).toBe(0);
    expect(() => sim.runFor(1, 500)).toThrow(/more than 500 events/);
  });

  it("breaks ties deterministically: datagrams first, then timers in node order", () => {
    const log: string[] = [];
    const node = (name: string, me: Address, deadline: Millis | undefined): SimNode => {
      let due = deadline;
      return {
        name,
        address: me,
        receive: (d, _f, _t, now) => log.push(`${name} rx ${d[0]} @${now}`),
        handleTimeout: (now) => {
          log.push(`${name} timer @${now}`);
          due = undefined;
        },
        pollTransmit: () => undefined,
        pollTimeout: () => due,
      };
    };
    const sim = new Simulation({ conditions: { delay: 50 } });
    sim.addNode(node("p", A, 50));
    sim.addNode(node("q", B, 50));
    sim.network.send(B, A, Uint8Array.of(1), 0);
    sim.network.send(A, B, Uint8Array.of(2), 0);
    sim.runFor(100);
    expect(log).toEqual(["p rx 1 @50", "q rx 2 @50", "p timer @50", "q timer @50"]);
  });

  it("drains what a test asks a core to send between steps", () => {
    const sim = new Simulation({ conditions: { delay: 10 } });
    const x = sim.addNode(new Box("x", A));
    const y = sim.addNode(new Box("y", B));
    x.send(B, "hi");
    expect(sim.nextEventTime()).toBe(10);
    expect(sim.step()).toBe(true);
    expect(y.texts()).toEqual(["hi"]);
    expect(y.received[0]).toMatchObject({ from: A, to: B, now: 10 });
    expect(sim.step()).toBe(false);
  });

  it("lets a node own several addresses and choose the source per datagram", () => {
    const v4 = address("10.0.0.1", 1000);
    const v6 = address("fd00::1", 1000);
    const other = address("10.0.0.1", 2000);
    const sim = new Simulation();
    const multi = sim.addNode(new Box("multi", v4, [v6, other]));
    const p4 = sim.addNode(new Box("p4", B, [], true));
    const p6 = sim.addNode(new Box("p6", address("fd00::2", 1000), [], true));
    multi.send(B, "a");
    multi.send(B, "b", other);
    multi.send(p6.address, "c", v6);
    sim.runFor(1);
    expect(p4.sources()).toEqual(["10.0.0.1:1000", "10.0.0.1:2000"]);
    expect(p6.received[0].from).toEqual(v6);
    expect(multi.received.map((r) => r.to)).toEqual([v4, other, v6]);
    multi.send(B, "bad", address("10.0.0.9", 1));
    expect(() => sim.step()).toThrow(/does not own/);
  });

  it("counts datagrams to nobody, and to a removed node, as unroutable", () => {
    const sim = new Simulation();
    const x = sim.addNode(new Box("x", A));
    const y = sim.addNode(new Box("y", B));
    x.send(address("10.0.0.3", 1));
    sim.runFor(1);
    expect(sim.network.stats.unroutable).toBe(1);
    sim.removeNode(y);
    x.send(B);
    sim.runFor(1);
    expect(sim.network.stats.unroutable).toBe(2);
    expect(sim.nodeAt(B)).toBeUndefined();
    expect(sim.nodeAt(A)).toBe(x);
    expect(() => sim.addNode(new Box("x2", A))).toThrow(/belongs to another node/);
  });

  it("traces datagrams when asked, and not otherwise", () => {
    const t = traceRecorder();
    const { sim } = pair(1, { delay: 5, mtu: 4 });
    sim.runFor(150);
    expect(t.lines).toEqual([]);
    sim.network.trace = t.hook;
    sim.runFor(100); // ping 3 at 200 is 5 bytes: too big
    expect(t.lines).toEqual(["200.000 send #3 10.0.0.1:5000 -> 10.0.0.2:5000 5B", "200.000 drop(tooBig) #3 10.0.0.1:5000 -> 10.0.0.2:5000 5B"]);
  });

  it("throws on a node whose deadline never moves", () => {
    const sim = new Simulation();
    sim.addNode({ name: "stuck", address: A, receive() {}, handleTimeout() {}, pollTransmit: () => undefined, pollTimeout: () => 5 });
    expect(() => sim.runFor(10)).toThrow(/stuck: pollTimeout\(\) stays at 5/);
  });

  it("throws on a node that never stops transmitting", () => {
    const sim = new Simulation();
    sim.addNode({ name: "spew", address: A, receive() {}, handleTimeout() {}, pollTransmit: () => ({ to: B, data: Uint8Array.of(1) }), pollTimeout: () => undefined });
    expect(() => sim.step()).toThrow(/spew: more than 100000 datagrams/);
  });
});

describe("node adapters", () => {
  it("pointToPoint uses hooks for cores with other method names, and afterInput", () => {
    class Odd {
      got: number[] = [];
      queue: Uint8Array[] = [Uint8Array.of(7)];
      input(d: Uint8Array) {
        this.got.push(d[0]);
      }
      next() {
        return this.queue.shift();
      }
    }
    const core = new Odd();
    let after = 0;
    const sim = new Simulation();
    sim.addNode(
      pointToPoint(core, A, B, {
        name: "odd",
        receive: (d, _now, c) => c.input(d),
        poll: (c) => c.next(),
        timeout: () => undefined,
        tick: () => {},
        afterInput: () => after++,
      }),
    );
    const peer = sim.addNode(new Box("peer", B, [], true));
    sim.runFor(1);
    expect(peer.received.map((r) => r.data[0])).toEqual([7]);
    expect(core.got.length).toBe(1); // the reflection came back
    expect(after).toBe(1);
  });

  it("pointToPoint refuses a core without the default methods", () => {
    expect(() => pointToPoint({ pollTransmit: () => undefined }, A, B, { name: "n" })).toThrow(/n\): core has no handlePacket/);
  });

  it("simNode builds a node from functions", () => {
    const sent: Transmit[] = [{ to: B, data: Uint8Array.of(1) }];
    let ticks = 0;
    const got: string[] = [];
    const sim = new Simulation({ conditions: { delay: 1 } });
    sim.addNode(
      simNode({
        name: "f",
        address: [A, address("10.0.0.1", 6000)],
        receive: (_d, from, to) => got.push(`${from.port}>${to.port}`),
        poll: () => sent.shift(),
        timeout: () => (ticks === 0 ? 3 : undefined),
        tick: () => ticks++,
      }),
    );
    const peer = sim.addNode(new Box("peer", B, [], true));
    sim.runFor(10);
    expect(ticks).toBe(1);
    expect(got).toEqual(["5000>5000"]);
    peer.send(address("10.0.0.1", 6000), "z");
    sim.runFor(10);
    expect(got).toEqual(["5000>5000", "5000>6000"]);
  });
});
