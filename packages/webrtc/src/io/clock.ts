/** The monotonic clock the engines run on (DESIGN.md §1: cores never read one themselves). */
import { performance } from "node:perf_hooks";
import type { Millis } from "@tsrtc/base";

export function monotonicNow(): Millis {
  return performance.now();
}

/** Wall-clock milliseconds since the epoch, for certificate validity and stats timestamps. */
export function wallClockNow(): number {
  return Date.now();
}

/** performance.timeOrigin + now: the DOMHighResTimeStamp W3C stats carry. */
export function statsTimestamp(): number {
  return performance.timeOrigin + performance.now();
}
