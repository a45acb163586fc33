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
 * block); entries are native words too, so XOR works word by word on any host. An entry's 4
 * words are adjacent (one cache line per lookup), at word 4 * (256 * table + byte).
 *
 * Where the planes live: V8 compiles a lookup into a module-level `const` typed array with its
 * data address and length as constants, which makes GHASH about 1.7x faster than through typed
 * arrays passed as arguments (measured on Node 20: 2.4-3.1 µs against 4.1-4.7 µs per 1232
 * bytes: with the array's base and length in registers, the loop runs out of them). So keys
 * take a slot in a module-level bank (BANK_SLOTS keys; its pages are only committed when a slot
 * is first used), given back when the key is garbage-collected or released; a key that finds the
 * bank full uses tables of its own at the slower speed.
 *
 * Not constant-time: the lookups are indexed by secret-dependent bytes, so a co-located process
 * sharing the CPU cache could learn about H from timing (see docs/architecture.md, decisions).
 */

export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Words of one key's tables: 16 tables x 256 entries x 4 words (64 KiB). */
const KEY_WORDS = 16 * 256 * 4;
/** Keys whose tables fit the module-level bank (8 MiB of address space, committed as used). */
export const BANK_SLOTS = 128;
const BANK = new Int32Array(BANK_SLOTS * KEY_WORDS);
/**
 * The bank lookups read BANK[b + ((y >>> s) & 0x3fc) + table offset + word] with b = off &
 * 0x1fc000: from those masks V8 knows every index is below the bank's (constant) length of 2^21
 * words, drops the bounds checks and folds the constant offsets into the load addresses
 * (measured: GHASH about 25% faster than with plain `off + index`). The literals must follow
 * BANK's size.
 */
if (BANK.length !== 0x200000) throw new Error("GHASH bank size and lookup mask disagree");
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
  /** Offset of this key's tables in the bank, or -1 when it has tables of its own. */
  readonly off: number;
  private readonly slot: GhashSlot | undefined;
  private readonly t: Int32Array;

  /** Tables for hash key H (16 bytes, E_K(0^128)); `owner`'s collection frees the bank slot. */
  constructor(h: Uint8Array, owner: object, useBank = true) {
    if (h.length !== 16) throw new RangeError("GHASH key must be 16 bytes");
    const index = useBank ? freeSlots.pop() : undefined;
    if (index !== undefined) {
      this.slot = new GhashSlot(index);
      this.off = index * KEY_WORDS;
      slotReturn.register(owner, this.slot, this);
      this.t = BANK;
    } else {
      this.slot = undefined;
      this.off = -1;
      this.t = new Int32Array(KEY_WORDS);
    }
    fillTables(h, this.t, Math.max(this.off, 0));
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
    else ghashOwn(this.t, state, src32, at, blocks);
  }

  /**
   * Counter mode and GHASH in one pass over `blocks` whole blocks: out32[o..] = src32[s..] XOR
   * ks32[x..]; the state absorbs the output (`absorbOut`, sealing: the cipher text) or the input
   * (opening). `out32` may be `src32` at the same offset.
   */
  ctr(state: Int32Array, src32: Int32Array, s: number, ks32: Int32Array, x: number, out32: Int32Array, o: number, blocks: number, absorbOut: boolean): void {
    if (this.off >= 0) {
      if (absorbOut) sealBank(this.off, state, src32, s, ks32, x, out32, o, blocks);
      else openBank(this.off, state, src32, s, ks32, x, out32, o, blocks);
    } else if (absorbOut) {
      sealOwn(this.t, state, src32, s, ks32, x, out32, o, blocks);
    } else {
      openOwn(this.t, state, src32, s, ks32, x, out32, o, blocks);
    }
  }
}

/** Free bank slots, for tests and diagnostics. */
export function freeGhashSlots(): number {
  return freeSlots.length;
}

