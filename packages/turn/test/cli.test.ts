/**
 * The `turn-server` CLI (src/node/cli.ts) as people run it: a child process under tsx on
 * loopback, with time-limited REST credentials from --secret. Our TurnClient allocates over
 * UDP, TCP and TLS (a self-signed P-256 certificate made by openssl, trusted as `ca`), relays a
 * datagram to a loopback UDP peer and gets its answer; a wrong secret gets 401. The peers here
 * are on 127.0.0.1, so the relaying tests start the server with --allow-private-peers; without
 * it (the default) a CreatePermission to 127.0.0.1 gets 403. The server is stopped by its pid
 * with SIGTERM / SIGINT and must exit 0 having closed its sockets (the ports bind again).
 * Last, coturn's turnutils_uclient (Debian package coturn) relays through the CLI over UDP.
 */
import { execFileSync, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Address } from "@tsrtc/base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restPassword } from "../src/index.js";
import { ClientDriver, cliPath, repoRoot, startCli, stopCli, waitFor } from "./cli-harness.js";

const SECRET = "cli-test-secret";
const TIMEOUT = 60_000;

/** A REST username valid for an hour and its password under `secret`. */
function restCredentials(secret: string, user = "alice"): { username: string; password: string } {
  const username = `${Math.floor(Date.now() / 1000) + 3600}:${user}`;
  return { username, password: restPassword(secret, username) };
}

/** A UDP peer on loopback that echoes every datagram back with 0xee appended. */
async function echoPeer(): Promise<{ address: Address; received: number[][]; close: () => void }> {
  const sock = createSocket("udp4");
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  const received: number[][] = [];
  sock.on("message", (m, r) => {
    received.push(Array.from(m));
    sock.send(Buffer.concat([m, Buffer.from([0xee])]), r.port, r.address);
  });
  return { address: { family: 4, host: "127.0.0.1", port: sock.address().port }, received, close: () => sock.close() };
}

