/**
 * RFC 7983 §7 (updating RFC 5764 §5.1.2): which protocol a datagram on a bundled
 * WebRTC socket belongs to, from its first byte.
 *
 *   0..3     STUN          16..19  ZRTP        20..63  DTLS
 *   64..79   TURN channel  128..191 RTP/RTCP   anything else: drop
 */
export type DemuxKind = "stun" | "zrtp" | "dtls" | "turn-channel" | "rtp" | "rtcp" | "unknown";

export function demux(data: Uint8Array): DemuxKind {
  if (data.length === 0) return "unknown";
  const b = data[0];
  if (b <= 3) return "stun";
  if (b >= 16 && b <= 19) return "zrtp";
  if (b >= 20 && b <= 63) return "dtls";
  if (b >= 64 && b <= 79) return "turn-channel";
  if (b >= 128 && b <= 191) {
    if (data.length < 2) return "unknown";
    return isRtcpPacketType(data[1]) ? "rtcp" : "rtp";
  }
  return "unknown";
}

/**
 * RFC 5761 §4: with RTP and RTCP multiplexed, a second byte (RTCP packet type, or RTP
 * marker+payload type) in 192..223 is RTCP.
 */
export function isRtcpPacketType(secondByte: number): boolean {
  return secondByte >= 192 && secondByte <= 223;
}
