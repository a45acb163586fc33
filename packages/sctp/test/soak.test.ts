/**
 * Randomised soak: both directions, several streams, every mix of ordered/unordered and
 * reliable/partially reliable, sizes from 1 byte to 70 kB, over a lossy, reordering,
 * duplicating link. Invariants: every reliable message arrives exactly once and intact;
 * nothing arrives twice; ordered streams deliver in send order.
 */
import { SeededRandom } from "@tsrtc/base";
import { describe, expect, it } from "vitest";
import type { SendOptions } from "../src/options.js";
import { type Peer, connectBoth, pair, payload } from "./helpers.js";

interface Plan {
  id: number;
  stream: number;
  size: number;
  opts: SendOptions;
}

function plan(seed: number, n: number): Plan[] {
  const r = new SeededRandom(seed);
  const out: Plan[] = [];
  for (let id = 0; id < n; id++) {
    const stream = r.nextInt(4);
    // stream 0 ordered reliable, 1 unordered reliable, 2 ordered mixed PR, 3 unordered mixed PR
    const pr = stream >= 2 && r.nextFloat() < 0.5;
    const opts: SendOptions = { unordered: stream % 2 === 1 };
    if (pr) {
      if (r.nextFloat() < 0.5) opts.maxRetransmits = r.nextInt(3);
      else opts.maxLifetime = 50 + r.nextInt(300);
    }
    const big = r.nextFloat() < 0.1;
    out.push({ id, stream, size: big ? 20_000 + r.nextInt(50_000) : 4 + r.nextInt(3000), opts });
  }
  return out;
}

function body(seed: number, p: Plan): Uint8Array {
  const d = payload(seed * 100_000 + p.id, p.size);
  d[0] = p.id >>> 8;
  d[1] = p.id;
  d[2] = p.stream;
  return d;
}

function check(seed: number, plans: Plan[], to: Peer): void {
  const seen = new Set<number>();
  const lastOnStream = new Map<number, number>();
  for (const m of to.messages) {
    const id = (m.data[0] << 8) | m.data[1];
    const p = plans[id];
    expect(p, `unknown message id ${id}`).toBeDefined();
    expect(seen.has(id), `message ${id} twice`).toBe(false);
    seen.add(id);
    expect(m.stream).toBe(p.stream);
    expect(Buffer.compare(Buffer.from(m.data), Buffer.from(body(seed, p)))).toBe(0);
    if (!p.opts.unordered) {
      const last = lastOnStream.get(p.stream) ?? -1;
      expect(id, `stream ${p.stream} out of order`).toBeGreaterThan(last);
      lastOnStream.set(p.stream, id);
    }
  }
  for (const p of plans) {
    const reliable = p.opts.maxRetransmits === undefined && p.opts.maxLifetime === undefined;
    if (reliable) expect(seen.has(p.id), `reliable message ${p.id} on stream ${p.stream} lost`).toBe(true);
  }
}

const CONFIGS = [
  { name: "10% loss", seeds: [1, 2, 3, 4, 5], link: { loss: 0.1, duplicate: 0.05, reorder: 0.05 }, opts: {} },
  // a receive window smaller than two large messages, and small packets: interleaving must not deadlock
  { name: "15% loss, 100 kB window, 600-byte packets", seeds: [50, 51, 52], link: { loss: 0.15, duplicate: 0.1, reorder: 0.1 }, opts: { receiveWindow: 100_000, mtu: 600 } },
];

describe("soak", () => {
  for (const cfg of CONFIGS) for (const iData of [false, true]) {
    for (const seed of cfg.seeds) {
      it(`${cfg.name}, seed ${seed}, ${iData ? "I-DATA" : "DATA"}: reliable delivery, order and integrity hold`, () => {
        const { sim, a, b } = pair({ delay: 15, jitter: 8, ...cfg.link }, { seed, a: { iData, ...cfg.opts }, b: { iData, ...cfg.opts } });
        expect(connectBoth(sim, a, b, 60_000)).toBe(true);
        const pa = plan(seed, 400);
        const pb = plan(seed + 1000, 400);
        // sends spread over time, interleaved with the simulation
        for (let i = 0; i < 400; i += 20) {
          for (let k = i; k < i + 20; k++) {
            a.assoc.send(pa[k].stream, 53, body(seed, pa[k]), pa[k].opts);
            b.assoc.send(pb[k].stream, 53, body(seed + 1000, pb[k]), pb[k].opts);
          }
          sim.runFor(30);
        }
        const relA = pa.filter((p) => p.opts.maxRetransmits === undefined && p.opts.maxLifetime === undefined).length;
        const relB = pb.filter((p) => p.opts.maxRetransmits === undefined && p.opts.maxLifetime === undefined).length;
        const reliableCount = (peer: Peer, plans: Plan[]) =>
          peer.messages.filter((m) => {
            const p = plans[(m.data[0] << 8) | m.data[1]];
            return p && p.opts.maxRetransmits === undefined && p.opts.maxLifetime === undefined;
          }).length;
        expect(sim.runUntil(() => reliableCount(b, pa) === relA && reliableCount(a, pb) === relB, { maxTime: 900_000 })).toBe(true);
        sim.runFor(10_000);
        check(seed, pa, b);
        check(seed + 1000, pb, a);
        expect(a.closed).toBeUndefined();
        expect(b.closed).toBeUndefined();
        expect(a.assoc.stats.internalErrors + b.assoc.stats.internalErrors).toBe(0);
        // nothing left behind: abandoned partial messages were all cleaned up
        for (const p of [a, b]) {
          const r = (p.assoc as unknown as { receiver: { reassembly: { heldMessages: number; bytes: number } } }).receiver.reassembly;
          expect(r.heldMessages).toBe(0);
          expect(r.bytes).toBe(0);
        }
      });
    }
  }
});
