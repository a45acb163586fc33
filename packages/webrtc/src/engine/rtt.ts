/**
 * Round-trip times of STUN connectivity and consent checks, per candidate pair, measured from the
 * wire (W3C webrtc-stats RTCIceCandidatePairStats: currentRoundTripTime, totalRoundTripTime,
 * requestsSent, responsesReceived). A Binding request (RFC 8489 §5: type 0x0001) is remembered by
 * its transaction id; a success response (0x0101) with the same id gives one sample. Bounded:
 * at most MAX_PENDING requests are remembered.
 */
import { type Address, type Millis, addressKey } from "@tsrtc/base";

const MAX_PENDING = 64;
const HEADER = 20;

export interface PairRtt {
  requestsSent: number;
  responsesReceived: number;
  /** Seconds, as W3C stats report them. */
  currentRoundTripTime: number | undefined;
  totalRoundTripTime: number;
}

function txKey(d: Uint8Array): string {
  let s = "";
  for (let i = 8; i < HEADER; i++) s += String.fromCharCode(d[i]);
  return s;
}

export class StunRttTracker {
  private readonly pending = new Map<string, { sent: Millis; pair: string }>();
  private readonly pairs = new Map<string, PairRtt>();

  static pairKey(local: Address, remote: Address): string {
    return `${addressKey(local)}|${addressKey(remote)}`;
  }

  private entry(key: string): PairRtt {
    let e = this.pairs.get(key);
    if (!e) {
      if (this.pairs.size >= 256) this.pairs.clear();
      e = { requestsSent: 0, responsesReceived: 0, currentRoundTripTime: undefined, totalRoundTripTime: 0 };
      this.pairs.set(key, e);
    }
    return e;
  }

  /** A datagram we send: a Binding request starts a sample. */
  sent(d: Uint8Array, from: Address | undefined, to: Address, now: Millis): void {
    if (d.length < HEADER || d[0] !== 0x00 || d[1] !== 0x01 || !from) return;
    const pair = StunRttTracker.pairKey(from, to);
    this.entry(pair).requestsSent++;
    if (this.pending.size >= MAX_PENDING) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.pending.delete(oldest);
    }
    this.pending.set(txKey(d), { sent: now, pair });
  }

  /** A STUN datagram ICE accepted: a success response ends its sample. */
  received(d: Uint8Array, now: Millis): void {
    if (d.length < HEADER || d[0] !== 0x01 || d[1] !== 0x01) return;
    const key = txKey(d);
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    const e = this.entry(p.pair);
    const rtt = Math.max(0, now - p.sent) / 1000;
    e.responsesReceived++;
    e.currentRoundTripTime = rtt;
    e.totalRoundTripTime += rtt;
  }

  of(local: Address, remote: Address): PairRtt | undefined {
    return this.pairs.get(StunRttTracker.pairKey(local, remote));
  }
}
