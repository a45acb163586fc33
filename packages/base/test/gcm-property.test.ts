/**
 * AesGcm against node:crypto's AES-GCM: random keys, nonces, AAD and lengths 0..2000, at
 * aligned and unaligned offsets, in place and not; single bit flips must fail to open and leave
 * the output untouched; the run-ahead keystream must equal per-packet node:crypto for streams
 * that interleave, skip, go back and restart; the "auto" mode must switch once and agree.
 */
import { createCipheriv } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AesGcm, type GcmMode, setDefaultGcmMode, defaultGcmMode, toHex } from "../src/index.js";
import { freeGhashSlots } from "../src/gcm/ghash.js";

/** The 12-byte nonce salt XOR (0^16 || stream || index48) (RFC 7714 §8.1 form). */
function nonce(salt: Uint8Array, stream: number, index: number): Buffer {
  const iv = Buffer.from(salt);
  const x = Buffer.alloc(12);
  x.writeUInt32BE(stream >>> 0, 2);
  x.writeUIntBE(index, 6, 6);
  for (let i = 0; i < 12; i++) iv[i] ^= x[i];
  return iv;
}

function nodeSeal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, pt: Uint8Array): string {
  const c = createCipheriv(`aes-${key.length * 8}-gcm` as "aes-128-gcm", key, iv);
  c.setAAD(aad);
  const ct = c.update(pt);
  c.final();
  return toHex(ct) + toHex(c.getAuthTag());
}

const arbCase = fc.record({
  key: fc.oneof(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 32, maxLength: 32 })),
  salt: fc.uint8Array({ minLength: 12, maxLength: 12 }),
  stream: fc.nat({ max: 0xffffffff }),
  index: fc.nat({ max: 2 ** 48 - 1 }),
  aad: fc.uint8Array({ maxLength: 80 }),
  pt: fc.uint8Array({ maxLength: 2000 }),
  srcAt: fc.nat({ max: 7 }),
  outAt: fc.nat({ max: 7 }),
});

describe("AesGcm seal/open equal node:crypto", () => {
  it("seals like node:crypto and opens its own output, at any offsets (tables)", () => {
    fc.assert(
      fc.property(arbCase, ({ key, salt, stream, index, aad, pt, srcAt, outAt }) => {
        const g = new AesGcm(key, salt, { mode: "tables" });
        const src = new Uint8Array(srcAt + pt.length + 3);
        src.set(pt, srcAt);
        const out = new Uint8Array(outAt + pt.length + 16 + 3);
        g.seal(stream, index, aad, 0, aad.length, src, srcAt, pt.length, out, outAt);
        expect(toHex(out.subarray(outAt, outAt + pt.length + 16))).toBe(nodeSeal(key, nonce(salt, stream, index), aad, pt));
        const back = new Uint8Array(srcAt + pt.length);
        expect(g.open(stream, index, aad, 0, aad.length, out, outAt, pt.length, back, srcAt)).toBe(true);
        expect(toHex(back.subarray(srcAt))).toBe(toHex(pt));
        g.release();
      }),
      { numRuns: 300 },
    );
  });

  it("works in place (seal and open over the same bytes)", () => {
    fc.assert(
      fc.property(arbCase, ({ key, salt, stream, index, aad, pt, srcAt }) => {
        const g = new AesGcm(key, salt, { mode: "tables" });
        const buf = new Uint8Array(srcAt + pt.length + 16);
        buf.set(pt, srcAt);
        g.seal(stream, index, aad, 0, aad.length, buf, srcAt, pt.length, buf, srcAt);
        expect(toHex(buf.subarray(srcAt))).toBe(nodeSeal(key, nonce(salt, stream, index), aad, pt));
        expect(g.open(stream, index, aad, 0, aad.length, buf, srcAt, pt.length, buf, srcAt)).toBe(true);
        expect(toHex(buf.subarray(srcAt, srcAt + pt.length))).toBe(toHex(pt));
        g.release();
      }),
      { numRuns: 150 },
    );
  });

  for (const mode of ["tables", "node"] as const) {
    it(`fails to open on any single bit flip in cipher text, tag or AAD, leaving out untouched (${mode})`, () => {
      fc.assert(
        fc.property(arbCase, fc.nat(), fc.nat({ max: 7 }), ({ key, salt, stream, index, aad, pt }, where, bit) => {
          const g = new AesGcm(key, salt, { mode });
          const wire = new Uint8Array(pt.length + 16);
          g.seal(stream, index, aad, 0, aad.length, pt, 0, pt.length, wire, 0);
          const a = aad.slice();
          const w = wire.slice();
          const spot = where % (w.length + a.length);
          if (spot < w.length) w[spot] ^= 1 << bit;
          else a[spot - w.length] ^= 1 << bit;
          const out = new Uint8Array(pt.length).fill(0xa5);
          expect(g.open(stream, index, a, 0, a.length, w, 0, pt.length, out, 0)).toBe(false);
          expect(out.every((b) => b === 0xa5)).toBe(true);
          // The wrong nonce fails too.
          expect(g.open(stream, index + 1, aad, 0, aad.length, wire, 0, pt.length, out, 0)).toBe(false);
          expect(out.every((b) => b === 0xa5)).toBe(true);
          g.release();
        }),
        { numRuns: 200 },
      );
    });
  }

  it("never throws on what it opens: short buffers, lengths past the end", () => {
    const g = new AesGcm(new Uint8Array(16), new Uint8Array(12), { mode: "tables" });
    const n = new AesGcm(new Uint8Array(16), new Uint8Array(12), { mode: "node" });
    const out = new Uint8Array(64);
    for (const x of [g, n]) {
      expect(x.open(0, 0, new Uint8Array(0), 0, 0, new Uint8Array(10), 0, 0, out, 0)).toBe(false);
      expect(x.open(0, 0, new Uint8Array(0), 0, 0, new Uint8Array(40), 0, 30, out, 0)).toBe(false);
      expect(x.open(0, 0, new Uint8Array(0), 0, 0, new Uint8Array(40), 0, -1, out, 0)).toBe(false);
    }
  });
});

