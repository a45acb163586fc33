/** DATA (RFC 9260 §3.3.1) and I-DATA (RFC 8260 §2.1). */
import { ParseError } from "@tsrtc/base";
import { ChunkType, DATA_HEADER_SIZE, DataFlags, IDATA_HEADER_SIZE } from "../constants.js";
import { type PacketBuilder, encodeChunk, readU16, readU32, writeU16, writeU32 } from "../packet.js";

/** One DATA or I-DATA chunk. For DATA, `mid` is the 16-bit SSN and `fsn` is unused (0). */
export interface DataChunk {
  iData: boolean;
  flags: number;
  tsn: number;
  stream: number;
  /** SSN (DATA) or MID (I-DATA). */
  mid: number;
  /** Fragment sequence number (I-DATA, 0 on the first fragment where PPID is carried). */
  fsn: number;
  ppid: number;
  payload: Uint8Array;
}

export function decodeData(type: number, flags: number, value: Uint8Array): DataChunk {
  if (type === ChunkType.DATA) {
    if (value.length < DATA_HEADER_SIZE - 4) throw new ParseError("sctp", "truncated", "DATA header", 0);
    return {
      iData: false,
      flags,
      tsn: readU32(value, 0),
      stream: readU16(value, 4),
      mid: readU16(value, 6),
      fsn: 0,
      ppid: readU32(value, 8),
      payload: value.subarray(12),
    };
  }
  if (value.length < IDATA_HEADER_SIZE - 4) throw new ParseError("sctp", "truncated", "I-DATA header", 0);
  const begin = (flags & DataFlags.BEGIN) !== 0;
  const word = readU32(value, 12);
  return {
    iData: true,
    flags,
    tsn: readU32(value, 0),
    stream: readU16(value, 4),
    mid: readU32(value, 8),
    fsn: begin ? 0 : word,
    ppid: begin ? word : 0,
    payload: value.subarray(16),
  };
}

/** Write a DATA / I-DATA chunk straight into a packet under construction. */
export function writeData(
  pb: PacketBuilder,
  iData: boolean,
  flags: number,
  tsn: number,
  stream: number,
  mid: number,
  fsn: number,
  ppid: number,
  payload: Uint8Array,
): void {
  const hdr = iData ? IDATA_HEADER_SIZE - 4 : DATA_HEADER_SIZE - 4;
  const at = pb.reserve(iData ? ChunkType.I_DATA : ChunkType.DATA, flags, hdr + payload.length);
  const b = pb.buf;
  writeU32(b, at, tsn);
  writeU16(b, at + 4, stream);
  if (iData) {
    writeU16(b, at + 6, 0);
    writeU32(b, at + 8, mid);
    writeU32(b, at + 12, flags & DataFlags.BEGIN ? ppid : fsn);
  } else {
    writeU16(b, at + 6, mid);
    writeU32(b, at + 8, ppid);
  }
  b.set(payload, at + hdr);
}

export function encodeData(c: DataChunk): Uint8Array {
  const hdr = c.iData ? IDATA_HEADER_SIZE - 4 : DATA_HEADER_SIZE - 4;
  const v = new Uint8Array(hdr + c.payload.length);
  writeU32(v, 0, c.tsn);
  writeU16(v, 4, c.stream);
  if (c.iData) {
    writeU32(v, 8, c.mid);
    writeU32(v, 12, c.flags & DataFlags.BEGIN ? c.ppid : c.fsn);
  } else {
    writeU16(v, 6, c.mid);
    writeU32(v, 8, c.ppid);
  }
  v.set(c.payload, hdr);
  return encodeChunk(c.iData ? ChunkType.I_DATA : ChunkType.DATA, c.flags, v);
}
