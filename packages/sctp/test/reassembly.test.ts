import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DataFlags } from "../src/constants.js";
import type { DataChunk } from "../src/chunks/data.js";
import { Reassembly } from "../src/reassembly.js";

interface Msg {
  stream: number;
  unordered: boolean;
  size: number;
}

/** Fragment messages into chunks the way a sender would (DATA: consecutive TSNs per message; I-DATA: interleaved). */
function fragment(msgs: Msg[], iData: boolean, frag: number, interleave: number[]): { chunks: DataChunk[]; bodies: Uint8Array[] } {
  const ssn = new Map<string, number>();
  const bodies = msgs.map((m, i) => Uint8Array.from({ length: m.size }, (_, k) => (i * 31 + k) & 0xff));
  const pending = msgs.map((m, i) => {
    const key = `${m.stream}:${m.unordered}`;
    const mid = ssn.get(key) ?? 0;
    ssn.set(key, mid + 1);
    return { i, m, mid: iData || !m.unordered ? mid : 0, off: 0, fsn: 0 };
  });
  const chunks: DataChunk[] = [];
  let tsn = 0xfffffff0; // wraps during the test
  let pick = 0;
  while (pending.length > 0) {
    // DATA: finish a message before the next; I-DATA: any started message may go next
    const at = iData ? interleave[pick++ % interleave.length] % pending.length : 0;
    const p = pending[at];
    const len = Math.min(frag, p.m.size - p.off);
    let flags = p.m.unordered ? DataFlags.UNORDERED : 0;
    if (p.off === 0) flags |= DataFlags.BEGIN;
    if (p.off + len === p.m.size) flags |= DataFlags.END;
    chunks.push({ iData, flags, tsn, stream: p.m.stream, mid: p.mid, fsn: p.fsn++, ppid: 53 + p.i, payload: bodies[p.i].subarray(p.off, p.off + len) });
    tsn = (tsn + 1) >>> 0;
    p.off += len;
    if (p.off === p.m.size) pending.splice(at, 1);
  }
  return { chunks, bodies };
}

describe("reassembly (property)", () => {
  for (const iData of [false, true]) {
    it(`any arrival order gives every message once, intact, ordered streams in order (${iData ? "I-DATA" : "DATA"})`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.record({ stream: fc.nat(2), unordered: fc.boolean(), size: fc.integer({ min: 1, max: 50 }) }), { minLength: 1, maxLength: 25 }),
          fc.integer({ min: 1, max: 16 }),
          fc.array(fc.nat(100), { minLength: 1, maxLength: 10 }),
          fc.func(fc.integer()),
          (msgs, frag, interleave, order) => {
            const { chunks, bodies } = fragment(msgs, iData, frag, interleave);
            const shuffled = chunks.map((c, k) => ({ c, key: order(k) })).sort((x, y) => x.key - y.key).map((x) => x.c);
            const got: { ppid: number; stream: number; data: Uint8Array; unordered: boolean }[] = [];
            const r = new Reassembly(1 << 20, 1 << 20, (stream, ppid, data, unordered) => got.push({ stream, ppid, data: data.slice(), unordered }));
            for (const c of shuffled) expect(r.add(c)).toBe("ok");
            expect(got).toHaveLength(msgs.length);
            const ids = got.map((g) => g.ppid - 53);
            expect(new Set(ids).size).toBe(msgs.length);
            for (const g of got) {
              const i = g.ppid - 53;
              expect(g.stream).toBe(msgs[i].stream);
              expect(g.unordered).toBe(msgs[i].unordered);
              expect(Array.from(g.data)).toEqual(Array.from(bodies[i]));
            }
            for (const s of [0, 1, 2]) {
              const ordered = ids.filter((i) => msgs[i].stream === s && !msgs[i].unordered);
              expect(ordered).toEqual([...ordered].sort((x, y) => x - y));
            }
            expect(r.bytes).toBe(0);
            expect(r.heldMessages).toBe(0);
          },
        ),
        { numRuns: 400 },
      );
    });
  }
});

describe("reassembly copies a fragmented message once (when joining it)", () => {
  /** `n` fragments of `frag` bytes of one ordered message, views into one shared buffer (a slab of decrypted records). */
  function viewsOfOneBuffer(n: number, frag: number, mid: number, tsn0: number, buf = new Uint8Array(64 * 1024)): DataChunk[] {
    return Array.from({ length: n }, (_, i) => ({
      iData: true,
      flags: (i === 0 ? DataFlags.BEGIN : 0) | (i === n - 1 ? DataFlags.END : 0),
      tsn: tsn0 + i,
      stream: 0,
      mid,
      fsn: i,
      ppid: 53,
      payload: buf.subarray(i * frag, (i + 1) * frag),
    }));
  }

  it("holds fragments as views into their shared buffer, counting it once", () => {
    const got: Uint8Array[] = [];
    const r = new Reassembly(1 << 20, 1 << 20, (_s, _p, d) => got.push(d));
    const buf = new Uint8Array(64 * 1024);
    const frags = viewsOfOneBuffer(50, 1100, 0, 1, buf);
    for (const c of frags.slice(0, 49)) expect(r.add(c)).toBe("ok");
    expect(r.pinned).toBe(buf.byteLength - 1100);
    // Still views: a write to the buffer shows in the message (a copy would not see it).
    buf[5 * 1100] = 0xee;
    expect(r.add(frags[49])).toBe("ok");
    expect(got).toHaveLength(1);
    expect(got[0].length).toBe(50 * 1100);
    expect(got[0][5 * 1100]).toBe(0xee);
    expect(got[0].buffer.byteLength).toBe(50 * 1100);
    expect(r.pinned).toBe(0);
    expect(r.bytes).toBe(0);
  });

  it("copies once the pinned bytes would pass the capacity (a peer spreading fragments over many buffers)", () => {
    const capacity = 1 << 20;
    const r = new Reassembly(capacity, 1 << 20, () => undefined);
    // 100 messages, each begun with one 1000-byte fragment in its own 64 KiB buffer, none complete.
    for (let m = 0; m < 100; m++) {
      const [first] = viewsOfOneBuffer(2, 1000, m + 1, 10 + 2 * m);
      expect(r.add(first)).toBe("ok");
      expect(r.pinned).toBeLessThanOrEqual(capacity);
    }
    // 16 buffers fit the budget (16 x 63.5 KiB), the rest were copied.
    expect(r.pinned).toBe(16 * (64 * 1024 - 1000));
    expect(r.bytes).toBe(100 * 1000);
  });

  it("copies small fragments of large buffers", () => {
    const r = new Reassembly(1 << 20, 1 << 20, () => undefined);
    const [first] = viewsOfOneBuffer(2, 100, 1, 5);
    expect(r.add(first)).toBe("ok");
    expect(r.pinned).toBe(0);
    expect(first.payload.buffer.byteLength).toBe(100);
  });
});
