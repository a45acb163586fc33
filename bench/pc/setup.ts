/**
 * Setup scenario: from `new RTCPeerConnection` (both peers) to the data channel open on both
 * sides, two peers of one implementation over loopback in this process. Implementations take
 * turns round by round; the median of the timed rounds is reported.
 */
import { type Impl, connectPair, loadAdapter, median, sleep } from "./connect.js";

export interface SetupResult {
  impl: Impl;
  name: string;
  medianMs: number;
  samplesMs: number[];
}

export async function runSetup(impls: readonly Impl[], rounds: number, warmup = 2, log: (s: string) => void = () => undefined): Promise<SetupResult[]> {
  const adapters = await Promise.all(impls.map((i) => loadAdapter(i)));
  const samples = impls.map(() => [] as number[]);
  for (let r = 0; r < warmup + rounds; r++) {
    for (let i = 0; i < impls.length; i++) {
      const t0 = performance.now();
      const pair = await connectPair(adapters[i]);
      const ms = performance.now() - t0;
      pair.close();
      if (r >= warmup) samples[i].push(ms);
      // Let the closed pair's sockets and timers go before the next one starts.
      await sleep(30);
    }
    log(`setup round ${r + 1}/${warmup + rounds}: ${impls.map((im, i) => `${im} ${(samples[i].at(-1) ?? 0).toFixed(1)} ms`).join(", ")}`);
  }
  return impls.map((impl, i) => ({ impl, name: adapters[i].name, medianMs: median(samples[i]), samplesMs: samples[i] }));
}