function bswap(w: number): number {
  return ((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24);
}

function fillTables(h: Uint8Array, t: Int32Array, off: number): void {
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
      const base = off + table * 256 * 4;
      t[base] = t[base + 1] = t[base + 2] = t[base + 3] = 0;
      // Byte bit 0x80 >> j is the coefficient of x^(8 pos + j).
      for (let j = 0; j < 8; j++) {
        const e = base + (0x80 >>> j) * 4;
        const k = 4 * (8 * pos + j);
        t[e] = v[k];
        t[e + 1] = v[k + 1];
        t[e + 2] = v[k + 2];
        t[e + 3] = v[k + 3];
      }
      for (let b = 3; b < 256; b++) {
        if ((b & (b - 1)) === 0) continue; // a single bit: set above
        const low = b & -b;
        const e = base + b * 4;
        const x = base + low * 4;
        const y = base + (b ^ low) * 4;
        t[e] = t[x] ^ t[y];
        t[e + 1] = t[x + 1] ^ t[y + 1];
        t[e + 2] = t[x + 2] ^ t[y + 2];
        t[e + 3] = t[x + 3] ^ t[y + 3];
      }
    }
  }
}

/** GHASH with the tables at `off` in the bank (the two loops differ only in where they look). */
function ghashBank(off: number, state: Int32Array, src32: Int32Array, at: number, blocks: number): void {
  const b = off & 0x1fc000; // see BANK: a range V8 can bound
  let y0 = state[0];
  let y1 = state[1];
  let y2 = state[2];
  let y3 = state[3];
  for (let n = 0, p = at; n < blocks; n++, p += 4) {
    y0 ^= src32[p];
    y1 ^= src32[p + 1];
    y2 ^= src32[p + 2];
    y3 ^= src32[p + 3];
    let k = b + ((y0 << 2) & 0x3fc);
    let z0 = BANK[k], z1 = BANK[k + 0x1], z2 = BANK[k + 0x2], z3 = BANK[k + 0x3];
    k = b + ((y0 >>> 6) & 0x3fc);
    z0 ^= BANK[k + 0x400]; z1 ^= BANK[k + 0x401]; z2 ^= BANK[k + 0x402]; z3 ^= BANK[k + 0x403];
    k = b + ((y0 >>> 14) & 0x3fc);
    z0 ^= BANK[k + 0x800]; z1 ^= BANK[k + 0x801]; z2 ^= BANK[k + 0x802]; z3 ^= BANK[k + 0x803];
    k = b + ((y0 >>> 22) & 0x3fc);
    z0 ^= BANK[k + 0xc00]; z1 ^= BANK[k + 0xc01]; z2 ^= BANK[k + 0xc02]; z3 ^= BANK[k + 0xc03];
    k = b + ((y1 << 2) & 0x3fc);
    z0 ^= BANK[k + 0x1000]; z1 ^= BANK[k + 0x1001]; z2 ^= BANK[k + 0x1002]; z3 ^= BANK[k + 0x1003];
    k = b + ((y1 >>> 6) & 0x3fc);
    z0 ^= BANK[k + 0x1400]; z1 ^= BANK[k + 0x1401]; z2 ^= BANK[k + 0x1402]; z3 ^= BANK[k + 0x1403];
    k = b + ((y1 >>> 14) & 0x3fc);
    z0 ^= BANK[k + 0x1800]; z1 ^= BANK[k + 0x1801]; z2 ^= BANK[k + 0x1802]; z3 ^= BANK[k + 0x1803];
    k = b + ((y1 >>> 22) & 0x3fc);
    z0 ^= BANK[k + 0x1c00]; z1 ^= BANK[k + 0x1c01]; z2 ^= BANK[k + 0x1c02]; z3 ^= BANK[k + 0x1c03];
    k = b + ((y2 << 2) & 0x3fc);
    z0 ^= BANK[k + 0x2000]; z1 ^= BANK[k + 0x2001]; z2 ^= BANK[k + 0x2002]; z3 ^= BANK[k + 0x2003];
    k = b + ((y2 >>> 6) & 0x3fc);
    z0 ^= BANK[k + 0x2400]; z1 ^= BANK[k + 0x2401]; z2 ^= BANK[k + 0x2402]; z3 ^= BANK[k + 0x2403];
    k = b + ((y2 >>> 14) & 0x3fc);
    z0 ^= BANK[k + 0x2800]; z1 ^= BANK[k + 0x2801]; z2 ^= BANK[k + 0x2802]; z3 ^= BANK[k + 0x2803];
    k = b + ((y2 >>> 22) & 0x3fc);
    z0 ^= BANK[k + 0x2c00]; z1 ^= BANK[k + 0x2c01]; z2 ^= BANK[k + 0x2c02]; z3 ^= BANK[k + 0x2c03];
    k = b + ((y3 << 2) & 0x3fc);
    z0 ^= BANK[k + 0x3000]; z1 ^= BANK[k + 0x3001]; z2 ^= BANK[k + 0x3002]; z3 ^= BANK[k + 0x3003];
    k = b + ((y3 >>> 6) & 0x3fc);
    z0 ^= BANK[k + 0x3400]; z1 ^= BANK[k + 0x3401]; z2 ^= BANK[k + 0x3402]; z3 ^= BANK[k + 0x3403];
    k = b + ((y3 >>> 14) & 0x3fc);
    z0 ^= BANK[k + 0x3800]; z1 ^= BANK[k + 0x3801]; z2 ^= BANK[k + 0x3802]; z3 ^= BANK[k + 0x3803];
    k = b + ((y3 >>> 22) & 0x3fc);
    y0 = z0 ^ BANK[k + 0x3c00]; y1 = z1 ^ BANK[k + 0x3c01]; y2 = z2 ^ BANK[k + 0x3c02]; y3 = z3 ^ BANK[k + 0x3c03];
  }
  state[0] = y0;
  state[1] = y1;
  state[2] = y2;
  state[3] = y3;
}

