/**
 * AEAD_AES_128_GCM and AEAD_AES_256_GCM for SRTP and SRTCP (RFC 7714 §§7-9), 16-byte tags.
 *
 * Node gives no way to re-IV a GCM cipher object, so each packet pays one `createCipheriv`; that
 * is also what the ceiling measured in bench/srtp.bench.ts pays. Everything around it is kept
 * to one output copy of the header and one of the cipher text.
 */
import { createCipheriv, createDecipheriv, type CipherGCMTypes } from "node:crypto";
import type { SessionKeys } from "../kdf.js";
import type { SrtpProfile } from "../profiles.js";
import { writeU32 } from "./aes-cm-hmac.js";
import type { SrtpTransform } from "./transform.js";

const TAG = 16;

export class AeadGcmTransform implements SrtpTransform {
  readonly rtpTagLength = TAG;
  readonly rtcpTagLength = TAG;
  readonly aead = true;
  private readonly alg: CipherGCMTypes;
  private readonly rtpKey: Uint8Array;
  private readonly rtcpKey: Uint8Array;
  private readonly rtpSalt: Uint8Array;
  private readonly rtcpSalt: Uint8Array;
  private readonly iv = new Uint8Array(12);
  /** SRTCP AAD for encrypted packets: the first 8 bytes || E-flag and index (§9.3). */
  private readonly rtcpAad = new Uint8Array(12);
  private readonly trailer = new Uint8Array(4);
  /**
   * Scratch copies of the RTP header and the tag: copying a few dozen bytes in a loop is cheaper
   * than a `subarray` view per call (~50 ns each, plus garbage), and Node copies AAD and tag in.
   */
  private headerScratch = new Uint8Array(128);
  private headerView = new Uint8Array(0);
  private headerViewLength = -1;
  private readonly tagScratch = new Uint8Array(TAG);

  constructor(profile: SrtpProfile, keys: SessionKeys) {
    this.alg = profile.keyLength === 32 ? "aes-256-gcm" : "aes-128-gcm";
    if (keys.rtpKey.length !== profile.keyLength || keys.rtcpKey.length !== profile.keyLength) {
      throw new RangeError(`${profile.name} needs ${profile.keyLength}-byte session keys`);
    }
    if (keys.rtpSalt.length !== 12 || keys.rtcpSalt.length !== 12) {
      throw new RangeError(`${profile.name} needs 12-byte session salts`);
    }
    this.rtpKey = keys.rtpKey;
    this.rtcpKey = keys.rtcpKey;
    this.rtpSalt = keys.rtpSalt;
    this.rtcpSalt = keys.rtcpSalt;
  }

  /** packet[0, h) copied into the header scratch, as a view of exactly h bytes. */
  private header(packet: Uint8Array, h: number): Uint8Array {
    if (h !== this.headerViewLength) {
      if (h > this.headerScratch.length) this.headerScratch = new Uint8Array(h);
      this.headerView = this.headerScratch.subarray(0, h);
      this.headerViewLength = h;
    }
    const v = this.headerView;
    for (let i = 0; i < h; i++) v[i] = packet[i];
    return v;
  }

  /**
   * IV = (0x0000 || SSRC || 48-bit index) XOR salt, the index being ROC || SEQ for SRTP
   * (RFC 7714 §8.1) and 0x0000 || 0 || SRTCP index for SRTCP (§9.1): `hi` is the index's upper
   * 32 bits (the ROC, or SRTCP index >>> 16), `lo` its lower 16.
   */
  private nonce(salt: Uint8Array, ssrc: number, hi: number, lo: number): Uint8Array {
    const iv = this.iv;
    const s = salt;
    iv[0] = s[0];
    iv[1] = s[1];
    iv[2] = s[2] ^ (ssrc >>> 24);
    iv[3] = s[3] ^ ((ssrc >>> 16) & 0xff);
    iv[4] = s[4] ^ ((ssrc >>> 8) & 0xff);
    iv[5] = s[5] ^ (ssrc & 0xff);
    iv[6] = s[6] ^ (hi >>> 24);
    iv[7] = s[7] ^ ((hi >>> 16) & 0xff);
    iv[8] = s[8] ^ ((hi >>> 8) & 0xff);
    iv[9] = s[9] ^ (hi & 0xff);
    iv[10] = s[10] ^ (lo >>> 8);
    iv[11] = s[11] ^ (lo & 0xff);
    return iv;
  }

