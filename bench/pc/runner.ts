/**
 * Runs the PeerConnection scenarios (setup, throughput, memory) for every implementation and
 * prints `RESULT <json>`. peerconnection.bench.ts starts it inside a private network namespace
 * holding only `lo` when it can, so no datagram can leave the machine; on top of that, this
 * process and each memory child count every datagram the JavaScript implementations address off
 * loopback and every DNS lookup they make (guard.ts).
 *
 * Environment: PC_IMPLS (comma list), PC_SETUP_ROUNDS (20), PC_TP_ROUNDS (3), PC_MEM_ROUNDS (3),
 * PC_PAIRS (50), PC_SMALL_COUNT (10000), PC_BULK_MIB (64), PC_TP_TIMEOUT_S (180, per transfer),
 * PC_SCENARIOS (setup,throughput,memory), PC_RESULT_FILE (also write the RESULT line there).
 */
import { IMPLS, type Impl } from "./connect.js";
import { installLoopbackGuard } from "./guard.js";
import { runMemory } from "./memory.js";
import { runSetup } from "./setup.js";
import { runThroughput } from "./throughput.js";

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const impls = (process.env.PC_IMPLS?.split(",") ?? [...IMPLS]) as Impl[];
const scenarios = process.env.PC_SCENARIOS?.split(",") ?? ["setup", "throughput", "memory"];
const log = (s: string) => process.stderr.write(`  ${s}\n`);

const guard = installLoopbackGuard();

const result: Record<string, unknown> = { impls, node: process.version, cpus: (await import("node:os")).cpus().length };

if (scenarios.includes("setup")) {
  log("setup: new RTCPeerConnection x2 → channel open on both sides");
  result.setup = await runSetup(impls, env("PC_SETUP_ROUNDS", 20), 2, log);
}
if (scenarios.includes("throughput")) {
  const bulkMiB = env("PC_BULK_MIB", 64);
  log(`throughput: ${bulkMiB} MiB in 64 KiB messages, ${env("PC_SMALL_COUNT", 10000)} x 1 KiB messages, each peer in its own process`);
  result.throughput = await runThroughput(
    impls,
    [
      // Backpressure as applications do it: stop above `high` buffered bytes, resume on
      // bufferedamountlow at `low`. (werift slows down sharply with deep queues of small messages:
      // 1 KiB messages with 4 MiB buffered stalled it for minutes, so the small-message transfer
      // keeps 1 MiB, which suits tsrtc and libwebrtc as well.)
      { label: "64 KiB", size: 65536, count: bulkMiB * 16, high: 4 << 20, low: 1 << 20 },
      { label: "1 KiB", size: 1024, count: env("PC_SMALL_COUNT", 10000), high: 1 << 20, low: 256 << 10 },
    ],
    env("PC_TP_ROUNDS", 3),
    log,
    env("PC_TP_TIMEOUT_S", 180) * 1000,
  );
}
if (scenarios.includes("memory")) {
  log(`memory: ${env("PC_PAIRS", 50)} connected pairs in a fresh process per implementation`);
  result.memory = await runMemory(impls, env("PC_PAIRS", 50), env("PC_MEM_ROUNDS", 3), log);
}
result.guard = guard;
const line = `RESULT ${JSON.stringify(result)}`;
if (process.env.PC_RESULT_FILE) (await import("node:fs")).writeFileSync(process.env.PC_RESULT_FILE, `${line}\n`);
console.log(line);
process.exit(0);
