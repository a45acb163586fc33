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
 * Where the tables live: V8 compiles a lookup into a module-level `const` typed array with its
 * data address and length as constants, much faster than through typed arrays passed as
 * arguments (with their base and length in registers, the loop runs out of them). So keys take
 * a slot in a module-level bank (BANK_SLOTS keys; its pages are only committed when a slot is
 * first used), given back when the key is garbage-collected or released. When the bank is
 * full, `GhashKey.create` says so and the key stays on node:crypto (aes-gcm.ts).
 *
 * Not constant-time: the lookups are indexed by secret-dependent bytes, so a co-located process
 * sharing the CPU cache could learn about H from timing (see docs/architecture.md, decisions).
 */

export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Words of one key's tables: 16 tables x 256 entries x 4 words (64 KiB). */
const KEY_WORDS = 16 * 256 * 4;
/** Keys whose tables fit the module-level bank (8 MiB of address space, committed as used). */
export const BANK_SLOTS = 128;
/**
 * The bank, read as four views of one buffer 4 bytes apart: word w of the entry at word index
 * k is BANK_w[k] (see the loops below for why). 16 spare bytes let the last views run to the
 * end. Lookups read BANK_w[b + ((y >>> s) & 0x3fc) + table offset] with b = off & 0x1fc000, a
 * range V8 can bound: the literals must follow the bank's size.
 */
const BANK_BUFFER = new ArrayBuffer(BANK_SLOTS * KEY_WORDS * 4 + 16);
const BANK = new Int32Array(BANK_BUFFER, 0, BANK_SLOTS * KEY_WORDS);
const BANK1 = new Int32Array(BANK_BUFFER, 4, BANK_SLOTS * KEY_WORDS);
const BANK2 = new Int32Array(BANK_BUFFER, 8, BANK_SLOTS * KEY_WORDS);
const BANK3 = new Int32Array(BANK_BUFFER, 12, BANK_SLOTS * KEY_WORDS);
if (BANK.length !== 0x200000) throw new Error("GHASH bank size and lookup mask disagree");
/** Written by the loops to order their work (see below); never read. */
const ORDER = new Int32Array(32);
/** A zero keystream and an unread output for `GhashKey.update`, SCRATCH_BLOCKS blocks each. */
const SCRATCH_BLOCKS = 16;
const ZEROS = new Int32Array(4 * SCRATCH_BLOCKS);
const DISCARD = new Int32Array(4 * SCRATCH_BLOCKS);
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

/** Largest word offset the loops take (their masks keep offsets below 2^29 words). */
const MAX_WORD = 0x1fffffff;

/** The GHASH tables of one key, in a bank slot. */
export class GhashKey {
  /** Offset of this key's tables in the bank. */
  readonly off: number;

  private constructor(
    h: Uint8Array,
    owner: object,
    private readonly slot: GhashSlot,
  ) {
    this.off = slot.index * KEY_WORDS;
    slotReturn.register(owner, slot, this);
    fillTables(h, BANK, this.off);
  }

  /**
   * Tables for hash key H (16 bytes, E_K(0^128)) in a free bank slot, which `owner`'s collection
   * gives back; undefined when the bank is full.
   */
  static create(h: Uint8Array, owner: object): GhashKey | undefined {
    if (h.length !== 16) throw new RangeError("GHASH key must be 16 bytes");
    const index = freeSlots.pop();
    return index === undefined ? undefined : new GhashKey(h, owner, new GhashSlot(index));
  }

  /** Give the bank slot back now (the key must not be used afterwards). */
  release(): void {
    slotReturn.unregister(this);
    this.slot.release();
  }

  /**
   * state = GHASH over `blocks` whole blocks of src32 from word `at` (native words), continuing
   * from `state` (4 native words).
   */
  update(state: Int32Array, src32: Int32Array, at: number, blocks: number): void {
    words(at + 4 * blocks);
    // The opening loop over a zero keystream: it hashes its input, and its output (the input
    // again) goes to a scratch nobody reads, 16 blocks at a time. Used for AAD, length and
    // partial blocks, a few blocks a packet, so one loop fewer to keep in shape costs next to
    // nothing.
    for (let done = 0; done < blocks; done += SCRATCH_BLOCKS) {
      openBank(this.off, state, src32, at + 4 * done, ZEROS, 0, DISCARD, 0, Math.min(SCRATCH_BLOCKS, blocks - done));
    }
  }

