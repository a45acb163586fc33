/**
 * HMAC-SHA1 (RFC 2104 over FIPS 180-4 SHA-1, one compression from @tsrtc/base) with the key's
 * inner and outer pad states computed once. MESSAGE-INTEGRITY (RFC 8489 §14.5) of a ~100-byte STUN message is three SHA-1 blocks;
 * node:crypto's per-call setup (createHmac, its key schedule, the native boundary, the digest
 * Buffer) costs several times that, so for the ICE hot path this keyed form is the fast one
 * (bench/stun.bench.ts measures both). Verified against node:crypto in test/integrity.test.ts.
 */
import { createHash } from "node:crypto";
import { SHA1_INIT, sha1Compress as compress } from "@tsrtc/base";

const IV = new Int32Array(SHA1_INIT);

// Scratch shared by every key: the computation is synchronous and never re-entered.
const W = new Int32Array(16);
const S = new Int32Array(5);
const TAIL = new Uint8Array(128);
const DIGEST = new Uint8Array(20);

function load(w: Int32Array, b: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++, at += 4) {
    w[i] = (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
  }
}

/** SHA-1 state after one 64-byte block of key XOR pad. */
function padState(key: Uint8Array, pad: number): Int32Array {
  const block = new Uint8Array(64).fill(pad);
  for (let i = 0; i < key.length; i++) block[i] = key[i] ^ pad;
  const s = new Int32Array(IV);
  load(W, block, 0);
  compress(s, W);
  return s;
}

/** A key ready for HMAC-SHA1: its pad states are computed once, each MAC costs only the message. */
export class HmacSha1Key {
  private readonly inner: Int32Array;
  private readonly outer: Int32Array;

  constructor(key: Uint8Array) {
    // RFC 2104 §2: keys longer than the block are hashed first.
    const k = key.length > 64 ? new Uint8Array(createHash("sha1").update(key).digest()) : key;
    this.inner = padState(k, 0x36);
    this.outer = padState(k, 0x5c);
  }

  /** HMAC-SHA1 of data[start, end), written as 20 bytes into out at outAt. */
  mac(data: Uint8Array, start: number, end: number, out: Uint8Array, outAt: number): void {
    S.set(this.inner);
    let at = start;
    for (; at + 64 <= end; at += 64) {
      load(W, data, at);
      compress(S, W);
    }
    // Final block(s): the tail, 0x80, zeros, then the 64-bit bit length (key block included).
    const n = end - at;
    for (let i = 0; i < n; i++) TAIL[i] = data[at + i];
    TAIL[n] = 0x80;
    const blocks = n + 9 > 64 ? 2 : 1;
    const stop = blocks * 64;
    TAIL.fill(0, n + 1, stop - 4);
    const bits = (64 + end - start) * 8;
    TAIL[stop - 4] = bits >>> 24;
    TAIL[stop - 3] = bits >>> 16;
    TAIL[stop - 2] = bits >>> 8;
    TAIL[stop - 1] = bits;
    load(W, TAIL, 0);
    compress(S, W);
    if (blocks === 2) {
      load(W, TAIL, 64);
      compress(S, W);
    }
    // Outer hash over the 20-byte inner digest: one block of known layout (672 bits in all).
    W[0] = S[0];
    W[1] = S[1];
    W[2] = S[2];
    W[3] = S[3];
    W[4] = S[4];
    W[5] = 0x80000000 | 0;
    for (let i = 6; i < 15; i++) W[i] = 0;
    W[15] = (64 + 20) * 8;
    S.set(this.outer);
    compress(S, W);
    for (let i = 0; i < 5; i++, outAt += 4) {
      const v = S[i];
      out[outAt] = v >>> 24;
      out[outAt + 1] = v >>> 16;
      out[outAt + 2] = v >>> 8;
      out[outAt + 3] = v;
    }
  }

  /** HMAC-SHA1 of data[start, end) compared with 20 bytes at expected[expAt], in constant time. */
  verify(data: Uint8Array, start: number, end: number, expected: Uint8Array, expAt: number): boolean {
    this.mac(data, start, end, DIGEST, 0);
    let diff = 0;
    for (let i = 0; i < 20; i++) diff |= DIGEST[i] ^ expected[expAt + i];
    return diff === 0;
  }
}
