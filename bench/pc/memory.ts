/**
 * Memory scenario: for each implementation in turn, a fresh child process (memory-child.ts)
 * connects N pairs and reports RSS and heap growth per pair and the time to connect them all.
 * Repeated `rounds` times, implementations interleaved; medians reported.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Impl, median } from "./connect.js";
import type { GuardReport } from "./guard.js";

const here = dirname(fileURLToPath(import.meta.url));

/** Medians over the children that succeeded (NaN when none did). */
export interface MemoryResult {
  impl: Impl;
  pairs: number;
  rssPerPair: number;
  heapPerPair: number;
  connectMs: number;
  samples: { rssPerPair: number; heapPerPair: number; connectMs: number }[];
  /** Off-loopback datagrams and DNS lookups seen in the children, summed. */
  offLoopback: number;
}

interface ChildResult {
  impl: Impl;
  pairs: number;
  open: number;
  connectMs: number;
  rssPerPair: number;
  heapPerPair: number;
  guard: GuardReport;
}

function runChild(impl: Impl, pairs: number, timeoutMs: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--expose-gc", "--conditions=@tsrtc/source", "--import", "tsx", join(here, "memory-child.ts"), impl, String(pairs)],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      if (!line) return reject(new Error(`${impl}: memory child exited ${code} without a result\n${err.slice(-2000)}`));
      const r = JSON.parse(line.slice(7)) as ChildResult;
      if (r.open !== pairs) return reject(new Error(`${impl}: only ${r.open}/${pairs} pairs open`));
      resolve(r);
    });
  });
}

export async function runMemory(
  impls: readonly Impl[],
  pairs: number,
  rounds: number,
  log: (s: string) => void = () => undefined,
  timeoutMs = 180_000,
): Promise<MemoryResult[]> {
  const samples = impls.map(() => [] as ChildResult[]);
  for (let r = 0; r < rounds; r++) {
    const line: string[] = [];
    for (let i = 0; i < impls.length; i++) {
      try {
        const c = await runChild(impls[i], pairs, timeoutMs);
        samples[i].push(c);
        line.push(`${impls[i]} ${(c.rssPerPair / 1024).toFixed(0)} KiB/pair in ${c.connectMs.toFixed(0)} ms`);
      } catch (e) {
        line.push(`${impls[i]} failed (${(e as Error).message.split("\n")[0]})`);
      }
    }
    log(`memory round ${r + 1}/${rounds}: ${line.join(", ")}`);
  }
  return impls.map((impl, i) => ({
    impl,
    pairs,
    rssPerPair: samples[i].length ? median(samples[i].map((s) => s.rssPerPair)) : NaN,
    heapPerPair: samples[i].length ? median(samples[i].map((s) => s.heapPerPair)) : NaN,
    connectMs: samples[i].length ? median(samples[i].map((s) => s.connectMs)) : NaN,
    samples: samples[i].map((s) => ({ rssPerPair: s.rssPerPair, heapPerPair: s.heapPerPair, connectMs: s.connectMs })),
    offLoopback: samples[i].reduce((n, s) => n + s.guard.offLoopbackDatagrams + s.guard.dnsLookups, 0),
  }));
}
