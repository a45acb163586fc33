/**
 * The last flight we sent and its retransmission timer (RFC 6347 §4.2.4): retransmit the whole
 * flight when the timer fires, doubling the interval from 1 s up to 60 s (§4.2.4.1), or at once
 * when the peer retransmits its previous flight (a sign ours was lost). The final flight of a
 * handshake is kept, without a timer, to answer such retransmissions (§4.2.4, "last flight").
 */
import { Backoff, type Millis } from "@tsrtc/base";

export type FlightItem =
  | { kind: "handshake"; msgType: number; messageSeq: number; body: Uint8Array; epoch: number }
  | { kind: "ccs"; epoch: number };

export class FlightSender {
  private items: FlightItem[] | undefined;
  private deadline: Millis | undefined;
  /** The length of the wait under way. */
  private interval: Millis = 0;
  private readonly backoff: Backoff;

  constructor(initial: Millis = 1000, max: Millis = 60_000) {
    this.backoff = new Backoff(initial, max);
  }

  /** Start a new flight; the backoff restarts at its initial value (§4.2.4.1). */
  set(items: FlightItem[], now: Millis, armTimer: boolean): void {
    this.items = items;
    this.backoff.reset();
    this.interval = this.backoff.next();
    this.deadline = armTimer ? now + this.interval : undefined;
  }

  /**
   * The peer retransmitted its flight and we answered with ours: the timer restarts from now,
   * with the wait under way (RFC 6347 §4.2.4: "retransmits the flight, resets the retransmit
   * timer, and returns to the WAITING state"). A flight without a timer (the last) keeps none.
   */
  restartTimer(now: Millis): void {
    if (this.deadline !== undefined) this.deadline = now + this.interval;
  }

  get current(): FlightItem[] | undefined {
    return this.items;
  }

  get timeout(): Millis | undefined {
    return this.deadline;
  }

  /** The interval the next timer will wait (for tests and stats). */
  get nextInterval(): Millis {
    return this.backoff.peek();
  }

  /** True when the timer fired: the caller retransmits the flight; the next wait is doubled. */
  expire(now: Millis): boolean {
    if (this.deadline === undefined || now < this.deadline || !this.items) return false;
    this.interval = this.backoff.next();
    this.deadline = now + this.interval;
    return true;
  }

  /** The peer's next flight arrived: stop the timer but keep the flight for "last flight" duty. */
  stopTimer(): void {
    this.deadline = undefined;
  }

  clear(): void {
    this.items = undefined;
    this.deadline = undefined;
  }
}
