/**
 * Serial number arithmetic (RFC 1982) for 32-bit TSNs and 16-bit SSNs, as RFC 9260 §1.6 asks.
 * All helpers take and return unsigned values.
 */

/** a - b as a signed 32-bit distance. */
export function tsnDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export function tsnLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export function tsnLte(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

export function tsnGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export function tsnGte(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

export function tsnAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** The later of two TSNs. */
export function tsnMax(a: number, b: number): number {
  return tsnGt(a, b) ? a : b;
}

/** 16-bit serial comparison for stream sequence numbers. */
export function ssnLt(a: number, b: number): boolean {
  const d = (a - b) & 0xffff;
  return d !== 0 && d > 0x8000;
}

export function ssnLte(a: number, b: number): boolean {
  return a === b || ssnLt(a, b);
}

export function ssnAdd(a: number, n: number): number {
  return (a + n) & 0xffff;
}
