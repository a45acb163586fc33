/**
 * AES-GCM (NIST SP 800-38D) with 96-bit nonces and 16-byte tags, for SRTP (RFC 7714) and DTLS
 * records (RFC 5288), where every packet has its own nonce under a long-lived key.
 *
 * Node has no way to re-IV a GCM cipher object, so node:crypto costs one `createCipheriv` per
 * packet: about 6 µs to seal 1200 bytes here (AES-NI), of which AES-GCM itself is under 1 µs.
 * Once a key has done `tablesAfter` operations, the counter-mode keystream comes instead from one
 * persistent AES-ECB cipher computing several packets ahead (keystream.ts) and GHASH runs in JS
 * over 8-bit tables (ghash.ts): in a loop on one key, sealing 1200 bytes is about 2x faster
 * than node:crypto, 100 bytes 4-5x (Node 20 on this project's test VM).
 *
 * Why adaptive, and why 64: the tables cost 64 KiB per key, and switching costs about 40 µs
 * (tables and ECB key schedule), repaid within ~20 packets. An idle or quiet key (handshake
 * records, a few data-channel messages, RTCP every second) should never pay the memory; a busy
 * one reaches 64 packets within a second and amortizes the switch at once. Before the switch,
 * and always with mode "node", each operation uses node:crypto's GCM (constant-time in OpenSSL
 * with CLMUL). The tables are not constant-time against a co-located cache-timing attacker: see
 * the decisions in docs/architecture.md, `setDefaultGcmMode("node")` and the per-use `mode`.
 *
 * Nonce = salt XOR (0^16 || stream || index48), see counter-blocks.ts.
 * Buffers: `out` may be the source buffer at the same offsets (in place) or a disjoint one.
 * `open` checks the tag (constant-time) before writing anything; a failure returns false and
 * leaves `out` untouched; it never throws on what it is given to open.
 */
