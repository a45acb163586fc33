import { ParseError } from "./errors.js";

/**
 * Big-endian reader over a Uint8Array view. Reads never copy: `bytes()` returns a subarray.
 * Reading past the end throws a ParseError naming `protocol`, never a RangeError.
 */
export class ByteReader {
  offset: number;
  readonly end: number;

  constructor(
    readonly buf: Uint8Array,
    readonly protocol = "bytes",
    start = 0,
    end = buf.length,
  ) {
    this.offset = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number): number {
    const at = this.offset;
    if (n < 0 || at + n > this.end) {
      throw new ParseError(this.protocol, "truncated", `need ${n} bytes, ${this.end - at} left`, at);
    }
    this.offset = at + n;
    return at;
  }

  u8(): number {
    return this.buf[this.need(1)];
  }

  u16(): number {
    const i = this.need(2);
    const b = this.buf;
    return (b[i] << 8) | b[i + 1];
  }

  u24(): number {
    const i = this.need(3);
    const b = this.buf;
    return (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
  }

  u32(): number {
    const i = this.need(4);
    const b = this.buf;
    return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
  }

  /** 48-bit unsigned (DTLS sequence numbers); exact in a JS number. */
  u48(): number {
    const hi = this.u16();
    return hi * 0x1_0000_0000 + this.u32();
  }

  u64(): bigint {
    const hi = this.u32();
    return (BigInt(hi) << 32n) | BigInt(this.u32());
  }

  /** A view of the next `n` bytes (no copy). */
  bytes(n: number): Uint8Array {
    const i = this.need(n);
    return this.buf.subarray(i, i + n);
  }

  /** A view of everything left. */
  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  skip(n: number): void {
    this.need(n);
  }

  /** A reader over the next `n` bytes, advancing this one past them. */
  sub(n: number): ByteReader {
    const i = this.need(n);
    return new ByteReader(this.buf, this.protocol, i, i + n);
  }

  /** Opaque vector with an 8-, 16- or 24-bit length prefix (TLS presentation language). */
  vector8(): Uint8Array {
    return this.bytes(this.u8());
  }

  vector16(): Uint8Array {
    return this.bytes(this.u16());
  }

  vector24(): Uint8Array {
    return this.bytes(this.u24());
  }

  fail(code: string, message: string): never {
    throw new ParseError(this.protocol, code, message, this.offset);
  }
}
