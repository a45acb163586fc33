/**
 * HMAC-SHA1 (RFC 2104) for the SRTP authentication tag (RFC 3711 §4.2.1), shaped for the per
 * packet hot path.
 *
 * Why not `createHmac` per packet: in Node 20 creating the Hmac object, two `update` calls and a
 * Buffer-returning `digest` cost about 4.3 µs for a 1200-byte packet, while the one-shot
 * `crypto.hash("sha1", data, "latin1")` over the same bytes costs about 1.2 µs (a string result
 * is cheaper than a Buffer result; measured in this repo's bench notes). So the key XOR ipad
 * block is kept once in front of a scratch area, the caller writes the message right behind it,
 * and two one-shot hashes (inner over ipad || message, outer over opad || inner digest) give the
 * MAC. `Hash.copy()` of a keyed state was slower still (about 6 µs).
 */
import { createHash, hash } from "node:crypto";

/** Offset in `buf` at which the caller writes the message. */
export const HMAC_MESSAGE_OFFSET = 64;

type Sha1 = (data: Uint8Array) => string;

/** SHA-1 of `data` as a "binary" (latin1) string, one char per byte; one-shot where Node has it (≥ 20.12). */
const sha1: Sha1 =
  typeof hash === "function"
    ? (data) => hash("sha1", data, "binary")
    : (data) => createHash("sha1").update(data).digest("binary");

export class HmacSha1 {
  /** Scratch: [0, 64) key XOR ipad, then the message from HMAC_MESSAGE_OFFSET. Word aligned. */
  buf: Uint8Array;
  /** The same scratch as 32-bit words (native byte order), for word-wise XOR by callers. */
  buf32: Int32Array;
  private readonly ipad = new Uint8Array(64);
  /** [0, 64) key XOR opad, [64, 84) the inner digest. */
  private readonly outer = new Uint8Array(84);

  constructor(key: Uint8Array, capacity = 1500) {
    // Keys longer than the block are hashed first (RFC 2104 §2); SRTP's are 20 bytes.
    const k = key.length > 64 ? Uint8Array.from(sha1(key), (c) => c.charCodeAt(0)) : key;
    for (let i = 0; i < 64; i++) {
      const b = i < k.length ? k[i] : 0;
      this.ipad[i] = b ^ 0x36;
      this.outer[i] = b ^ 0x5c;
    }
    const ab = new ArrayBuffer(HMAC_MESSAGE_OFFSET + ((capacity + 3) & ~3));
    this.buf = new Uint8Array(ab);
    this.buf32 = new Int32Array(ab);
    this.buf.set(this.ipad, 0);
  }

  /** Make room for a message of `n` bytes (plus a few bytes of slack for word-wise writes). */
  ensure(n: number): void {
    if (HMAC_MESSAGE_OFFSET + n + 4 <= this.buf.length) return;
    const ab = new ArrayBuffer(HMAC_MESSAGE_OFFSET + ((n + 4 + 1023) & ~1023));
    this.buf = new Uint8Array(ab);
    this.buf32 = new Int32Array(ab);
    this.buf.set(this.ipad, 0);
  }

  /** The 20-byte MAC of buf[64, 64 + n) as a latin1 string. */
  private mac(n: number): string {
    const inner = sha1(this.buf.subarray(0, HMAC_MESSAGE_OFFSET + n));
    const o = this.outer;
    for (let i = 0; i < 20; i++) o[64 + i] = inner.charCodeAt(i);
    return sha1(o);
  }

  /** Write the first `tagLength` bytes of the MAC of buf[64, 64 + n) to dst[at...]. */
  sign(n: number, dst: Uint8Array, at: number, tagLength: number): void {
    const m = this.mac(n);
    for (let i = 0; i < tagLength; i++) dst[at + i] = m.charCodeAt(i);
  }

  /** Compare, in time independent of the contents, the truncated MAC with src[at, at + tagLength). */
  verify(n: number, src: Uint8Array, at: number, tagLength: number): boolean {
    const m = this.mac(n);
    let diff = 0;
    for (let i = 0; i < tagLength; i++) diff |= src[at + i] ^ m.charCodeAt(i);
    return diff === 0;
  }
}
