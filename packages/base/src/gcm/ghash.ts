/**
 * GHASH (NIST SP 800-38D §6.4) with 8-bit multiplication tables, in plain JS over Int32Array.
 *
 * GHASH_H(X) is Y_i = (Y_{i-1} XOR X_i) * H in GF(2^128), with GCM's bit order: the first bit of
 * a block is the coefficient of x^0, so multiplying by x is a right shift of the 128-bit string,
 * with x^128 = x^7 + x^2 + x + 1 folded back as 0xE1 into the first byte (§6.3).
 *
 * Multiplication by H is linear, so Y * H = XOR over the 16 bytes y_p of (y_p at byte p) * H:
 * 16 tables of 256 products each (64 KiB per key) make one block cost 16 lookups of 4 words.
 * The tables are built from the 128 products H * x^k (one shift each) and XOR: an entry for a
 * byte with several bits set is the XOR of two entries already built.
 *
 * Layout: blocks are handled as 4 native-endian Int32 words, as an Int32Array over the bytes
 * reads them, so aligned input needs no byte assembly. Table `4q + r` holds the products of the
 * r-th least significant byte of native word q (on a little-endian host, byte 4q + r of the
 * block); entries are native words too, so XOR works word by word on any host. The 4 words of
 * an entry live in 4 planes (one Int32Array per word), entry `256 * table + byte` in each.
 *
 * Where the planes live: V8 compiles a lookup into a module-level `const` typed array with its
 * data address and length as constants, which makes GHASH about 1.7x faster than through typed
 * arrays passed as arguments (measured on Node 20: 2.4-2.6 µs against 4.1-4.7 µs per 1232
 * bytes; with 16 array bases and lengths to keep, the loop runs out of registers). So keys take
 * a slot in a bank of module-level planes (BANK_SLOTS keys; pages are only committed when a
 * slot is first used), given back when the key is garbage-collected or released; a key that
 * finds the bank full uses planes of its own at the slower speed.
 *
 * Not constant-time: the lookups are indexed by secret-dependent bytes, so a co-located process
 * sharing the CPU cache could learn about H from timing (see docs/architecture.md, decisions).
 */

export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Entries per plane of one key: 16 tables x 256. */
const PLANE = 4096;
/** Keys whose tables fit the module-level bank (4 planes x 16 KiB each = 64 KiB per key). */
export const BANK_SLOTS = 128;
const B0 = new Int32Array(BANK_SLOTS * PLANE);
const B1 = new Int32Array(BANK_SLOTS * PLANE);
const B2 = new Int32Array(BANK_SLOTS * PLANE);
const B3 = new Int32Array(BANK_SLOTS * PLANE);
const freeSlots: number[] = Array.from({ length: BANK_SLOTS }, (_, i) => BANK_SLOTS - 1 - i);
const slotReturn = new FinalizationRegistry<GhashSlot>((s) => s.release());

/** A bank slot, returned to the bank once when released or when its owner is collected. */
class GhashSlot {
  constructor(readonly index: number) {}
  private released = false;
  release(): void {
    if (this.released) return;
    this.released = true;
    freeSlots.push(this.index);
  }
}

/** The GHASH tables of one key. */
export class GhashKey {
  /** Offset of this key's entries in the bank planes, or -1 when it has planes of its own. */
  readonly off: number;
  private readonly slot: GhashSlot | undefined;
  private readonly t0: Int32Array;
  private readonly t1: Int32Array;
  private readonly t2: Int32Array;
  private readonly t3: Int32Array;

  /** Tables for hash key H (16 bytes, E_K(0^128)); `owner`'s collection frees the bank slot. */
  constructor(h: Uint8Array, owner: object, useBank = true) {
    if (h.length !== 16) throw new RangeError("GHASH key must be 16 bytes");
    const index = useBank ? freeSlots.pop() : undefined;
    if (index !== undefined) {
      this.slot = new GhashSlot(index);
      this.off = index * PLANE;
      slotReturn.register(owner, this.slot, this);
      this.t0 = B0;
      this.t1 = B1;
      this.t2 = B2;
      this.t3 = B3;
    } else {
      this.slot = undefined;
      this.off = -1;
      this.t0 = new Int32Array(PLANE);
      this.t1 = new Int32Array(PLANE);
      this.t2 = new Int32Array(PLANE);
      this.t3 = new Int32Array(PLANE);
    }
    fillTables(h, this.t0, this.t1, this.t2, this.t3, Math.max(this.off, 0));
  }

  /** Whether the tables sit in the module-level bank (the fast path). */
  get inBank(): boolean {
    return this.off >= 0;
  }

  /** Give the bank slot back now (the key must not be used afterwards). */
  release(): void {
    if (this.slot !== undefined) {
      slotReturn.unregister(this);
      this.slot.release();
    }
  }

  /**
   * state = GHASH over `blocks` whole blocks of src32 from word `at` (native words), continuing
   * from `state` (4 native words).
   */
  update(state: Int32Array, src32: Int32Array, at: number, blocks: number): void {
    if (this.off >= 0) ghashBank(this.off, state, src32, at, blocks);
    else ghashOwn(this.t0, this.t1, this.t2, this.t3, state, src32, at, blocks);
  }
}