  /**
   * Counter mode and GHASH in one pass over `blocks` whole blocks: out32[o..] = src32[s..] XOR
   * ks32[x..]; the state absorbs the output (`absorbOut`, sealing: the cipher text) or the input
   * (opening). `out32` may be `src32` at the same offset.
   */
  ctr(state: Int32Array, src32: Int32Array, s: number, ks32: Int32Array, x: number, out32: Int32Array, o: number, blocks: number, absorbOut: boolean): void {
    const n = 4 * blocks;
    words(Math.max(s, x, o) + n);
    if (absorbOut) sealBank(this.off, state, src32, s, ks32, x, out32, o, blocks);
    else openBank(this.off, state, src32, s, ks32, x, out32, o, blocks);
  }
}

/** Word offsets past MAX_WORD would wrap in the loops' masks: refuse them. */
function words(end: number): void {
  if (!(end <= MAX_WORD)) throw new RangeError("GHASH input beyond 2 GiB");
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

/**
 * The two loops below share one block body (the 16 lookups of Y * H, see the layout above):
 * counter mode fused with GHASH of the cipher text it writes (sealing) or reads (opening; with
 * a zero keystream, GHASH alone). Their shape is tuned for Turbofan (Node 20), measured 1.5x faster than
 * the straightforward loop, and must be kept when editing:
 * - Word w of an entry is BANK_w[k] (views of one buffer 4w bytes apart), so the four loads of
 *   an entry share one index and Turbofan keeps one bounds check per entry instead of four.
 * - The 16 word-0 loads (the checked ones) come first; the 48 other loads, check-free, then
 *   land in the loop's last basic block next to their XORs, which take them as memory
 *   operands. Written in the natural order, every check ends a basic block, the pure XORs sink
 *   to the end of the loop and all 64 loaded values are spilled to the stack and reloaded.
 * - `ORDER[0] = z0` every two lookups is an effectful use that makes the word-0 XOR chain
 *   run early instead of keeping 16 loaded values live (ORDER is off-heap, > 64 bytes, so the
 *   store is one mov to a constant address). Nothing reads ORDER.
 * - Loop bounds derived from masked offsets (`& 0x1fffffff`: word offsets below 2^29, checked
 *   by the callers' `words` guard) let Turbofan prove p + 1..3 fit an int32, so the src/out
 *   accesses need no overflow checks.
 */
/** Counter mode and GHASH in one pass, absorbing the cipher text it writes (sealing). */
function sealBank(off: number, state: Int32Array, src32: Int32Array, s: number, ks32: Int32Array, x: number, out32: Int32Array, o: number, blocks: number): void {
  const b = off & 0x1fc000;
  let y0 = state[0];
  let y1 = state[1];
  let y2 = state[2];
  let y3 = state[3];
  s &= 0x1fffffff;
  x &= 0x1fffffff;
  o &= 0x1fffffff;
  const end = 4 * (blocks & 0x7ffffff);
  for (let i = 0; i < end; i += 4) {
    const c0 = src32[s + i] ^ ks32[x + i];
    const c1 = src32[s + i + 1] ^ ks32[x + i + 1];
    const c2 = src32[s + i + 2] ^ ks32[x + i + 2];
    const c3 = src32[s + i + 3] ^ ks32[x + i + 3];
    out32[o + i] = c0;
    out32[o + i + 1] = c1;
    out32[o + i + 2] = c2;
    out32[o + i + 3] = c3;
    y0 ^= c0;
    y1 ^= c1;
    y2 ^= c2;
    y3 ^= c3;
    const k0 = b + ((y0 << 2) & 0x3fc);
    const k1 = b + ((y0 >>> 6) & 0x3fc) + 0x400;
    const k2 = b + ((y0 >>> 14) & 0x3fc) + 0x800;
    const k3 = b + ((y0 >>> 22) & 0x3fc) + 0xc00;
    const k4 = b + ((y1 << 2) & 0x3fc) + 0x1000;
    const k5 = b + ((y1 >>> 6) & 0x3fc) + 0x1400;
    const k6 = b + ((y1 >>> 14) & 0x3fc) + 0x1800;
    const k7 = b + ((y1 >>> 22) & 0x3fc) + 0x1c00;
    const k8 = b + ((y2 << 2) & 0x3fc) + 0x2000;
    const k9 = b + ((y2 >>> 6) & 0x3fc) + 0x2400;
    const k10 = b + ((y2 >>> 14) & 0x3fc) + 0x2800;
    const k11 = b + ((y2 >>> 22) & 0x3fc) + 0x2c00;
    const k12 = b + ((y3 << 2) & 0x3fc) + 0x3000;
    const k13 = b + ((y3 >>> 6) & 0x3fc) + 0x3400;
    const k14 = b + ((y3 >>> 14) & 0x3fc) + 0x3800;
    const k15 = b + ((y3 >>> 22) & 0x3fc) + 0x3c00;
    let z0 = BANK[k0];
    z0 ^= BANK[k1];
    ORDER[0] = z0;
    z0 ^= BANK[k2];
    z0 ^= BANK[k3];
    ORDER[0] = z0;
    z0 ^= BANK[k4];
    z0 ^= BANK[k5];
    ORDER[0] = z0;
    z0 ^= BANK[k6];
    z0 ^= BANK[k7];
    ORDER[0] = z0;
    z0 ^= BANK[k8];
    z0 ^= BANK[k9];
    ORDER[0] = z0;
    z0 ^= BANK[k10];
    z0 ^= BANK[k11];
    ORDER[0] = z0;
    z0 ^= BANK[k12];
    z0 ^= BANK[k13];
    ORDER[0] = z0;
    z0 ^= BANK[k14];
    z0 ^= BANK[k15];
    const z1 = BANK1[k0] ^ BANK1[k1] ^ BANK1[k2] ^ BANK1[k3] ^ BANK1[k4] ^ BANK1[k5] ^ BANK1[k6] ^ BANK1[k7] ^ BANK1[k8] ^ BANK1[k9] ^ BANK1[k10] ^ BANK1[k11] ^ BANK1[k12] ^ BANK1[k13] ^ BANK1[k14] ^ BANK1[k15];
    const z2 = BANK2[k0] ^ BANK2[k1] ^ BANK2[k2] ^ BANK2[k3] ^ BANK2[k4] ^ BANK2[k5] ^ BANK2[k6] ^ BANK2[k7] ^ BANK2[k8] ^ BANK2[k9] ^ BANK2[k10] ^ BANK2[k11] ^ BANK2[k12] ^ BANK2[k13] ^ BANK2[k14] ^ BANK2[k15];
    const z3 = BANK3[k0] ^ BANK3[k1] ^ BANK3[k2] ^ BANK3[k3] ^ BANK3[k4] ^ BANK3[k5] ^ BANK3[k6] ^ BANK3[k7] ^ BANK3[k8] ^ BANK3[k9] ^ BANK3[k10] ^ BANK3[k11] ^ BANK3[k12] ^ BANK3[k13] ^ BANK3[k14] ^ BANK3[k15];
    y0 = z0;
    y1 = z1;
    y2 = z2;
    y3 = z3;
  }
  state[0] = y0;
  state[1] = y1;
  state[2] = y2;
  state[3] = y3;
}

/** Counter mode and GHASH in one pass, absorbing the cipher text it reads (opening). */
function openBank(off: number, state: Int32Array, src32: Int32Array, s: number, ks32: Int32Array, x: number, out32: Int32Array, o: number, blocks: number): void {
  const b = off & 0x1fc000;
  let y0 = state[0];
  let y1 = state[1];
  let y2 = state[2];
  let y3 = state[3];
  s &= 0x1fffffff;
  x &= 0x1fffffff;
  o &= 0x1fffffff;
  const end = 4 * (blocks & 0x7ffffff);
  for (let i = 0; i < end; i += 4) {
    const a0 = src32[s + i];
    const a1 = src32[s + i + 1];
    const a2 = src32[s + i + 2];
    const a3 = src32[s + i + 3];
    out32[o + i] = a0 ^ ks32[x + i];
    out32[o + i + 1] = a1 ^ ks32[x + i + 1];
    out32[o + i + 2] = a2 ^ ks32[x + i + 2];
    out32[o + i + 3] = a3 ^ ks32[x + i + 3];
    y0 ^= a0;
    y1 ^= a1;
    y2 ^= a2;
    y3 ^= a3;
    const k0 = b + ((y0 << 2) & 0x3fc);
    const k1 = b + ((y0 >>> 6) & 0x3fc) + 0x400;
    const k2 = b + ((y0 >>> 14) & 0x3fc) + 0x800;
    const k3 = b + ((y0 >>> 22) & 0x3fc) + 0xc00;
    const k4 = b + ((y1 << 2) & 0x3fc) + 0x1000;
    const k5 = b + ((y1 >>> 6) & 0x3fc) + 0x1400;
    const k6 = b + ((y1 >>> 14) & 0x3fc) + 0x1800;
    const k7 = b + ((y1 >>> 22) & 0x3fc) + 0x1c00;
    const k8 = b + ((y2 << 2) & 0x3fc) + 0x2000;
    const k9 = b + ((y2 >>> 6) & 0x3fc) + 0x2400;
    const k10 = b + ((y2 >>> 14) & 0x3fc) + 0x2800;
    const k11 = b + ((y2 >>> 22) & 0x3fc) + 0x2c00;
    const k12 = b + ((y3 << 2) & 0x3fc) + 0x3000;
    const k13 = b + ((y3 >>> 6) & 0x3fc) + 0x3400;
    const k14 = b + ((y3 >>> 14) & 0x3fc) + 0x3800;
    const k15 = b + ((y3 >>> 22) & 0x3fc) + 0x3c00;
    let z0 = BANK[k0];
    z0 ^= BANK[k1];
    ORDER[0] = z0;
    z0 ^= BANK[k2];
    z0 ^= BANK[k3];
    ORDER[0] = z0;
    z0 ^= BANK[k4];
    z0 ^= BANK[k5];
    ORDER[0] = z0;
    z0 ^= BANK[k6];
    z0 ^= BANK[k7];
    ORDER[0] = z0;
    z0 ^= BANK[k8];
    z0 ^= BANK[k9];
    ORDER[0] = z0;
    z0 ^= BANK[k10];
    z0 ^= BANK[k11];
    ORDER[0] = z0;
    z0 ^= BANK[k12];
    z0 ^= BANK[k13];
    ORDER[0] = z0;
    z0 ^= BANK[k14];
    z0 ^= BANK[k15];
    const z1 = BANK1[k0] ^ BANK1[k1] ^ BANK1[k2] ^ BANK1[k3] ^ BANK1[k4] ^ BANK1[k5] ^ BANK1[k6] ^ BANK1[k7] ^ BANK1[k8] ^ BANK1[k9] ^ BANK1[k10] ^ BANK1[k11] ^ BANK1[k12] ^ BANK1[k13] ^ BANK1[k14] ^ BANK1[k15];
    const z2 = BANK2[k0] ^ BANK2[k1] ^ BANK2[k2] ^ BANK2[k3] ^ BANK2[k4] ^ BANK2[k5] ^ BANK2[k6] ^ BANK2[k7] ^ BANK2[k8] ^ BANK2[k9] ^ BANK2[k10] ^ BANK2[k11] ^ BANK2[k12] ^ BANK2[k13] ^ BANK2[k14] ^ BANK2[k15];
    const z3 = BANK3[k0] ^ BANK3[k1] ^ BANK3[k2] ^ BANK3[k3] ^ BANK3[k4] ^ BANK3[k5] ^ BANK3[k6] ^ BANK3[k7] ^ BANK3[k8] ^ BANK3[k9] ^ BANK3[k10] ^ BANK3[k11] ^ BANK3[k12] ^ BANK3[k13] ^ BANK3[k14] ^ BANK3[k15];
    y0 = z0;
    y1 = z1;
    y2 = z2;
    y3 = z3;
  }
  state[0] = y0;
  state[1] = y1;
  state[2] = y2;
  state[3] = y3;
}
