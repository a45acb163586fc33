/**
 * Memory scenario child (a fresh process per implementation, started by memory.ts with
 * --expose-gc): connect one pair and close it (loads and warms the code), collect garbage and
 * take the baseline, then connect `pairs` pairs at once, each with an open data channel, and
 * report the time to connect them all and the RSS / heap growth per pair.
 *
 *   memory-child.ts <impl> <pairs>      prints RESULT <json>
 */
import { type Impl, connectPair, loadAdapter, sleep } from "./connect.js";
import { installLoopbackGuard } from "./guard.js";

const impl = process.argv[2] as Impl;
const pairs = Number(process.argv[3] ?? 50);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc");

async function settle(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    await sleep(100);
    gc!();
  }
  return process.memoryUsage();
}

const guard = installLoopbackGuard();
const adapter = await loadAdapter(impl);
(await connectPair(adapter)).close();
await sleep(300);
const before = await settle();
const t0 = performance.now();
const connected = await Promise.all(Array.from({ length: pairs }, () => connectPair(adapter, 60_000)));
const connectMs = performance.now() - t0;
// Let the handshakes' leftovers (retransmission buffers, timers) go before measuring.
await sleep(500);
const after = await settle();
const open = connected.filter((p) => p.dcA.readyState === "open" && p.dcB.readyState === "open").length;
for (const p of connected) p.close();
console.log(
  `RESULT ${JSON.stringify({
    impl,
    name: adapter.name,
    pairs,
    open,
    connectMs,
    rssPerPair: (after.rss - before.rss) / pairs,
    heapPerPair: (after.heapUsed - before.heapUsed) / pairs,
    externalPerPair: (after.external - before.external) / pairs,
    guard,
    before,
    after,
  })}`,
);
setTimeout(() => process.exit(0), 200);
