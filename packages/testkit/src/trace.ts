import { addressKey } from "@tsrtc/base";
import type { TraceEvent } from "./network.js";

/** One line per trace event: `12.5 deliver #7 10.0.0.1:5000 -> 10.0.0.2:5000 120B`. */
export function formatTraceEvent(e: TraceEvent): string {
  const what = e.reason ? `${e.type}(${e.reason})` : e.type;
  return `${e.now.toFixed(3)} ${what} #${e.seq} ${addressKey(e.from)} -> ${addressKey(e.to)} ${e.data.length}B`;
}

/**
 * A trace hook that keeps formatted lines (the last `limit`, default 10 000):
 * `const t = traceRecorder(); sim.network.trace = t.hook; ... console.log(t.lines.join("\n"))`.
 */
export function traceRecorder(limit = 10_000): { hook: (e: TraceEvent) => void; lines: string[]; events: TraceEvent[] } {
  const lines: string[] = [];
  const events: TraceEvent[] = [];
  return {
    lines,
    events,
    hook(e) {
      lines.push(formatTraceEvent(e));
      events.push(e);
      if (lines.length > limit) {
        lines.shift();
        events.shift();
      }
    },
  };
}
