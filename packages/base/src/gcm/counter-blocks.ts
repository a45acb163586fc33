/**
 * GCM counter-mode keystream (NIST SP 800-38D §7.1, 96-bit IVs) from one persistent AES-ECB key
 * schedule, for several packets of a stream at once (../keystream-runs.ts decides which).
 *
 * Nonces have the form salt XOR (0^16 || stream (32 bits) || index (48 bits)): RFC 7714 §8.1
 * (SRTP: stream = SSRC, index = ROC || SEQ), §9.1 (SRTCP: index = SRTCP index) and RFC 5288 §3
 * with RFC 6347's explicit nonce epoch || seq48 (salt = client/server write IV || 0^64, stream =
 * epoch). A packet's counter blocks are J0 = IV || 0x00000001, whose encryption masks the tag,
 * then IV || 2, IV || 3, ... for the data (SP 800-38D §7.1 steps 2 and 5).
 *
 * Why ECB: Node cannot re-IV a cipher object, and each `update()` call costs about 1 µs before
 * any AES work, so one call computes the keystream of a stream's next packets at once (their
 * nonces are their next indexes).
 */
import { createCipheriv, type Cipher } from "node:crypto";
import type { KeystreamSource } from "../keystream-runs.js";
import { LITTLE_ENDIAN } from "./ghash.js";

function be32(x: number): number {
  return LITTLE_ENDIAN ? ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24) : x | 0;
}

/** Counter blocks in, keystream out: one ECB call per request. */
export class GcmCounterBlocks implements KeystreamSource {
  private readonly ecb: Cipher;
  private readonly salt = new Uint8Array(12);
  private ctr = new Uint8Array(0);
  private ctr32 = new Int32Array(0);
  /** Word 3 of each counter block (its counter) depends only on the layout: the stride and how many packets it was written for. */
  private w3Stride = -1;
  private w3Count = 0;

  constructor(ecb: Cipher, salt: Uint8Array) {
    this.ecb = ecb;
    this.salt.set(salt);
  }

  /** A persistent AES-ECB cipher without padding for a 16-, 24- or 32-byte key. */
  static ecb(key: Uint8Array): Cipher {
    const alg = key.length === 16 ? "aes-128-ecb" : key.length === 24 ? "aes-192-ecb" : key.length === 32 ? "aes-256-ecb" : "";
    if (!alg) throw new RangeError(`AES key must be 16, 24 or 32 bytes, got ${key.length}`);
    const ecb = createCipheriv(alg, key, null);
    ecb.setAutoPadding(false);
    return ecb;
  }

  /**
   * Keystream for `count` packets from index `base` of `stream`, `stride` blocks each (J0
   * first): packet k's blocks are words [4 * stride * k, 4 * stride * (k + 1)) of the result.
   */
  run(stream: number, base: number, count: number, stride: number): Int32Array {
    const bytes = count * stride * 16;
    if (bytes > this.ctr.length) {
      const ab = new ArrayBuffer(Math.max(bytes, 2048));
      this.ctr = new Uint8Array(ab);
      this.ctr32 = new Int32Array(ab);
      this.w3Stride = -1;
    }
    const c = this.ctr;
    const w = this.ctr32;
    const s = this.salt;
    const s0 = s[0];
    const s1 = s[1];
    const h2 = s[2] ^ (stream >>> 24);
    const h3 = s[3] ^ ((stream >>> 16) & 0xff);
    const h4 = s[4] ^ ((stream >>> 8) & 0xff);
    const h5 = s[5] ^ (stream & 0xff);
    // The counters (word 3: 1, 2, 3, ... from J0 on, big-endian) where the layout changed.
    if (stride !== this.w3Stride || count > this.w3Count) {
      const from = stride === this.w3Stride ? this.w3Count : 0;
      for (let k = from; k < count; k++) {
        for (let j = 0, x = 4 * stride * k + 3; j < stride; j++, x += 4) w[x] = be32(j + 1);
      }
      this.w3Stride = stride;
      this.w3Count = count;
    }
    for (let k = 0; k < count; k++) {
      const index = base + k;
      const hi = Math.floor(index / 65536) >>> 0;
      const lo = index & 0xffff;
      const b = 16 * stride * k;
      c[b] = s0;
      c[b + 1] = s1;
      c[b + 2] = h2;
      c[b + 3] = h3;
      c[b + 4] = h4;
      c[b + 5] = h5;
      c[b + 6] = s[6] ^ (hi >>> 24);
      c[b + 7] = s[7] ^ ((hi >>> 16) & 0xff);
      c[b + 8] = s[8] ^ ((hi >>> 8) & 0xff);
      c[b + 9] = s[9] ^ (hi & 0xff);
      c[b + 10] = s[10] ^ (lo >>> 8);
      c[b + 11] = s[11] ^ (lo & 0xff);
      const q = b >>> 2;
      const w0 = w[q];
      const w1 = w[q + 1];
      const w2 = w[q + 2];
      for (let j = 1, x = q + 4; j < stride; j++, x += 4) {
        w[x] = w0;
        w[x + 1] = w1;
        w[x + 2] = w2;
      }
    }
    const ks = this.ecb.update(c.subarray(0, bytes));
    if ((ks.byteOffset & 3) === 0) return new Int32Array(ks.buffer, ks.byteOffset, bytes >>> 2);
    const copy = new Int32Array(bytes >>> 2);
    new Uint8Array(copy.buffer).set(ks);
    return copy;
  }
}