/** Free bank slots, for tests and diagnostics. */
export function freeGhashSlots(): number {
  return freeSlots.length;
}

function bswap(w: number): number {
  return ((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24);
}

function fillTables(h: Uint8Array, t0: Int32Array, t1: Int32Array, t2: Int32Array, t3: Int32Array, off: number): void {
  // V[k] = H * x^k as big-endian words (word 0 holds bytes 0-3), k = 0..127.
  const v = new Int32Array(128 * 4);
  let v0 = (h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3];
  let v1 = (h[4] << 24) | (h[5] << 16) | (h[6] << 8) | h[7];
  let v2 = (h[8] << 24) | (h[9] << 16) | (h[10] << 8) | h[11];
  let v3 = (h[12] << 24) | (h[13] << 16) | (h[14] << 8) | h[15];
  for (let k = 0; k < 128; k++) {
    v[4 * k] = LITTLE_ENDIAN ? bswap(v0) : v0;
    v[4 * k + 1] = LITTLE_ENDIAN ? bswap(v1) : v1;
    v[4 * k + 2] = LITTLE_ENDIAN ? bswap(v2) : v2;
    v[4 * k + 3] = LITTLE_ENDIAN ? bswap(v3) : v3;
    // Multiply by x: shift right one bit; the bit shifted out of the end (x^127 -> x^128) folds
    // back as R = 11100001 || 0^120 (SP 800-38D §6.3).
    const carry = v3 & 1;
    v3 = (v3 >>> 1) | (v2 << 31);
    v2 = (v2 >>> 1) | (v1 << 31);
    v1 = (v1 >>> 1) | (v0 << 31);
    v0 = (v0 >>> 1) ^ (carry ? 0xe1000000 : 0);
  }
  for (let q = 0; q < 4; q++) {
    for (let r = 0; r < 4; r++) {
      const table = 4 * q + r;
      // The block byte this table's lookups take (see the layout above).
      const pos = LITTLE_ENDIAN ? table : 4 * q + 3 - r;
      const base = off + table * 256;
      t0[base] = t1[base] = t2[base] = t3[base] = 0;
      // Byte bit 0x80 >> j is the coefficient of x^(8 pos + j).
      for (let j = 0; j < 8; j++) {
        const e = base + (0x80 >>> j);
        const k = 4 * (8 * pos + j);
        t0[e] = v[k];
        t1[e] = v[k + 1];
        t2[e] = v[k + 2];
        t3[e] = v[k + 3];
      }
      for (let b = 3; b < 256; b++) {
        if ((b & (b - 1)) === 0) continue; // a single bit: set above
        const low = b & -b;
        const e = base + b;
        const x = base + low;
        const y = base + (b ^ low);
        t0[e] = t0[x] ^ t0[y];
        t1[e] = t1[x] ^ t1[y];
        t2[e] = t2[x] ^ t2[y];
        t3[e] = t3[x] ^ t3[y];
      }
    }
  }
}

/** GHASH with the tables at `off` in the bank planes (the two loops differ only in where they look). */
function ghashBank(off: number, state: Int32Array, src32: Int32Array, at: number, blocks: number): void {
  let y0 = state[0];
  let y1 = state[1];
  let y2 = state[2];
  let y3 = state[3];
  for (let n = 0, p = at; n < blocks; n++, p += 4) {
    y0 ^= src32[p];
    y1 ^= src32[p + 1];
    y2 ^= src32[p + 2];
    y3 ^= src32[p + 3];
    let k = off + (y0 & 0xff);
    let z0 = B0[k], z1 = B1[k], z2 = B2[k], z3 = B3[k];
    k = off + (0x100 | ((y0 >>> 8) & 0xff));
    z0 ^= B0[k]; z1 ^= B1[k]; z2 ^= B2[k]; z3 ^= B3[k];
    k = off + (0x200 | ((y0 >>> 16) & 0xff));
    z0 ^= B0[k]; z1 ^= B1[k]; z2 ^= B2[k]; z3 ^= B3[k];
    k = off + (0x300 | (y0 >>> 24));
    z0 ^= B0[k]; z1 ^= B1[k]; z2 ^= B2[k]; z3 ^= B3[k];
    k = off + (0x400 | (y1 & 0xff));
    z0 ^= B0[k]; z1 ^= B1[k]; z2 ^= B2[k]; z3 ^= B3[k];
    k = off + (0x500 | ((y1 >>> 8) & 0xff));
    z0 ^= B0[k]; z1 ^= B1[k]; z2 ^= B2[k]; z3 ^= B3[k];
    k = off + (0x600 | ((y1 >>> 16) & 0xff));
    z0 ^= B0[k]; z1 ^= B1[k]; z2 ^= B2[k]; z3 ^= B3[k];
    k = off + (0x700 | (y1 >>> 24));
    z0 ^= B0[k]; z1 ^= B1[k]; z2 ^= B2[k]; z3 ^= B3[k];
    k = off + (0x800 | (y2 & 0xff));
    z0 ^= B0[k]; z1 ^= B1[k]; z2 ^= B2[k]; z3 ^= B3[k];
    k = off + (0x900 | ((y2 >>> 8) & 0xff));
    z0 ^= B0[k]; z1 ^= B1[k]; z2 ^= B2[k]; z3 ^= B3[k];
    k = off + (0xa00 | ((y2 >>> 16) & 0xff));
    z0 ^= B0[k]; z1 ^= B1[k]; z2 ^= B2[k]; z3 ^= B3[k];
    k = off + (0xb00 | (y2 >>> 24));
    z0 ^= B0[k]; z1 ^= B1[k]; z2 ^= B2[k]; z3 ^= B3[k];
    k = off + (0xc00 | (y3 & 0xff));
    z0 ^= B0[k]; z1 ^= B1[k]; z2 ^= B2[k]; z3 ^= B3[k];
    k = off + (0xd00 | ((y3 >>> 8) & 0xff));
    z0 ^= B0[k]; z1 ^= B1[k]; z2 ^= B2[k]; z3 ^= B3[k];
    k = off + (0xe00 | ((y3 >>> 16) & 0xff));
    z0 ^= B0[k]; z1 ^= B1[k]; z2 ^= B2[k]; z3 ^= B3[k];
    k = off + (0xf00 | (y3 >>> 24));
    y0 = z0 ^ B0[k]; y1 = z1 ^ B1[k]; y2 = z2 ^ B2[k]; y3 = z3 ^ B3[k];
  }
  state[0] = y0;
  state[1] = y1;
  state[2] = y2;
  state[3] = y3;
}

function ghashOwn(t0: Int32Array, t1: Int32Array, t2: Int32Array, t3: Int32Array, state: Int32Array, src32: Int32Array, at: number, blocks: number): void {
  let y0 = state[0];
  let y1 = state[1];
  let y2 = state[2];
  let y3 = state[3];
  for (let n = 0, p = at; n < blocks; n++, p += 4) {
    y0 ^= src32[p];
    y1 ^= src32[p + 1];
    y2 ^= src32[p + 2];
    y3 ^= src32[p + 3];
    let k = (y0 & 0xff);
    let z0 = t0[k], z1 = t1[k], z2 = t2[k], z3 = t3[k];
    k = 0x100 | ((y0 >>> 8) & 0xff);
    z0 ^= t0[k]; z1 ^= t1[k]; z2 ^= t2[k]; z3 ^= t3[k];
    k = 0x200 | ((y0 >>> 16) & 0xff);
    z0 ^= t0[k]; z1 ^= t1[k]; z2 ^= t2[k]; z3 ^= t3[k];
    k = 0x300 | (y0 >>> 24);
    z0 ^= t0[k]; z1 ^= t1[k]; z2 ^= t2[k]; z3 ^= t3[k];
    k = 0x400 | (y1 & 0xff);
    z0 ^= t0[k]; z1 ^= t1[k]; z2 ^= t2[k]; z3 ^= t3[k];
    k = 0x500 | ((y1 >>> 8) & 0xff);
    z0 ^= t0[k]; z1 ^= t1[k]; z2 ^= t2[k]; z3 ^= t3[k];
    k = 0x600 | ((y1 >>> 16) & 0xff);
    z0 ^= t0[k]; z1 ^= t1[k]; z2 ^= t2[k]; z3 ^= t3[k];
    k = 0x700 | (y1 >>> 24);
    z0 ^= t0[k]; z1 ^= t1[k]; z2 ^= t2[k]; z3 ^= t3[k];
    k = 0x800 | (y2 & 0xff);
    z0 ^= t0[k]; z1 ^= t1[k]; z2 ^= t2[k]; z3 ^= t3[k];
    k = 0x900 | ((y2 >>> 8) & 0xff);
    z0 ^= t0[k]; z1 ^= t1[k]; z2 ^= t2[k]; z3 ^= t3[k];
    k = 0xa00 | ((y2 >>> 16) & 0xff);
    z0 ^= t0[k]; z1 ^= t1[k]; z2 ^= t2[k]; z3 ^= t3[k];
    k = 0xb00 | (y2 >>> 24);
    z0 ^= t0[k]; z1 ^= t1[k]; z2 ^= t2[k]; z3 ^= t3[k];
    k = 0xc00 | (y3 & 0xff);
    z0 ^= t0[k]; z1 ^= t1[k]; z2 ^= t2[k]; z3 ^= t3[k];
    k = 0xd00 | ((y3 >>> 8) & 0xff);
    z0 ^= t0[k]; z1 ^= t1[k]; z2 ^= t2[k]; z3 ^= t3[k];
    k = 0xe00 | ((y3 >>> 16) & 0xff);
    z0 ^= t0[k]; z1 ^= t1[k]; z2 ^= t2[k]; z3 ^= t3[k];
    k = 0xf00 | (y3 >>> 24);
    y0 = z0 ^ t0[k]; y1 = z1 ^ t1[k]; y2 = z2 ^ t2[k]; y3 = z3 ^ t3[k];
  }
  state[0] = y0;
  state[1] = y1;
  state[2] = y2;
  state[3] = y3;
}
