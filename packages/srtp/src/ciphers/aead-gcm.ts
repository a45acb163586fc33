/**
 * AEAD_AES_128_GCM and AEAD_AES_256_GCM for SRTP and SRTCP (RFC 7714 §§7-9), 16-byte tags.
 *
 * The AES-GCM itself is @tsrtc/base's AesGcm: node:crypto for a key's first packets, then a
 * persistent AES-ECB key schedule computing the counter-mode keystream of a stream's next
 * packets in one call, and GHASH over 8-bit tables (see packages/base/src/gcm/). Its nonce form
 * salt XOR (0^16 || stream || index48) is RFC 7714's: stream = SSRC, index = ROC || SEQ for
 * SRTP (§8.1), the 31-bit SRTCP index for SRTCP (§9.1).
 */
import { AesGcm, type GcmMode } from "@tsrtc/base";
import type { SessionKeys } from "../kdf.js";
import type { SrtpProfile } from "../profiles.js";
import { writeU32 } from "./aes-cm-hmac.js";
import type { SrtpTransform } from "./transform.js";

const TAG = 16;

export class AeadGcmTransform implements SrtpTransform {
  readonly rtpTagLength = TAG;
  readonly rtcpTagLength = TAG;
  readonly aead = true;
  private readonly rtp: AesGcm;
  private readonly rtcp: AesGcm;
  /** SRTCP AAD: the first 8 bytes || E-flag and index (§9.3), or the whole packet || them. */
  private rtcpAad = new Uint8Array(64);
  private readonly trailer = new Uint8Array(4);

  constructor(profile: SrtpProfile, keys: SessionKeys, gcm?: GcmMode) {
    if (keys.rtpKey.length !== profile.keyLength || keys.rtcpKey.length !== profile.keyLength) {
      throw new RangeError(`${profile.name} needs ${profile.keyLength}-byte session keys`);
    }
    if (keys.rtpSalt.length !== 12 || keys.rtcpSalt.length !== 12) {
      throw new RangeError(`${profile.name} needs 12-byte session salts`);
    }
    const options = gcm === undefined ? {} : { mode: gcm };
    this.rtp = new AesGcm(keys.rtpKey, keys.rtpSalt, options);
    this.rtcp = new AesGcm(keys.rtcpKey, keys.rtcpSalt, options);
  }

  protectRtp(packet: Uint8Array, h: number, ssrc: number, roc: number, seq: number, out: Uint8Array): void {
    const len = packet.length;
    if (out !== packet) for (let i = 0; i < h; i++) out[i] = packet[i];
    // The AAD is the whole RTP header, CSRCs and extension included (§8.2).
    this.rtp.seal(ssrc, roc * 65536 + seq, packet, 0, h, packet, h, len - h, out, h);
  }

  unprotectRtp(packet: Uint8Array, h: number, ssrc: number, roc: number, seq: number, out: Uint8Array): boolean {
    const end = packet.length - TAG;
    // Nothing is written to `out` unless the tag verifies.
    if (!this.rtp.open(ssrc, roc * 65536 + seq, packet, 0, h, packet, h, end - h, out, h)) return false;
    if (out !== packet) for (let i = 0; i < h; i++) out[i] = packet[i];
    return true;
  }

  protectRtcp(packet: Uint8Array, ssrc: number, index: number, encrypt: boolean, out: Uint8Array): void {
    const len = packet.length;
    const trailer = this.trailer;
    writeU32(trailer, 0, (encrypt ? 0x80000000 : 0) | index);
    if (encrypt) {
      const aad = this.aad(packet, 8, trailer);
      if (out !== packet) for (let i = 0; i < 8; i++) out[i] = packet[i];
      this.rtcp.seal(ssrc, index, aad, 0, 12, packet, 8, len - 8, out, 8);
    } else {
      // Authentication only: the whole packet and the trailer are AAD, the plaintext empty (§9.3).
      const aad = this.aad(packet, len, trailer);
      if (out !== packet) out.set(packet, 0);
      this.rtcp.seal(ssrc, index, aad, 0, len + 4, packet, len, 0, out, len);
    }
    out.set(trailer, len + TAG);
  }

  unprotectRtcp(packet: Uint8Array, ssrc: number, index: number, encrypted: boolean, out: Uint8Array): boolean {
    const tagAt = packet.length - 4 - TAG;
    const trailer = packet.subarray(tagAt + TAG);
    const clear = encrypted ? 8 : tagAt;
    const aad = this.aad(packet, clear, trailer);
    if (!this.rtcp.open(ssrc, index, aad, 0, clear + 4, packet, clear, tagAt - clear, out, clear)) return false;
    if (out !== packet) for (let i = 0; i < clear; i++) out[i] = packet[i];
    return true;
  }

  forgetSsrc(ssrc: number): void {
    this.rtp.forget(ssrc);
    this.rtcp.forget(ssrc);
  }

  /** packet[0, n) || trailer in the AAD scratch. */
  private aad(packet: Uint8Array, n: number, trailer: Uint8Array): Uint8Array {
    if (n + 4 > this.rtcpAad.length) this.rtcpAad = new Uint8Array(n + 4);
    const a = this.rtcpAad;
    for (let i = 0; i < n; i++) a[i] = packet[i];
    for (let i = 0; i < 4; i++) a[n + i] = trailer[i];
    return a;
  }
}
