/**
 * Counter-mode keystream computed ahead for the packets a stream will send or receive next, for
 * AES-CM SRTP (RFC 3711 §4.1.1) and AES-GCM (SRTP RFC 7714, DTLS records RFC 5288): a packet's
 * keystream depends only on its stream and index, and a stream's next packets have the next
 * indexes. Node has no cheap per-packet counter mode (a cipher object per packet costs several
 * µs; one ECB `update()` about 1 µs before any AES work), so one call makes the keystream of the
 * next RUN packets of a stream, at the stride of the largest packet seen.
 *
 * Runs are kept for a few streams (audio and video interleave in one BUNDLE context); a packet a
 * little behind its stream's run (late or resent) is served directly without disturbing it; one
 * far behind (a restarted stream) starts a new run. With more streams interleaved than slots
 * (simulcast layers, RTX, many forwarded streams), a new stream takes a slot only from a run
 * that is used up or idle: evicting live runs on every packet would compute RUN packets of
 * keystream to use one (measured: 2.5x slower SRTP protect with 8 SSRCs in turn); the streams
 * left without a slot are served directly.
 *
 * Trust: a sender's indexes are its own (`trusted`). A receiver that can authenticate before
 * decrypting (AES-CM with HMAC) asks only after authentication, so it is trusted too. An AEAD
 * opener must ask first (GCM needs E(J0) to check the tag), so it is untrusted: its runs start
 * only right after an index that authenticated (`confirm`) and serve a packet only when they
 * cover it. A forged index can make it compute one packet's keystream, or early the run the next
 * genuine packet needs, never place or move a run.
 */

/** Makes keystream: `count` packets of `stream` from index `base`, `stride` blocks each. */
export interface KeystreamSource {
  /** Packet k's blocks are words [4 * stride * k, 4 * stride * (k + 1)) of the result. */
  run(stream: number, base: number, count: number, stride: number): Int32Array;
}

/** Packets per run. */
const RUN = 8;
/** Runs kept, one per stream, least recently used replaced. */
const SLOTS = 4;
/** A sealed packet this far behind its run is late (served directly); further back, the stream restarted. */
const BEHIND = 1024;
/** Largest stride (blocks per packet) worth running ahead: 1520-byte payloads. */
const MAX_STRIDE = 96;
/** A run not used for this many packets (of any stream) may be taken by another stream. */
const IDLE = 64;

class Run {
  stream = -1;
  /** 48-bit index of the run's first packet. */
  base = 0;
  stride = 0;
  ks32: Int32Array | undefined = undefined;
  used = 0;
  /** Highest packet of the run served so far (RUN - 1: used up). */
  top = -1;
  /** Opening: the highest index that authenticated, -1 if none yet. */
  confirmed = -1;
}

export class KeystreamRuns {
  private readonly runs: Run[] = Array.from({ length: SLOTS }, () => new Run());
  private tick = 0;
  /** The keystream of the packet last asked for: words [at, at + 4 * blocks) of `ks32` (J0 first). */
  ks32: Int32Array = new Int32Array(0);
  at = 0;
  /** Keystream blocks computed, for tests and diagnostics. */
  blocksGenerated = 0;

  constructor(private readonly gen: KeystreamSource) {}

  /**
   * Point `ks32`/`at` at the keystream of packet (stream, index), `blocks` blocks (for GCM,
   * J0 included).
   * `trusted`: the index is ours (sealing) rather than an unauthenticated peer's (opening).
   */
  find(stream: number, index: number, blocks: number, trusted: boolean): void {
    const runs = this.runs;
    let run: Run | undefined;
    for (let i = 0; i < SLOTS; i++) {
      if (runs[i].stream === stream) {
        run = runs[i];
        break;
      }
    }
    const tick = ++this.tick;
    let from = index;
    if (run !== undefined) {
      run.used = tick;
      const k = index - run.base;
      if (run.ks32 !== undefined && k >= 0 && k < RUN && blocks <= run.stride) {
        if (k > run.top) run.top = k;
        this.ks32 = run.ks32;
        this.at = 4 * run.stride * k;
        return;
      }
      // Untrusted, a run may only start right after the last index that authenticated (so a
      // forged index cannot place it), and only when it covers this packet.
      const ahead = trusted
        ? !(k < 0 && k >= -BEHIND)
        : run.confirmed >= 0 && index > run.confirmed && index - run.confirmed <= RUN;
      if (!ahead || blocks > MAX_STRIDE) {
        this.direct(stream, index, blocks);
        return;
      }
      if (!trusted) from = run.confirmed + 1;
    } else {
      if (!trusted || blocks > MAX_STRIDE) {
        this.direct(stream, index, blocks);
        return;
      }
      run = this.take(stream, tick);
      if (run === undefined) {
        this.direct(stream, index, blocks);
        return;
      }
    }
    // A new run from `from` (this packet, or untrusted the one after the last authenticated),
    // at a stride that fits this packet (rounded up to 8 blocks).
    run.stride = Math.min(MAX_STRIDE, Math.max(run.stride, (blocks + 7) & ~7));
    run.base = from;
    run.top = index - from;
    this.blocksGenerated += RUN * run.stride;
    run.ks32 = this.gen.run(stream, from, RUN, run.stride);
    this.ks32 = run.ks32;
    this.at = 4 * run.stride * (index - from);
  }

  /** An opened packet authenticated: its stream may run ahead from there. */
  confirm(stream: number, index: number): void {
    const runs = this.runs;
    for (let i = 0; i < SLOTS; i++) {
      const r = runs[i];
      if (r.stream === stream) {
        if (index > r.confirmed) r.confirmed = index;
        return;
      }
    }
    const r = this.take(stream, ++this.tick);
    if (r !== undefined) r.confirmed = index;
  }

  /** Forget a stream that went away (its next packets may restart anywhere). */
  forget(stream: number): void {
    for (const r of this.runs) {
      if (r.stream === stream) {
        r.stream = -1;
        r.ks32 = undefined;
        r.confirmed = -1;
      }
    }
  }

  /**
   * A slot for a new stream: the least recently used one, unless even that one holds a live run
   * with packets still to serve (evicting live runs in turn would compute RUN packets of
   * keystream to use one).
   */
  private take(stream: number, tick: number): Run | undefined {
    const runs = this.runs;
    let run = runs[0];
    for (let i = 1; i < SLOTS; i++) if (runs[i].used < run.used) run = runs[i];
    if (run.stream !== -1 && run.top < RUN - 1 && tick - run.used < IDLE) return undefined;
    run.stream = stream;
    run.stride = 0;
    run.ks32 = undefined;
    run.top = -1;
    run.confirmed = -1;
    run.used = tick;
    return run;
  }

  private direct(stream: number, index: number, blocks: number): void {
    this.blocksGenerated += blocks;
    this.ks32 = this.gen.run(stream, index, 1, blocks);
    this.at = 0;
  }
}