import { type Cipher, createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from "node:crypto";
import { allocateUninitialized } from "../slab.js";
import { freeGhashSlots, GhashKey, LITTLE_ENDIAN } from "./ghash.js";
import { KeystreamRuns } from "../keystream-runs.js";
import { GcmCounterBlocks } from "./counter-blocks.js";

/**
 * "auto": node:crypto for a key's first `tablesAfter` operations, then the JS tables;
 * "node": node:crypto only (constant-time GHASH with CLMUL); "tables": the JS tables at once.
 * Either table mode stays on node:crypto while the tables' bank (128 keys, ghash.ts) is full.
 */
export type GcmMode = "node" | "auto" | "tables";

export interface AesGcmOptions {
  /** Default: the process default (`setDefaultGcmMode`), itself "auto" unless changed. */
  mode?: GcmMode;
  /** In "auto" mode, operations done with node:crypto before switching; default 64. */
  tablesAfter?: number;
}

const TAG = 16;
let defaultMode: GcmMode = "auto";

/** The mode of AesGcm instances created from now on without an explicit `mode`. */
export function setDefaultGcmMode(mode: GcmMode): void {
  if (mode !== "node" && mode !== "auto" && mode !== "tables") throw new TypeError(`unknown GCM mode ${String(mode)}`);
  defaultMode = mode;
}

export function defaultGcmMode(): GcmMode {
  return defaultMode;
}

/** The engine's table state, made at the switch. */
interface Tables {
  g: GhashKey;
  cache: KeystreamRuns;
}

export class AesGcm {
  readonly mode: GcmMode;
  private readonly key: KeyObject;
  private readonly rawKey: Uint8Array;
  private readonly alg: "aes-128-gcm" | "aes-192-gcm" | "aes-256-gcm";
  private readonly salt = new Uint8Array(12);
  private readonly iv = Buffer.alloc(12);
  private readonly tablesAfter: number;
  private ops = 0;
  private tables: Tables | undefined = undefined;
  private readonly state = new Int32Array(4);
  /** One zero-padded block (and a second for the tag under test), aligned. */
  private readonly block32 = new Int32Array(8);
  private readonly block = new Uint8Array(this.block32.buffer);
  private readonly blockHigh = this.block.subarray(16);
  /** Aligned scratch for AAD and for data whose offset is not word-aligned. */
  private scratch32 = new Int32Array(64);
  private scratch = new Uint8Array(this.scratch32.buffer);
  private scratchSub = new Uint8Array(0);
  private scratchSubLength = -1;
  /** Word views of the last buffers seen, by ArrayBuffer (a view costs ~50-100 ns to make). */
  private srcBuf: ArrayBufferLike | undefined = undefined;
  private src32: Int32Array = new Int32Array(0);
  private outBuf: ArrayBufferLike | undefined = undefined;
  private out32: Int32Array = new Int32Array(0);

  /** `key`: 16, 24 or 32 bytes; `salt`: 12 bytes (see the nonce form above). */
  constructor(key: Uint8Array, salt: Uint8Array, options: AesGcmOptions = {}) {
    const alg = key.length === 16 ? "aes-128-gcm" : key.length === 24 ? "aes-192-gcm" : key.length === 32 ? "aes-256-gcm" : undefined;
    if (alg === undefined) throw new RangeError(`AES-GCM key must be 16, 24 or 32 bytes, got ${key.length}`);
    if (salt.length !== 12) throw new RangeError(`AES-GCM salt must be 12 bytes, got ${salt.length}`);
    this.alg = alg;
    this.key = createSecretKey(key);
    this.rawKey = key.slice();
    this.salt.set(salt);
    this.mode = options.mode ?? defaultMode;
    if (this.mode !== "node" && this.mode !== "auto" && this.mode !== "tables") throw new TypeError(`unknown GCM mode ${String(this.mode)}`);
    this.tablesAfter = this.mode === "tables" ? 0 : (options.tablesAfter ?? 64);
    if (!Number.isInteger(this.tablesAfter) || this.tablesAfter < 0) throw new RangeError("tablesAfter must be a non-negative integer");
    if (this.mode === "tables") this.tables = this.buildTables();
  }

  /** Whether this key has switched to the JS tables. */
  get usingTables(): boolean {
    return this.tables !== undefined;
  }

  /** Keystream blocks computed by the table path, for tests and diagnostics. */
  get keystreamBlocks(): number {
    return this.tables?.cache.blocksGenerated ?? 0;
  }

  /**
   * Encrypt src[srcAt, srcAt + len) into out[outAt, outAt + len) and write the tag at
   * out[outAt + len, outAt + len + 16). The AAD is aad[aadAt, aadAt + aadLen).
   */
  seal(
    stream: number,
    index: number,
    aad: Uint8Array,
    aadAt: number,
    aadLen: number,
    src: Uint8Array,
    srcAt: number,
    len: number,
    out: Uint8Array,
    outAt: number,
  ): void {
    const tb = this.tables ?? this.tick();
    if (tb === undefined) {
      this.sealNode(stream, index, aad, aadAt, aadLen, src, srcAt, len, out, outAt);
      return;
    }
    const blocks = (len + 15) >>> 4;
    tb.cache.find(stream, index, blocks + 1, true);
    const ks32 = tb.cache.ks32;
    const k = tb.cache.at;
    const g = tb.g;
    const st = this.state;
    st[0] = st[1] = st[2] = st[3] = 0;
    this.absorbPadded(g, aad, aadAt, aadLen);
    const whole = len >>> 4;
    if (whole > 0) {
      // Cipher text = plain text XOR keystream (data blocks start after J0), absorbed as it is made.
      const sAbs = src.byteOffset + srcAt;
      const oAbs = out.byteOffset + outAt;
      const sAligned = (sAbs & 3) === 0;
      let s32: Int32Array;
      let sw: number;
      if (sAligned) {
        s32 = this.srcWords(src);
        sw = sAbs >>> 2;
      } else {
        this.scratchFor(whole * 16).set(view(src, srcAt, whole * 16));
        s32 = this.scratch32;
        sw = 0;
      }
      if ((oAbs & 3) === 0) {
        const o32 = sAligned && src.buffer === out.buffer ? s32 : this.outWords(out);
        g.ctr(st, s32, sw, ks32, k + 4, o32, oAbs >>> 2, whole, true);
      } else {
        // Through the aligned scratch, then one copy out.
        this.scratchFor(whole * 16);
        g.ctr(st, s32, sw, ks32, k + 4, this.scratch32, 0, whole, true);
        out.set(this.scratchView(whole * 16), outAt);
      }
    }
    const rest = len & 15;
    const b32 = this.block32;
    const b = this.block;
    if (rest) {
      // The last partial block: cipher text bytes, zero-padded for GHASH (SP 800-38D §7.1 step 5).
      b32[0] = b32[1] = b32[2] = b32[3] = 0;
      const kb = this.keyBlock(ks32, k + 4 * (whole + 1));
      const from = srcAt + whole * 16;
      const to = outAt + whole * 16;
      for (let i = 0; i < rest; i++) {
        const c = src[from + i] ^ kb[i];
        b[i] = c;
        out[to + i] = c;
      }
      g.update(st, b32, 0, 1);
    }
    this.absorbLengths(g, aadLen, len);
    // Tag = GHASH XOR E(J0) (§7.1 step 6).
    b32[0] = st[0] ^ ks32[k];
    b32[1] = st[1] ^ ks32[k + 1];
    b32[2] = st[2] ^ ks32[k + 2];
    b32[3] = st[3] ^ ks32[k + 3];
    const tagAt = outAt + len;
    for (let i = 0; i < TAG; i++) out[tagAt + i] = b[i];
  }

  /**
   * Authenticate and decrypt src[srcAt, srcAt + len), whose tag follows it in `src`, with the
   * AAD aad[aadAt, aadAt + aadLen), into out[outAt, outAt + len). False, with `out` untouched,
   * when the tag does not verify.
   */
  open(
    stream: number,
    index: number,
    aad: Uint8Array,
    aadAt: number,
    aadLen: number,
    src: Uint8Array,
    srcAt: number,
    len: number,
    out: Uint8Array,
    outAt: number,
  ): boolean {
    if (len < 0 || srcAt + len + TAG > src.length) return false;
    const tb = this.tables ?? this.tick();
    if (tb === undefined) return this.openNode(stream, index, aad, aadAt, aadLen, src, srcAt, len, out, outAt);
    const blocks = (len + 15) >>> 4;
    const cache = tb.cache;
    cache.find(stream, index, blocks + 1, false);
    const ks32 = cache.ks32;
    const k = cache.at;
    const g = tb.g;
    const st = this.state;
    st[0] = st[1] = st[2] = st[3] = 0;
    this.absorbPadded(g, aad, aadAt, aadLen);
    const whole = len >>> 4;
    const k1 = k + 4;
    if (whole > 0) {
      // GHASH over the cipher text and the plain text into the scratch in one pass; nothing
      // reaches `out` before the tag is checked.
      const sAbs = src.byteOffset + srcAt;
      const sc = this.scratchFor(whole * 16);
      if ((sAbs & 3) === 0) {
        g.ctr(st, this.srcWords(src), sAbs >>> 2, ks32, k1, this.scratch32, 0, whole, false);
      } else {
        sc.set(view(src, srcAt, whole * 16));
        g.ctr(st, this.scratch32, 0, ks32, k1, this.scratch32, 0, whole, false);
      }
    }
    const rest = len & 15;
    const b32 = this.block32;
    const b = this.block;
    if (rest) {
      b32[0] = b32[1] = b32[2] = b32[3] = 0;
      const from = srcAt + whole * 16;
      for (let i = 0; i < rest; i++) b[i] = src[from + i];
      g.update(st, b32, 0, 1);
    }
    this.absorbLengths(g, aadLen, len);
    // Compare the computed tag with the received one without an early exit.
    const tagAt = srcAt + len;
    for (let i = 0; i < TAG; i++) b[16 + i] = src[tagAt + i];
    const diff =
      (st[0] ^ ks32[k] ^ b32[4]) | (st[1] ^ ks32[k + 1] ^ b32[5]) | (st[2] ^ ks32[k + 2] ^ b32[6]) | (st[3] ^ ks32[k + 3] ^ b32[7]);
    if (diff !== 0) return false;
    cache.confirm(stream, index);
    // Authentic: the plain text into `out`.
    if (whole > 0) out.set(this.scratchView(whole * 16), outAt);
    if (rest) {
      const kb = this.keyBlock(ks32, k1 + 4 * whole);
      const from = srcAt + whole * 16;
      const to = outAt + whole * 16;
      for (let i = 0; i < rest; i++) out[to + i] = src[from + i] ^ kb[i];
    }
    return true;
  }

  /**
   * `open` into a buffer of its own, exactly `len` bytes, or undefined when the tag does not
   * verify. On the node:crypto path that buffer is the decipher's own output, so a caller that
   * wants a fresh plaintext (DTLS records) pays no extra allocation and copy.
   */
  openFresh(stream: number, index: number, aad: Uint8Array, aadAt: number, aadLen: number, src: Uint8Array, srcAt: number, len: number): Uint8Array | undefined {
    if (len < 0 || srcAt + len + TAG > src.length) return undefined;
    if (this.tables === undefined && (this.mode === "node" || this.ops < this.tablesAfter)) {
      this.ops++;
      let pt: Uint8Array;
      try {
        const d = createDecipheriv(this.alg, this.key, this.nonce(stream, index));
        if (aadLen > 0) d.setAAD(view(aad, aadAt, aadLen));
        d.setAuthTag(view(src, srcAt + len, TAG));
        pt = len > 0 ? d.update(view(src, srcAt, len)) : new Uint8Array(0);
        d.final();
      } catch {
        return undefined;
      }
      return pt;
    }
    const out = allocateUninitialized(len);
    return this.open(stream, index, aad, aadAt, aadLen, src, srcAt, len, out, 0) ? out : undefined;
  }

  /**
   * Free the tables now rather than when this object is garbage-collected (their bank slot
   * goes back at once): for callers that know a key is done. Using the key afterwards is safe;
   * it builds them again.
   */
  release(): void {
    this.tables?.g.release();
    this.tables = undefined;
  }

  /** Drop run-ahead keystream kept for a stream that went away. */
  forget(stream: number): void {
    this.tables?.cache.forget(stream);
  }

  /**
   * Count an operation; the tables once `tablesAfter` operations went through node:crypto. With
   * the bank full, the key goes on with node:crypto and tries again `tablesAfter` operations on.
   */
  private tick(): Tables | undefined {
    if (this.mode === "node" || this.ops++ < this.tablesAfter) return undefined;
    this.tables = this.buildTables();
    if (this.tables === undefined) this.ops = 0;
    return this.tables;
  }

  /** The tables in a bank slot, or undefined while the bank is full. */
  private buildTables(): Tables | undefined {
    if (freeGhashSlots() === 0) return undefined;
    const ecb: Cipher = GcmCounterBlocks.ecb(this.rawKey);
    const h = new Uint8Array(ecb.update(new Uint8Array(16))); // H = E_K(0^128), SP 800-38D §6.4
    const g = GhashKey.create(h, this);
    return g && { g, cache: new KeystreamRuns(new GcmCounterBlocks(ecb, this.salt)) };
  }

  /** Keystream block `w` (a word index into ks32) as bytes, in the block scratch's second half. */
  private keyBlock(ks32: Int32Array, w: number): Uint8Array {
    const b32 = this.block32;
    b32[4] = ks32[w];
    b32[5] = ks32[w + 1];
    b32[6] = ks32[w + 2];
    b32[7] = ks32[w + 3];
    return this.blockHigh;
  }

  /** GHASH over bytes[at, at + len) zero-padded to whole blocks, through the aligned scratch. */
  private absorbPadded(g: GhashKey, bytes: Uint8Array, at: number, len: number): void {
    if (len === 0) return;
    const blocks = (len + 15) >>> 4;
    const s = this.scratchFor(blocks * 16);
    const s32 = this.scratch32;
    s32[4 * blocks - 4] = s32[4 * blocks - 3] = s32[4 * blocks - 2] = s32[4 * blocks - 1] = 0;
    for (let i = 0; i < len; i++) s[i] = bytes[at + i];
    g.update(this.state, s32, 0, blocks);
  }

  /** The last GHASH block: len(A) || len(C) in bits, 64 bits each, big-endian (§7.1 step 5). */
  private absorbLengths(g: GhashKey, aadLen: number, len: number): void {
    const b32 = this.block32;
    b32[0] = bigEndianWord(Math.floor(aadLen / 0x20000000));
    b32[1] = bigEndianWord((aadLen * 8) >>> 0);
    b32[2] = bigEndianWord(Math.floor(len / 0x20000000));
    b32[3] = bigEndianWord((len * 8) >>> 0);
    g.update(this.state, b32, 0, 1);
  }

  /** The scratch as bytes, at least `n` of them. */
  private scratchFor(n: number): Uint8Array {
    if (n > this.scratch.length) {
      this.scratch32 = new Int32Array((n + 3) >>> 2);
      this.scratch = new Uint8Array(this.scratch32.buffer);
      this.scratchSubLength = -1;
    }
    return this.scratch;
  }

  /** scratch[0, n), the view kept while lengths repeat. */
  private scratchView(n: number): Uint8Array {
    if (n !== this.scratchSubLength) {
      this.scratchSub = this.scratch.subarray(0, n);
      this.scratchSubLength = n;
    }
    return this.scratchSub;
  }

  private srcWords(src: Uint8Array): Int32Array {
    if (src.buffer !== this.srcBuf) {
      this.srcBuf = src.buffer;
      this.src32 = new Int32Array(src.buffer, 0, src.buffer.byteLength >>> 2);
    }
    return this.src32;
  }

  private outWords(out: Uint8Array): Int32Array {
    if (out.buffer !== this.outBuf) {
      this.outBuf = out.buffer;
      this.out32 = new Int32Array(out.buffer, 0, out.buffer.byteLength >>> 2);
    }
    return this.out32;
  }

  /** The 12-byte IV for (stream, index), for node:crypto. */
  private nonce(stream: number, index: number): Buffer {
    const iv = this.iv;
    const s = this.salt;
    const hi = Math.floor(index / 65536) >>> 0;
    iv[0] = s[0];
    iv[1] = s[1];
    iv[2] = s[2] ^ (stream >>> 24);
    iv[3] = s[3] ^ ((stream >>> 16) & 0xff);
    iv[4] = s[4] ^ ((stream >>> 8) & 0xff);
    iv[5] = s[5] ^ (stream & 0xff);
    iv[6] = s[6] ^ (hi >>> 24);
    iv[7] = s[7] ^ ((hi >>> 16) & 0xff);
    iv[8] = s[8] ^ ((hi >>> 8) & 0xff);
    iv[9] = s[9] ^ (hi & 0xff);
    iv[10] = s[10] ^ ((index >>> 8) & 0xff);
    iv[11] = s[11] ^ (index & 0xff);
    return iv;
  }

  private sealNode(
    stream: number,
    index: number,
    aad: Uint8Array,
    aadAt: number,
    aadLen: number,
    src: Uint8Array,
    srcAt: number,
    len: number,
    out: Uint8Array,
    outAt: number,
  ): void {
    // No options object: it sends node:crypto down a slower path (measured); the tag is 16 bytes.
    const c = createCipheriv(this.alg, this.key, this.nonce(stream, index));
    if (aadLen > 0) c.setAAD(view(aad, aadAt, aadLen));
    if (len > 0) out.set(c.update(view(src, srcAt, len)), outAt);
    c.final();
    out.set(c.getAuthTag(), outAt + len);
  }

  private openNode(
    stream: number,
    index: number,
    aad: Uint8Array,
    aadAt: number,
    aadLen: number,
    src: Uint8Array,
    srcAt: number,
    len: number,
    out: Uint8Array,
    outAt: number,
  ): boolean {
    let pt: Uint8Array | undefined;
    try {
      const d = createDecipheriv(this.alg, this.key, this.nonce(stream, index));
      if (aadLen > 0) d.setAAD(view(aad, aadAt, aadLen));
      d.setAuthTag(view(src, srcAt + len, TAG));
      if (len > 0) pt = d.update(view(src, srcAt, len));
      d.final();
    } catch {
      return false; // the tag did not verify: nothing was written to `out`
    }
    if (pt !== undefined) out.set(pt, outAt);
    return true;
  }
}

function bigEndianWord(x: number): number {
  return LITTLE_ENDIAN ? ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24) : x | 0;
}

/**
 * bytes[from, from + n) as a plain Uint8Array view: a Buffer's `subarray` goes through @@species
 * and costs several times the plain constructor.
 */
function view(bytes: Uint8Array, from: number, n: number): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset + from, n);
}
