/**
 * Benchmark harness: every scenario runs ours and the comparison implementations interleaved
 * in one process (A, B, A, B, ...), and reports the median rate of each and their ratio.
 * Timing lives here only; tests never assert on time.
 */
import { performance } from "node:perf_hooks";

export interface Contender {
  /** "tsrtc", "werift", "node:crypto ceiling", ... */
  impl: string;
  /** One operation. Return a value so the work is not optimised away. */
  op: () => unknown;
  /** Units each op counts for (e.g. bytes for MB/s); default 1. */
  units?: number;
}

export interface Scenario {
  name: string;
  /** Unit label for the printed rate: "ops/s", "MB/s", "pkt/s". */
  unit?: string;
  contenders: Contender[];
}

export interface Result {
  scenario: string;
  impl: string;
  rate: number;
  unit: string;
}

let sink: unknown;

function timeBatch(c: Contender, minMs: number): number {
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < 64; i++) sink = c.op();
    n += 64;
    elapsed = performance.now() - start;
  } while (elapsed < minMs);
  return ((n * (c.units ?? 1)) / elapsed) * 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Run a scenario: warm up each contender, then `rounds` interleaved timed batches. */
export function runScenario(s: Scenario, opts: { rounds?: number; minMs?: number } = {}): Result[] {
  const rounds = opts.rounds ?? Number(process.env.BENCH_ROUNDS ?? 5);
  const minMs = opts.minMs ?? Number(process.env.BENCH_MS ?? 200);
  for (const c of s.contenders) timeBatch(c, minMs / 2);
  const samples = s.contenders.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    s.contenders.forEach((c, i) => samples[i].push(timeBatch(c, minMs)));
  }
  void sink;
  return s.contenders.map((c, i) => ({
    scenario: s.name,
    impl: c.impl,
    rate: median(samples[i]),
    unit: s.unit ?? "ops/s",
  }));
}

/**
 * Paired ratio of A's rate over B's: A and B timed in adjacent batches of 32 ops, in ABBA order
 * (so neither always goes first), and the median of the per-pair ratios. Load from other
 * processes hits both halves of a pair alike, so on a busy machine this is a much steadier
 * estimate than two independent medians; the "≥ 90% of a ceiling" targets are read from it.
 */
export function pairedRatio(a: () => unknown, b: () => unknown, pairs = Number(process.env.BENCH_PAIRS ?? 301)): number {
  const time = (f: () => unknown): number => {
    const t = performance.now();
    for (let i = 0; i < 32; i++) sink = f();
    return performance.now() - t;
  };
  for (let i = 0; i < 20; i++) {
    time(a);
    time(b);
  }
  const r: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const ta = time(a);
    const tb = time(b);
    const tb2 = time(b);
    const ta2 = time(a);
    r.push(tb / ta, tb2 / ta2);
  }
  return median(r);
}

/** Rate of an asynchronous operation: awaited back to back for at least `minMs`, in units/s. */
export async function timeAsync(op: () => Promise<unknown>, minMs: number, unitsPerOp = 1): Promise<number> {
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    sink = await op();
    n++;
    elapsed = performance.now() - start;
  } while (elapsed < minMs);
  return ((n * unitsPerOp) / elapsed) * 1000;
}

/** Print results; the ratio column is each row against the first contender of its scenario. */
export function printResults(title: string, results: Result[]): void {
  console.log(`\n## ${title}\n`);
  console.log("| scenario | implementation | rate | ratio vs first |");
  console.log("| --- | --- | ---: | ---: |");
  const base = new Map<string, number>();
  for (const r of results) {
    if (!base.has(r.scenario)) base.set(r.scenario, r.rate);
    const ratio = base.get(r.scenario)! / r.rate;
    console.log(`| ${r.scenario} | ${r.impl} | ${fmt(r.rate)} ${r.unit} | ${ratio.toFixed(2)}x |`);
  }
}

function fmt(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(1);
}
