/**
 * One direction of SRTP/SRTCP (RFC 3711 §3.2): the session keys of one sender, and per-SSRC
 * state created on demand. Use one context to protect what we send and another to unprotect
 * what the peer sends (see session.ts).
 *
 * Hot path: `protectRtp`/`unprotectRtp` return the output bytes, or `undefined` on failure with
 * the reason in `lastError` and counted in `stats.failures`; no result object per packet. They
 * never throw on remote input. Output goes to a fresh Uint8Array, or to a caller-provided `out`
 * (which may be the input itself for in-place unprotect; the result is then a view of `out`).
 * A protect `out` too small for the result is a programmer error and throws a RangeError.
 */
import { allocateUninitialized, type GcmMode } from "@tsrtc/base";
import { AeadGcmTransform } from "./ciphers/aead-gcm.js";
import { AesCmHmacTransform } from "./ciphers/aes-cm-hmac.js";
import { NullHmacTransform } from "./ciphers/null.js";
import type { SrtpTransform } from "./ciphers/transform.js";
import { deriveSessionKeys, type SessionKeys } from "./kdf.js";
import { srtpProfile, type SrtpProfile, type SrtpProfileId } from "./profiles.js";
import {
  isRtcpPacket,
  minSrtcpLength,
  readU32,
  rtcpSenderSsrc,
  SRTCP_E_FLAG,
  SRTCP_INDEX_MASK,
  SRTCP_TRAILER_LENGTH,
  srtcpTrailerOffset,
} from "./rtcp.js";
import { RTP_FIXED_HEADER_LENGTH, RTP_NOT_VERSION_2, rtpHeaderLength, rtpSequenceNumber, rtpSsrc } from "./rtp-header.js";
import { estimateRoc, RtcpStream, RtpStream } from "./stream.js";

/** Why a packet was refused. */
export type SrtpFailure =
  /** Not RTP/RTCP version 2 (or not RTP at all). */
  | "malformed"
  /** Shorter than header + trailer + tag, or the header runs past the end. */
  | "truncated"
  /** The authentication tag did not verify (forged, corrupted, or wrong keys/ROC). */
  | "auth"
  /** Index already seen, or older than the replay window (§3.3.2). */
  | "replay"
  /** A new SSRC while `maxSsrcs` contexts exist already. */
  | "too-many-ssrcs"
  /** Unprotect only: the packet does not fit the output buffer the caller passed. */
  | "too-large"
  /**
   * Protect only: this SSRC's SRTCP index space is used up. A master key protects at most 2^31
   * SRTCP packets (RFC 3711 §3.2.1): a wrapped index would reuse a keystream (an AEAD nonce).
   * Re-key (a new DTLS handshake) to go on.
   */
  | "exhausted";

export const SRTP_FAILURES: readonly SrtpFailure[] = ["malformed", "truncated", "auth", "replay", "too-many-ssrcs", "too-large", "exhausted"];

export interface SrtpContextOptions {
  /** Replay window in packets (§3.3.2); default 64 as browsers, up to 65536 for video bursts. */
  replayWindow?: number;
  /** Most SSRCs with state, separately for SRTP and SRTCP; default 1024. */
  maxSsrcs?: number;
  /** Set the SRTCP E-flag and encrypt RTCP (default true; false sends authenticated-only RTCP). */
  encryptRtcp?: boolean;
  /**
   * AEAD_AES_*_GCM profiles: "auto" (default: node:crypto for a key's first packets, then the
   * faster JS GHASH tables, which are not constant-time against a co-located cache-timing
   * attacker) or "node" (node:crypto for every packet). Default: base's `defaultGcmMode()`.
   */
  gcm?: GcmMode;
}

export interface SrtpStats {
  rtpProtected: number;
  rtpUnprotected: number;
  rtcpProtected: number;
  rtcpUnprotected: number;
  failures: Record<SrtpFailure, number>;
}

/** Keys for a context: a master key and salt to derive from (§4.3), or session keys as is. */
export type SrtpKeys = { masterKey: Uint8Array; masterSalt: Uint8Array } | { sessionKeys: SessionKeys };

export class SrtpContext {
  readonly profile: SrtpProfile;
  /** Reason of the most recent failure. */
  lastError: SrtpFailure | undefined = undefined;
  readonly stats: SrtpStats = {
    rtpProtected: 0,
    rtpUnprotected: 0,
    rtcpProtected: 0,
    rtcpUnprotected: 0,
    failures: { malformed: 0, truncated: 0, auth: 0, replay: 0, "too-many-ssrcs": 0, "too-large": 0, exhausted: 0 },
  };
  private readonly transform: SrtpTransform;
  private readonly rtpTag: number;
  private readonly rtcpTag: number;
  private readonly windowSize: number;
  private readonly maxSsrcs: number;
  private readonly encryptRtcp: boolean;
  private readonly rtpStreams = new Map<number, RtpStream>();
  /** The stream of the previous RTP packet: most packets follow one of the same SSRC. */
  private lastRtp: RtpStream | undefined = undefined;
  private readonly rtcpStreams = new Map<number, RtcpStream>();

