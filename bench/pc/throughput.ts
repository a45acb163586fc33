/**
 * Throughput scenario: one reliable ordered channel between two peers of one implementation,
 * each peer in its own process (peer-process.ts), signaling relayed over IPC by this process.
 * Two transfers per round: 64 MiB in 64 KiB messages (MiB/s) and N 1 KiB messages (messages/s),
 * timed here from the "send" command to the receiver's "done". Implementations take turns.
 */
import { type ChildProcess, fork } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Impl, median } from "./connect.js";

const here = dirname(fileURLToPath(import.meta.url));

export interface Transfer {
  label: string;
  size: number;
  count: number;
  /** Backpressure: the sender waits for bufferedamountlow (threshold `low`) above `high` buffered bytes. */
  high: number;
  low: number;
}

export interface ThroughputResult {
  impl: Impl;
  transfer: string;
  /** Median over the rounds that finished: MiB/s for the bulk transfer, messages/s for the small one (NaN: none finished). */
  mibPerSec: number;
  msgPerSec: number;
  samplesMs: number[];
  /** Median CPU time (user + system) per MiB transferred in the sending and the receiving process, ms. */
  cpuMsPerMiB: { sender: number; receiver: number };
  /** Transfers that did not finish within the timeout (the pair is then replaced by a fresh one). */
  stalls: number;
}

interface PairProcs {
  impl: Impl;
  sender: ChildProcess;
  receiver: ChildProcess;
  /** Callbacks by transfer id: the receiver is counting (expecting), all bytes arrived (done, with its CPU time), the sender's CPU time (cpu). */
  expecting: Map<number, () => void>;
  waiters: Map<number, (c: CpuTime) => void>;
  cpuWaiters: Map<number, (c: CpuTime) => void>;
  kill(): void;
}

/** Extra node flags for the peer processes, e.g. PC_PEER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
const extraArgs = process.env.PC_PEER_NODE_ARGS?.split(" ").filter(Boolean) ?? [];

function spawnPeer(): ChildProcess {
  return fork(join(here, "peer-process.ts"), [], {
    execArgv: [...extraArgs, "--conditions=@tsrtc/source", "--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

async function startPair(impl: Impl, timeoutMs = 30_000): Promise<PairProcs> {
  const sender = spawnPeer();
  const receiver = spawnPeer();
  const waiters = new Map<number, (c: CpuTime) => void>();
  const cpuWaiters = new Map<number, (c: CpuTime) => void>();
  const expecting = new Map<number, () => void>();
  const procs: PairProcs = {
    impl,
    sender,
    receiver,
    waiters,
    cpuWaiters,
    expecting,
    kill() {
      for (const p of [sender, receiver]) if (p.connected) p.send({ cmd: "exit" });
      setTimeout(() => {
        for (const p of [sender, receiver]) if (p.exitCode === null) p.kill("SIGKILL");
      }, 2000).unref();
    },
  };
  let ready = 0;
  const opened = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${impl}: throughput pair not connected after ${timeoutMs} ms`)), timeoutMs);
    const wire = (from: ChildProcess, to: ChildProcess) => {
      from.on("message", (m: { sig?: unknown; ready?: boolean; done?: number; cpu?: number; cpuMs?: number; waitMs?: number; expecting?: number; error?: string }) => {
        if (m.sig) to.send({ sig: m.sig });
        else if (m.ready && ++ready === 2) {
          clearTimeout(timer);
          resolve();
        } else if (m.done !== undefined) waiters.get(m.done)?.({ cpuMs: m.cpuMs ?? NaN, waitMs: m.waitMs ?? NaN });
        else if (m.cpu !== undefined) cpuWaiters.get(m.cpu)?.({ cpuMs: m.cpuMs ?? NaN, waitMs: m.waitMs ?? NaN });
        else if (m.expecting !== undefined) expecting.get(m.expecting)?.();
        else if (m.error) reject(new Error(`${impl}: ${m.error}`));
      });
      from.on("exit", (code) => {
        if (ready < 2) reject(new Error(`${impl}: a peer process exited (${code}) before connecting`));
      });
    };
    wire(sender, receiver);
    wire(receiver, sender);
  });
  receiver.send({ cmd: "init", impl, role: "receiver" });
  sender.send({ cmd: "init", impl, role: "sender" });
  try {
    await opened;
  } catch (e) {
    procs.kill();
    throw e;
  }
  return procs;
}

let nextId = 1;

/** A peer's CPU time during a transfer and the time it was runnable but waiting for a CPU (other load), ms. */
interface CpuTime {
  cpuMs: number;
  waitMs: number;
}

interface TransferTime {
  ms: number;
  sender: CpuTime;
  receiver: CpuTime;
}

