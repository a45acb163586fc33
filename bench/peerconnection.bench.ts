/**
 * RTCPeerConnection end to end: tsrtc, werift and libwebrtc (@roamhq/wrtc) through one adapter
 * contract (bench/adapters/*.ts: a module exporting a W3C RTCPeerConnection on loopback, no STUN),
 * the same scenarios, implementations interleaved round by round:
 *
 *   setup       new RTCPeerConnection x2 → data channel open on both sides, one process (median of 20)
 *   throughput  64 MiB in 64 KiB messages and 1 KiB messages on one reliable ordered channel,
 *               backpressure on bufferedAmount, each peer in its own process
 *   memory      50 connected pairs in a fresh process per implementation: RSS / heap per pair, time
 *
 * The scenarios run in a child (bench/pc/runner.ts), inside a private network namespace with only
 * `lo` when this process may create one (root), so no packet can leave the machine. Tables use
 * rates (higher is better) so the harness's "ratio vs first" column reads as tsrtc's advantage;
 * a second table gives natural units and the issue's targets.
 */
import { execFileSync, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Result, printResults } from "./harness.js";
import type { MemoryResult } from "./pc/memory.js";
import type { SetupResult } from "./pc/setup.js";
import type { ThroughputResult } from "./pc/throughput.js";

const here = dirname(fileURLToPath(import.meta.url));

interface RunnerResult {
  impls: string[];
  node: string;
  cpus: number;
  setup?: SetupResult[];
  throughput?: ThroughputResult[];
  memory?: MemoryResult[];
  guard: { offLoopbackDatagrams: number; dnsLookups: number; targets: string[] };
}

function canUnshare(): boolean {
  try {
    execFileSync("unshare", ["--net", "true"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function runRunner(): Promise<{ result: RunnerResult; isolated: boolean }> {
  const node = [process.execPath, "--conditions=@tsrtc/source", "--import", "tsx", join(here, "pc/runner.ts")];
  const isolated = canUnshare();
  const [cmd, ...args] = isolated ? ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", ...node] : node;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      if (!line) reject(new Error(`bench/pc/runner.ts exited ${code} without a result:\n${out}`));
      else resolve({ result: JSON.parse(line.slice(7)) as RunnerResult, isolated });
    });
  });
}

const NAMES: Record<string, string> = { tsrtc: "tsrtc", werift: "werift", wrtc: "wrtc (libwebrtc)" };
const name = (impl: string) => NAMES[impl] ?? impl;

