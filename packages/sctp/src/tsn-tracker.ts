/**
 * Which TSNs have arrived (RFC 9260 §6.2): the cumulative TSN, sorted ranges of TSNs received
 * above it (the gap ack blocks of the next SACK, §3.3.4) and duplicates to report.
 * Gap offsets are 16-bit, so nothing beyond cum + 65535 can be acknowledged: such TSNs are
 * refused, which also caps what a hostile peer can make us hold.
 */
import { tsnGt, tsnLte } from "./tsn.js";

export const TsnVerdict = { NEW: 0, DUPLICATE: 1, REFUSED: 2 } as const;
export type TsnVerdict = (typeof TsnVerdict)[keyof typeof TsnVerdict];

export class TsnTracker {
  cum: number;
  /** Range starts and ends (absolute TSNs), sorted, disjoint, not adjacent, all above cum + 1. */
  private rs: number[] = [];
  private re: number[] = [];
  dups: number[] = [];

  constructor(
    peerInitialTsn: number,
    private readonly maxRanges = 256,
  ) {
    this.cum = (peerInitialTsn - 1) >>> 0;
  }

  get hasGaps(): boolean {
    return this.rs.length > 0;
  }

  get highest(): number {
    return this.re.length > 0 ? this.re[this.re.length - 1] : this.cum;
  }

  /** NEW means mark() will take it: a TSN that would need a range beyond the budget is REFUSED here. */
  check(tsn: number): TsnVerdict {
    const d = (tsn - this.cum) | 0;
    if (d <= 0) return TsnVerdict.DUPLICATE;
    if (d > 65535) return TsnVerdict.REFUSED;
    if (d === 1) return TsnVerdict.NEW;
    const n = this.rs.length;
    let i = n - 1;
    while (i >= 0 && ((this.rs[i] - this.cum) | 0) > d) i--;
    if (i >= 0) {
      const e = (this.re[i] - this.cum) | 0;
      if (d <= e) return TsnVerdict.DUPLICATE;
      if (d === e + 1) return TsnVerdict.NEW;
    }
    if (i + 1 < n && ((this.rs[i + 1] - this.cum) | 0) === d + 1) return TsnVerdict.NEW;
    return n >= this.maxRanges ? TsnVerdict.REFUSED : TsnVerdict.NEW;
  }

  noteDuplicate(tsn: number): void {
    if (this.dups.length < 32) this.dups.push(tsn);
  }

  /** Record a TSN that check() called NEW. Returns false if it would need too many ranges. */
  mark(tsn: number): boolean {
    const cum = this.cum;
    const d = (tsn - cum) | 0;
    if (d === 1) {
      this.cum = tsn;
      this.absorb();
      return true;
    }
    const rs = this.rs;
    const re = this.re;
    let i = rs.length - 1;
    while (i >= 0 && ((rs[i] - cum) | 0) > d) i--;
    // Now range i (if any) starts below tsn.
    if (i >= 0 && ((re[i] - cum) | 0) + 1 === d) {
      re[i] = tsn;
      if (i + 1 < rs.length && ((rs[i + 1] - cum) | 0) === d + 1) {
        re[i] = re[i + 1];
        rs.splice(i + 1, 1);
        re.splice(i + 1, 1);
      }
      return true;
    }
    if (i + 1 < rs.length && ((rs[i + 1] - cum) | 0) === d + 1) {
      rs[i + 1] = tsn;
      return true;
    }
    if (rs.length >= this.maxRanges) return false;
    rs.splice(i + 1, 0, tsn);
    re.splice(i + 1, 0, tsn);
    return true;
  }

  /** FORWARD-TSN (RFC 3758 §3.6): treat everything up to newCum as received. */
  forwardTo(newCum: number): boolean {
    if (!tsnGt(newCum, this.cum)) return false;
    this.cum = newCum;
    while (this.rs.length > 0 && tsnLte(this.re[0], newCum)) {
      this.rs.shift();
      this.re.shift();
    }
    if (this.rs.length > 0 && tsnLte(this.rs[0], newCum)) this.rs[0] = (newCum + 1) >>> 0;
    this.absorb();
    return true;
  }

  /** Gap ack blocks as offsets from cum, at most `max` of them. */
  gapBlocks(max: number): number[] {
    const n = Math.min(this.rs.length, max);
    const out = new Array<number>(n * 2);
    for (let i = 0; i < n; i++) {
      out[2 * i] = (this.rs[i] - this.cum) | 0;
      out[2 * i + 1] = (this.re[i] - this.cum) | 0;
    }
    return out;
  }

  takeDups(): number[] {
    if (this.dups.length === 0) return EMPTY;
    const d = this.dups;
    this.dups = [];
    return d;
  }

  private absorb(): void {
    while (this.rs.length > 0 && this.rs[0] === ((this.cum + 1) >>> 0)) {
      this.cum = this.re[0];
      this.rs.shift();
      this.re.shift();
    }
  }
}

const EMPTY: number[] = [];
