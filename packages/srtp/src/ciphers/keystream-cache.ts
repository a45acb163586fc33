/**
 * Keystream computed ahead for the packets that will come next.
 *
 * An SRTP packet's keystream depends only on its SSRC and index, and a stream's next packets
 * have the next indexes. Each ECB `update()` call costs about 0.8 µs in Node 20 before any
 * AES work, so one call for the next RUN packets of a stream (at the stride of the largest
 * packet seen) replaces RUN calls: about 1.3 µs per 1200-byte packet becomes about 0.5 µs.
 * Runs are kept for a few SSRCs (audio and video interleave in one BUNDLE context); a packet
 * a little behind its stream's run (a late or resent one) is served directly, without disturbing
 * it; one far behind (a restarted stream) starts a new run.
 * With more SSRCs interleaved than slots (simulcast layers, RTX, many forwarded streams), a new
 * SSRC takes a slot only from a run that is used up or idle: evicting live runs on every packet
 * would compute 8 packets of keystream to use one (measured: 2.5x slower protect with 8 SSRCs
 * in turn); the SSRCs left without a slot are served directly, one ECB call per packet.
 * Receivers only ask after authentication, so forged packets cannot make us compute runs.
 */
import { type CounterKeystream, xorKeystream } from "./keystream.js";

/** Packets per run. */
const RUN = 8;
/** Runs kept, one per SSRC, least recently used replaced. */
const SLOTS = 4;
/** A packet this far behind its run is late (served directly); further back, the stream restarted. */
const BEHIND = 1024;
/** Largest stride (blocks per packet) worth running ahead: 1536-byte payloads. */
const MAX_STRIDE = 96;
/** A run not used for this many packets (of any SSRC) may be taken by another SSRC. */
const IDLE = 64;

class Run {
  ssrc = -1;
  /** 48-bit index of the run's first packet. */
  base = 0;
  stride = 0;
  ks: Uint8Array = new Uint8Array(0);
  ks32: Int32Array | undefined = undefined;
  used = 0;
  /** Highest packet of the run served so far (RUN - 1: used up). */
  top = -1;
}

export class KeystreamCache {
  private readonly runs: Run[] = Array.from({ length: SLOTS }, () => new Run());
  private tick = 0;
  /** Keystream blocks computed, for tests and diagnostics. */
  blocksGenerated = 0;

  constructor(private readonly gen: CounterKeystream) {}

  /** dst[at, at + n) ^= the keystream of packet (ssrc, index hi * 2^16 + lo); `at` word aligned. */
  xor(ssrc: number, hi: number, lo: number, dst: Uint8Array, dst32: Int32Array, at: number, n: number): void {
    const blocks = (n + 15) >>> 4;
    if (blocks === 0) return;
    const index = hi * 65536 + lo;
    let run: Run | undefined;
    const runs = this.runs;
    for (let i = 0; i < SLOTS; i++) {
      if (runs[i].ssrc === ssrc) {
        run = runs[i];
        break;
      }
    }
    const tick = ++this.tick;
    if (run !== undefined) {
      run.used = tick;
      const k = index - run.base;
      if (k >= 0 && k < RUN && blocks <= run.stride) {
        if (k > run.top) run.top = k;
        xorFrom(run.ks, run.ks32, 16 * run.stride * k, dst, dst32, at, n);
        return;
      }
      if ((k < 0 && k >= -BEHIND) || blocks > MAX_STRIDE) {
        this.direct(ssrc, hi, lo, dst, dst32, at, n);
        return;
      }
    } else {
      if (blocks > MAX_STRIDE) {
        this.direct(ssrc, hi, lo, dst, dst32, at, n);
        return;
      }
      run = runs[0];
      for (let i = 1; i < SLOTS; i++) if (runs[i].used < run.used) run = runs[i];
      if (run.ssrc !== -1 && run.top < RUN - 1 && tick - run.used < IDLE) {
        // Even the least recently used slot holds a live run with packets still to serve.
        this.direct(ssrc, hi, lo, dst, dst32, at, n);
        return;
      }
      run.ssrc = ssrc;
      run.stride = 0;
      run.used = tick;
    }
    // Start a new run at this packet, at a stride that fits it (rounded up to 8 blocks).
    run.stride = Math.min(MAX_STRIDE, Math.max(run.stride, (blocks + 7) & ~7));
    run.base = index;
    run.top = 0;
    this.blocksGenerated += RUN * run.stride;
    const ks = this.gen.generateRun(ssrc, index, RUN, run.stride);
    run.ks = ks;
    run.ks32 = (ks.byteOffset & 3) === 0 ? new Int32Array(ks.buffer, ks.byteOffset, ks.length >>> 2) : undefined;
    xorFrom(ks, run.ks32, 0, dst, dst32, at, n);
  }

  /** Forget the run of an SSRC that went away (its next packets may restart anywhere). */
  forget(ssrc: number): void {
    for (const r of this.runs) if (r.ssrc === ssrc) r.ssrc = -1;
  }

  private direct(ssrc: number, hi: number, lo: number, dst: Uint8Array, dst32: Int32Array, at: number, n: number): void {
    this.blocksGenerated += (n + 15) >>> 4;
    xorKeystream(dst, dst32, at, n, this.gen.generate(ssrc, hi, lo, n));
  }
}

/** dst[at, at + n) ^= ks[from, from + n); word-wise when `ks32` is given (`from`, `at` aligned). */
function xorFrom(ks: Uint8Array, ks32: Int32Array | undefined, from: number, dst: Uint8Array, dst32: Int32Array, at: number, n: number): void {
  let j = 0;
  if (ks32 !== undefined && (at & 3) === 0) {
    const words = n >>> 2;
    const d = at >>> 2;
    const f = from >>> 2;
    for (let i = 0; i < words; i++) dst32[d + i] ^= ks32[f + i];
    j = words << 2;
  }
  for (; j < n; j++) dst[at + j] ^= ks[from + j];
}
