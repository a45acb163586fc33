/**
 * ChannelData messages (RFC 8656 §12.4): a 2-byte channel number (0x4000-0x4FFF, §12), a 2-byte
 * length of the application data, then the data. Over UDP the padding to a multiple of 4 is
 * optional (§12.5): we never add it and accept up to 3 trailing bytes of it on receipt.
 */
import { allocateUninitialized } from "@tsrtc/base";

/** RFC 8656 §12: the range of channel numbers a client may bind. */
export const CHANNEL_MIN = 0x4000;
export const CHANNEL_MAX = 0x4fff;
export const CHANNEL_DATA_HEADER = 4;

/** First-byte test (RFC 7983 as updated by RFC 8656 §12: 64..79 is TURN ChannelData). */
export function isChannelData(data: Uint8Array): boolean {
  return data.length > 0 && data[0] >= 0x40 && data[0] <= 0x4f;
}

export function isValidChannel(n: number): boolean {
  return Number.isInteger(n) && n >= CHANNEL_MIN && n <= CHANNEL_MAX;
}

/** The channel number of a ChannelData message (call isChannelData first). */
export function channelOf(data: Uint8Array): number {
  return (data[0] << 8) | data[1];
}

/**
 * The application data length of a ChannelData message received over UDP, or -1 when the
 * datagram is too short for its header or its claimed length (§12.6: silently discarded), or
 * longer than the claimed length plus padding to 4 bytes (§12.5).
 */
export function channelDataLength(data: Uint8Array): number {
  if (data.length < CHANNEL_DATA_HEADER) return -1;
  const len = (data[2] << 8) | data[3];
  const end = CHANNEL_DATA_HEADER + len;
  if (data.length < end) return -1;
  if (data.length > ((end + 3) & ~3)) return -1;
  return len;
}

/** Encode a ChannelData message: over UDP without padding, over TCP/TLS (`pad`) padded to 4 bytes (§12.5). */
export function encodeChannelData(channel: number, payload: Uint8Array, pad = false): Uint8Array {
  if (!isValidChannel(channel)) throw new RangeError(`channel number 0x${channel.toString(16)} is outside 0x4000-0x4FFF`);
  if (payload.length > 0xffff) throw new RangeError("ChannelData carries at most 65535 bytes");
  const len = payload.length;
  const total = pad ? (CHANNEL_DATA_HEADER + len + 3) & ~3 : CHANNEL_DATA_HEADER + len;
  const out = allocateUninitialized(total);
  out[0] = channel >>> 8;
  out[1] = channel;
  out[2] = len >>> 8;
  out[3] = len;
  out.set(payload, CHANNEL_DATA_HEADER);
  for (let i = CHANNEL_DATA_HEADER + len; i < total; i++) out[i] = 0;
  return out;
}
