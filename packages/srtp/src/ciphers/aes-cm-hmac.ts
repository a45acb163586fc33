/**
 * AES_CM_128 encryption with HMAC-SHA1 authentication: SRTP_AES128_CM_HMAC_SHA1_80 and _32
 * (RFC 3711 §4.1.1, §4.2.1; RFC 5764 §4.1.2).
 *
 * Per packet: the packet is copied once into the HMAC scratch (word aligned, right behind the
 * key XOR ipad block), the payload is XORed there with the keystream, the ROC appended for the
 * tag (§4.2: M = authenticated portion || ROC), and the result copied out. Two native calls per
 * packet (one ECB update, one SHA-1 of the inner message) plus a short outer SHA-1.
 */
import { KeystreamRuns } from "@tsrtc/base";
import type { SessionKeys } from "../kdf.js";
import type { SrtpProfile } from "../profiles.js";
import { HMAC_MESSAGE_OFFSET as M, HmacSha1 } from "./hmac-sha1.js";
import { CounterKeystream, xorKeystream } from "./keystream.js";
import type { SrtpTransform } from "./transform.js";

export class AesCmHmacTransform implements SrtpTransform {
  readonly rtpTagLength: number;
  readonly rtcpTagLength: number;
  readonly aead = false;
  private readonly rtpKs: KeystreamRuns;
  private readonly rtcpKs: CounterKeystream;
  private readonly rtpMac: HmacSha1;
  private readonly rtcpMac: HmacSha1;

  constructor(profile: SrtpProfile, keys: SessionKeys) {
    this.rtpTagLength = profile.rtpTagLength;
    this.rtcpTagLength = profile.rtcpTagLength;
    this.rtpKs = new KeystreamRuns(new CounterKeystream(keys.rtpKey, keys.rtpSalt));
    this.rtcpKs = new CounterKeystream(keys.rtcpKey, keys.rtcpSalt);
    this.rtpMac = new HmacSha1(keys.rtpAuthKey);
    this.rtcpMac = new HmacSha1(keys.rtcpAuthKey);
  }

  protectRtp(packet: Uint8Array, h: number, ssrc: number, roc: number, seq: number, out: Uint8Array): void {
    const len = packet.length;
    const mac = this.rtpMac;
    mac.ensure(len + 4);
    const buf = mac.buf;
    buf.set(packet, M);
    this.xorRtp(ssrc, roc * 65536 + seq, buf, mac.buf32, M + h, len - h);
    writeU32(buf, M + len, roc);
    out.set(mac.message(len), 0);
    mac.sign(len + 4, out, len, this.rtpTagLength);
  }

  unprotectRtp(packet: Uint8Array, h: number, ssrc: number, roc: number, seq: number, out: Uint8Array): boolean {
    const len = packet.length - this.rtpTagLength;
    const mac = this.rtpMac;
    mac.ensure(len + 4);
    const buf = mac.buf;
    buf.set(packet.subarray(0, len), M);
    writeU32(buf, M + len, roc);
    // Authenticate before decrypting (RFC 3711 §3.3 steps 5-6).
    if (!mac.verify(len + 4, packet, len, this.rtpTagLength)) return false;
    this.xorRtp(ssrc, roc * 65536 + seq, buf, mac.buf32, M + h, len - h);
    out.set(mac.message(len), 0);
    return true;
  }

  protectRtcp(packet: Uint8Array, ssrc: number, index: number, encrypt: boolean, out: Uint8Array): void {
    const len = packet.length;
    const mac = this.rtcpMac;
    mac.ensure(len + 4);
    const buf = mac.buf;
    buf.set(packet, M);
    if (encrypt) {
      // SRTCP encrypts everything after the first 8 bytes (§3.4), IV from the SRTCP index (§4.1.1).
      xorKeystream(this.rtcpKs.run(ssrc, index, 1, (len - 8 + 15) >>> 4), 0, buf, mac.buf32, M + 8, len - 8);
    }
    writeU32(buf, M + len, (encrypt ? 0x80000000 : 0) | index);
    out.set(mac.message(len + 4), 0);
    mac.sign(len + 4, out, len + 4, this.rtcpTagLength);
  }

  unprotectRtcp(packet: Uint8Array, ssrc: number, index: number, encrypted: boolean, out: Uint8Array): boolean {
    const authLen = packet.length - this.rtcpTagLength;
    const len = authLen - 4;
    const mac = this.rtcpMac;
    mac.ensure(authLen);
    const buf = mac.buf;
    buf.set(packet.subarray(0, authLen), M);
    if (!mac.verify(authLen, packet, authLen, this.rtcpTagLength)) return false;
    if (encrypted) {
      xorKeystream(this.rtcpKs.run(ssrc, index, 1, (len - 8 + 15) >>> 4), 0, buf, mac.buf32, M + 8, len - 8);
    }
    out.set(mac.message(len), 0);
    return true;
  }

  forgetSsrc(ssrc: number): void {
    this.rtpKs.forget(ssrc);
  }

  /**
   * buf[at, at + n) ^= the keystream of RTP packet (ssrc, index), from the runs computed ahead
   * (trusted: a receiver asks only after the packet authenticated).
   */
  private xorRtp(ssrc: number, index: number, buf: Uint8Array, buf32: Int32Array, at: number, n: number): void {
    if (n === 0) return;
    const runs = this.rtpKs;
    runs.find(ssrc, index, (n + 15) >>> 4, true);
    xorKeystream(runs.ks32, runs.at, buf, buf32, at, n);
  }
}

export function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}
