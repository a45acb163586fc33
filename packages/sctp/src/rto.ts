/** Retransmission timeout estimation, RFC 9260 §6.3.1 (RTO.Alpha = 1/8, RTO.Beta = 1/4). */
export class RtoEstimator {
  srtt: number | undefined;
  rttvar = 0;
  rto: number;
  /** The RTO before any back-off: from the last measurement, or the initial value. */
  private base: number;

  constructor(
    readonly initial: number,
    readonly min: number,
    readonly max: number,
    /** Cap on a backed-off RTO (never below the measured one); RTO.Max caps the measured RTO. */
    readonly maxBackoff: number = max,
  ) {
    this.rto = initial;
    this.base = initial;
  }

  /** C1-C3: feed one RTT measurement R (ms). */
  measure(r: number): void {
    if (r < 0) return;
    if (this.srtt === undefined) {
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    // G is taken as 1 ms of clock granularity (C3).
    this.rto = clamp(this.srtt + Math.max(1, 4 * this.rttvar), this.min, this.max);
    this.base = this.rto;
  }

  /**
   * E2 of §6.3.3: double the RTO on a timeout, capped at RTO.Max and at `maxBackoff` (but
   * never below the measured RTO). A short back-off cap is what WebRTC stacks do (Chromium's
   * dcsctp transport: 3 s): after an outage or a run of losses the first packet that gets
   * through is answered within seconds instead of after a doubled-up RTO of up to a minute.
   */
  backoff(): void {
    const cap = Math.min(this.max, Math.max(this.maxBackoff, this.base));
    this.rto = Math.min(this.rto * 2, cap);
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
