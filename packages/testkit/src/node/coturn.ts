/**
 * coturn (`turnserver`, Debian package `coturn`) on loopback as a real TURN peer.
 * Started on a free port with one long-term user, killed by its pid. `--allow-loopback-peers`
 * lets it relay to 127.0.0.1 (it refuses loopback and private peers by default, the secure
 * choice; our tests have no other addresses to relay to).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Coturn {
  port: number;
  realm: string;
  username: string;
  password: string;
  log: () => string;
  stop: () => Promise<void>;
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export async function startCoturn(opts: { allowLoopbackPeers?: boolean } = {}): Promise<Coturn> {
  const port = await freeUdpPort();
  const dir = mkdtempSync(join(tmpdir(), "tsrtc-coturn-"));
  // A relay port range of its own, below the kernel's ephemeral range (32768+) other tests bind in.
  const min = 10000 + ((port * 7) % 20000);
  const realm = "tsrtc.test";
  const args = [
    "-n", "--no-cli", "--no-tls", "--no-dtls", "--no-tcp",
    "-L", "127.0.0.1", "-E", "127.0.0.1", "-p", String(port),
    "--min-port", String(min), "--max-port", String(min + 200),
    "-f", "-r", realm,
    "--userdb", join(dir, "users.sqlite"), "--pidfile", join(dir, "turn.pid"),
    "--log-file", "stdout", "--simple-log", "-v",
    "-a", "-u", "user:secret-pass",
  ];
  if (opts.allowLoopbackPeers !== false) args.push("--allow-loopback-peers");
  const child: ChildProcess = spawn("turnserver", args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`coturn did not start:\n${out}`)), 10_000);
    const check = setInterval(() => {
      if (out.includes("UDP listener opened on")) {
        clearInterval(check);
        clearTimeout(deadline);
        resolve();
      }
    }, 50);
    child.once("exit", (code) => {
      clearInterval(check);
      clearTimeout(deadline);
      reject(new Error(`coturn exited with ${code}:\n${out}`));
    });
  });
  return {
    port,
    realm,
    username: "user",
    password: "secret-pass",
    log: () => out,
    stop: async () => {
      if (child.exitCode === null && child.pid !== undefined) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        process.kill(child.pid, "SIGTERM");
        const t = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, "SIGKILL"), 3000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
