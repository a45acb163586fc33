/**
 * The DTLS flight sniffers against a real DTLS 1.2 handshake: openssl s_client and s_server
 * (cookie exchange, client certificate) talk through a UDP relay in this test, which shows each
 * datagram to a DtlsFlightTracker and to the filters before forwarding it. Loopback only; both
 * processes are killed by their pid.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { address } from "@tsrtc/base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DtlsFlightInfo, DtlsFlightTracker, type Filter, dropWhere, dtlsFlight } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "testkit-dtls-"));
const cert = join(dir, "c.pem");
const key = join(dir, "k.pem");
const children: ChildProcess[] = [];

beforeAll(() => {
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=testkit"], { stdio: "ignore" });
});

afterAll(() => {
  for (const c of children) stop(c);
  rmSync(dir, { recursive: true, force: true });
});

function stop(c: ChildProcess): void {
  if (c.pid === undefined || c.exitCode !== null || c.signalCode !== null) return;
  try {
    process.kill(c.pid);
  } catch {
    // already gone
  }
}

async function freePort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const tick = (): void => {
      if (check()) resolve(true);
      else if (Date.now() - t0 > ms) resolve(false);
      else setTimeout(tick, 20);
    };
    tick();
  });
}

const common = ["-dtls1_2", "-cert", cert, "-key", key, "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256", "-groups", "P-256"];

/** Run one handshake through the relay; returns what the tracker saw, in order. */
async function handshake(filters: Filter[]): Promise<{ seen: (DtlsFlightInfo & { dir: string })[]; done: boolean; dropped: number }> {
  const serverPort = await freePort();
  const server = spawn("openssl", ["s_server", ...common, "-accept", `127.0.0.1:${serverPort}`, "-verify", "1", "-listen", "-naccept", "1", "-mtu", "1200"], { stdio: ["pipe", "pipe", "pipe"] });
  children.push(server);
  let serverOut = "";
  server.stdout!.on("data", (b: Buffer) => (serverOut += b.toString()));
  expect(await waitFor(() => serverOut.includes("ACCEPT"), 10_000)).toBe(true);

  const relay = createSocket("udp4");
  await new Promise<void>((r) => relay.bind(0, "127.0.0.1", r));
  const relayPort = relay.address().port;
  const clientAddr = { port: 0 };
  const tracker = new DtlsFlightTracker();
  const seen: (DtlsFlightInfo & { dir: string })[] = [];
  let seq = 0;
  let dropped = 0;
  const C = address("127.0.0.1", 1); // stand-ins: the tracker only tells senders apart
  const S = address("127.0.0.1", 2);
  relay.on("message", (msg, rinfo) => {
    const fromServer = rinfo.port === serverPort;
    if (!fromServer) clientAddr.port = rinfo.port;
    const data = new Uint8Array(msg);
    const info = { from: fromServer ? S : C, to: fromServer ? C : S, now: 0, seq: ++seq };
    const i = tracker.observe(data, info.from);
    if (i) seen.push({ ...i, dir: fromServer ? "s" : "c" });
    let drop = false;
    for (const f of filters) if (f.shouldDrop(data, info)) drop = true;
    if (drop) {
      dropped++;
      return;
    }
    relay.send(msg, fromServer ? clientAddr.port : serverPort, "127.0.0.1");
  });

  const client = spawn("openssl", ["s_client", ...common, "-noservername", "-connect", `127.0.0.1:${relayPort}`], { stdio: ["pipe", "pipe", "pipe"] });
  children.push(client);
  const done = await waitFor(() => seen.some((i) => i.flight === 6), 15_000);
  stop(client);
  stop(server);
  await new Promise<void>((r) => relay.close(() => r()));
  return { seen, done, dropped };
}

const label = (i: DtlsFlightInfo & { dir: string }): string => `${i.dir}${i.flight}.t${i.transmission}`;

describe("DTLS flights of a real openssl handshake", () => {
  it("are recognised in order: 1 ClientHello, 2 HelloVerifyRequest, 3 ClientHello+cookie, 4, 5, 6", async () => {
    const { seen, done } = await handshake([]);
    expect(done).toBe(true);
    // (a loaded machine may make openssl retransmit; the first transmissions come in this order)
    const firsts = seen.filter((i) => i.transmission === 1);
    expect([...new Set(firsts.map(label))]).toEqual(["c1.t1", "s2.t1", "c3.t1", "s4.t1", "c5.t1", "s6.t1"]);
    expect(firsts.filter((i) => i.first).map((i) => i.ordinal)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seen.every((i) => i.sender === (i.dir === "c" ? "client" : "server"))).toBe(true);
  });

  it("drop the whole first transmission of flight 4; openssl retransmits it and the handshake completes", async () => {
    const f = dropWhere(dtlsFlight(4, { transmission: 1 }), Infinity);
    const { seen, done, dropped } = await handshake([f]);
    expect(done).toBe(true);
    expect(f.dropped).toBeGreaterThan(0);
    expect(dropped).toBe(f.dropped);
    expect(seen.filter((i) => i.flight === 4 && i.transmission === 1).length).toBe(f.dropped);
    const flights = [...new Set(seen.map(label))];
    // the client may retransmit flight 3 while waiting; flight 4 comes again as transmission 2
    expect(flights.filter((l) => !l.startsWith("c3"))).toEqual(["c1.t1", "s2.t1", "s4.t1", "s4.t2", "c5.t1", "s6.t1"]);
  });
});
