/**
 * When the allocation is refreshed and when it expires (RFC 8656 §7.3, §8): the granted lifetime,
 * the next Refresh (a minute before expiry, half-way for short lifetimes), a retry after a
 * Refresh that got no answer while the allocation still lives, and the expiry itself. Plain
 * times; client.ts sends the requests.
 */
import type { Millis } from "@tsrtc/base";

/** A request that timed out is tried again after this long, while what it refreshes is still alive. */
export const RETRY_AFTER: Millis = 5_000;

export class RefreshSchedule {
  /** Granted lifetime, seconds. */
  lifetime = 0;
  private refreshAt: Millis | undefined;
  private expiresAt: Millis | undefined;
  private inFlight = false;

  /** A lifetime granted (Allocate or Refresh success): schedule the next Refresh before it ends. */
  granted(seconds: number, now: Millis): void {
    this.lifetime = seconds;
    this.expiresAt = now + seconds * 1000;
    const lead = Math.min(60, seconds / 2);
    this.refreshAt = now + (seconds - lead) * 1000;
  }

  /** Is a Refresh due at `now` (and none in flight)? */
  due(now: Millis): boolean {
    return this.refreshAt !== undefined && now >= this.refreshAt && !this.inFlight;
  }

  /** Has the allocation outlived its lifetime? */
  expired(now: Millis): boolean {
    return this.expiresAt !== undefined && now >= this.expiresAt;
  }

  /** A Refresh left: nothing more is due until it ends. */
  sent(): void {
    this.refreshAt = undefined;
    this.inFlight = true;
  }

  /** The Refresh in flight ended (success: `granted` follows). */
  answered(): void {
    this.inFlight = false;
  }

  /**
   * The Refresh failed with `code` (0: no answer). A timeout while the allocation still lives
   * is tried again after RETRY_AFTER (returns true); anything else means it is lost (§8: 437
   * Allocation Mismatch says the server forgot it).
   */
  failed(code: number, now: Millis): boolean {
    this.inFlight = false;
    if (code === 0 && this.expiresAt !== undefined && now + RETRY_AFTER < this.expiresAt) {
      this.refreshAt = now + RETRY_AFTER;
      return true;
    }
    return false;
  }

  /** No more refreshes (closing, closed, failed). */
  stop(): void {
    this.refreshAt = this.expiresAt = undefined;
  }

  /** The earliest time something is due: a Refresh (none in flight) or the expiry. */
  deadline(): Millis | undefined {
    let at = Infinity;
    if (this.refreshAt !== undefined && !this.inFlight) at = this.refreshAt;
    if (this.expiresAt !== undefined) at = Math.min(at, this.expiresAt);
    return at === Infinity ? undefined : at;
  }
}
