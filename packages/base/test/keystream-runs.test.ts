/**
 * KeystreamRuns' run-ahead policy, seen through a KeystreamSource that records what it is asked
 * to make: where runs start for senders (trusted) and for AEAD openers (untrusted), and that
 * unauthenticated indexes cannot place or move a run.
 */
import { describe, expect, it } from "vitest";
import { KeystreamRuns, type KeystreamSource } from "../src/index.js";

/** Keystream word = packet index * 1000 + block number, so a served packet shows which it got. */
class Recorder implements KeystreamSource {
  readonly calls: Array<{ stream: number; base: number; count: number }> = [];
  run(stream: number, base: number, count: number, stride: number): Int32Array {
    this.calls.push({ stream, base, count });
    const w = new Int32Array(4 * count * stride);
    for (let k = 0; k < count; k++) for (let j = 0; j < stride; j++) w.fill((base + k) * 1000 + j, 4 * (stride * k + j), 4 * (stride * k + j + 1));
    return w;
  }
}

/** The index whose keystream `find` pointed at (checks the block-0 word). */
function served(r: KeystreamRuns): number {
  return Math.floor(r.ks32[r.at] / 1000);
}

describe("KeystreamRuns", () => {
  it("a sender's run starts at its packet and serves the next ones from one call", () => {
    const src = new Recorder();
    const r = new KeystreamRuns(src);
    for (let i = 500; i < 508; i++) {
      r.find(7, i, 76, true);
      expect(served(r)).toBe(i);
    }
    expect(src.calls).toEqual([{ stream: 7, base: 500, count: 8 }]);
  });

  it("an opener runs ahead only from right after the last authenticated index, whatever unauthenticated indexes it is asked for", () => {
    const src = new Recorder();
    const r = new KeystreamRuns(src);
    r.find(7, 100, 76, false); // nothing authenticated yet: this packet alone
    expect(served(r)).toBe(100);
    expect(src.calls).toEqual([{ stream: 7, base: 100, count: 1 }]);
    r.confirm(7, 100);
    // Forged (never confirmed) indexes within reach: one run, from 101, serves them all.
    for (const i of [105, 103, 108, 101, 104]) {
      r.find(7, i, 76, false);
      expect(served(r)).toBe(i);
    }
    expect(src.calls.slice(1)).toEqual([{ stream: 7, base: 101, count: 8 }]);
    // Beyond the run's reach from the last authenticated index: served alone, the run stays.
    r.find(7, 109, 76, false);
    r.find(7, 5000, 76, false);
    expect(src.calls.slice(2)).toEqual([
      { stream: 7, base: 109, count: 1 },
      { stream: 7, base: 5000, count: 1 },
    ]);
    r.find(7, 102, 76, false);
    expect(served(r)).toBe(102);
    expect(src.calls.length).toBe(4);
    // Once 108 authenticates, the next run starts at 109.
    r.confirm(7, 108);
    r.find(7, 110, 76, false);
    expect(served(r)).toBe(110);
    expect(src.calls[4]).toEqual({ stream: 7, base: 109, count: 8 });
  });

  it("forget drops a stream's run: its next packets start over", () => {
    const src = new Recorder();
    const r = new KeystreamRuns(src);
    r.find(3, 10, 20, true);
    r.forget(3);
    r.find(3, 11, 20, true);
    expect(served(r)).toBe(11);
    expect(src.calls.map((c) => c.base)).toEqual([10, 11]);
  });
});
