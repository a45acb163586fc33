/**
 * STUN messages and ChannelData over a byte stream (TCP or TLS to the TURN server, RFC 8656
 * §3.1). A stream has no datagram boundaries: each message is delimited by its own length field
 * (RFC 8489 §6.2.2: STUN is 20 bytes of header plus the attribute length; RFC 8656 §12.5:
 * ChannelData over TCP/TLS is 4 bytes of header plus the data padded to a multiple of 4).
 *
 *   const f = new TurnStreamFramer();
 *   f.push(chunk);                                   // any chunking: 1 byte, several messages
 *   for (let m = f.next(); m; m = f.next()) ...;     // whole messages, in order
 *   if (f.error) closeTheConnection();               // garbage: no way to find the next boundary
 *
 * A message is a view: of the pushed chunk when it lies whole inside it (no copy), else of an
 * internal buffer; valid until the next push() or next(). Remote input never throws: bytes that
 * cannot start a message (neither STUN nor ChannelData, a STUN length not a multiple of 4, a
 * bad magic cookie) make the stream unusable, which `error` reports once.
 */

/** RFC 8489 §5: the magic cookie, bytes 4-7 of every STUN message. */
const MAGIC_COOKIE = 0x2112a442;
const STUN_HEADER = 20;
const CHANNEL_HEADER = 4;
/** Bytes needed to know a message's length (both formats keep it in bytes 2-3). */
const LENGTH_PREFIX = 4;

export interface TurnStreamStats {
  bytesIn: number;
  stunMessages: number;
  channelData: number;
}

const EMPTY = new Uint8Array(0);

/**
 * The whole length on the stream of the message starting at `data[at]` (4 bytes available), or
 * -1 when those bytes cannot start a STUN message or a ChannelData message.
 */
export function streamFrameLength(data: Uint8Array, at: number): number {
  const b0 = data[at];
  const len = (data[at + 2] << 8) | data[at + 3];
  // RFC 8489 §5: the two most significant bits of a STUN message are zero, and the length of the
  // attributes is a multiple of 4 (every attribute is padded).
  if (b0 < 0x40) return (len & 3) === 0 ? STUN_HEADER + len : -1;
  // RFC 8656 §12 / RFC 7983: 0x40-0x4F is ChannelData; §12.5: padded to 4 over TCP/TLS.
  if (b0 <= 0x4f) return (CHANNEL_HEADER + len + 3) & ~3;
  return -1;
}

/** ChannelData over TCP/TLS: the message with its padding to a multiple of 4 (RFC 8656 §12.5). */
export function channelDataStreamLength(payloadLength: number): number {
  return (CHANNEL_HEADER + payloadLength + 3) & ~3;
}

export class TurnStreamFramer {
  readonly stats: TurnStreamStats = { bytesIn: 0, stunMessages: 0, channelData: 0 };
  /** Why the stream is unusable (set once; later input is ignored): close the connection. */
  error: string | undefined;

  private chunk: Uint8Array = EMPTY;
  private pos = 0;
  /** A message split across chunks, being assembled. */
  private pend = new Uint8Array(2048);
  private pendLen = 0;
  /** The whole length of the message in `pend`, once its first 4 bytes are there. */
  private need = 0;

  /** Bytes read from the stream. Call next() until it returns undefined before the next push. */
  push(chunk: Uint8Array): void {
    if (this.error !== undefined) return;
    if (this.pos < this.chunk.length) throw new Error("TurnStreamFramer: push() before next() drained the previous chunk");
    this.stats.bytesIn += chunk.length;
    this.chunk = chunk;
    this.pos = 0;
  }

  /** The next whole message, or undefined when more bytes are needed (or the stream failed). */
  next(): Uint8Array | undefined {
    if (this.error !== undefined) return undefined;
    if (this.pendLen > 0) return this.assemble();
    const chunk = this.chunk;
    const pos = this.pos;
    const avail = chunk.length - pos;
    if (avail === 0) return undefined;
    if (avail < LENGTH_PREFIX) {
      this.stash();
      return undefined;
    }
    const len = streamFrameLength(chunk, pos);
    if (len < 0) return this.fail("neither STUN nor ChannelData on the stream");
    if (avail < len) {
      this.need = len;
      this.stash();
      return undefined;
    }
    this.pos = pos + len;
    return this.deliver(chunk.subarray(pos, pos + len));
  }

  /** Copy the rest of the current chunk into `pend`. */
  private stash(): void {
    const rest = this.chunk.length - this.pos;
    this.reserve(this.pendLen + rest);
    this.pend.set(this.chunk.subarray(this.pos), this.pendLen);
    this.pendLen += rest;
    this.pos = this.chunk.length;
    if (this.need === 0 && this.pendLen >= LENGTH_PREFIX) {
      const len = streamFrameLength(this.pend, 0);
      if (len < 0) this.fail("neither STUN nor ChannelData on the stream");
      else this.need = len;
    }
  }

  /** Complete the message in `pend` from the current chunk. */
  private assemble(): Uint8Array | undefined {
    for (;;) {
      const want = this.need === 0 ? LENGTH_PREFIX : this.need;
      const take = Math.min(want - this.pendLen, this.chunk.length - this.pos);
      if (take > 0) {
        this.reserve(this.pendLen + take);
        this.pend.set(this.chunk.subarray(this.pos, this.pos + take), this.pendLen);
        this.pendLen += take;
        this.pos += take;
      }
      if (this.pendLen < want) return undefined;
      if (this.need === 0) {
        const len = streamFrameLength(this.pend, 0);
        if (len < 0) return this.fail("neither STUN nor ChannelData on the stream");
        this.need = len;
        continue;
      }
      const m = this.pend.subarray(0, this.need);
      this.pendLen = 0;
      this.need = 0;
      return this.deliver(m);
    }
  }

  private deliver(m: Uint8Array): Uint8Array | undefined {
    if (m[0] < 0x40) {
      // RFC 8489 §6.3: no magic cookie, no STUN message; on a stream, nothing after it can be trusted.
      const cookie = ((m[4] << 24) | (m[5] << 16) | (m[6] << 8) | m[7]) >>> 0;
      if (cookie !== MAGIC_COOKIE) return this.fail("a STUN message without the magic cookie on the stream");
      this.stats.stunMessages++;
    } else this.stats.channelData++;
    return m;
  }

  private reserve(n: number): void {
    if (n <= this.pend.length) return;
    let size = this.pend.length * 2;
    while (size < n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.pend.subarray(0, this.pendLen));
    this.pend = grown;
  }

  private fail(reason: string): undefined {
    this.error = reason;
    this.chunk = EMPTY;
    this.pos = 0;
    this.pendLen = 0;
    this.need = 0;
    return undefined;
  }

  /** Bytes held for a message not complete yet. */
  get buffered(): number {
    return this.pendLen + (this.chunk.length - this.pos);
  }
}
