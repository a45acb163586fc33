/**
 * The Data Channel Establishment Protocol (RFC 8832): DATA_CHANNEL_OPEN (§5.1) and
 * DATA_CHANNEL_ACK (§5.2), carried with PPID 50 on the channel's own stream.
 */
import { utf8DecodeLenient, utf8Encode } from "@tsrtc/base";

export const DCEP_OPEN = 0x03;
export const DCEP_ACK = 0x02;

/** RFC 8831 §8 payload protocol identifiers. */
export const PPID = {
  DCEP: 50,
  STRING: 51,
  BINARY_PARTIAL: 52,
  BINARY: 53,
  STRING_PARTIAL: 54,
  STRING_EMPTY: 56,
  BINARY_EMPTY: 57,
} as const;

export interface DcepOpen {
  /** RFC 8832 §5.1: 0x00 reliable, 0x01 rexmit, 0x02 timed; high bit 0x80 unordered. */
  channelType: number;
  priority: number;
  reliability: number;
  label: string;
  protocol: string;
}

export function encodeDcepOpen(o: DcepOpen): Uint8Array {
  const label = utf8Encode(o.label);
  const protocol = utf8Encode(o.protocol);
  const out = new Uint8Array(12 + label.length + protocol.length);
  const v = new DataView(out.buffer);
  out[0] = DCEP_OPEN;
  out[1] = o.channelType;
  v.setUint16(2, o.priority);
  v.setUint32(4, o.reliability >>> 0);
  v.setUint16(8, label.length);
  v.setUint16(10, protocol.length);
  out.set(label, 12);
  out.set(protocol, 12 + label.length);
  return out;
}

/** Undefined when malformed (remote input is dropped and counted by the caller, never thrown). */
export function decodeDcepOpen(b: Uint8Array): DcepOpen | undefined {
  if (b.length < 12 || b[0] !== DCEP_OPEN) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const labelLen = v.getUint16(8);
  const protocolLen = v.getUint16(10);
  if (12 + labelLen + protocolLen > b.length) return undefined;
  return {
    channelType: b[1],
    priority: v.getUint16(2),
    reliability: v.getUint32(4),
    label: utf8DecodeLenient(b.subarray(12, 12 + labelLen)),
    protocol: utf8DecodeLenient(b.subarray(12 + labelLen, 12 + labelLen + protocolLen)),
  };
}

export const DCEP_ACK_MESSAGE: Uint8Array = Uint8Array.of(DCEP_ACK);

/** RFC 8832 §5.1 channel type for a channel's reliability settings. */
export function channelType(ordered: boolean, maxRetransmits: number | null, maxPacketLifeTime: number | null): number {
  const u = ordered ? 0 : 0x80;
  if (maxRetransmits !== null) return 0x01 | u;
  if (maxPacketLifeTime !== null) return 0x02 | u;
  return u;
}
