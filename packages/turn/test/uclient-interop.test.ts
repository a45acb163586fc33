/**
 * Interop with coturn's own client: `turnutils_uclient` (Debian package coturn) allocates on
 * our TurnServer through its Node UDP runner, on 127.0.0.1, and sends 5 messages to
 * `turnutils_peer`, an echo peer, then reads them back: through ChannelData (its default) and
 * through Send/Data indications (-s), with static and with REST (use-auth-secret) credentials.
 * The peer is on loopback, so the server allows private peers here (refused by default), and
 * uclient picks channel numbers from RFC 5766's 0x4000-0x7FFF, so the server takes those too
 * (legacyChannels; without it the ChannelBind gets 400 about three times in four).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningTurnServer, startTurnServer } from "../src/node/server.js";

const SECRET = "uclient-secret";

async function freePort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Run a child to its end (killed by pid after `ms`), collecting its output. */
function run(cmd: string, args: string[], ms: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
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

describe("turnutils_uclient (coturn) against our TurnServer", () => {
  let server: RunningTurnServer;
  let peer: ChildProcess;
  let peerPort: number;

  beforeAll(async () => {
    server = await startTurnServer({
      host: "127.0.0.1",
      port: 0,
      realm: "tsrtc.test",
      users: { user: "pass" },
      authSecret: SECRET,
      allowPrivatePeers: true,
      legacyChannels: true,
      software: "tsrtc",
    });
    peerPort = await freePort();
    peer = spawn("turnutils_peer", ["-L", "127.0.0.1", "-p", String(peerPort)], { stdio: "ignore" });
    await new Promise((r) => setTimeout(r, 300));
  });

  afterAll(async () => {
    if (peer?.pid !== undefined) process.kill(peer.pid, "SIGKILL");
    await server?.close();
  });

  const exchange = async (extra: string[]): Promise<string> => {
    const args = ["-p", String(server.address.port), ...extra, "-e", "127.0.0.1", "-r", String(peerPort), "-n", "5", "-c", "-X", "127.0.0.1"];
    const { out } = await run("turnutils_uclient", args, 15_000);
    return out;
  };

  it("relays with ChannelData and long-term credentials: 5 sent, 5 echoed back, none lost", async () => {
    const before = server.core.stats.relayedToClients;
    const out = await exchange(["-u", "user", "-w", "pass"]);
    expect(out).toMatch(/tot_send_msgs=5, tot_recv_msgs=5/);
    expect(out).toMatch(/Total lost packets 0 /);
    expect(server.core.stats.relayedToClients - before).toBeGreaterThanOrEqual(5);
    expect(server.core.stats.responses[401]).toBeGreaterThan(0);
  });

  it("relays with Send and Data indications (-s)", async () => {
    const out = await exchange(["-u", "user", "-w", "pass", "-s"]);
    expect(out).toMatch(/tot_send_msgs=5, tot_recv_msgs=5/);
    expect(out).toMatch(/Total lost packets 0 /);
  });

  it("takes REST credentials made from the shared secret (-W), and refuses a wrong secret", async () => {
    const ok = await exchange(["-u", "alice", "-W", SECRET]);
    expect(ok).toMatch(/tot_send_msgs=5, tot_recv_msgs=5/);
    const allocations = server.core.stats.allocations;
    const refused = server.core.stats.responses[401] ?? 0;
    const bad = await exchange(["-u", "alice", "-W", "not-the-secret"]);
    expect(bad).not.toMatch(/tot_recv_msgs=5/);
    expect(bad).toMatch(/Cannot complete Allocation/);
    expect(server.core.stats.allocations).toBe(allocations);
    // The challenge, then 401 to the signed retry (wrong key).
    expect(server.core.stats.responses[401] - refused).toBeGreaterThanOrEqual(2);
  });
});
