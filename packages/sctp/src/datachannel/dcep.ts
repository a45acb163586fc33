/**
 * The Data Channel Establishment Protocol (RFC 8832): DATA_CHANNEL_OPEN (§5.1) and
 * DATA_CHANNEL_ACK (§5.2), carried with PPID 50 on the channel's own stream.
 */
import { ParseError, utf8DecodeLenient as utf8Decode, utf8Encode } from "@tsrtc/base";

export const DcepType = { ACK: 0x02, OPEN: 0x03 } as const;

/** RFC 8832 §5.1 channel types: the high bit means unordered. */
export const ChannelType = {
  RELIABLE: 0x00,
  RELIABLE_UNORDERED: 0x80,
  PARTIAL_RELIABLE_REXMIT: 0x01,
  PARTIAL_RELIABLE_REXMIT_UNORDERED: 0x81,
  PARTIAL_RELIABLE_TIMED: 0x02,
  PARTIAL_RELIABLE_TIMED_UNORDERED: 0x82,
} as const;

/** RFC 8831 §6.4 priorities. */
export const Priority = { BELOW_NORMAL: 128, NORMAL: 256, HIGH: 512, EXTRA_HIGH: 1024 } as const;

export interface DcepOpen {
  channelType: number;
  priority: number;
  /** Retransmissions (REXMIT) or lifetime in ms (TIMED); ignored for reliable channels. */
  reliability: number;
  label: string;
  protocol: string;
}

export function encodeOpen(o: DcepOpen): Uint8Array {
  const label = utf8Encode(o.label);
  const protocol = utf8Encode(o.protocol);
  if (label.length > 0xffff || protocol.length > 0xffff) throw new RangeError("label or protocol longer than 65535 bytes");
  const out = new Uint8Array(12 + label.length + protocol.length);
  out[0] = DcepType.OPEN;
  out[1] = o.channelType;
  out[2] = o.priority >>> 8;
  out[3] = o.priority;
  out[4] = o.reliability >>> 24;
  out[5] = o.reliability >>> 16;
  out[6] = o.reliability >>> 8;
  out[7] = o.reliability;
  out[8] = label.length >>> 8;
  out[9] = label.length;
  out[10] = protocol.length >>> 8;
  out[11] = protocol.length;
  out.set(label, 12);
  out.set(protocol, 12 + label.length);
  return out;
}

export function decodeOpen(b: Uint8Array): DcepOpen {
  if (b.length < 12 || b[0] !== DcepType.OPEN) throw new ParseError("dcep", "truncated", "DATA_CHANNEL_OPEN too short", 0);
  const labelLen = (b[8] << 8) | b[9];
  const protocolLen = (b[10] << 8) | b[11];
  if (12 + labelLen + protocolLen > b.length) {
    throw new ParseError("dcep", "bad-length", "label/protocol past the message", 8);
  }
  return {
    channelType: b[1],
    priority: (b[2] << 8) | b[3],
    reliability: ((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]) >>> 0,
    label: utf8Decode(b.subarray(12, 12 + labelLen)),
    protocol: utf8Decode(b.subarray(12 + labelLen, 12 + labelLen + protocolLen)),
  };
}

export const ACK_MESSAGE: Uint8Array = Uint8Array.of(DcepType.ACK);

/** Channel type for the given reliability settings (RFC 8832 §5.1). */
export function channelTypeFor(ordered: boolean, maxRetransmits: number | null, maxPacketLifeTime: number | null): number {
  const u = ordered ? 0 : 0x80;
  if (maxRetransmits !== null) return ChannelType.PARTIAL_RELIABLE_REXMIT | u;
  if (maxPacketLifeTime !== null) return ChannelType.PARTIAL_RELIABLE_TIMED | u;
  return ChannelType.RELIABLE | u;
}
