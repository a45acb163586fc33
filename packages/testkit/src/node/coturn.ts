/**
 * coturn (`turnserver`, Debian package `coturn`) on loopback as a real TURN peer.
 * Started on a free port with one long-term user, killed by its pid. `--allow-loopback-peers`
 * lets it relay to 127.0.0.1 (it refuses loopback and private peers by default, the secure
 * choice; our tests have no other addresses to relay to).
 *
 * UDP only by default. `streams: true` adds the client-to-server transports TURN also runs over
 * (RFC 8656 §3.1): TCP on the same port as UDP (coturn's default) and TLS on a port of its own,
 * with a self-signed P-256 certificate made here by openssl for IP 127.0.0.1 and the names
 * localhost and turn.test (pass `cert` as the CA).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Coturn {
  /** UDP (and TCP with `streams`). */
  port: number;
  /** With `streams`: the TLS port. */
  tlsPort?: number;
  /** With `streams`: the TLS certificate, PEM. */
  cert?: string;
  realm: string;
  username: string;
  password: string;
  log: () => string;
  stop: () => Promise<void>;
}

export interface CoturnOptions {
  /** Relay to loopback peers (default true: tests have no other addresses). */
  allowLoopbackPeers?: boolean;
  /** Also listen on TCP (same port) and TLS (`tlsPort`). */
  streams?: boolean;
}

/** A coturn started with `streams: true`. */
export type CoturnStreams = Coturn & { tlsPort: number; cert: string };

async function freeUdpPort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** A TCP port free on 127.0.0.1 (with `streams`, coturn's UDP listener shares it; a clash shows in its start). */
async function freeTcpPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export function startCoturn(opts: CoturnOptions & { streams: true }): Promise<CoturnStreams>;
export function startCoturn(opts?: CoturnOptions): Promise<Coturn>;
export async function startCoturn(opts: CoturnOptions = {}): Promise<Coturn> {
  const streams = opts.streams === true;
  const port = streams ? await freeTcpPort() : await freeUdpPort();
  let tlsPort: number | undefined;
  if (streams) do tlsPort = await freeTcpPort(); while (tlsPort === port);
  const dir = mkdtempSync(join(tmpdir(), "tsrtc-coturn-"));
  // A relay port range of its own, below the kernel's ephemeral range (32768+) other tests bind in.
  const min = 10000 + ((port * 7) % 20000);
  const realm = "tsrtc.test";
  const args = ["-n", "--no-cli", "--no-dtls"];
  let certFile: string | undefined;
  if (streams) {
    certFile = join(dir, "cert.pem");
    const keyFile = join(dir, "key.pem");
    execFileSync(
      "openssl",
      [
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", keyFile, "-out", certFile, "-days", "2", "-subj", "/CN=turn.test",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:turn.test,DNS:localhost",
      ],
      { stdio: "ignore" },
    );
    args.push("--tls-listening-port", String(tlsPort), "--cert", certFile, "--pkey", keyFile);
  } else {
    args.push("--no-tls", "--no-tcp");
  }
  args.push(
    "-L", "127.0.0.1", "-E", "127.0.0.1", "-p", String(port),
    "--min-port", String(min), "--max-port", String(min + 200),
    "-f", "-r", realm,
    "--userdb", join(dir, "users.sqlite"), "--pidfile", join(dir, "turn.pid"),
    "--log-file", "stdout", "--simple-log", "-v",
    "-a", "-u", "user:secret-pass",
  );
  if (opts.allowLoopbackPeers !== false) args.push("--allow-loopback-peers");
  const child: ChildProcess = spawn("turnserver", args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      process.kill(child.pid, "SIGTERM");
      const t = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, "SIGKILL"), 3000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Listeners open in threads: with streams, wait for the TCP and the TLS ones too.
  const ready = streams
    ? () => /TCP listener opened on\s*:\s*127\.0\.0\.1:/.test(out) && out.includes(`127.0.0.1:${tlsPort}`)
    : () => out.includes("UDP listener opened on");
  try {
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`coturn did not start:\n${out}`)), 10_000);
      const check = setInterval(() => {
        if (ready()) {
          clearInterval(check);
          clearTimeout(deadline);
          setTimeout(resolve, streams ? 100 : 0);
        }
      }, 50);
      child.once("exit", (code) => {
        clearInterval(check);
        clearTimeout(deadline);
        reject(new Error(`coturn exited with ${code}:\n${out}`));
      });
    });
  } catch (e) {
    await stop();
    throw e;
  }
  const cert = certFile === undefined ? undefined : readFileSync(certFile, "utf8");
  return { port, tlsPort, cert, realm, username: "user", password: "secret-pass", log: () => out, stop };
}
