/**
 * TURN attribute values with a small fixed layout (RFC 8656 §18): CHANNEL-NUMBER,
 * REQUESTED-TRANSPORT, REQUESTED-/ADDITIONAL-ADDRESS-FAMILY, EVEN-PORT, ICMP; and Chromium's
 * GOOG-NETWORK-INFO. The rest (LIFETIME, DATA, RESERVATION-TOKEN, DONT-FRAGMENT, the XOR
 * addresses, ADDRESS-ERROR-CODE) use the generic u32 / bytes / address / error-code codecs.
 */
import { expectLength, stunError } from "./errors.js";

/** ICMP (RFC 8656 §18): type, code and 32 bits of error data. */
export interface IcmpValue {
  type: number;
  code: number;
  data: number;
}

/** GOOG-NETWORK-INFO (0xC057): Chromium's network id and network cost. */
export interface GoogNetworkInfo {
  networkId: number;
  networkCost: number;
}

/** CHANNEL-NUMBER (RFC 8656 §18): 16-bit number then 16 RFFU bits. */
export function readChannelNumber(data: Uint8Array, at: number, len: number): number {
  expectLength("CHANNEL-NUMBER", len, 4, at);
  return (data[at] << 8) | data[at + 1];
}

/** REQUESTED-TRANSPORT, REQUESTED- and ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18): one byte, 3 RFFU. */
export function readLeadingByte(name: string, data: Uint8Array, at: number, len: number): number {
  expectLength(name, len, 4, at);
  return data[at];
}

/** EVEN-PORT (RFC 8656 §18): the R bit asks to reserve the next port. */
export function readEvenPort(data: Uint8Array, at: number, len: number): boolean {
  // Senders pad the 1-byte value; accept 1 (the value itself).
  if (len !== 1) throw stunError("bad-attribute-length", `EVEN-PORT of ${len} bytes`, at);
  return (data[at] & 0x80) !== 0;
}

export function readIcmp(data: Uint8Array, at: number, len: number): IcmpValue {
  expectLength("ICMP", len, 8, at);
  return {
    type: data[at + 2],
    code: data[at + 3],
    data: ((data[at + 4] << 24) | (data[at + 5] << 16) | (data[at + 6] << 8) | data[at + 7]) >>> 0,
  };
}

export function writeIcmp(buf: Uint8Array, at: number, v: IcmpValue): number {
  buf[at] = 0;
  buf[at + 1] = 0;
  buf[at + 2] = v.type;
  buf[at + 3] = v.code;
  buf[at + 4] = v.data >>> 24;
  buf[at + 5] = v.data >>> 16;
  buf[at + 6] = v.data >>> 8;
  buf[at + 7] = v.data;
  return 8;
}

export function readGoogNetworkInfo(data: Uint8Array, at: number, len: number): GoogNetworkInfo {
  expectLength("GOOG-NETWORK-INFO", len, 4, at);
  return { networkId: (data[at] << 8) | data[at + 1], networkCost: (data[at + 2] << 8) | data[at + 3] };
}
