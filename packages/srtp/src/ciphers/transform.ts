/**
 * What a cipher transform does once the context has found the packet index: protect or
 * unprotect one RTP or RTCP packet. Transforms keep their keys and scratch buffers; they hold
 * no per-SSRC state and never read a clock.
 */
export interface SrtpTransform {
  readonly rtpTagLength: number;
  readonly rtcpTagLength: number;
  /** AEAD transforms put the SRTCP E-flag and index last, after the tag (RFC 7714 §9). */
  readonly aead: boolean;

  /**
   * Write the SRTP packet for the plaintext RTP `packet` (header length `headerLength`, index
   * ROC * 2^16 + seq) into `out[0, packet.length + rtpTagLength)`.
   */
  protectRtp(packet: Uint8Array, headerLength: number, ssrc: number, roc: number, seq: number, out: Uint8Array): void;

  /**
   * Authenticate the SRTP `packet` (tag included) and, when it verifies, write the RTP packet
   * into `out[0, packet.length - rtpTagLength)`. Returns false, and leaves `out` untouched,
   * when authentication fails.
   */
  unprotectRtp(packet: Uint8Array, headerLength: number, ssrc: number, roc: number, seq: number, out: Uint8Array): boolean;

  /**
   * Write the SRTCP packet for the compound RTCP `packet` with SRTCP index `index` into
   * `out[0, packet.length + 4 + rtcpTagLength)`; `encrypt` is the E-flag.
   */
  protectRtcp(packet: Uint8Array, ssrc: number, index: number, encrypt: boolean, out: Uint8Array): void;

  /**
   * Authenticate the SRTCP `packet` (trailer and tag included) and, when it verifies, write the
   * RTCP packet into `out[0, packet.length - 4 - rtcpTagLength)`.
   */
  unprotectRtcp(packet: Uint8Array, ssrc: number, index: number, encrypted: boolean, out: Uint8Array): boolean;

  /** Drop anything kept for an SSRC whose state the context dropped. */
  forgetSsrc(ssrc: number): void;
}