describe("run-ahead keystream", () => {
  it("equals per-packet node:crypto for interleaved, skipping, late and restarted streams, sealing and opening", () => {
    const step = fc.record({
      stream: fc.constantFrom(1, 2, 3, 4, 5, 6, 0xdeadbeef),
      jump: fc.oneof(fc.constant(1), fc.constant(1), fc.constant(1), fc.integer({ min: -20, max: 40 }), fc.integer({ min: -5000, max: 5000 })),
      len: fc.oneof(fc.constant(1200), fc.nat({ max: 1700 })),
    });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.array(step, { minLength: 1, maxLength: 120 }), (key, steps) => {
        const salt = new Uint8Array(12).fill(7);
        const tx = new AesGcm(key, salt, { mode: "tables" });
        const rx = new AesGcm(key, salt, { mode: "tables" });
        const next = new Map<number, number>();
        const aad = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        for (const s of steps) {
          const index = Math.max(0, (next.get(s.stream) ?? 65530) + s.jump);
          next.set(s.stream, index + 1);
          const pt = new Uint8Array(s.len).fill(s.len & 0xff);
          const wire = new Uint8Array(s.len + 16);
          tx.seal(s.stream, index, aad, 0, 12, pt, 0, s.len, wire, 0);
          expect(toHex(wire)).toBe(nodeSeal(key, nonce(salt, s.stream, index), aad, pt));
          const back = new Uint8Array(s.len);
          expect(rx.open(s.stream, index, aad, 0, 12, wire, 0, s.len, back, 0)).toBe(true);
          expect(toHex(back)).toBe(toHex(pt));
        }
        tx.release();
        rx.release();
      }),
      { numRuns: 60 },
    );
  });

  it("computes about one packet of keystream per packet for a steady stream, sealing and opening", () => {
    const key = new Uint8Array(16).fill(3);
    const salt = new Uint8Array(12);
    const tx = new AesGcm(key, salt, { mode: "tables" });
    const rx = new AesGcm(key, salt, { mode: "tables" });
    const pt = new Uint8Array(1200);
    const wire = new Uint8Array(1216);
    for (let i = 0; i < 800; i++) {
      tx.seal(9, 1000 + i, pt, 0, 12, pt, 0, 1200, wire, 0);
      expect(rx.open(9, 1000 + i, pt, 0, 12, wire, 0, 1200, pt, 0)).toBe(true);
    }
    // 1200 bytes + J0 = 76 blocks, run at a stride of 80.
    expect(tx.keystreamBlocks).toBe(800 * 80);
    expect(rx.keystreamBlocks).toBeLessThan(800 * 80 + 200);
  });

  it("an opener does not run ahead from forged indexes", () => {
    const key = new Uint8Array(16).fill(3);
    const rx = new AesGcm(key, new Uint8Array(12), { mode: "tables" });
    const junk = new Uint8Array(1216);
    const out = new Uint8Array(1200);
    for (let i = 0; i < 100; i++) expect(rx.open(1, i * 1000, junk, 0, 12, junk, 0, 1200, out, 0)).toBe(false);
    expect(rx.keystreamBlocks).toBe(100 * 76); // one packet's keystream each, no runs
  });

  it("forget() drops a stream's run: a restarted stream is served correctly", () => {
    const key = new Uint8Array(16).fill(5);
    const salt = new Uint8Array(12).fill(1);
    const g = new AesGcm(key, salt, { mode: "tables" });
    const pt = new Uint8Array(100).fill(9);
    const wire = new Uint8Array(116);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 20; i++) {
        g.seal(4, i, pt, 0, 0, pt, 0, 100, wire, 0);
        expect(toHex(wire)).toBe(nodeSeal(key, nonce(salt, 4, i), new Uint8Array(0), pt));
      }
      g.forget(4);
    }
  });
});

