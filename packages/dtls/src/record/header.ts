/**
 * DTLSPlaintext / DTLSCiphertext record header (RFC 6347 §4.1):
 * type(1) version(2) epoch(2) sequence_number(6) length(2), then `length` bytes of fragment.
 */
import { RECORD_HEADER_LENGTH } from "../constants.js";

export interface RecordHeader {
  type: number;
  version: number;
  epoch: number;
  /** 48-bit sequence number within the epoch. */
  seq: number;
  length: number;
  /** Offset of the fragment in the datagram. */
  fragmentOffset: number;
}

export function emptyRecordHeader(): RecordHeader {
  return { type: 0, version: 0, epoch: 0, seq: 0, length: 0, fragmentOffset: 0 };
}

/**
 * Read the header at `at` into `out` (reused, no allocation). Returns false when fewer than 13
 * bytes remain or the announced length runs past the datagram (the rest of the datagram is then
 * unusable: RFC 6347 §4.1.2.7 lets us discard it).
 */
export function readRecordHeader(d: Uint8Array, at: number, out: RecordHeader): boolean {
  if (at + RECORD_HEADER_LENGTH > d.length) return false;
  out.type = d[at];
  out.version = (d[at + 1] << 8) | d[at + 2];
  out.epoch = (d[at + 3] << 8) | d[at + 4];
  out.seq = ((d[at + 5] << 8) | d[at + 6]) * 0x1_0000_0000 + (((d[at + 7] << 24) | (d[at + 8] << 16) | (d[at + 9] << 8) | d[at + 10]) >>> 0);
  out.length = (d[at + 11] << 8) | d[at + 12];
  out.fragmentOffset = at + RECORD_HEADER_LENGTH;
  return out.fragmentOffset + out.length <= d.length;
}

export function writeRecordHeader(
  d: Uint8Array,
  at: number,
  type: number,
  version: number,
  epoch: number,
  seq: number,
  length: number,
): void {
  d[at] = type;
  d[at + 1] = version >>> 8;
  d[at + 2] = version;
  d[at + 3] = epoch >>> 8;
  d[at + 4] = epoch;
  writeSeq48(d, at + 5, seq);
  d[at + 11] = length >>> 8;
  d[at + 12] = length;
}

export function writeSeq48(d: Uint8Array, at: number, seq: number): void {
  const hi = Math.floor(seq / 0x1_0000_0000);
  const lo = seq >>> 0;
  d[at] = hi >>> 8;
  d[at + 1] = hi;
  d[at + 2] = lo >>> 24;
  d[at + 3] = lo >>> 16;
  d[at + 4] = lo >>> 8;
  d[at + 5] = lo;
}