function ghashOwn(t: Int32Array, state: Int32Array, src32: Int32Array, at: number, blocks: number): void {
  let y0 = state[0];
  let y1 = state[1];
  let y2 = state[2];
  let y3 = state[3];
  for (let n = 0, p = at; n < blocks; n++, p += 4) {
    y0 ^= src32[p];
    y1 ^= src32[p + 1];
    y2 ^= src32[p + 2];
    y3 ^= src32[p + 3];
    let k = (y0 << 2) & 0x3fc;
    let z0 = t[k], z1 = t[k + 0x1], z2 = t[k + 0x2], z3 = t[k + 0x3];
    k = (y0 >>> 6) & 0x3fc;
    z0 ^= t[k + 0x400]; z1 ^= t[k + 0x401]; z2 ^= t[k + 0x402]; z3 ^= t[k + 0x403];
    k = (y0 >>> 14) & 0x3fc;
    z0 ^= t[k + 0x800]; z1 ^= t[k + 0x801]; z2 ^= t[k + 0x802]; z3 ^= t[k + 0x803];
    k = (y0 >>> 22) & 0x3fc;
    z0 ^= t[k + 0xc00]; z1 ^= t[k + 0xc01]; z2 ^= t[k + 0xc02]; z3 ^= t[k + 0xc03];
    k = (y1 << 2) & 0x3fc;
    z0 ^= t[k + 0x1000]; z1 ^= t[k + 0x1001]; z2 ^= t[k + 0x1002]; z3 ^= t[k + 0x1003];
    k = (y1 >>> 6) & 0x3fc;
    z0 ^= t[k + 0x1400]; z1 ^= t[k + 0x1401]; z2 ^= t[k + 0x1402]; z3 ^= t[k + 0x1403];
    k = (y1 >>> 14) & 0x3fc;
    z0 ^= t[k + 0x1800]; z1 ^= t[k + 0x1801]; z2 ^= t[k + 0x1802]; z3 ^= t[k + 0x1803];
    k = (y1 >>> 22) & 0x3fc;
    z0 ^= t[k + 0x1c00]; z1 ^= t[k + 0x1c01]; z2 ^= t[k + 0x1c02]; z3 ^= t[k + 0x1c03];
    k = (y2 << 2) & 0x3fc;
    z0 ^= t[k + 0x2000]; z1 ^= t[k + 0x2001]; z2 ^= t[k + 0x2002]; z3 ^= t[k + 0x2003];
    k = (y2 >>> 6) & 0x3fc;
    z0 ^= t[k + 0x2400]; z1 ^= t[k + 0x2401]; z2 ^= t[k + 0x2402]; z3 ^= t[k + 0x2403];
    k = (y2 >>> 14) & 0x3fc;
    z0 ^= t[k + 0x2800]; z1 ^= t[k + 0x2801]; z2 ^= t[k + 0x2802]; z3 ^= t[k + 0x2803];
    k = (y2 >>> 22) & 0x3fc;
    z0 ^= t[k + 0x2c00]; z1 ^= t[k + 0x2c01]; z2 ^= t[k + 0x2c02]; z3 ^= t[k + 0x2c03];
    k = (y3 << 2) & 0x3fc;
    z0 ^= t[k + 0x3000]; z1 ^= t[k + 0x3001]; z2 ^= t[k + 0x3002]; z3 ^= t[k + 0x3003];
    k = (y3 >>> 6) & 0x3fc;
    z0 ^= t[k + 0x3400]; z1 ^= t[k + 0x3401]; z2 ^= t[k + 0x3402]; z3 ^= t[k + 0x3403];
    k = (y3 >>> 14) & 0x3fc;
    z0 ^= t[k + 0x3800]; z1 ^= t[k + 0x3801]; z2 ^= t[k + 0x3802]; z3 ^= t[k + 0x3803];
    k = (y3 >>> 22) & 0x3fc;
    y0 = z0 ^ t[k + 0x3c00]; y1 = z1 ^ t[k + 0x3c01]; y2 = z2 ^ t[k + 0x3c02]; y3 = z3 ^ t[k + 0x3c03];
  }
  state[0] = y0;
  state[1] = y1;
  state[2] = y2;
  state[3] = y3;
}