describe("adaptive mode", () => {
  it("uses node:crypto for the first tablesAfter operations, then the tables, with the same results", () => {
    const key = new Uint8Array(32).fill(11);
    const salt = new Uint8Array(12).fill(2);
    const g = new AesGcm(key, salt, { mode: "auto", tablesAfter: 5 });
    const aad = new Uint8Array(13).fill(1);
    for (let i = 0; i < 12; i++) {
      const pt = new Uint8Array(37 * i).fill(i);
      const wire = new Uint8Array(pt.length + 16);
      expect(g.usingTables).toBe(i > 5);
      g.seal(7, i, aad, 0, 13, pt, 0, pt.length, wire, 0);
      expect(toHex(wire)).toBe(nodeSeal(key, nonce(salt, 7, i), aad, pt));
    }
    expect(g.usingTables).toBe(true);
  });

  it("never switches in node mode; the process default mode applies to new instances", () => {
    const g = new AesGcm(new Uint8Array(16), new Uint8Array(12), { mode: "node", tablesAfter: 0 });
    const wire = new Uint8Array(16);
    for (let i = 0; i < 10; i++) g.seal(0, i, wire, 0, 0, wire, 0, 0, wire, 0);
    expect(g.usingTables).toBe(false);
    const before: GcmMode = defaultGcmMode();
    expect(before).toBe("auto");
    try {
      setDefaultGcmMode("node");
      expect(new AesGcm(new Uint8Array(16), new Uint8Array(12)).mode).toBe("node");
      expect(() => setDefaultGcmMode("fast" as GcmMode)).toThrow(TypeError);
    } finally {
      setDefaultGcmMode(before);
    }
    expect(new AesGcm(new Uint8Array(16), new Uint8Array(12)).mode).toBe("auto");
  });

  it("refuses bad keys, salts and options", () => {
    expect(() => new AesGcm(new Uint8Array(15), new Uint8Array(12))).toThrow(RangeError);
    expect(() => new AesGcm(new Uint8Array(16), new Uint8Array(11))).toThrow(RangeError);
    expect(() => new AesGcm(new Uint8Array(16), new Uint8Array(12), { tablesAfter: -1 })).toThrow(RangeError);
  });
});

