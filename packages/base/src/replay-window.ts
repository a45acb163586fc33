/**
 * Sliding anti-replay window (RFC 6347 §4.1.2.6, RFC 3711 §3.3.2, RFC 4303 §3.4.3).
 *
 * Sequence numbers are non-negative integers below 2^53 (DTLS epoch+seq and the 48-bit SRTP
 * index both fit). `check` is side-effect free so a caller can authenticate first and only
 * then `update` (a forged packet must never move the window).
 */
export class ReplayWindow {
  /** Highest sequence number accepted so far; -1 before the first. */
  private top = -1;
  private readonly words: Uint32Array;

  constructor(readonly size = 64) {
    if (!Number.isInteger(size) || size < 1 || size > 1 << 16) {
      throw new RangeError(`replay window size must be 1..65536, got ${size}`);
    }
    this.words = new Uint32Array(Math.ceil(size / 32));
  }

  get highest(): number {
    return this.top;
  }

  /** True when `seq` is new: above the window's top, or inside it and not yet seen. */
  check(seq: number): boolean {
    if (seq > this.top) return true;
    const delta = this.top - seq;
    if (delta >= this.size) return false; // too old
    const bit = (this.top - delta) % (this.words.length * 32);
    return (this.words[bit >>> 5] & (1 << (bit & 31))) === 0;
  }

  /** Mark `seq` as received. Call only after `check(seq)` and authentication passed. */
  update(seq: number): void {
    const span = this.words.length * 32;
    if (seq > this.top) {
      const advance = seq - this.top;
      if (advance >= span || this.top < 0) {
        this.words.fill(0);
      } else {
        for (let s = this.top + 1; s < seq; s++) {
          const bit = s % span;
          this.words[bit >>> 5] &= ~(1 << (bit & 31));
        }
      }
      this.top = seq;
    } else if (this.top - seq >= this.size) {
      return;
    }
    const bit = seq % span;
    this.words[bit >>> 5] |= 1 << (bit & 31);
  }

  /** check + update in one step, for callers that have already authenticated. */
  accept(seq: number): boolean {
    if (!this.check(seq)) return false;
    this.update(seq);
    return true;
  }

  reset(): void {
    this.top = -1;
    this.words.fill(0);
  }
}
