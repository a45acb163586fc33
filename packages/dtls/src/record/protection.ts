/**
 * AEAD record protection (RFC 5246 §6.2.3.3 with the DTLS sequence number of RFC 6347 §4.1.2.1).
 * GCM (RFC 5288 §3): nonce = 4-byte salt || 8-byte explicit nonce carried in the record; we use
 * epoch||seq as the explicit part, which never repeats under one key.
 * ChaCha20-Poly1305 (RFC 7905 §2): nonce = 12-byte IV XOR (0^32 || epoch||seq), nothing explicit.
 * additional_data = epoch||seq(8) || type(1) || version(2) || plaintext length(2).
 *
 * AES-GCM goes through @tsrtc/base's AesGcm (node:crypto for a key's first records, then a
 * persistent AES-ECB keystream computed a few records ahead and GHASH over tables; see
 * packages/base/src/gcm/): its nonce salt XOR (0^16 || stream || index48), with salt = the
 * 4-byte write IV || 0^64, stream = the explicit nonce's first 2 bytes and index its last 6, is
 * RFC 5288's salt || explicit nonce. ChaCha20-Poly1305 stays on node:crypto, one cipher object
 * per record.
 */
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from "node:crypto";
import { AesGcm, allocateUninitialized, type GcmMode } from "@tsrtc/base";
import type { CipherSuiteInfo } from "../cipher-suites.js";
import { RECORD_HEADER_LENGTH } from "../constants.js";
import type { DirectionKeys } from "../keying.js";
import { writeRecordHeader, writeSeq48 } from "./header.js";

const TAG = 16;

export class AeadProtection {
  private readonly key: KeyObject;
  private readonly alg: string;
  private readonly chacha: boolean;
  private readonly iv: Uint8Array;
  private readonly nonce = Buffer.alloc(12);
  private readonly aad = Buffer.alloc(13);
  private readonly tag = Buffer.alloc(TAG);
  /** AES-GCM suites: the engine; undefined for ChaCha20-Poly1305. */
  private readonly gcm: AesGcm | undefined;
  readonly explicit: number;
  readonly overhead: number;

  /** `gcm`: AES-GCM implementation choice (see AesGcm); default: base's `defaultGcmMode()`. */
  constructor(suite: CipherSuiteInfo, keys: DirectionKeys, gcm?: GcmMode) {
    this.key = createSecretKey(keys.key);
    this.alg = suite.aead;
    this.chacha = suite.aead === "chacha20-poly1305";
    this.iv = keys.iv.slice();
    this.explicit = suite.explicitNonceLength;
    this.overhead = this.explicit + TAG;
    if (!this.chacha) {
      this.nonce.set(this.iv, 0);
      const salt = new Uint8Array(12);
      salt.set(this.iv.subarray(0, 4), 0);
      this.gcm = new AesGcm(keys.key, salt, gcm === undefined ? {} : { mode: gcm });
    } else {
      this.gcm = undefined;
    }
  }

  private setNonce(epoch: number, seq: number): void {
    const n = this.nonce;
    if (this.chacha) {
      n.set(this.iv, 0);
      n[4] ^= epoch >>> 8;
      n[5] ^= epoch;
      const hi = Math.floor(seq / 0x1_0000_0000);
      const lo = seq >>> 0;
      n[6] ^= hi >>> 8;
      n[7] ^= hi;
      n[8] ^= lo >>> 24;
      n[9] ^= lo >>> 16;
      n[10] ^= lo >>> 8;
      n[11] ^= lo;
    } else {
      n[4] = epoch >>> 8;
      n[5] = epoch;
      writeSeq48(n, 6, seq);
    }
  }

  private setAad(type: number, version: number, epoch: number, seq: number, length: number): void {
    const a = this.aad;
    a[0] = epoch >>> 8;
    a[1] = epoch;
    writeSeq48(a, 2, seq);
    this.setAadTail(type, version, length);
  }

  private setAadTail(type: number, version: number, length: number): void {
    const a = this.aad;
    a[8] = type;
    a[9] = version >>> 8;
    a[10] = version;
    a[11] = length >>> 8;
    a[12] = length;
  }