/** Counter mode and GHASH in one pass, absorbing the cipher text it writes (sealing). */
function sealBank(off: number, state: Int32Array, src32: Int32Array, s: number, ks32: Int32Array, x: number, out32: Int32Array, o: number, blocks: number): void {
  const b = off & 0x1fc000; // see BANK: a range V8 can bound
  let y0 = state[0];
  let y1 = state[1];
  let y2 = state[2];
  let y3 = state[3];
  for (let n = 0; n < blocks; n++, s += 4, x += 4, o += 4) {
    const a0 = src32[s];
    const a1 = src32[s + 1];
    const a2 = src32[s + 2];
    const a3 = src32[s + 3];
    const c0 = a0 ^ ks32[x];
    const c1 = a1 ^ ks32[x + 1];
    const c2 = a2 ^ ks32[x + 2];
    const c3 = a3 ^ ks32[x + 3];
    out32[o] = c0;
    out32[o + 1] = c1;
    out32[o + 2] = c2;
    out32[o + 3] = c3;
    y0 ^= c0;
    y1 ^= c1;
    y2 ^= c2;
    y3 ^= c3;
    let k = b + ((y0 << 2) & 0x3fc);
    let z0 = BANK[k], z1 = BANK[k + 0x1], z2 = BANK[k + 0x2], z3 = BANK[k + 0x3];
    k = b + ((y0 >>> 6) & 0x3fc);
    z0 ^= BANK[k + 0x400]; z1 ^= BANK[k + 0x401]; z2 ^= BANK[k + 0x402]; z3 ^= BANK[k + 0x403];
    k = b + ((y0 >>> 14) & 0x3fc);
    z0 ^= BANK[k + 0x800]; z1 ^= BANK[k + 0x801]; z2 ^= BANK[k + 0x802]; z3 ^= BANK[k + 0x803];
    k = b + ((y0 >>> 22) & 0x3fc);
    z0 ^= BANK[k + 0xc00]; z1 ^= BANK[k + 0xc01]; z2 ^= BANK[k + 0xc02]; z3 ^= BANK[k + 0xc03];
    k = b + ((y1 << 2) & 0x3fc);
    z0 ^= BANK[k + 0x1000]; z1 ^= BANK[k + 0x1001]; z2 ^= BANK[k + 0x1002]; z3 ^= BANK[k + 0x1003];
    k = b + ((y1 >>> 6) & 0x3fc);
    z0 ^= BANK[k + 0x1400]; z1 ^= BANK[k + 0x1401]; z2 ^= BANK[k + 0x1402]; z3 ^= BANK[k + 0x1403];
    k = b + ((y1 >>> 14) & 0x3fc);
    z0 ^= BANK[k + 0x1800]; z1 ^= BANK[k + 0x1801]; z2 ^= BANK[k + 0x1802]; z3 ^= BANK[k + 0x1803];
    k = b + ((y1 >>> 22) & 0x3fc);
    z0 ^= BANK[k + 0x1c00]; z1 ^= BANK[k + 0x1c01]; z2 ^= BANK[k + 0x1c02]; z3 ^= BANK[k + 0x1c03];
    k = b + ((y2 << 2) & 0x3fc);
    z0 ^= BANK[k + 0x2000]; z1 ^= BANK[k + 0x2001]; z2 ^= BANK[k + 0x2002]; z3 ^= BANK[k + 0x2003];
    k = b + ((y2 >>> 6) & 0x3fc);
    z0 ^= BANK[k + 0x2400]; z1 ^= BANK[k + 0x2401]; z2 ^= BANK[k + 0x2402]; z3 ^= BANK[k + 0x2403];
    k = b + ((y2 >>> 14) & 0x3fc);
    z0 ^= BANK[k + 0x2800]; z1 ^= BANK[k + 0x2801]; z2 ^= BANK[k + 0x2802]; z3 ^= BANK[k + 0x2803];
    k = b + ((y2 >>> 22) & 0x3fc);
    z0 ^= BANK[k + 0x2c00]; z1 ^= BANK[k + 0x2c01]; z2 ^= BANK[k + 0x2c02]; z3 ^= BANK[k + 0x2c03];
    k = b + ((y3 << 2) & 0x3fc);
    z0 ^= BANK[k + 0x3000]; z1 ^= BANK[k + 0x3001]; z2 ^= BANK[k + 0x3002]; z3 ^= BANK[k + 0x3003];
    k = b + ((y3 >>> 6) & 0x3fc);
    z0 ^= BANK[k + 0x3400]; z1 ^= BANK[k + 0x3401]; z2 ^= BANK[k + 0x3402]; z3 ^= BANK[k + 0x3403];
    k = b + ((y3 >>> 14) & 0x3fc);
    z0 ^= BANK[k + 0x3800]; z1 ^= BANK[k + 0x3801]; z2 ^= BANK[k + 0x3802]; z3 ^= BANK[k + 0x3803];
    k = b + ((y3 >>> 22) & 0x3fc);
    y0 = z0 ^ BANK[k + 0x3c00]; y1 = z1 ^ BANK[k + 0x3c01]; y2 = z2 ^ BANK[k + 0x3c02]; y3 = z3 ^ BANK[k + 0x3c03];
  }
  state[0] = y0;
  state[1] = y1;
  state[2] = y2;
  state[3] = y3;
}

