/**
 * For the CLI tests: run `turn-server` (src/node/cli.ts) as a child process under tsx and wait
 * for its listening lines; drive a TurnClient over UDP, TCP or TLS on loopback.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { type Socket as UdpSocket, createSocket } from "node:dgram";
import { type Socket, connect } from "node:net";
import { dirname, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { connect as tlsConnect } from "node:tls";
import { fileURLToPath } from "node:url";
import type { Address } from "@tsrtc/base";
import { TurnClient, type TurnClientEvent, TurnStreamFramer, type TurnTransport } from "../src/index.js";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../../..");
export const cliPath = resolve(here, "../src/node/cli.ts");

export async function waitFor(pred: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface RunningCli {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Listening addresses by transport, from the startup lines. */
  listening: Partial<Record<TurnTransport, Address>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawn the CLI; resolves once it printed a listening line for each of `expect`. */
export async function startCli(args: string[], expect: TurnTransport[]): Promise<RunningCli> {
  const child = spawn(process.execPath, ["--conditions=@tsrtc/source", "--import", "tsx", cliPath, ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on("exit", (code, signal) => r({ code, signal })),
  );
  let done = false;
  void exited.then(() => (done = true));
  const listening: Partial<Record<TurnTransport, Address>> = {};
  const cli: RunningCli = { child, output: () => out, listening, exited };
  try {
    await waitFor(() => {
      for (const m of out.matchAll(/listening on (udp|tcp|tls) (\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]):(\d+)/g)) {
        const host = m[2].replace(/^\[|\]$/g, "");
        listening[m[1] as TurnTransport] = { family: host.includes(":") ? 6 : 4, host, port: Number(m[3]) };
      }
      if (done) throw new Error(`turn-server exited early:\n${out}`);
      return expect.every((t) => listening[t] !== undefined);
    }, "the listening lines", 30_000);
  } catch (e) {
    if (child.pid !== undefined && !done) process.kill(child.pid, "SIGKILL");
    throw e;
  }
  return cli;
}

/** Stop the CLI by its pid with `signal` and wait for it to exit. */
export async function stopCli(cli: RunningCli, signal: NodeJS.Signals = "SIGTERM"): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (cli.child.exitCode === null && cli.child.signalCode === null) process.kill(cli.child.pid!, signal);
  return cli.exited;
}

/** A TurnClient on a real UDP socket or TCP/TLS connection, stepped by hand. */
export class ClientDriver {
  readonly events: TurnClientEvent[] = [];
  readonly fromPeers: { peer: Address; data: number[] }[] = [];
  private readonly t0 = performance.now();
  private readonly timer: NodeJS.Timeout;

  private constructor(
    readonly client: TurnClient,
    private readonly server: Address,
    private readonly write: (data: Uint8Array) => void,
    private readonly closeIo: () => void,
  ) {
    this.timer = setInterval(() => this.step(() => this.client.handleTimeout(this.now())), 20);
  }

  static async open(
    transport: TurnTransport,
    server: Address,
    username: string,
    password: string,
    opts: { ca?: string; relayFamily?: 4 | 6 } = {},
  ): Promise<ClientDriver> {
    const client = new TurnClient({ server, username, password, transport, relayFamily: opts.relayFamily });
    const ca = opts.ca;
    if (transport === "udp") {
      const sock: UdpSocket = createSocket(server.family === 6 ? "udp6" : "udp4");
      await new Promise<void>((r) => sock.bind(0, server.host, () => r()));
      const d = new ClientDriver(client, server, (b) => sock.send(b, server.port, server.host), () => sock.close());
      sock.on("message", (m) => d.input(new Uint8Array(m.buffer, m.byteOffset, m.byteLength)));
      return d;
    }
    const stream: Socket =
      transport === "tls" ? tlsConnect({ host: server.host, port: server.port, ca, servername: "localhost" }) : connect({ host: server.host, port: server.port });
    await new Promise<void>((resolve, reject) => {
      stream.once(transport === "tls" ? "secureConnect" : "connect", () => resolve());
      stream.once("error", reject);
    });
    stream.setNoDelay(true);
    const framer = new TurnStreamFramer();
    const d = new ClientDriver(client, server, (b) => stream.write(b), () => stream.destroy());
    stream.on("data", (chunk: Buffer) => {
      framer.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      for (let m = framer.next(); m; m = framer.next()) d.input(m);
    });
    return d;
  }

  now(): number {
    return performance.now() - this.t0;
  }

  step(f: () => void): void {
    f();
    for (let t = this.client.pollTransmit(); t; t = this.client.pollTransmit()) this.write(t.data);
    for (let e = this.client.pollEvent(); e; e = this.client.pollEvent()) this.events.push(e);
  }

  private input(m: Uint8Array): void {
    this.step(() => {
      if (this.client.handlePacket(m, this.server, this.now()) === "data")
        this.fromPeers.push({ peer: this.client.peer!, data: Array.from(this.client.payload!) });
    });
  }

  close(): void {
    clearInterval(this.timer);
    this.closeIo();
  }
}