  constructor(profile: SrtpProfileId | SrtpProfile, keys: SrtpKeys, options: SrtpContextOptions = {}) {
    const p = srtpProfile(profile);
    this.profile = p;
    const sessionKeys = "sessionKeys" in keys ? keys.sessionKeys : deriveSessionKeys(p, keys.masterKey, keys.masterSalt);
    this.transform =
      p.kind === "aead-gcm"
        ? new AeadGcmTransform(p, sessionKeys, options.gcm)
        : p.kind === "null-hmac"
          ? new NullHmacTransform(p, sessionKeys)
          : new AesCmHmacTransform(p, sessionKeys);
    this.rtpTag = this.transform.rtpTagLength;
    this.rtcpTag = this.transform.rtcpTagLength;
    this.windowSize = options.replayWindow ?? 64;
    if (!Number.isInteger(this.windowSize) || this.windowSize < 1 || this.windowSize > 65536) {
      throw new RangeError(`replayWindow must be an integer in 1..65536, got ${options.replayWindow}`);
    }
    this.maxSsrcs = options.maxSsrcs ?? 1024;
    if (!Number.isInteger(this.maxSsrcs) || this.maxSsrcs < 1) {
      throw new RangeError(`maxSsrcs must be a positive integer, got ${options.maxSsrcs}`);
    }
    this.encryptRtcp = options.encryptRtcp ?? true;
  }

  /** Number of SSRCs with SRTP state and with SRTCP state. */
  get ssrcCount(): { rtp: number; rtcp: number } {
    return { rtp: this.rtpStreams.size, rtcp: this.rtcpStreams.size };
  }

  /** Rollover counter of an SSRC's SRTP stream, or undefined if unknown. */
  rolloverCounter(ssrc: number): number | undefined {
    return this.rtpStreams.get(ssrc >>> 0)?.roc;
  }

  /** Set the SRTCP index of the next RTCP packet sent for `ssrc` (e.g. to resume a session). */
  setRtcpIndex(ssrc: number, index: number): void {
    if (!Number.isInteger(index) || index < 0 || index > SRTCP_INDEX_MASK) {
      throw new RangeError(`SRTCP index must be in 0..2^31-1, got ${index}`);
    }
    const s = this.rtcpStream(ssrc >>> 0);
    if (!s) throw new RangeError("too many SSRCs");
    s.nextIndex = index;
  }

  /** Drop the state of an SSRC that ended (RTCP BYE, transceiver stopped). */
  removeSsrc(ssrc: number): void {
    if (this.lastRtp?.ssrc === ssrc >>> 0) this.lastRtp = undefined;
    this.rtpStreams.delete(ssrc >>> 0);
    this.rtcpStreams.delete(ssrc >>> 0);
    this.transform.forgetSsrc(ssrc >>> 0);
  }

  /** Protect an RTP packet (RFC 3711 §3.3). Undefined (see lastError) for a malformed packet. */
  protectRtp(packet: Uint8Array, out?: Uint8Array): Uint8Array | undefined {
    const len = packet.length;
    const h = rtpHeaderLength(packet, len);
    if (h < 0) return this.fail(h === RTP_NOT_VERSION_2 ? "malformed" : "truncated");
    const ssrc = rtpSsrc(packet);
    const seq = rtpSequenceNumber(packet);
    let s = this.rtpStream(ssrc);
    let roc = 0;
    if (s === undefined) {
      if (this.rtpStreams.size >= this.maxSsrcs) return this.fail("too-many-ssrcs");
      s = new RtpStream(ssrc, seq, this.windowSize);
      this.rtpStreams.set(ssrc, s);
      this.lastRtp = s;
    } else {
      // The sender tracks its own ROC the same way: a wrap bumps it, a resend keeps its index.
      roc = estimateRoc(s.seq, s.roc, seq);
      s.advance(roc, seq);
    }
    const n = len + this.rtpTag;
    const dst = output(out, n);
    this.transform.protectRtp(packet, h, ssrc, roc, seq, dst);
    this.stats.rtpProtected++;
    return dst.length === n ? dst : dst.subarray(0, n);
  }

