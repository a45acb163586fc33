/**
 * The NULL cipher with HMAC-SHA1 authentication (RFC 3711 §4.1.3; SRTP_NULL_HMAC_SHA1_80/_32 of
 * RFC 5764 §4.1.2): payloads stay in the clear, packets are still authenticated and the SRTCP
 * trailer still carries the E-flag (always 0 here, as nothing is encrypted) and index. For tests
 * and debugging captures.
 */
import type { SessionKeys } from "../kdf.js";
import type { SrtpProfile } from "../profiles.js";
import { writeU32 } from "./aes-cm-hmac.js";
import { HMAC_MESSAGE_OFFSET as M, HmacSha1 } from "./hmac-sha1.js";
import type { SrtpTransform } from "./transform.js";

export class NullHmacTransform implements SrtpTransform {
  readonly rtpTagLength: number;
  readonly rtcpTagLength: number;
  readonly aead = false;
  private readonly rtpMac: HmacSha1;
  private readonly rtcpMac: HmacSha1;

  constructor(profile: SrtpProfile, keys: SessionKeys) {
    this.rtpTagLength = profile.rtpTagLength;
    this.rtcpTagLength = profile.rtcpTagLength;
    this.rtpMac = new HmacSha1(keys.rtpAuthKey);
    this.rtcpMac = new HmacSha1(keys.rtcpAuthKey);
  }

  protectRtp(packet: Uint8Array, _h: number, _ssrc: number, roc: number, _seq: number, out: Uint8Array): void {
    const len = packet.length;
    const mac = this.rtpMac;
    mac.ensure(len + 4);
    mac.buf.set(packet, M);
    writeU32(mac.buf, M + len, roc);
    out.set(packet, 0);
    mac.sign(len + 4, out, len, this.rtpTagLength);
  }

  unprotectRtp(packet: Uint8Array, _h: number, _ssrc: number, roc: number, _seq: number, out: Uint8Array): boolean {
    const len = packet.length - this.rtpTagLength;
    const mac = this.rtpMac;
    mac.ensure(len + 4);
    mac.buf.set(packet.subarray(0, len), M);
    writeU32(mac.buf, M + len, roc);
    if (!mac.verify(len + 4, packet, len, this.rtpTagLength)) return false;
    out.set(packet.subarray(0, len), 0);
    return true;
  }

  protectRtcp(packet: Uint8Array, _ssrc: number, index: number, _encrypt: boolean, out: Uint8Array): void {
    const len = packet.length;
    const mac = this.rtcpMac;
    mac.ensure(len + 4);
    mac.buf.set(packet, M);
    writeU32(mac.buf, M + len, index); // E = 0: nothing is encrypted
    out.set(mac.buf.subarray(M, M + len + 4), 0);
    mac.sign(len + 4, out, len + 4, this.rtcpTagLength);
  }

  unprotectRtcp(packet: Uint8Array, _ssrc: number, _index: number, _encrypted: boolean, out: Uint8Array): boolean {
    const authLen = packet.length - this.rtcpTagLength;
    const mac = this.rtcpMac;
    mac.ensure(authLen);
    mac.buf.set(packet.subarray(0, authLen), M);
    if (!mac.verify(authLen, packet, authLen, this.rtcpTagLength)) return false;
    out.set(packet.subarray(0, authLen - 4), 0);
    return true;
  }

  forgetSsrc(_ssrc: number): void {}
}
