/**
 * Interop over loopback with a third-party client: coturn's turnutils_stunclient (Debian
 * package `coturn`) asks our server for its reflexive address, which must be the client's own
 * loopback address and port as our server saw them. Also runs the CLI as a process and stops it
 * with SIGTERM.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { type Transmit, formatAddress } from "@tsrtc/base";
import { type RunningStunServer, startStunServer } from "../src/node/server.js";

const CLIENT = "turnutils_stunclient";
const CLI = fileURLToPath(new URL("../src/node/cli.ts", import.meta.url));

function hasClient(): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${CLIENT}`]);
    return true;
  } catch {
    return false;
  }
}

/** Run the client under `timeout`; resolves with its stdout. */
function runClient(port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn("timeout", ["10", CLIENT, "-p", String(port), host], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (out += d.toString()));
    p.on("error", reject);
    p.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${CLIENT} exited ${code}: ${out}`))));
  });
}

function reflexive(out: string): string {
  const m = /UDP reflexive addr: (\S+)/.exec(out);
  if (!m) throw new Error(`no reflexive address in: ${out}`);
  return m[1];
}

let server: RunningStunServer | undefined;
let child: ChildProcess | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
  if (child && child.exitCode === null && child.pid !== undefined) process.kill(child.pid, "SIGKILL");
  child = undefined;
});

describe("interop with coturn's turnutils_stunclient", () => {
  it("the client is installed (Debian package coturn)", () => {
    expect(hasClient()).toBe(true);
  });

  for (const host of ["127.0.0.1", "::1"]) {
    it(`reports the client's own address and port over ${host}`, async () => {
      const sent: Transmit[] = [];
      server = await startStunServer({ port: 0, bind: host, software: "tsrtc-interop", onResponse: (t) => sent.push(t) });
      const port = server.addresses[0].port;
      const out = await runClient(port, host);
      expect(sent.length).toBeGreaterThan(0);
      const client = sent[0].to;
      expect(client.host).toBe(host);
      const expected = host.includes(":") ? `${client.host}:${client.port}` : formatAddress(client);
      expect(reflexive(out)).toBe(expected);
      expect(server.core.stats.success).toBe(sent.length);
    });
  }

  it("listens on 0.0.0.0 and :: with one port when no bind address is given", async () => {
    const sent: Transmit[] = [];
    server = await startStunServer({ port: 0, onResponse: (t) => sent.push(t) });
    expect(server.addresses.map((a) => a.host)).toEqual(["0.0.0.0", "::"]);
    const port = server.addresses[0].port;
    expect(server.addresses[1].port).toBe(port);
    expect(reflexive(await runClient(port, "127.0.0.1"))).toBe(formatAddress(sent[0].to));
    const v6 = reflexive(await runClient(port, "::1"));
    const last = sent[sent.length - 1].to;
    expect(last.family).toBe(6);
    expect(v6).toBe(`${last.host}:${last.port}`);
  });

  it("runs the CLI, serves the client, and stops cleanly on SIGTERM", async () => {
    const proc = spawn(process.execPath, ["--import", "tsx", "--conditions=@tsrtc/source", CLI, "--port", "0", "--bind", "127.0.0.1"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    let out = "";
    proc.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    const listening = await new Promise<string>((resolve, reject) => {
      proc.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /listening on udp (127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]);
      });
      proc.on("exit", (code) => reject(new Error(`CLI exited early (${code}): ${out}`)));
    });
    const port = Number(listening.split(":")[1]);
    expect(port).toBeGreaterThan(0);
    expect(reflexive(await runClient(port, "127.0.0.1"))).toMatch(/^127\.0\.0\.1:\d+$/);
    const exit = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
    process.kill(proc.pid!, "SIGTERM");
    expect(await exit).toBe(0);
    expect(out).toMatch(/SIGTERM: stopped after [1-9]\d* datagrams/);
  });
});
