/**
 * The SCTP packet: common header (RFC 9260 §3.1), CRC-32C (§6.8, Appendix B), the zero
 * checksum of RFC 9653, and chunk framing (§3.2). Parsing walks chunks in place; building
 * writes into one reusable buffer and copies out exactly the packet's bytes.
 */
import { crc32c } from "@tsrtc/base";
import { CHUNK_HEADER_SIZE, COMMON_HEADER_SIZE } from "./constants.js";

export interface PacketHeader {
  srcPort: number;
  dstPort: number;
  verificationTag: number;
  checksum: number;
}

export function readHeader(data: Uint8Array): PacketHeader | undefined {
  if (data.length < COMMON_HEADER_SIZE) return undefined;
  return {
    srcPort: (data[0] << 8) | data[1],
    dstPort: (data[2] << 8) | data[3],
    verificationTag: readU32(data, 4),
    checksum: readU32(data, 8),
  };
}

export function readU32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

export function readU16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

export function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
}

export function writeU16(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 8;
  b[at + 1] = v;
}

/**
 * CRC-32C of a packet computed with its checksum field as zero (RFC 9260 Appendix B). The
 * field is zeroed in place for the computation and restored afterwards.
 */
export function packetChecksum(data: Uint8Array): number {
  const b8 = data[8];
  const b9 = data[9];
  const b10 = data[10];
  const b11 = data[11];
  data[8] = data[9] = data[10] = data[11] = 0;
  const crc = crc32c(data);
  data[8] = b8;
  data[9] = b9;
  data[10] = b10;
  data[11] = b11;
  return crc;
}

/** The checksum field as the CRC is stored on the wire (least significant byte first, as every stack does). */
export function storedChecksum(data: Uint8Array): number {
  return (data[8] | (data[9] << 8) | (data[10] << 16) | (data[11] << 24)) >>> 0;
}

export function writeChecksum(data: Uint8Array, crc: number): void {
  data[8] = crc;
  data[9] = crc >>> 8;
  data[10] = crc >>> 16;
  data[11] = crc >>> 24;
}

export type ChecksumVerdict = "ok" | "zero" | "bad";

/** RFC 9653 §5.3: with zero checksum accepted, a packet whose field is 0 passes unchecked. */
export function verifyChecksum(data: Uint8Array, acceptZero: boolean): ChecksumVerdict {
  const stored = storedChecksum(data);
  if (stored === 0 && acceptZero) return "zero";
  return packetChecksum(data) === stored ? "ok" : "bad";
}

/**
 * A reusable cursor over the chunks of a packet (RFC 9260 §3.2). `next()` advances and fills
 * type/flags/value bounds; it returns false at the end and sets `malformed` when a chunk's
 * length is below 4 or runs past the packet.
 */
export class ChunkCursor {
  data: Uint8Array = new Uint8Array(0);
  pos = 0;
  type = 0;
  flags = 0;
  /** Value start (after the 4-byte chunk header). */
  start = 0;
  /** Value end (exclusive, without padding). */
  end = 0;
  malformed = false;

  reset(data: Uint8Array, from = COMMON_HEADER_SIZE): this {
    this.data = data;
    this.pos = from;
    this.malformed = false;
    return this;
  }

  next(): boolean {
    const d = this.data;
    const at = this.pos;
    if (at >= d.length) return false;
    if (at + CHUNK_HEADER_SIZE > d.length) {
      this.malformed = true;
      return false;
    }
    const len = (d[at + 2] << 8) | d[at + 3];
    if (len < CHUNK_HEADER_SIZE || at + len > d.length) {
      this.malformed = true;
      return false;
    }
    this.type = d[at];
    this.flags = d[at + 1];
    this.start = at + CHUNK_HEADER_SIZE;
    this.end = at + len;
    this.pos = at + ((len + 3) & ~3);
    return true;
  }

  value(): Uint8Array {
    return this.data.subarray(this.start, this.end);
  }

  get length(): number {
    return this.end - this.start;
  }
}

/** One chunk as a plain record, for codecs and tests. */
export interface RawChunk {
  type: number;
  flags: number;
  value: Uint8Array;
}

/** Every chunk of a packet, or undefined when the framing is broken. */
export function splitChunks(data: Uint8Array): RawChunk[] | undefined {
  const c = new ChunkCursor().reset(data);
  const out: RawChunk[] = [];
  while (c.next()) out.push({ type: c.type, flags: c.flags, value: c.data.slice(c.start, c.end) });
  return c.malformed ? undefined : out;
}

/** Frame a chunk: 4-byte header, value, zero padding to a multiple of 4 (§3.2). */
export function encodeChunk(type: number, flags: number, value: Uint8Array): Uint8Array {
  const len = CHUNK_HEADER_SIZE + value.length;
  const out = new Uint8Array((len + 3) & ~3);
  out[0] = type;
  out[1] = flags;
  writeU16(out, 2, len);
  out.set(value, CHUNK_HEADER_SIZE);
  return out;
}

/**
 * Builds one packet at a time in a reusable buffer. `finish()` returns a fresh copy sized to
 * the packet, with the CRC-32C (or zero, RFC 9653) in place.
 */
export class PacketBuilder {
  buf: Uint8Array;
  len = 0;

  constructor(capacity: number) {
    this.buf = new Uint8Array(Math.max(capacity, 64));
  }

  begin(srcPort: number, dstPort: number, verificationTag: number): void {
    const b = this.buf;
    writeU16(b, 0, srcPort);
    writeU16(b, 2, dstPort);
    writeU32(b, 4, verificationTag);
    writeU32(b, 8, 0);
    this.len = COMMON_HEADER_SIZE;
  }

  get empty(): boolean {
    return this.len <= COMMON_HEADER_SIZE;
  }

  /** Bytes still free before `limit`. */
  room(limit: number): number {
    return limit - this.len;
  }

  /** Reserve a chunk of `valueLength` bytes; returns where its value starts. */
  reserve(type: number, flags: number, valueLength: number): number {
    const at = this.len;
    const len = CHUNK_HEADER_SIZE + valueLength;
    const padded = (len + 3) & ~3;
    this.ensure(at + padded);
    const b = this.buf;
    b[at] = type;
    b[at + 1] = flags;
    writeU16(b, at + 2, len);
    for (let i = at + len; i < at + padded; i++) b[i] = 0;
    this.len = at + padded;
    return at + CHUNK_HEADER_SIZE;
  }

  /** Append an already framed chunk (from encodeChunk). */
  append(chunk: Uint8Array): void {
    this.ensure(this.len + chunk.length);
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
  }

  /**
   * The packet with its checksum. It is handed out without a copy: the builder starts its next
   * packet in a fresh buffer, or (`reuse`) in the same one, overwriting this packet.
   */
  finish(zeroChecksum: boolean, reuse = false): Uint8Array {
    const out = this.buf.subarray(0, this.len);
    writeChecksum(out, zeroChecksum ? 0 : crc32c(out));
    if (!reuse) this.buf = new Uint8Array(this.buf.length);
    this.len = 0;
    return out;
  }

  private ensure(n: number): void {
    if (n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(n, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}
