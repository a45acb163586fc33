/**
 * Test-only Node glue: runs a DtlsEndpoint over a real loopback UDP socket with real timers
 * (cores never do this themselves; the webrtc package's io layer will).
 */
import { createSocket, type Socket } from "node:dgram";
import { spawn, type ChildProcess } from "node:child_process";
import type { DtlsEndpoint, DtlsEvent } from "../src/index.js";

export class UdpDriver {
  readonly socket: Socket;
  readonly events: DtlsEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private remote: { address: string; port: number } | undefined;
  private readonly t0 = performance.now();
  private waiters: (() => void)[] = [];
  /** Largest datagram received. */
  maxReceived = 0;

  constructor(readonly endpoint: DtlsEndpoint, remote?: { address: string; port: number }) {
    this.remote = remote;
    this.socket = createSocket("udp4");
    this.socket.on("message", (msg, rinfo) => {
      this.remote ??= { address: rinfo.address, port: rinfo.port };
      this.maxReceived = Math.max(this.maxReceived, msg.length);
      this.endpoint.handlePacket(new Uint8Array(msg), this.now());
      this.flush();
    });
  }

  now(): number {
    return performance.now() - this.t0;
  }

  async bind(port = 0): Promise<number> {
    await new Promise<void>((res) => this.socket.bind(port, "127.0.0.1", res));
    return this.socket.address().port;
  }

  flush(): void {
    let d: Uint8Array | undefined;
    while ((d = this.endpoint.pollTransmit())) {
      if (this.remote) this.socket.send(d, this.remote.port, this.remote.address);
    }
    let e: DtlsEvent | undefined;
    while ((e = this.endpoint.pollEvent())) this.events.push(e);
    if (this.timer) clearTimeout(this.timer);
    const at = this.endpoint.pollTimeout();
    if (at !== undefined) {
      this.timer = setTimeout(() => {
        this.endpoint.handleTimeout(this.now());
        this.flush();
      }, Math.max(0, at - this.now()));
    }
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when `pred` holds over the events so far; rejects after `ms`. */
  async until(pred: (ev: DtlsEvent[]) => boolean, ms = 10_000, what = "condition"): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred(this.events)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(this.events.map((e) => e.type === "error" ? e.error.message : e.type))}`);
      await new Promise<void>((res) => {
        this.waiters.push(res);
        setTimeout(res, 50);
      });
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.socket.close();
  }
}

/** A spawned process whose stdout/stderr we collect, killed by its pid. */
export class Proc {
  readonly child: ChildProcess;
  out = "";

  constructor(cmd: string, args: string[]) {
    this.child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout!.on("data", (b: Buffer) => (this.out += b.toString()));
    this.child.stderr!.on("data", (b: Buffer) => (this.out += b.toString()));
  }

  async waitFor(re: RegExp, ms = 10_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = this.out.match(re);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re} in:\n${this.out}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  write(s: string): void {
    this.child.stdin!.write(s);
  }

  kill(): void {
    if (this.child.pid !== undefined && this.child.exitCode === null) process.kill(this.child.pid, "SIGTERM");
  }
}

export async function freeUdpPort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((res) => s.bind(0, "127.0.0.1", res));
  const port = s.address().port;
  await new Promise<void>((res) => s.close(() => res()));
  return port;
}