describe("GHASH table bank", () => {
  it("gives a key's slot back on release; keys that find the bank full stay on node:crypto, agree, and take a slot once one is free", () => {
    const free0 = freeGhashSlots();
    expect(free0).toBeGreaterThan(0); // the tests above give their slots back
    const key = new Uint8Array(16).fill(21);
    const salt = new Uint8Array(12).fill(4);
    const pt = Uint8Array.from({ length: 700 }, (_, i) => i & 0xff);
    const aad = new Uint8Array(20).fill(6);
    const want = nodeSeal(key, nonce(salt, 3, 77), aad, pt);
    const check = (g: AesGcm) => {
      const out = new Uint8Array(716);
      g.seal(3, 77, aad, 0, 20, pt, 0, 700, out, 0);
      expect(toHex(out)).toBe(want);
      const back = new Uint8Array(700);
      expect(g.open(3, 77, aad, 0, 20, out, 0, 700, back, 0)).toBe(true);
      expect(toHex(back)).toBe(toHex(pt));
    };
    const keys: AesGcm[] = [];
    // Take every free slot and a few more.
    for (let i = 0; i < free0 + 3; i++) {
      const g = new AesGcm(key, salt, { mode: "tables" });
      check(g);
      expect(g.usingTables).toBe(i < free0);
      keys.push(g);
    }
    expect(freeGhashSlots()).toBe(0);
    const late = keys[keys.length - 1];
    keys[0].release();
    expect(freeGhashSlots()).toBe(1);
    // The key that found the bank full takes the freed slot on its next operation.
    check(late);
    expect(late.usingTables).toBe(true);
    expect(freeGhashSlots()).toBe(0);
    for (const g of keys) g.release();
    expect(freeGhashSlots()).toBe(free0);
    // A released key still works: it builds its tables again.
    check(keys[0]);
    expect(keys[0].usingTables).toBe(true);
    expect(freeGhashSlots()).toBe(free0 - 1);
    keys[0].release();
    expect(freeGhashSlots()).toBe(free0);
  });

  it("an auto-mode key that finds the bank full tries again after another tablesAfter operations", () => {
    const held: AesGcm[] = [];
    while (freeGhashSlots() > 0) {
      const g = new AesGcm(new Uint8Array(16), new Uint8Array(12), { mode: "tables" });
      expect(g.usingTables).toBe(true);
      held.push(g);
    }
    const g = new AesGcm(new Uint8Array(16).fill(1), new Uint8Array(12), { mode: "auto", tablesAfter: 4 });
    const out = new Uint8Array(32);
    const seal = (i: number) => g.seal(1, i, new Uint8Array(0), 0, 0, new Uint8Array(16), 0, 16, out, 0);
    for (let i = 0; i < 6; i++) seal(i);
    expect(g.usingTables).toBe(false);
    held.pop()!.release();
    for (let i = 6; i < 9; i++) seal(i);
    expect(g.usingTables).toBe(false); // still counting its second round of 4
    for (let i = 9; i < 11; i++) seal(i);
    expect(g.usingTables).toBe(true);
    g.release();
    for (const h of held) h.release();
  });
});

describe("AesGcm.openFresh", () => {
  it("returns exactly the plaintext in a buffer of its own, through node:crypto and through the tables, and undefined for a flipped bit", () => {
    fc.assert(
      fc.property(arbCase, fc.constantFrom<GcmMode>("node", "tables"), fc.nat(), (c, mode, flipAt) => {
        const gcm = new AesGcm(c.key, c.salt, { mode });
        try {
          const wire = Buffer.from(nodeSeal(c.key, nonce(c.salt, c.stream, c.index), c.aad, c.pt), "hex");
          const src = new Uint8Array(c.srcAt + wire.length);
          src.set(wire, c.srcAt);
          const pt = gcm.openFresh(c.stream, c.index, c.aad, 0, c.aad.length, src, c.srcAt, c.pt.length);
          expect(pt).toBeDefined();
          expect(pt!.length).toBe(c.pt.length);
          expect(toHex(pt!)).toBe(toHex(c.pt));
          const bad = src.slice();
          bad[c.srcAt + (flipAt % wire.length)] ^= 1 << flipAt % 8;
          expect(gcm.openFresh(c.stream, c.index, c.aad, 0, c.aad.length, bad, c.srcAt, c.pt.length)).toBeUndefined();
        } finally {
          gcm.release();
        }
      }),
      { numRuns: 200 },
    );
  });

  it("in auto mode switches from node:crypto to the tables after tablesAfter operations and agrees on both sides of the switch", () => {
    const key = new Uint8Array(16).fill(7);
    const salt = new Uint8Array(12).fill(3);
    const gcm = new AesGcm(key, salt, { mode: "auto", tablesAfter: 4 });
    try {
      for (let i = 0; i < 10; i++) {
        const pt = Uint8Array.from({ length: 100 + i }, (_, k) => (k * 13 + i) & 0xff);
        const aad = Uint8Array.of(i, 1, 2);
        const src = Buffer.from(nodeSeal(key, nonce(salt, 9, i), aad, pt), "hex");
        expect(toHex(gcm.openFresh(9, i, aad, 0, 3, src, 0, pt.length)!)).toBe(toHex(pt));
        expect(gcm.usingTables).toBe(i >= 4);
      }
    } finally {
      gcm.release();
    }
  });
});