/** One transfer; resolves with its duration and the CPU time each side spent. */
function transfer(p: PairProcs, t: Transfer, timeoutMs: number): Promise<TransferTime> {
  const id = nextId++;
  return new Promise<TransferTime>((resolve, reject) => {
    const timer = setTimeout(() => {
      p.waiters.delete(id);
      reject(new Error(`${p.impl}: ${t.label} did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
    let t0 = 0;
    p.waiters.set(id, (receiver) => {
      const ms = performance.now() - t0;
      clearTimeout(timer);
      p.waiters.delete(id);
      p.cpuWaiters.set(id, (sender) => {
        p.cpuWaiters.delete(id);
        resolve({ ms, sender, receiver });
      });
      p.sender.send({ cmd: "cpu", id });
    });
    // The sender starts only once the receiver counts (they are separate processes).
    p.expecting.set(id, () => {
      p.expecting.delete(id);
      t0 = performance.now();
      p.sender.send({ cmd: "send", id, size: t.size, count: t.count, high: t.high, low: t.low });
    });
    p.receiver.send({ cmd: "expect", id, bytes: t.size * t.count });
  });
}

export async function runThroughput(
  impls: readonly Impl[],
  transfers: readonly Transfer[],
  rounds: number,
  log: (s: string) => void = () => undefined,
  timeoutMs = 120_000,
): Promise<ThroughputResult[]> {
  const pairs: PairProcs[] = [];
  try {
    for (const impl of impls) pairs.push(await startPair(impl));
    const samples = pairs.map(() => transfers.map(() => [] as number[]));
    const cpu = pairs.map(() => transfers.map(() => ({ sender: [] as number[], receiver: [] as number[] })));
    const stalls = pairs.map(() => transfers.map(() => 0));
    // A transfer that does not finish leaves its pair with data queued: the pair is replaced by a
    // fresh one for the next transfers (and sits out the rest if that fails too).
    const dead = pairs.map(() => false);
    const run = async (i: number, k: number, t: Transfer): Promise<TransferTime | undefined> => {
      if (dead[i]) return undefined;
      try {
        return await transfer(pairs[i], t, timeoutMs);
      } catch (e) {
        stalls[i][k]++;
        pairs[i].kill();
        try {
          pairs[i] = await startPair(pairs[i].impl);
          log(`${(e as Error).message}: ${pairs[i].impl} goes on with a fresh pair`);
        } catch {
          dead[i] = true;
          log(`${(e as Error).message}: ${pairs[i].impl} leaves the throughput scenario`);
        }
        return undefined;
      }
    };
    // Warm-up: one eighth of each transfer, untimed.
    for (let i = 0; i < pairs.length; i++) for (let k = 0; k < transfers.length; k++) await run(i, k, { ...transfers[k], count: Math.max(1, transfers[k].count >> 3) });
    for (let r = 0; r < rounds; r++) {
      const roundMs = pairs.map(() => transfers.map((): TransferTime | undefined => undefined));
      for (let i = 0; i < pairs.length; i++) {
        for (let k = 0; k < transfers.length; k++) {
          const tt = await run(i, k, transfers[k]);
          roundMs[i][k] = tt;
          if (tt === undefined) continue;
          samples[i][k].push(tt.ms);
          const mib = (transfers[k].size * transfers[k].count) / (1 << 20);
          cpu[i][k].sender.push(tt.sender.cpuMs / mib);
          cpu[i][k].receiver.push(tt.receiver.cpuMs / mib);
        }
      }
      const show = (tt: TransferTime | undefined) =>
        tt === undefined ? "stalled" : `${tt.ms.toFixed(0)} ms (CPU send ${tt.sender.cpuMs.toFixed(0)} / recv ${tt.receiver.cpuMs.toFixed(0)} ms, waiting for a CPU ${tt.sender.waitMs.toFixed(0)} / ${tt.receiver.waitMs.toFixed(0)} ms)`;
      log(`throughput round ${r + 1}/${rounds}: ` + pairs.map((p, i) => `${p.impl} ${transfers.map((t, k) => `${t.label} ${show(roundMs[i][k])}`).join(" / ")}`).join(", "));
    }
    const out: ThroughputResult[] = [];
    pairs.forEach((p, i) =>
      transfers.forEach((t, k) => {
        const ms = samples[i][k].length > 0 ? median(samples[i][k]) : NaN;
        out.push({
          impl: p.impl,
          transfer: t.label,
          mibPerSec: (t.size * t.count) / (1 << 20) / (ms / 1000),
          msgPerSec: t.count / (ms / 1000),
          samplesMs: samples[i][k],
          cpuMsPerMiB: {
            sender: cpu[i][k].sender.length > 0 ? median(cpu[i][k].sender) : NaN,
            receiver: cpu[i][k].receiver.length > 0 ? median(cpu[i][k].receiver) : NaN,
          },
          stalls: stalls[i][k],
        });
      }),
    );
    return out;
  } finally {
    for (const p of pairs) p.kill();
  }
}