export default async function (): Promise<void> {
  const { result: r, isolated } = await runRunner();
  console.log(
    `\nPeerConnection scenarios: node ${r.node}, ${r.cpus} CPUs; ${isolated ? "private network namespace (lo only)" : "host network, loopback candidates only"}; ` +
      `off-loopback datagrams/DNS lookups seen from JS: ${r.guard.offLoopbackDatagrams}/${r.guard.dnsLookups}` +
      (r.guard.targets.length ? ` (${r.guard.targets.join(", ")})` : ""),
  );

  const rates: Result[] = [];
  for (const s of r.setup ?? []) rates.push({ scenario: "setup (to channel open, both sides)", impl: name(s.impl), rate: 1000 / s.medianMs, unit: "setups/s" });
  for (const t of r.throughput ?? []) {
    const bulk = t.transfer === "64 KiB";
    rates.push({
      scenario: `throughput, ${t.transfer} messages`,
      impl: name(t.impl),
      rate: bulk ? t.mibPerSec : t.msgPerSec,
      unit: bulk ? "MiB/s" : "msg/s",
    });
  }
  for (const m of r.memory ?? []) rates.push({ scenario: `memory, ${m.pairs} pairs (pairs per MiB RSS)`, impl: name(m.impl), rate: (1 << 20) / m.rssPerPair, unit: "pairs/MiB" });
  for (const m of r.memory ?? []) rates.push({ scenario: `connect ${m.pairs} pairs at once`, impl: name(m.impl), rate: (m.pairs * 1000) / m.connectMs, unit: "pairs/s" });
  // A transfer or child that never finished has no rate (null once through JSON): listed apart.
  const failed = rates.filter((x) => typeof x.rate !== "number" || Number.isNaN(x.rate));
  const measured = rates.filter((x) => !failed.includes(x));
  // printResults sorts nothing: keep each scenario's rows together, tsrtc first.
  const order = [...new Set(measured.map((x) => x.scenario))];
  printResults("PeerConnection (higher is better; ratio = tsrtc / implementation)", order.flatMap((s) => measured.filter((x) => x.scenario === s)));
  for (const x of failed) console.log(`| ${x.scenario} | ${x.impl} | no run finished | |`);

  // Natural units and the issue's targets.
  const by = <T extends { impl: string }>(xs: T[] | undefined, impl: string) => xs?.find((x) => x.impl === impl);
  const setup = (impl: string) => by(r.setup, impl)?.medianMs;
  const tp = (impl: string, label: string) => r.throughput?.find((t) => t.impl === impl && t.transfer === label);
  const mem = (impl: string) => by(r.memory, impl);
  const f = (x: number | null | undefined, digits = 1) => (x === undefined ? "–" : x === null || Number.isNaN(x) ? "failed" : x.toFixed(digits));
  const kib = (x: number | null | undefined) => (x === undefined ? "–" : x === null || Number.isNaN(x) ? "failed" : `${(x / 1024).toFixed(0)} KiB`);
  const stalls = (impl: string, label: string) => {
    const n = tp(impl, label)?.stalls ?? 0;
    return n > 0 ? ` (${n} stalled)` : "";
  };
  console.log("\n| measure | tsrtc | werift | wrtc (libwebrtc) | target for tsrtc | met |");
  console.log("| --- | ---: | ---: | ---: | --- | :---: |");
  const row = (what: string, vals: (string | number | undefined)[], target: string, met: boolean | undefined) =>
    console.log(`| ${what} | ${vals.join(" | ")} | ${target} | ${met === undefined ? "–" : met ? "yes" : "no"} |`);
  const ok = (a: number | null | undefined, b: number | null | undefined, test: (a: number, b: number) => boolean) =>
    typeof a === "number" && typeof b === "number" && Number.isFinite(a) && Number.isFinite(b) ? test(a, b) : undefined;
  const st = setup("tsrtc");
  const sw = setup("werift");
  row("setup, median ms", ["tsrtc", "werift", "wrtc"].map((i) => f(setup(i))), "≤ werift / 5", ok(st, sw, (a, b) => a <= b / 5));
  const bt = tp("tsrtc", "64 KiB")?.mibPerSec;
  const bw = tp("werift", "64 KiB")?.mibPerSec;
  row("64 KiB messages, MiB/s", ["tsrtc", "werift", "wrtc"].map((i) => f(tp(i, "64 KiB")?.mibPerSec) + stalls(i, "64 KiB")), "≥ 5 × werift", ok(bt, bw, (a, b) => a >= 5 * b));
  // CPU time per MiB in each peer process: on a shared machine the steadier comparison of cost.
  const cpu = (i: string) => {
    const c = tp(i, "64 KiB")?.cpuMsPerMiB;
    return c ? `${f(c.sender)} / ${f(c.receiver)}` : "–";
  };
  row("64 KiB messages, CPU ms per MiB (sender / receiver)", ["tsrtc", "werift", "wrtc"].map(cpu), "", undefined);
  const mt = tp("tsrtc", "1 KiB")?.msgPerSec;
  const ml = tp("wrtc", "1 KiB")?.msgPerSec;
  row("1 KiB messages, msg/s", ["tsrtc", "werift", "wrtc"].map((i) => f(tp(i, "1 KiB")?.msgPerSec, 0) + stalls(i, "1 KiB")), "≥ libwebrtc", ok(mt, ml, (a, b) => a >= b));
  const rt = mem("tsrtc")?.rssPerPair;
  const rw = mem("werift")?.rssPerPair;
  row("RSS per connected pair", ["tsrtc", "werift", "wrtc"].map((i) => kib(mem(i)?.rssPerPair)), "≤ werift / 2", ok(rt, rw, (a, b) => a <= b / 2));
  row("JS heap per connected pair", ["tsrtc", "werift", "wrtc"].map((i) => kib(mem(i)?.heapPerPair)), "", undefined);
  row(`time to connect ${r.memory?.[0]?.pairs ?? 50} pairs at once, ms`, ["tsrtc", "werift", "wrtc"].map((i) => f(mem(i)?.connectMs, 0)), "", undefined);
}