  /** A whole protected record (header included) carrying `plaintext`. */
  seal(type: number, version: number, epoch: number, seq: number, plaintext: Uint8Array): Uint8Array {
    const len = plaintext.length;
    const fragLen = this.explicit + len + TAG;
    // Every byte is written below: header, explicit nonce, cipher text, tag.
    const out = allocateUninitialized(RECORD_HEADER_LENGTH + fragLen);
    writeRecordHeader(out, 0, type, version, epoch, seq, fragLen);
    let at = RECORD_HEADER_LENGTH;
    const a = this.aad;
    if (this.explicit) {
      // epoch||seq, as just written in the header (bytes 3..10), is the explicit nonce and the
      // AAD's sequence number: copy it rather than encode it three times.
      const n = this.nonce;
      for (let i = 0; i < 8; i++) {
        const b = out[3 + i];
        n[4 + i] = b;
        a[i] = b;
        out[at++] = b;
      }
    } else {
      this.setNonce(epoch, seq);
      for (let i = 0; i < 8; i++) a[i] = out[3 + i];
    }
    a[8] = type;
    a[9] = version >>> 8;
    a[10] = version;
    a[11] = len >>> 8;
    a[12] = len;
    if (this.gcm !== undefined) {
      // Nonce = salt || epoch || seq48: stream = epoch, index = seq.
      this.gcm.seal(epoch, seq, a, 0, 13, plaintext, 0, len, out, at);
      return out;
    }
    // No options objects: they send node:crypto down a slower path (measured). GCM and
    // ChaCha20-Poly1305 default to 16-byte tags.
    const c = createCipheriv(this.alg as "aes-128-gcm", this.key, this.nonce);
    c.setAAD(a);
    const ct = c.update(plaintext);
    out.set(ct, at);
    c.final();
    out.set(c.getAuthTag(), at + len);
    return out;
  }

  /**
   * The plaintext of the record fragment `d[from, from+length)` (its 13-byte header right before
   * it, in `d`) or undefined when it does not
   * authenticate. The caller has checked the replay window.
   */
  open(type: number, version: number, epoch: number, seq: number, d: Uint8Array, from: number, length: number): Uint8Array | undefined {
    const ptLen = length - this.overhead;
    if (ptLen < 0) return undefined;
    if (this.explicit) {
      // GCM: the explicit nonce travels in the record (RFC 5288 §3); epoch||seq sits in the
      // record header just before the fragment (bytes from-10 .. from-3).
      const n = this.nonce;
      const a = this.aad;
      for (let i = 0; i < 8; i++) {
        n[4 + i] = d[from + i];
        a[i] = d[from - 10 + i];
      }
      this.setAadTail(type, version, ptLen);
    } else {
      this.setNonce(epoch, seq);
      this.setAad(type, version, epoch, seq, ptLen);
    }
    const ctStart = from + this.explicit;
    const gcm = this.gcm;
    if (gcm !== undefined) {
      // The peer's explicit nonce: 2 bytes of stream, 6 of index (epoch and seq, if it does as we do).
      const stream = (d[from] << 8) | d[from + 1];
      const index = ((d[from + 2] << 8) | d[from + 3]) * 0x1_0000_0000 + (((d[from + 4] << 24) | (d[from + 5] << 16) | (d[from + 6] << 8) | d[from + 7]) >>> 0);
      return gcm.openFresh(stream, index, this.aad, 0, 13, d, ctStart, ptLen);
    }
    try {
      const dc = createDecipheriv(this.alg as "aes-128-gcm", this.key, this.nonce);
      dc.setAAD(this.aad);
      const tag = this.tag;
      const tagAt = ctStart + ptLen;
      for (let i = 0; i < TAG; i++) tag[i] = d[tagAt + i]; // a 16-byte copy beats allocating a view
      dc.setAuthTag(tag);
      // A plain view built directly: Buffer#subarray goes through @@species and costs more.
      const base = d.byteOffset;
      const pt = dc.update(new Uint8Array(d.buffer, base + ctStart, ptLen));
      dc.final();
      return pt;
    } catch {
      return undefined;
    }
  }
}