  protectRtp(packet: Uint8Array, h: number, ssrc: number, roc: number, seq: number, out: Uint8Array): void {
    const len = packet.length;
    const cipher = createCipheriv(this.alg, this.rtpKey, this.nonce(this.rtpSalt, ssrc, roc, seq));
    // The AAD is the whole RTP header, CSRCs and extension included (§8.2).
    const header = this.header(packet, h);
    cipher.setAAD(header);
    const ct = cipher.update(view(packet, h, len));
    cipher.final();
    if (out !== packet) out.set(header, 0);
    out.set(ct, h);
    out.set(cipher.getAuthTag(), len);
  }

  unprotectRtp(packet: Uint8Array, h: number, ssrc: number, roc: number, seq: number, out: Uint8Array): boolean {
    const end = packet.length - TAG;
    const decipher = createDecipheriv(this.alg, this.rtpKey, this.nonce(this.rtpSalt, ssrc, roc, seq));
    const header = this.header(packet, h);
    decipher.setAAD(header);
    const tag = this.tagScratch;
    for (let i = 0; i < TAG; i++) tag[i] = packet[end + i];
    decipher.setAuthTag(tag);
    const pt = decipher.update(view(packet, h, end));
    try {
      decipher.final();
    } catch {
      return false; // authentication failed: nothing is written to `out`
    }
    if (out !== packet) out.set(header, 0);
    out.set(pt, h);
    return true;
  }

  protectRtcp(packet: Uint8Array, ssrc: number, index: number, encrypt: boolean, out: Uint8Array): void {
    const len = packet.length;
    const trailer = this.trailer;
    writeU32(trailer, 0, (encrypt ? 0x80000000 : 0) | index);
    const cipher = createCipheriv(this.alg, this.rtcpKey, this.nonce(this.rtcpSalt, ssrc, index >>> 16, index & 0xffff));
    if (encrypt) {
      const aad = this.rtcpAad;
      aad.set(packet.subarray(0, 8), 0);
      aad.set(trailer, 8);
      cipher.setAAD(aad);
      const ct = cipher.update(packet.subarray(8));
      cipher.final();
      if (out !== packet) out.set(packet.subarray(0, 8), 0);
      out.set(ct, 8);
    } else {
      // Authentication only: the whole packet and the trailer are AAD, the plaintext empty (§9.3).
      cipher.setAAD(packet);
      cipher.setAAD(trailer);
      cipher.final();
      if (out !== packet) out.set(packet, 0);
    }
    out.set(cipher.getAuthTag(), len);
    out.set(trailer, len + TAG);
  }

  unprotectRtcp(packet: Uint8Array, ssrc: number, index: number, encrypted: boolean, out: Uint8Array): boolean {
    const tagAt = packet.length - 4 - TAG;
    const trailer = packet.subarray(tagAt + TAG);
    const decipher = createDecipheriv(this.alg, this.rtcpKey, this.nonce(this.rtcpSalt, ssrc, index >>> 16, index & 0xffff));
    decipher.setAuthTag(packet.subarray(tagAt, tagAt + TAG));
    let pt: Uint8Array | undefined;
    if (encrypted) {
      const aad = this.rtcpAad;
      aad.set(packet.subarray(0, 8), 0);
      aad.set(trailer, 8);
      decipher.setAAD(aad);
      pt = decipher.update(packet.subarray(8, tagAt));
    } else {
      decipher.setAAD(packet.subarray(0, tagAt));
      decipher.setAAD(trailer);
    }
    try {
      decipher.final();
    } catch {
      return false;
    }
    if (out !== packet) out.set(packet.subarray(0, pt ? 8 : tagAt), 0);
    if (pt) out.set(pt, 8);
    return true;
  }

  forgetSsrc(_ssrc: number): void {}
}

/**
 * packet[from, to) as a plain Uint8Array view. A packet from a socket is a Buffer, whose
 * `subarray` goes through @@species and costs several times the plain constructor (measured:
 * about 3% of a 1200-byte GCM operation).
 */
function view(packet: Uint8Array, from: number, to: number): Uint8Array {
  return new Uint8Array(packet.buffer, packet.byteOffset + from, to - from);
}
