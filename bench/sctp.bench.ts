/**
 * SCTP throughput: one reliable ordered stream between two associations in memory (no crypto,
 * no sockets), in MB/s of user data for 64 KiB and 1 KiB messages, tsrtc against werift's SCTP
 * in the same run.
 *
 *  - tsrtc: two SctpAssociation cores (DATA chunks, as with Chromium; no I-DATA) and a
 *    synchronous pump that hands every packet across, then advances a virtual clock to the
 *    next timer when nothing moves. One op = 1 MiB sent and fully delivered. The receiver
 *    answers a whole pass with one SACK, so Max.Burst (4 packets per SACK, the default) paces
 *    the sender to 4 packets a pass: ~8% below the figure without the limit (maxBurst: 0).
 *  - werift: SCTP.client / SCTP.server over a Transport stub whose send() hands the packet to
 *    the other side with setImmediate (werift's send path is promise-based and uses real
 *    timers, e.g. its 200 ms delayed SACK; with queueMicrotask it does not even connect).
 *    Each SCTP.send() is awaited before the next, as werift's own RTCSctpTransport does in its
 *    dataChannelFlush (firing them all without awaiting made 1 KiB messages ~30x slower still).
 *    Timed by an async loop with the same op and number of rounds, median reported.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { SeededRandom } from "@tsrtc/base";
import { SctpAssociation } from "@tsrtc/sctp";
import { printResults, runScenario, timeAsync, type Result } from "./harness.js";

const BATCH = 1 << 20;

// ---- tsrtc ------------------------------------------------------------------------------

class TsrtcPair {
  now = 0;
  received = 0;
  readonly a = new SctpAssociation({ rng: new SeededRandom(1), iData: false });
  readonly b = new SctpAssociation({ rng: new SeededRandom(2), iData: false });

  constructor() {
    this.a.connect(0);
    this.b.connect(0);
    this.pump(() => this.a.isEstablished && this.b.isEstablished);
  }

  private drainEvents(): void {
    for (let e = this.b.pollEvent(); e; e = this.b.pollEvent()) if (e.type === "message") this.received += e.data.length;
    while (this.a.pollEvent());
  }

  pump(done: () => boolean): void {
    const { a, b } = this;
    for (let spins = 0; spins < 1_000_000; spins++) {
      let moved = 0;
      for (let p = a.pollTransmit(this.now); p; p = a.pollTransmit(this.now)) {
        b.handlePacket(p, this.now);
        moved++;
      }
      for (let p = b.pollTransmit(this.now); p; p = b.pollTransmit(this.now)) {
        a.handlePacket(p, this.now);
        moved++;
      }
      this.drainEvents();
      if (done()) return;
      if (moved === 0) {
        const ta = a.pollTimeout() ?? Infinity;
        const tb = b.pollTimeout() ?? Infinity;
        const t = Math.min(ta, tb);
        if (t === Infinity) throw new Error("tsrtc pair stalled");
        this.now = Math.max(this.now, t);
        a.handleTimeout(this.now);
        b.handleTimeout(this.now);
      }
    }
    throw new Error("tsrtc pump did not finish");
  }

  transfer(msg: Uint8Array): number {
    const target = this.received + BATCH;
    for (let sent = 0; sent < BATCH; sent += msg.length) this.a.send(1, 53, msg);
    this.pump(() => this.received >= target);
    return this.received;
  }
}

// ---- werift -----------------------------------------------------------------------------

interface WeriftTransport {
  onData?: (buf: Buffer) => void;
  send: (buf: Buffer) => Promise<void>;
  close: () => void;
}
interface WeriftSctp {
  start(port: number): Promise<void>;
  send(stream: number, ppid: number, data: Buffer, opts?: { ordered?: boolean }): Promise<void>;
  onReceive: { subscribe(fn: (stream: number, ppid: number, data: Buffer) => void): unknown };
  state: string;
  stop(): Promise<void>;
}
interface WeriftSctpModule {
  SCTP: { client(t: WeriftTransport, port?: number): WeriftSctp; server(t: WeriftTransport, port?: number): WeriftSctp };
}

function loadWerift(): WeriftSctpModule {
  const require = createRequire(import.meta.url);
  const main = require.resolve("werift"); // .../lib/webrtc/src/index.js
  return require(join(dirname(main), "..", "..", "sctp", "src", "index.js")) as WeriftSctpModule;
}

class WeriftPair {
  received = 0;
  private waiter: (() => void) | undefined;
  private target = 0;
  client!: WeriftSctp;
  server!: WeriftSctp;

  async init(): Promise<void> {
    const { SCTP } = loadWerift();
    const ta: WeriftTransport = { send: async (buf) => void setImmediate(() => tb.onData?.(buf)), close: () => {} };
    const tb: WeriftTransport = { send: async (buf) => void setImmediate(() => ta.onData?.(buf)), close: () => {} };
    this.client = SCTP.client(ta);
    this.server = SCTP.server(tb);
    this.server.onReceive.subscribe((_s, _p, data) => {
      this.received += data.length;
      if (this.waiter && this.received >= this.target) {
        const w = this.waiter;
        this.waiter = undefined;
        w();
      }
    });
    await Promise.all([this.server.start(5000), this.client.start(5000)]);
    for (let i = 0; i < 1000 && (this.client.state !== "connected" || this.server.state !== "connected"); i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    if (this.client.state !== "connected") throw new Error("werift SCTP did not connect");
  }

  async transfer(msg: Buffer): Promise<number> {
    this.target = this.received + BATCH;
    const done = new Promise<void>((r) => (this.waiter = r));
    for (let sent = 0; sent < BATCH; sent += msg.length) await this.client.send(1, 53, msg);
    await done;
    return this.received;
  }
}


export default async function (): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const minMs = Number(process.env.BENCH_MS ?? 300);
  const results: Result[] = [];
  for (const size of [64 * 1024, 1024]) {
    const name = `1 reliable ordered stream, ${size / 1024} KiB messages`;
    const msg = new Uint8Array(size).fill(7);
    const ours = new TsrtcPair();
    const [r] = runScenario({ name, unit: "MB/s", contenders: [{ impl: "tsrtc", op: () => ours.transfer(msg), units: BATCH / 1e6 }] }, { rounds, minMs });
    results.push(r);
    const w = new WeriftPair();
    await w.init();
    const buf = Buffer.from(msg);
    await timeAsync(() => w.transfer(buf), minMs / 2, BATCH / 1e6);
    const samples: number[] = [];
    for (let i = 0; i < rounds; i++) samples.push(await timeAsync(() => w.transfer(buf), minMs, BATCH / 1e6));
    samples.sort((x, y) => x - y);
    results.push({ scenario: name, impl: "werift", rate: samples[samples.length >> 1], unit: "MB/s" });
    await w.client.stop().catch(() => {});
    await w.server.stop().catch(() => {});
  }
  printResults("SCTP throughput in memory (MB/s of user data)", results);
}
