/**
 * Big-endian writer into a growable buffer. `finish()` returns a view of what was written;
 * `reset()` lets a hot path reuse the same backing store for the next packet.
 */
export class ByteWriter {
  buf: Uint8Array;
  offset = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  private room(n: number): number {
    const at = this.offset;
    if (at + n > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < at + n) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, at));
      this.buf = next;
    }
    this.offset = at + n;
    return at;
  }

  reset(): this {
    this.offset = 0;
    return this;
  }

  u8(v: number): this {
    this.buf[this.room(1)] = v;
    return this;
  }

  u16(v: number): this {
    const i = this.room(2);
    this.buf[i] = v >>> 8;
    this.buf[i + 1] = v;
    return this;
  }

  u24(v: number): this {
    const i = this.room(3);
    this.buf[i] = v >>> 16;
    this.buf[i + 1] = v >>> 8;
    this.buf[i + 2] = v;
    return this;
  }

  u32(v: number): this {
    const i = this.room(4);
    const b = this.buf;
    b[i] = v >>> 24;
    b[i + 1] = v >>> 16;
    b[i + 2] = v >>> 8;
    b[i + 3] = v;
    return this;
  }

  u48(v: number): this {
    this.u16(Math.floor(v / 0x1_0000_0000));
    return this.u32(v >>> 0);
  }

  u64(v: bigint): this {
    this.u32(Number((v >> 32n) & 0xffff_ffffn));
    return this.u32(Number(v & 0xffff_ffffn));
  }

  bytes(b: Uint8Array): this {
    const i = this.room(b.length);
    this.buf.set(b, i);
    return this;
  }

  zeros(n: number): this {
    const i = this.room(n);
    this.buf.fill(0, i, i + n);
    return this;
  }

  /** Reserve `n` bytes to patch later (e.g. a length); returns their offset. */
  reserve(n: number): number {
    return this.room(n);
  }

  setU8At(at: number, v: number): this {
    this.buf[at] = v;
    return this;
  }

  setU16At(at: number, v: number): this {
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v;
    return this;
  }

  setU24At(at: number, v: number): this {
    this.buf[at] = v >>> 16;
    this.buf[at + 1] = v >>> 8;
    this.buf[at + 2] = v;
    return this;
  }

  setU32At(at: number, v: number): this {
    const b = this.buf;
    b[at] = v >>> 24;
    b[at + 1] = v >>> 16;
    b[at + 2] = v >>> 8;
    b[at + 3] = v;
    return this;
  }

  /** Opaque vectors with a length prefix (TLS presentation language). */
  vector8(b: Uint8Array): this {
    return this.u8(b.length).bytes(b);
  }

  vector16(b: Uint8Array): this {
    return this.u16(b.length).bytes(b);
  }

  vector24(b: Uint8Array): this {
    return this.u24(b.length).bytes(b);
  }

  /** A view of the bytes written so far (shares the backing store). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.offset);
  }

  /** A fresh copy of the bytes written, safe to keep after `reset()`. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.offset);
  }
}