/** Counter mode and GHASH in one pass, absorbing the cipher text it reads (opening). */
function openBank(off: number, state: Int32Array, src32: Int32Array, s: number, ks32: Int32Array, x: number, out32: Int32Array, o: number, blocks: number): void {
  const b = off & 0x1fc000; // see BANK: a range V8 can bound
  let y0 = state[0];
  let y1 = state[1];
  let y2 = state[2];
  let y3 = state[3];
  for (let n = 0; n < blocks; n++, s += 4, x += 4, o += 4) {
    const a0 = src32[s];
    const a1 = src32[s + 1];
    const a2 = src32[s + 2];
    const a3 = src32[s + 3];
    const c0 = a0 ^ ks32[x];
    const c1 = a1 ^ ks32[x + 1];
    const c2 = a2 ^ ks32[x + 2];
    const c3 = a3 ^ ks32[x + 3];
    out32[o] = c0;
    out32[o + 1] = c1;
    out32[o + 2] = c2;
    out32[o + 3] = c3;
    y0 ^= a0;
    y1 ^= a1;
    y2 ^= a2;
    y3 ^= a3;
    let k = b + ((y0 << 2) & 0x3fc);
    let z0 = BANK[k], z1 = BANK[k + 0x1], z2 = BANK[k + 0x2], z3 = BANK[k + 0x3];
    k = b + ((y0 >>> 6) & 0x3fc);
    z0 ^= BANK[k + 0x400]; z1 ^= BANK[k + 0x401]; z2 ^= BANK[k + 0x402]; z3 ^= BANK[k + 0x403];
    k = b + ((y0 >>> 14) & 0x3fc);
    z0 ^= BANK[k + 0x800]; z1 ^= BANK[k + 0x801]; z2 ^= BANK[k + 0x802]; z3 ^= BANK[k + 0x803];
    k = b + ((y0 >>> 22) & 0x3fc);
    z0 ^= BANK[k + 0xc00]; z1 ^= BANK[k + 0xc01]; z2 ^= BANK[k + 0xc02]; z3 ^= BANK[k + 0xc03];
    k = b + ((y1 << 2) & 0x3fc);
    z0 ^= BANK[k + 0x1000]; z1 ^= BANK[k + 0x1001]; z2 ^= BANK[k + 0x1002]; z3 ^= BANK[k + 0x1003];
    k = b + ((y1 >>> 6) & 0x3fc);
    z0 ^= BANK[k + 0x1400]; z1 ^= BANK[k + 0x1401]; z2 ^= BANK[k + 0x1402]; z3 ^= BANK[k + 0x1403];
    k = b + ((y1 >>> 14) & 0x3fc);
    z0 ^= BANK[k + 0x1800]; z1 ^= BANK[k + 0x1801]; z2 ^= BANK[k + 0x1802]; z3 ^= BANK[k + 0x1803];
    k = b + ((y1 >>> 22) & 0x3fc);
    z0 ^= BANK[k + 0x1c00]; z1 ^= BANK[k + 0x1c01]; z2 ^= BANK[k + 0x1c02]; z3 ^= BANK[k + 0x1c03];
    k = b + ((y2 << 2) & 0x3fc);
    z0 ^= BANK[k + 0x2000]; z1 ^= BANK[k + 0x2001]; z2 ^= BANK[k + 0x2002]; z3 ^= BANK[k + 0x2003];
    k = b + ((y2 >>> 6) & 0x3fc);
    z0 ^= BANK[k + 0x2400]; z1 ^= BANK[k + 0x2401]; z2 ^= BANK[k + 0x2402]; z3 ^= BANK[k + 0x2403];
    k = b + ((y2 >>> 14) & 0x3fc);
    z0 ^= BANK[k + 0x2800]; z1 ^= BANK[k + 0x2801]; z2 ^= BANK[k + 0x2802]; z3 ^= BANK[k + 0x2803];
    k = b + ((y2 >>> 22) & 0x3fc);
    z0 ^= BANK[k + 0x2c00]; z1 ^= BANK[k + 0x2c01]; z2 ^= BANK[k + 0x2c02]; z3 ^= BANK[k + 0x2c03];
    k = b + ((y3 << 2) & 0x3fc);
    z0 ^= BANK[k + 0x3000]; z1 ^= BANK[k + 0x3001]; z2 ^= BANK[k + 0x3002]; z3 ^= BANK[k + 0x3003];
    k = b + ((y3 >>> 6) & 0x3fc);
    z0 ^= BANK[k + 0x3400]; z1 ^= BANK[k + 0x3401]; z2 ^= BANK[k + 0x3402]; z3 ^= BANK[k + 0x3403];
    k = b + ((y3 >>> 14) & 0x3fc);
    z0 ^= BANK[k + 0x3800]; z1 ^= BANK[k + 0x3801]; z2 ^= BANK[k + 0x3802]; z3 ^= BANK[k + 0x3803];
    k = b + ((y3 >>> 22) & 0x3fc);
    y0 = z0 ^ BANK[k + 0x3c00]; y1 = z1 ^ BANK[k + 0x3c01]; y2 = z2 ^ BANK[k + 0x3c02]; y3 = z3 ^ BANK[k + 0x3c03];
  }
  state[0] = y0;
  state[1] = y1;
  state[2] = y2;
  state[3] = y3;
}

