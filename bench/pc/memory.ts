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
    for (let i = 0; i < impls.length; i++) samples[i].push(await runChild(impls[i], pairs, timeoutMs));
    log(
      `memory round ${r + 1}/${rounds}: ` +
        impls.map((im, i) => `${im} ${(samples[i].at(-1)!.rssPerPair / 1024).toFixed(0)} KiB/pair in ${samples[i].at(-1)!.connectMs.toFixed(0)} ms`).join(", "),
    );
  }
  return impls.map((impl, i) => ({
    impl,
    pairs,
    rssPerPair: median(samples[i].map((s) => s.rssPerPair)),
    heapPerPair: median(samples[i].map((s) => s.heapPerPair)),
    connectMs: median(samples[i].map((s) => s.connectMs)),
    samples: samples[i].map((s) => ({ rssPerPair: s.rssPerPair, heapPerPair: s.heapPerPair, connectMs: s.connectMs })),
    offLoopback: samples[i].reduce((n, s) => n + s.guard.offLoopbackDatagrams + s.guard.dnsLookups, 0),
  }));
}
