/**
 * Per-SSRC cryptographic state (RFC 3711 §3.2.3): for SRTP the rollover counter and highest
 * sequence number (s_l) with the replay list; for SRTCP the next index to send and the replay
 * list. Created on demand by the context, which caps how many exist.
 */
import { ReplayWindow } from "@tsrtc/base";

export class RtpStream {
  /** Rollover counter of the highest index seen so far. */
  roc = 0;
  /** Highest sequence number seen so far (s_l). */
  seq: number;
  private window: ReplayWindow | undefined;

  constructor(
    readonly ssrc: number,
    firstSeq: number,
    private readonly windowSize: number,
  ) {
    this.seq = firstSeq;
  }

  /** The replay list, made on the first unprotect (senders never need one). */
  replay(): ReplayWindow {
    return (this.window ??= new ReplayWindow(this.windowSize));
  }

  /** Record an authenticated (or sent) packet of index roc * 2^16 + seq (§3.3.1 update). */
  advance(roc: number, seq: number): void {
    if (roc > this.roc || (roc === this.roc && seq > this.seq)) {
      this.roc = roc;
      this.seq = seq;
    }
  }
}

/**
 * The ROC guess v of RFC 3711 §3.3.1 for sequence number `seq`, given s_l and ROC: the
 * candidate index closest to the highest one seen. A guess below 0 (a packet that would belong
 * before the first one ever seen, with ROC 0) is taken as 0.
 */
export function estimateRoc(sl: number, roc: number, seq: number): number {
  if (sl < 32768) {
    if (seq - sl > 32768) return roc > 0 ? roc - 1 : 0;
    return roc;
  }
  if (sl - 32768 > seq) return (roc + 1) >>> 0;
  return roc;
}

export class RtcpStream {
  /** SRTCP index of the next packet we send (§3.4: starts at 0); 2^31 when the index space is used up. */
  nextIndex = 0;
  private window: ReplayWindow | undefined;

  constructor(
    readonly ssrc: number,
    private readonly windowSize: number,
  ) {}

  replay(): ReplayWindow {
    return (this.window ??= new ReplayWindow(this.windowSize));
  }
}