/** Counter mode and GHASH in one pass, absorbing the cipher text it writes (sealing). */
function sealOwn(t: Int32Array, state: Int32Array, src32: Int32Array, s: number, ks32: Int32Array, x: number, out32: Int32Array, o: number, blocks: number): void {
  let y0 = state[0];
  let y1 = state[1];
  let y2 = state[2];
  let y3 = state[3];
  for (let n = 0; n < blocks; n++, s += 4, x += 4, o += 4) {
    const a0 = src32[s];
    const a1 = src32[s + 1];
    const a2 = src32[s + 2];
    const a3 = src32[s + 3];
    const c0 = a0 ^ ks32[x];
    const c1 = a1 ^ ks32[x + 1];
    const c2 = a2 ^ ks32[x + 2];
    const c3 = a3 ^ ks32[x + 3];
    out32[o] = c0;
    out32[o + 1] = c1;
    out32[o + 2] = c2;
    out32[o + 3] = c3;
    y0 ^= c0;
    y1 ^= c1;
    y2 ^= c2;
    y3 ^= c3;
    let k = (y0 << 2) & 0x3fc;
    let z0 = t[k], z1 = t[k + 0x1], z2 = t[k + 0x2], z3 = t[k + 0x3];
    k = (y0 >>> 6) & 0x3fc;
    z0 ^= t[k + 0x400]; z1 ^= t[k + 0x401]; z2 ^= t[k + 0x402]; z3 ^= t[k + 0x403];
    k = (y0 >>> 14) & 0x3fc;
    z0 ^= t[k + 0x800]; z1 ^= t[k + 0x801]; z2 ^= t[k + 0x802]; z3 ^= t[k + 0x803];
    k = (y0 >>> 22) & 0x3fc;
    z0 ^= t[k + 0xc00]; z1 ^= t[k + 0xc01]; z2 ^= t[k + 0xc02]; z3 ^= t[k + 0xc03];
    k = (y1 << 2) & 0x3fc;
    z0 ^= t[k + 0x1000]; z1 ^= t[k + 0x1001]; z2 ^= t[k + 0x1002]; z3 ^= t[k + 0x1003];
    k = (y1 >>> 6) & 0x3fc;
    z0 ^= t[k + 0x1400]; z1 ^= t[k + 0x1401]; z2 ^= t[k + 0x1402]; z3 ^= t[k + 0x1403];
    k = (y1 >>> 14) & 0x3fc;
    z0 ^= t[k + 0x1800]; z1 ^= t[k + 0x1801]; z2 ^= t[k + 0x1802]; z3 ^= t[k + 0x1803];
    k = (y1 >>> 22) & 0x3fc;
    z0 ^= t[k + 0x1c00]; z1 ^= t[k + 0x1c01]; z2 ^= t[k + 0x1c02]; z3 ^= t[k + 0x1c03];
    k = (y2 << 2) & 0x3fc;
    z0 ^= t[k + 0x2000]; z1 ^= t[k + 0x2001]; z2 ^= t[k + 0x2002]; z3 ^= t[k + 0x2003];
    k = (y2 >>> 6) & 0x3fc;
    z0 ^= t[k + 0x2400]; z1 ^= t[k + 0x2401]; z2 ^= t[k + 0x2402]; z3 ^= t[k + 0x2403];
    k = (y2 >>> 14) & 0x3fc;
    z0 ^= t[k + 0x2800]; z1 ^= t[k + 0x2801]; z2 ^= t[k + 0x2802]; z3 ^= t[k + 0x2803];
    k = (y2 >>> 22) & 0x3fc;
    z0 ^= t[k + 0x2c00]; z1 ^= t[k + 0x2c01]; z2 ^= t[k + 0x2c02]; z3 ^= t[k + 0x2c03];
    k = (y3 << 2) & 0x3fc;
    z0 ^= t[k + 0x3000]; z1 ^= t[k + 0x3001]; z2 ^= t[k + 0x3002]; z3 ^= t[k + 0x3003];
    k = (y3 >>> 6) & 0x3fc;
    z0 ^= t[k + 0x3400]; z1 ^= t[k + 0x3401]; z2 ^= t[k + 0x3402]; z3 ^= t[k + 0x3403];
    k = (y3 >>> 14) & 0x3fc;
    z0 ^= t[k + 0x3800]; z1 ^= t[k + 0x3801]; z2 ^= t[k + 0x3802]; z3 ^= t[k + 0x3803];
    k = (y3 >>> 22) & 0x3fc;
    y0 = z0 ^ t[k + 0x3c00]; y1 = z1 ^ t[k + 0x3c01]; y2 = z2 ^ t[k + 0x3c02]; y3 = z3 ^ t[k + 0x3c03];
  }
  state[0] = y0;
  state[1] = y1;
  state[2] = y2;
  state[3] = y3;
}