/** True when `port` can be bound on 127.0.0.1 over TCP (the server let go of it). */
function tcpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket("udp4");
    s.once("error", () => {
      s.close();
      resolve(false);
    });
    s.bind(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

describe("turn-server CLI", () => {
  let dir: string;
  let certFile: string;
  let keyFile: string;
  let ca: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tsrtc-turn-cli-"));
    certFile = join(dir, "cert.pem");
    keyFile = join(dir, "key.pem");
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
      { stdio: "ignore" },
    );
    ca = readFileSync(certFile, "utf8");
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("--help prints the usage and exits 0; a bad argument exits 2; no credentials is refused", async () => {
    const help = await startCliToEnd(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/usage: turn-server/);
    expect(help.out).toMatch(/--secret/);
    const bad = await startCliToEnd(["--port", "70000", "--secret", "x"]);
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/bad port: 70000/);
    const none = await startCliToEnd(["--port", "0", "--bind", "127.0.0.1"]);
    expect(none.code).toBe(2);
    expect(none.out).toMatch(/no credentials/);
    const halfTls = await startCliToEnd(["--secret", "x", "--tls-port", "0"]);
    expect(halfTls.code).toBe(2);
    expect(halfTls.out).toMatch(/TLS needs --tls-port, --cert and --pkey/);
  }, TIMEOUT);

  it(
    "serves REST credentials over UDP, TCP and TLS, relays to a loopback peer (--allow-private-peers), refuses a wrong secret, stops on SIGTERM",
    async () => {
      // Loopback peers need --allow-private-peers (refused by default, see the next test).
      const cli = await startCli(
        ["--bind", "127.0.0.1", "--port", "0", "--tcp", "--tls-port", "0", "--cert", certFile, "--pkey", keyFile, "--secret", SECRET, "--realm", "cli.test", "--allow-private-peers"],
        ["udp", "tcp", "tls"],
      );
      const peer = await echoPeer();
      const clients: ClientDriver[] = [];
      try {
        expect(cli.output()).toMatch(/WARNING: --allow-private-peers/);
        for (const [i, transport] of (["udp", "tcp", "tls"] as const).entries()) {
          const server = cli.listening[transport]!;
          const { username, password } = restCredentials(SECRET, `user-${transport}`);
          const d = await ClientDriver.open(transport, server, username, password, { ca });
          clients.push(d);
          d.step(() => d.client.allocate(d.now()));
          await waitFor(() => d.client.state === "allocated", `${transport} allocation`);
          expect(d.client.relayed?.host).toBe("127.0.0.1");
          d.step(() => d.client.createPermission(peer.address, d.now()));
          await waitFor(() => d.client.hasPermission(peer.address), `${transport} permission`);
          d.step(() => d.client.send(peer.address, new Uint8Array([i, 1, 2, 3]), d.now()));
          await waitFor(() => d.fromPeers.length === 1, `${transport} echo`);
          expect(peer.received[i]).toEqual([i, 1, 2, 3]);
          expect(d.fromPeers[0].data).toEqual([i, 1, 2, 3, 0xee]);
          expect(d.fromPeers[0].peer).toEqual(peer.address);
        }

        // A REST username signed with another secret: the challenge, then 401 for good.
        for (const transport of ["udp", "tls"] as const) {
          const { username, password } = restCredentials("not-the-secret");
          const d = await ClientDriver.open(transport, cli.listening[transport]!, username, password, { ca });
          clients.push(d);
          d.step(() => d.client.allocate(d.now()));
          await waitFor(() => d.client.state === "failed", `${transport} refusal`);
          expect(d.events).toContainEqual(expect.objectContaining({ type: "error", operation: "allocate", code: 401, fatal: true }));
        }
        // An expired REST username (expiry in the past) with the right secret: refused too.
        const past = `${Math.floor(Date.now() / 1000) - 10}:late`;
        const late = await ClientDriver.open("udp", cli.listening.udp!, past, restPassword(SECRET, past));
        clients.push(late);
        late.step(() => late.client.allocate(late.now()));
        await waitFor(() => late.client.state === "failed", "expired refusal");
        expect(late.events).toContainEqual(expect.objectContaining({ type: "error", code: 401 }));
      } finally {
        for (const d of clients) d.close();
        peer.close();
        const exit = await stopCli(cli, "SIGTERM");
        expect(exit.code).toBe(0);
      }
      expect(cli.output()).toMatch(/SIGTERM: stopped after \d+ requests, 3 allocations/);
      // Its sockets are released: the same ports bind again.
      expect(await udpPortFree(cli.listening.udp!.port)).toBe(true);
      expect(await tcpPortFree(cli.listening.tcp!.port)).toBe(true);
      expect(await tcpPortFree(cli.listening.tls!.port)).toBe(true);
    },
    TIMEOUT,
  );

  it(
    "by default refuses a permission for a loopback peer with 403 (RFC 8656 §21.3), with --user credentials; stops on SIGINT",
    async () => {
      const cli = await startCli(["--bind", "127.0.0.1", "--port", "0", "--user", "bob:hunter2", "--max-allocations-per-user", "1"], ["udp"]);
      const clients: ClientDriver[] = [];
      try {
        expect(cli.output()).not.toMatch(/WARNING/);
        const d = await ClientDriver.open("udp", cli.listening.udp!, "bob", "hunter2");
        clients.push(d);
        d.step(() => d.client.allocate(d.now()));
        await waitFor(() => d.client.state === "allocated", "allocation");
        const loopPeer: Address = { family: 4, host: "127.0.0.1", port: 9 };
        d.step(() => d.client.createPermission(loopPeer, d.now()));
        await waitFor(() => d.events.some((e) => e.type === "error"), "the permission's answer");
        expect(d.events).toContainEqual(expect.objectContaining({ type: "error", operation: "permission", code: 403 }));
        expect(d.client.hasPermission(loopPeer)).toBe(false);
        expect(d.client.state).toBe("allocated");
        // --max-allocations-per-user 1: bob's second allocation gets 486.
        const second = await ClientDriver.open("udp", cli.listening.udp!, "bob", "hunter2");
        clients.push(second);
        second.step(() => second.client.allocate(second.now()));
        await waitFor(() => second.client.state === "failed", "the quota refusal");
        expect(second.events).toContainEqual(expect.objectContaining({ type: "error", operation: "allocate", code: 486 }));
      } finally {
        for (const d of clients) d.close();
        const exit = await stopCli(cli, "SIGINT");
        expect(exit.code).toBe(0);
      }
      expect(cli.output()).toMatch(/SIGINT: stopped/);
      expect(await udpPortFree(cli.listening.udp!.port)).toBe(true);
    },
    TIMEOUT,
  );

  it(
    "listens on IPv6 (--bind ::1): an IPv6 relayed address, a datagram to an IPv6 loopback peer and back; the secret read from --secret-file",
    async () => {
      const secretFile = join(dir, "secret");
      writeFileSync(secretFile, `${SECRET}\n`);
      const cli = await startCli(["--bind", "::1", "--port", "0", "--tcp", "--secret-file", secretFile, "--allow-private-peers"], ["udp", "tcp"]);
      expect(cli.listening.udp).toEqual(expect.objectContaining({ family: 6, host: "::1" }));
      const sock = createSocket({ type: "udp6", ipv6Only: true });
      await new Promise<void>((r) => sock.bind(0, "::1", () => r()));
      const peer: Address = { family: 6, host: "::1", port: sock.address().port };
      const got: number[][] = [];
      sock.on("message", (m, r) => {
        got.push(Array.from(m));
        sock.send(m, r.port, r.address);
      });
      const clients: ClientDriver[] = [];
      try {
        for (const transport of ["udp", "tcp"] as const) {
          const { username, password } = restCredentials(SECRET, `v6-${transport}`);
          const d = await ClientDriver.open(transport, cli.listening[transport]!, username, password, { relayFamily: 6 });
          clients.push(d);
          d.step(() => d.client.allocate(d.now()));
          await waitFor(() => d.client.state === "allocated", `${transport} IPv6 allocation`);
          expect(d.client.relayed).toEqual(expect.objectContaining({ family: 6, host: "::1" }));
          d.step(() => d.client.send(peer, new Uint8Array([6, 6, transport.length]), d.now()));
          await waitFor(() => d.fromPeers.length === 1, `${transport} IPv6 echo`);
          expect(d.fromPeers[0].data).toEqual([6, 6, transport.length]);
        }
        expect(got).toEqual([
          [6, 6, 3],
          [6, 6, 3],
        ]);
        // The server relays IPv6 only here: an IPv4 relayed address is refused with 440 (§7.2).
        const { username, password } = restCredentials(SECRET, "v4-please");
        const v4 = await ClientDriver.open("udp", cli.listening.udp!, username, password);
        clients.push(v4);
        v4.step(() => v4.client.allocate(v4.now()));
        await waitFor(() => v4.client.state === "failed", "the family refusal");
        expect(v4.events).toContainEqual(expect.objectContaining({ type: "error", operation: "allocate", code: 440 }));
      } finally {
        for (const d of clients) d.close();
        sock.close();
        expect((await stopCli(cli)).code).toBe(0);
      }
    },
    TIMEOUT,
  );

  it(
    "relays coturn's turnutils_uclient (UDP, REST credentials from the same secret, ChannelData with --legacy-channels) to turnutils_peer",
    async () => {
      const peerPort = await freeUdpPort();
      const peer = spawn("turnutils_peer", ["-L", "127.0.0.1", "-p", String(peerPort)], { stdio: "ignore" });
      // uclient picks RFC 5766 channel numbers (0x4000-0x7FFF, narrowed to 0x4FFF by RFC 8656):
      // --legacy-channels takes them. The peer is on loopback: --allow-private-peers.
      const cli = await startCli(["--bind", "127.0.0.1", "--port", "0", "--secret", SECRET, "--allow-private-peers", "--legacy-channels"], ["udp"]);
      try {
        await new Promise((r) => setTimeout(r, 300));
        const args = ["-p", String(cli.listening.udp!.port), "-u", "carol", "-W", SECRET, "-e", "127.0.0.1", "-r", String(peerPort), "-n", "5", "-c", "-X", "127.0.0.1"];
        const out = await runToEnd("turnutils_uclient", args, 20_000);
        expect(out.out).toMatch(/tot_send_msgs=5, tot_recv_msgs=5/);
        expect(out.out).toMatch(/Total lost packets 0 /);
      } finally {
        if (peer.pid !== undefined) process.kill(peer.pid, "SIGKILL");
        expect((await stopCli(cli)).code).toBe(0);
      }
      expect(cli.output()).toMatch(/SIGTERM: stopped after \d+ requests, [1-9]\d* allocations, ([1-9]\d+) relayed datagrams/);
    },
    TIMEOUT,
  );
});

async function freeUdpPort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Run a child to its end (killed by pid after `ms`), collecting stdout and stderr. */
function runToEnd(cmd: string, args: string[], ms: number, cwd?: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], cwd });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.pid !== undefined && process.kill(child.pid, "SIGKILL"), ms);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

function startCliToEnd(args: string[]): Promise<{ code: number | null; out: string }> {
  return runToEnd(process.execPath, ["--conditions=@tsrtc/source", "--import", "tsx", cliPath, ...args], 30_000, repoRoot);
}
