/**
 * coturn on loopback with its TCP and TLS listeners (testkit's startCoturn turns them off): TCP
 * on the same port as UDP (coturn's default), TLS on a port of its own with a self-signed
 * certificate made here by openssl for IP 127.0.0.1 and the names localhost and turn.test. Killed by its pid.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface CoturnStreams {
  /** UDP and TCP. */
  port: number;
  tlsPort: number;
  username: string;
  password: string;
  /** The self-signed certificate, PEM: pass it as `ca`. */
  cert: string;
  log: () => string;
  stop: () => Promise<void>;
}

/** A TCP port free on 127.0.0.1 (coturn's UDP listener shares it; a clash shows in coturn's start). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export async function startCoturnStreams(): Promise<CoturnStreams> {
  const port = await freePort();
  let tlsPort = await freePort();
  while (tlsPort === port) tlsPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tsrtc-coturn-tls-"));
  const certFile = join(dir, "cert.pem");
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
  const min = 10000 + ((port * 13) % 20000);
  const args = [
    "-n", "--no-cli", "--no-dtls",
    "-L", "127.0.0.1", "-E", "127.0.0.1", "-p", String(port), "--tls-listening-port", String(tlsPort),
    "--cert", certFile, "--pkey", keyFile,
    "--min-port", String(min), "--max-port", String(min + 200),
    "-f", "-r", "tsrtc.test",
    "--userdb", join(dir, "users.sqlite"), "--pidfile", join(dir, "turn.pid"),
    "--log-file", "stdout", "--simple-log", "-v",
    "-a", "-u", "user:secret-pass", "--allow-loopback-peers",
  ];
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
  try {
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`coturn did not start:\n${out}`)), 10_000);
      const check = setInterval(() => {
        // Listeners open in threads: wait for the TCP and the TLS ones.
        if (/TCP listener opened on\s*:\s*127\.0\.0\.1:/.test(out) && out.includes(`127.0.0.1:${tlsPort}`)) {
          clearInterval(check);
          clearTimeout(deadline);
          setTimeout(resolve, 100);
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
  return { port, tlsPort, username: "user", password: "secret-pass", cert: readFileSync(certFile, "utf8"), log: () => out, stop };
}