/** Counter mode and GHASH in one pass, absorbing the cipher text it reads (opening). */
function openOwn(t: Int32Array, state: Int32Array, src32: Int32Array, s: number, ks32: Int32Array, x: number, out32: Int32Array, o: number, blocks: number): void {
  let y0 = state[0];
  let y1 = state[1];
  let y2 = state[2];
  let y3 = state[3];
  for (let n = 0; n < blocks; n++, s += 4, x += 4, o += 4) {
    const a0 = src32[s];
    const a1 = src32[s + 1];
    const a2 = src32[s + 2];
    const a3 = src32[s + 3];
    const c0 = a0 ^ ks32[x];
    const c1 = a1 ^ ks32[x + 1];
    const c2 = a2 ^ ks32[x + 2];
    const c3 = a3 ^ ks32[x + 3];
    out32[o] = c0;
    out32[o + 1] = c1;
    out32[o + 2] = c2;
    out32[o + 3] = c3;
    y0 ^= a0;
    y1 ^= a1;
    y2 ^= a2;
    y3 ^= a3;
    let k = (y0 << 2) & 0x3fc;
    let z0 = t[k], z1 = t[k + 0x1], z2 = t[k + 0x2], z3 = t[k + 0x3];
    k = (y0 >>> 6) & 0x3fc;
    z0 ^= t[k + 0x400]; z1 ^= t[k + 0x401]; z2 ^= t[k + 0x402]; z3 ^= t[k + 0x403];
    k = (y0 >>> 14) & 0x3fc;
    z0 ^= t[k + 0x800]; z1 ^= t[k + 0x801]; z2 ^= t[k + 0x802]; z3 ^= t[k + 0x803];
    k = (y0 >>> 22) & 0x3fc;
    z0 ^= t[k + 0xc00]; z1 ^= t[k + 0xc01]; z2 ^= t[k + 0xc02]; z3 ^= t[k + 0xc03];
    k = (y1 << 2) & 0x3fc;
    z0 ^= t[k + 0x1000]; z1 ^= t[k + 0x1001]; z2 ^= t[k + 0x1002]; z3 ^= t[k + 0x1003];
    k = (y1 >>> 6) & 0x3fc;
    z0 ^= t[k + 0x1400]; z1 ^= t[k + 0x1401]; z2 ^= t[k + 0x1402]; z3 ^= t[k + 0x1403];
    k = (y1 >>> 14) & 0x3fc;
    z0 ^= t[k + 0x1800]; z1 ^= t[k + 0x1801]; z2 ^= t[k + 0x1802]; z3 ^= t[k + 0x1803];
    k = (y1 >>> 22) & 0x3fc;
    z0 ^= t[k + 0x1c00]; z1 ^= t[k + 0x1c01]; z2 ^= t[k + 0x1c02]; z3 ^= t[k + 0x1c03];
    k = (y2 << 2) & 0x3fc;
    z0 ^= t[k + 0x2000]; z1 ^= t[k + 0x2001]; z2 ^= t[k + 0x2002]; z3 ^= t[k + 0x2003];
    k = (y2 >>> 6) & 0x3fc;
    z0 ^= t[k + 0x2400]; z1 ^= t[k + 0x2401]; z2 ^= t[k + 0x2402]; z3 ^= t[k + 0x2403];
    k = (y2 >>> 14) & 0x3fc;
    z0 ^= t[k + 0x2800]; z1 ^= t[k + 0x2801]; z2 ^= t[k + 0x2802]; z3 ^= t[k + 0x2803];
    k = (y2 >>> 22) & 0x3fc;
    z0 ^= t[k + 0x2c00]; z1 ^= t[k + 0x2c01]; z2 ^= t[k + 0x2c02]; z3 ^= t[k + 0x2c03];
    k = (y3 << 2) & 0x3fc;
    z0 ^= t[k + 0x3000]; z1 ^= t[k + 0x3001]; z2 ^= t[k + 0x3002]; z3 ^= t[k + 0x3003];
    k = (y3 >>> 6) & 0x3fc;
    z0 ^= t[k + 0x3400]; z1 ^= t[k + 0x3401]; z2 ^= t[k + 0x3402]; z3 ^= t[k + 0x3403];
    k = (y3 >>> 14) & 0x3fc;
    z0 ^= t[k + 0x3800]; z1 ^= t[k + 0x3801]; z2 ^= t[k + 0x3802]; z3 ^= t[k + 0x3803];
    k = (y3 >>> 22) & 0x3fc;
    y0 = z0 ^ t[k + 0x3c00]; y1 = z1 ^ t[k + 0x3c01]; y2 = z2 ^ t[k + 0x3c02]; y3 = z3 ^ t[k + 0x3c03];
  }
  state[0] = y0;
  state[1] = y1;
  state[2] = y2;
  state[3] = y3;
}
