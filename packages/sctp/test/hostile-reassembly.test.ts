import { describe, expect, it } from "vitest";
import { DataFlags } from "../src/constants.js";
import type { DataChunk } from "../src/chunks/data.js";
import { Reassembly } from "../src/reassembly.js";
import { Receiver } from "../src/receiver.js";

const N = 65534; // as many TSNs as a receiver holds ahead of its cumulative TSN

function frag(i: number, flags: number, iData: boolean, payload = Uint8Array.of(i & 0xff)): DataChunk {
  return { iData, flags, tsn: (1000 + i) >>> 0, stream: 1, mid: 0, fsn: iData ? i : 0, ppid: 53, payload };
}

describe("reassembly under hostile fragment patterns (bounded work)", () => {
  // Before: a sorted insert per fragment (ordered, I-DATA) and a walk to B and E per fragment
  // (unordered DATA) made these quadratic: 5-12 s, 5-12 s and 85-157 s of CPU here, against
  // ~0.1 s each now (the 4 s timeout is the only timing bound, far from both).
  const cases: [string, boolean, number, boolean][] = [
    ["ordered DATA fragments in reverse TSN order", false, 0, true],
    ["I-DATA fragments in reverse FSN order", true, 0, true],
    ["unordered DATA fragments in TSN order, the B last", false, DataFlags.UNORDERED, false],
  ];
  for (const [name, iData, u, reverse] of cases) {
    it(`${name}: one message, intact`, { timeout: 4000 }, () => {
      const got: Uint8Array[] = [];
      const r = new Reassembly(1 << 20, 1 << 20, (_s, _p, d) => got.push(d));
      const order = Array.from({ length: N }, (_, k) => (reverse ? N - 1 - k : k + 1 === N ? 0 : k + 1));
      let ok = 0;
      for (const i of order) {
        const flags = u | (i === 0 ? DataFlags.BEGIN : 0) | (i === N - 1 ? DataFlags.END : 0);
        if (r.add(frag(i, flags, iData), true) === "ok") ok++;
      }
      expect(ok).toBe(N);
      expect(got).toHaveLength(1);
      expect(got[0].length).toBe(N);
      for (let i = 0; i < N; i += 997) expect(got[0][i]).toBe(i & 0xff);
      expect(r.bytes).toBe(0);
      expect(r.heldMessages).toBe(0);
    });
  }

  it("unordered DATA fragments that never form a message are capped in runs (refused as full)", () => {
    const r = new Reassembly(1 << 20, 1 << 20, () => {});
    const results = new Map<string, number>();
    // every fragment a B without E: each starts a message that can never end
    for (let i = 0; i < 5000; i++) {
      const res = r.add(frag(2 * i, DataFlags.UNORDERED | DataFlags.BEGIN, false), true);
      results.set(res, (results.get(res) ?? 0) + 1);
    }
    expect(results.get("ok")).toBe(1024);
    expect(results.get("full")).toBe(5000 - 1024);
    expect(r.heldMessages).toBe(1024);
  });

  it("a small payload held out of order does not pin the large packet it came in", () => {
    const got: Uint8Array[] = [];
    const r = new Reassembly(1 << 20, 1 << 20, (_s, _p, d) => got.push(d));
    const packet = new Uint8Array(16384); // a DTLS record's worth
    packet[100] = 42;
    // SSN 1 arrives before SSN 0: held
    const held: DataChunk = { iData: false, flags: DataFlags.BEGIN | DataFlags.END, tsn: 2, stream: 1, mid: 1, fsn: 0, ppid: 53, payload: packet.subarray(100, 101) };
    expect(r.add(held, false)).toBe("ok");
    expect(r.add({ ...held, tsn: 1, mid: 0, payload: Uint8Array.of(7) }, true)).toBe("ok");
    expect(got.map((d) => d[0])).toEqual([7, 42]);
    expect(got[1].buffer.byteLength).toBeLessThan(1024);
  });
});

describe("FORWARD-TSN under hostile entry lists (bounded work)", () => {
  it("a chunk naming one stream 16000 times costs one pass, and skips as far as its furthest entry", { timeout: 4000 }, () => {
    const got: number[] = [];
    const r = new Reassembly(1 << 24, 1 << 20, (_s, _p, d) => got.push(d[0] | (d[1] << 8)));
    // every other SSN missing: 30000 messages wait, none can drain
    const held = 30_000;
    for (let k = 1; k <= held; k++) {
      const ssn = 2 * k;
      r.add({ iData: false, flags: DataFlags.BEGIN | DataFlags.END, tsn: 1000 + ssn, stream: 1, mid: ssn, fsn: 0, ppid: 53, payload: Uint8Array.of(ssn & 0xff, ssn >> 8) }, true);
    }
    expect(r.heldMessages).toBe(held);
    // before: each of the 16000 entries scanned all the held messages (~1 s here; ~50 ms now)
    const entries = Array.from({ length: 16_000 }, (_, i) => ({ stream: 1, unordered: false, mid: i }));
    r.forward(1000, entries, false);
    // up to SSN 15999 skipped (the even ones delivered), then 16000 delivered in turn; 16001 is missing
    expect(got).toEqual(Array.from({ length: 8000 }, (_, i) => 2 * (i + 1)));
    expect(r.heldMessages).toBe(held - 8000);
  });
});

describe("a FORWARD-TSN that does not move the cumulative TSN (RFC 3758 §3.6)", () => {
  it("is a duplicate: answered with a SACK, its entries not applied again", () => {
    const got: number[] = [];
    const r = new Receiver(1000, { rwnd: 1 << 20, maxMessage: 1 << 20, inStreams: 16, delayedAck: 200 }, (_s, _p, d) => got.push(d[0]));
    // SSN 1 held behind a missing SSN 0
    r.onData({ iData: false, flags: DataFlags.BEGIN | DataFlags.END, tsn: 1001, stream: 1, mid: 1, fsn: 0, ppid: 53, payload: Uint8Array.of(1) });
    r.onForwardTsn({ iForward: false, newCumTsn: 1000, entries: [{ stream: 1, unordered: false, mid: 0 }] });
    expect(got).toEqual([1]);
    expect(r.tracker.cum).toBe(1001);
    r.takeSack(16);
    // the same FORWARD-TSN again (its SACK was lost), and one naming streams we do not have
    r.onForwardTsn({ iForward: false, newCumTsn: 1000, entries: [{ stream: 1, unordered: false, mid: 0 }] });
    r.onForwardTsn({ iForward: false, newCumTsn: 1001, entries: [{ stream: 9000, unordered: false, mid: 7 }] });
    expect(r.stats.staleForwardTsn).toBe(2);
    expect(r.sackNow).toBe(true);
    expect(got).toEqual([1]);
  });
});
