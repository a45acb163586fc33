/**
 * Congestion control, RFC 9260 §7.2: slow start and congestion avoidance (§7.2.1, §7.2.2),
 * the reaction to a retransmission timeout (§7.2.3) and fast recovery (§7.2.4).
 */
export class CongestionControl {
  cwnd: number;
  ssthresh: number;
  partialBytesAcked = 0;
  inFastRecovery = false;
  /** The highest outstanding TSN when fast recovery began (§7.2.4 "Fast Recovery exit point"). */
  fastRecoveryExit = 0;

  constructor(
    readonly mtu: number,
    peerRwnd: number,
  ) {
    // §7.2.1: initial cwnd = min(4*MTU, max(2*MTU, 4380 bytes)); ssthresh may start at the peer's a_rwnd.
    this.cwnd = Math.min(4 * mtu, Math.max(2 * mtu, 4380));
    this.ssthresh = peerRwnd;
  }

  /**
   * A SACK advanced the cumulative ack by `bytesAcked`. `fullyUsed` says the flight was at
   * least cwnd before the SACK (only then may cwnd grow).
   */
  onCumAck(bytesAcked: number, fullyUsed: boolean): void {
    if (this.inFastRecovery || bytesAcked <= 0) return;
    if (this.cwnd <= this.ssthresh) {
      // Slow start: grow by at most one MTU per SACK (§7.2.1).
      if (fullyUsed) this.cwnd += Math.min(bytesAcked, this.mtu);
    } else {
      // Congestion avoidance (§7.2.2): one MTU per cwnd of bytes acknowledged while cwnd was
      // fully used. Acks of an underused window bank no increase: partial_bytes_acked stops at
      // cwnd (else, after an application-limited spell, cwnd grew by an MTU on every SACK).
      this.partialBytesAcked += bytesAcked;
      if (!fullyUsed) {
        if (this.partialBytesAcked > this.cwnd) this.partialBytesAcked = this.cwnd;
      } else if (this.partialBytesAcked >= this.cwnd) {
        this.partialBytesAcked -= this.cwnd;
        this.cwnd += this.mtu;
      }
    }
  }

  /** §7.2.2: when nothing is left in flight, partial_bytes_acked resets. */
  onFlightEmpty(): void {
    this.partialBytesAcked = 0;
  }

  /** §7.2.4: a fast retransmit starts fast recovery unless one is already running. */
  onFastRetransmit(highestOutstandingTsn: number): void {
    if (this.inFastRecovery) return;
    this.ssthresh = Math.max(this.cwnd >> 1, 4 * this.mtu);
    this.cwnd = this.ssthresh;
    this.partialBytesAcked = 0;
    this.inFastRecovery = true;
    this.fastRecoveryExit = highestOutstandingTsn;
  }

  exitFastRecovery(): void {
    this.inFastRecovery = false;
  }

  /** §7.2.3: on T3-rtx expiry, ssthresh = max(cwnd/2, 4*MTU), cwnd = 1*MTU. */
  onTimeout(): void {
    this.ssthresh = Math.max(this.cwnd >> 1, 4 * this.mtu);
    this.cwnd = this.mtu;
    this.partialBytesAcked = 0;
    this.inFastRecovery = false;
  }
}
