/**
 * The little of the RTP header SRTP must read (RFC 3550 §5.1, RFC 3711 §3.1): its length (fixed
 * part, CSRCs and the header extension, which all stay in the clear), the sequence number and
 * the SSRC. Everything else is the business of werift-rtp's packet types.
 */

export const RTP_FIXED_HEADER_LENGTH = 12;

/** rtpHeaderLength's answer when the packet is not RTP version 2. */
export const RTP_NOT_VERSION_2 = -1;
/** rtpHeaderLength's answer when the fixed header, CSRCs or extension run past the end. */
export const RTP_HEADER_OVERRUN = -2;

/**
 * Length of the RTP header of `packet[0, end)`, or RTP_NOT_VERSION_2 / RTP_HEADER_OVERRUN
 * (both negative).
 */
export function rtpHeaderLength(packet: Uint8Array, end: number): number {
  if (end < RTP_FIXED_HEADER_LENGTH) return RTP_HEADER_OVERRUN;
  const b0 = packet[0];
  if (b0 >> 6 !== 2) return RTP_NOT_VERSION_2;
  let n = RTP_FIXED_HEADER_LENGTH + (b0 & 0x0f) * 4;
  if (b0 & 0x10) {
    // Extension header: 16-bit profile, 16-bit length in 32-bit words (RFC 3550 §5.3.1).
    if (n + 4 > end) return RTP_HEADER_OVERRUN;
    n += 4 + ((packet[n + 2] << 8) | packet[n + 3]) * 4;
  }
  return n > end ? RTP_HEADER_OVERRUN : n;
}

export function rtpSequenceNumber(packet: Uint8Array): number {
  return (packet[2] << 8) | packet[3];
}

export function rtpSsrc(packet: Uint8Array): number {
  return ((packet[8] << 24) | (packet[9] << 16) | (packet[10] << 8) | packet[11]) >>> 0;
}
