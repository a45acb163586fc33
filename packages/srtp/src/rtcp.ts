/**
 * SRTCP framing (RFC 3711 §3.4): the E-flag and 31-bit SRTCP index trailer, where it sits for
 * each transform, and the minimum sizes. The RTCP content itself is werift-rtp's business; we
 * read only the version and the sender SSRC of the first packet of the compound.
 */

export const RTCP_HEADER_LENGTH = 8;
export const SRTCP_TRAILER_LENGTH = 4;
export const SRTCP_INDEX_MASK = 0x7fffffff;
export const SRTCP_E_FLAG = 0x80000000;

/** True when `packet` can be protected as RTCP: version 2 and at least header + SSRC. */
export function isRtcpPacket(packet: Uint8Array): boolean {
  return packet.length >= RTCP_HEADER_LENGTH && packet[0] >> 6 === 2;
}

/** SSRC of the sender of the first packet in the compound (bytes 4-7). */
export function rtcpSenderSsrc(packet: Uint8Array): number {
  return ((packet[4] << 24) | (packet[5] << 16) | (packet[6] << 8) | packet[7]) >>> 0;
}

/**
 * Offset of the E-flag || SRTCP index word: before the authentication tag for the HMAC
 * transforms (RFC 3711 Figure 2), last for AEAD (RFC 7714 §9, Figure 3).
 */
export function srtcpTrailerOffset(length: number, tagLength: number, aead: boolean): number {
  return aead ? length - SRTCP_TRAILER_LENGTH : length - tagLength - SRTCP_TRAILER_LENGTH;
}

/** Smallest SRTCP packet: RTCP header, trailer and tag. */
export function minSrtcpLength(tagLength: number): number {
  return RTCP_HEADER_LENGTH + SRTCP_TRAILER_LENGTH + tagLength;
}

export function readU32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}
