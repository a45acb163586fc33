/**
 * Injectable randomness (DESIGN.md §1): cores draw transaction ids, credentials, DTLS randoms
 * and SCTP tags from a RandomSource handed in by the caller, so tests can seed it.
 */
export interface RandomSource {
  /** Fill `buf` with random bytes and return it. */
  fill(buf: Uint8Array): Uint8Array;
}

/** Production source: the platform CSPRNG. */
export const cryptoRandom: RandomSource = {
  fill(buf) {
    // getRandomValues is limited to 65536 bytes a call.
    for (let at = 0; at < buf.length; at += 65536) {
      globalThis.crypto.getRandomValues(buf.subarray(at, Math.min(buf.length, at + 65536)));
    }
    return buf;
  },
};

/**
 * Deterministic source for tests: xoshiro128** seeded through splitmix32. Not for keys in
 * production; fast, reproducible, and good enough for loss decisions and identifiers.
 */
export class SeededRandom implements RandomSource {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let x = seed >>> 0;
    const splitmix = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = splitmix();
    this.s1 = splitmix();
    this.s2 = splitmix();
    this.s3 = splitmix();
  }

  /** Next uniformly distributed unsigned 32-bit integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  nextFloat(): number {
    return this.nextU32() / 0x1_0000_0000;
  }

  /** Uniform integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.nextFloat() * n);
  }

  fill(buf: Uint8Array): Uint8Array {
    for (let i = 0; i < buf.length; i += 4) {
      const v = this.nextU32();
      buf[i] = v;
      if (i + 1 < buf.length) buf[i + 1] = v >>> 8;
      if (i + 2 < buf.length) buf[i + 2] = v >>> 16;
      if (i + 3 < buf.length) buf[i + 3] = v >>> 24;
    }
    return buf;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export function randomBytes(rng: RandomSource, n: number): Uint8Array {
  return rng.fill(new Uint8Array(n));
}

export function randomU32(rng: RandomSource): number {
  const b = rng.fill(new Uint8Array(4));
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

/** A uniformly drawn integer in [0, n) without modulo bias (n ≤ 2^32). */
export function randomInt(rng: RandomSource, n: number): number {
  if (n <= 0) throw new RangeError("n must be positive");
  const limit = Math.floor(0x1_0000_0000 / n) * n;
  for (;;) {
    const v = randomU32(rng);
    if (v < limit) return v % n;
  }
}

const ICE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** A string of `length` ice-chars (RFC 8839 §5.4), for ufrag, pwd and similar tokens. */
export function randomIceString(rng: RandomSource, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += ICE_CHARS[randomInt(rng, ICE_CHARS.length)];
  return s;
}