  /**
   * Unprotect an SRTP packet (RFC 3711 §3.3): index estimate (§3.3.1), replay check, then
   * authentication, and only then decryption and the state update (§3.3.2).
   */
  unprotectRtp(packet: Uint8Array, out?: Uint8Array): Uint8Array | undefined {
    const len = packet.length;
    if (len < RTP_FIXED_HEADER_LENGTH + this.rtpTag) {
      return this.fail(len > 0 && packet[0] >> 6 !== 2 ? "malformed" : "truncated");
    }
    const n = len - this.rtpTag;
    const h = rtpHeaderLength(packet, n);
    if (h < 0) return this.fail(h === RTP_NOT_VERSION_2 ? "malformed" : "truncated");
    const ssrc = rtpSsrc(packet);
    const seq = rtpSequenceNumber(packet);
    const s = this.rtpStream(ssrc);
    let roc = 0;
    if (s !== undefined) {
      roc = estimateRoc(s.seq, s.roc, seq);
      if (!s.replay().check(roc * 65536 + seq)) return this.fail("replay");
    } else if (this.rtpStreams.size >= this.maxSsrcs) {
      return this.fail("too-many-ssrcs");
    }
    if (out !== undefined && out.length < n) return this.fail("too-large");
    const dst = output(out, n);
    if (!this.transform.unprotectRtp(packet, h, ssrc, roc, seq, dst)) return this.fail("auth");
    // Authenticated: now, and only now, state may be created or moved.
    let st = s;
    if (st === undefined) {
      st = new RtpStream(ssrc, seq, this.windowSize);
      this.rtpStreams.set(ssrc, st);
      this.lastRtp = st;
    } else {
      st.advance(roc, seq);
    }
    st.replay().update(roc * 65536 + seq);
    this.stats.rtpUnprotected++;
    return dst.length === n ? dst : dst.subarray(0, n);
  }

  /** Protect a compound RTCP packet (RFC 3711 §3.4), with the next SRTCP index of its sender. */
  protectRtcp(packet: Uint8Array, out?: Uint8Array): Uint8Array | undefined {
    if (!isRtcpPacket(packet)) return this.fail(packet.length >= 1 && packet[0] >> 6 !== 2 ? "malformed" : "truncated");
    const ssrc = rtcpSenderSsrc(packet);
    const s = this.rtcpStream(ssrc);
    if (!s) return this.fail("too-many-ssrcs");
    const index = s.nextIndex;
    if (index > SRTCP_INDEX_MASK) return this.fail("exhausted");
    s.nextIndex = index + 1; // 2^31 once the last index is used: never wraps to 0
    const n = packet.length + SRTCP_TRAILER_LENGTH + this.rtcpTag;
    const dst = output(out, n);
    this.transform.protectRtcp(packet, ssrc, index, this.encryptRtcp, dst);
    this.stats.rtcpProtected++;
    return dst.length === n ? dst : dst.subarray(0, n);
  }

  /** Unprotect an SRTCP packet: E-flag and index from the trailer, replay check, auth, decrypt. */
  unprotectRtcp(packet: Uint8Array, out?: Uint8Array): Uint8Array | undefined {
    const len = packet.length;
    if (len < minSrtcpLength(this.rtcpTag)) {
      return this.fail(len > 0 && packet[0] >> 6 !== 2 ? "malformed" : "truncated");
    }
    if (packet[0] >> 6 !== 2) return this.fail("malformed");
    const word = readU32(packet, srtcpTrailerOffset(len, this.rtcpTag, this.transform.aead));
    const encrypted = (word & SRTCP_E_FLAG) !== 0;
    const index = word & SRTCP_INDEX_MASK;
    const ssrc = rtcpSenderSsrc(packet);
    const s = this.rtcpStreams.get(ssrc);
    if (s !== undefined) {
      if (!s.replay().check(index)) return this.fail("replay");
    } else if (this.rtcpStreams.size >= this.maxSsrcs) {
      return this.fail("too-many-ssrcs");
    }
    const n = len - SRTCP_TRAILER_LENGTH - this.rtcpTag;
    if (out !== undefined && out.length < n) return this.fail("too-large");
    const dst = output(out, n);
    if (!this.transform.unprotectRtcp(packet, ssrc, index, encrypted, dst)) return this.fail("auth");
    let st = s;
    if (st === undefined) {
      st = new RtcpStream(ssrc, this.windowSize);
      this.rtcpStreams.set(ssrc, st);
    }
    st.replay().update(index);
    this.stats.rtcpUnprotected++;
    return dst.length === n ? dst : dst.subarray(0, n);
  }

  private rtpStream(ssrc: number): RtpStream | undefined {
    const last = this.lastRtp;
    if (last !== undefined && last.ssrc === ssrc) return last;
    const s = this.rtpStreams.get(ssrc);
    if (s !== undefined) this.lastRtp = s;
    return s;
  }

  private rtcpStream(ssrc: number): RtcpStream | undefined {
    let s = this.rtcpStreams.get(ssrc);
    if (s === undefined) {
      if (this.rtcpStreams.size >= this.maxSsrcs) return undefined;
      s = new RtcpStream(ssrc, this.windowSize);
      this.rtcpStreams.set(ssrc, s);
    }
    return s;
  }

  private fail(reason: SrtpFailure): undefined {
    this.lastError = reason;
    this.stats.failures[reason]++;
    return undefined;
  }
}

/** The caller's buffer (for protect it must be large enough: misuse throws) or a fresh one. */
function output(out: Uint8Array | undefined, n: number): Uint8Array {
  if (out === undefined) return allocateUninitialized(n);
  if (out.length < n) throw new RangeError(`SRTP output buffer holds ${out.length} bytes, needs ${n}`);
  return out;
}
