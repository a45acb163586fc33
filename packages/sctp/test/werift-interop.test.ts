/**
 * Interoperability with another SCTP implementation: werift's (aiortc lineage), in memory,
 * with real timers on both sides. Both sides send INIT (as in WebRTC), so this also checks
 * the collision path against a foreign stack.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { SeededRandom } from "@tsrtc/base";
import { afterEach, describe, expect, it } from "vitest";
import { SctpAssociation } from "../src/association.js";
import type { SctpEvent } from "../src/events.js";

interface WeriftTransport {
  onData?: (buf: Buffer) => void;
  send: (buf: Buffer) => Promise<void>;
  close: () => void;
}
interface WeriftSctp {
  start(port: number): Promise<void>;
  send(stream: number, ppid: number, data: Buffer, opts?: { ordered?: boolean }): Promise<void>;
  onReceive: { subscribe(fn: (stream: number, ppid: number, data: Buffer) => void): unknown };
  onReconfigStreams: { subscribe(fn: (streams: number[]) => void): unknown };
  state: string;
  stop(): Promise<void>;
}

function loadWerift(): { SCTP: { client(t: WeriftTransport): WeriftSctp; server(t: WeriftTransport): WeriftSctp } } {
  const require = createRequire(import.meta.url);
  return require(join(dirname(require.resolve("werift")), "..", "..", "sctp", "src", "index.js"));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(5);
  return cond();
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

function setup(role: "client" | "server", lossEvery = 0) {
  const t0 = Date.now();
  const now = () => Date.now() - t0;
  const ours = new SctpAssociation({ rng: new SeededRandom(9), iData: false });
  const events: SctpEvent[] = [];
  const theirsGot: Buffer[] = [];
  let sent = 0;
  const transport: WeriftTransport = {
    send: async (buf) => {
      setImmediate(() => {
        if (lossEvery && ++sent % lossEvery === 0) return;
        ours.handlePacket(new Uint8Array(buf), now());
        flush();
      });
    },
    close: () => {},
  };
  const { SCTP } = loadWerift();
  const theirs = role === "client" ? SCTP.client(transport) : SCTP.server(transport);
  theirs.onReceive.subscribe((_s, _p, data) => theirsGot.push(Buffer.from(data)));
  const flush = (): void => {
    for (let p = ours.pollTransmit(now()); p; p = ours.pollTransmit(now())) {
      const copy = Buffer.from(p);
      setImmediate(() => transport.onData?.(copy));
    }
    for (let e = ours.pollEvent(); e; e = ours.pollEvent()) events.push(e);
  };
  const timer = setInterval(() => {
    ours.handleTimeout(now());
    flush();
  }, 5);
  cleanup = async () => {
    clearInterval(timer);
    await theirs.stop().catch(() => {});
  };
  return { ours, theirs, events, theirsGot, flush, now };
}

describe("interop with werift's SCTP", () => {
  for (const role of ["client", "server"] as const) {
    it(`connects with both sides sending INIT (werift as ${role}) and moves messages both ways`, async () => {
      const { ours, theirs, events, theirsGot, flush, now } = setup(role);
      await theirs.start(5000);
      ours.connect(now());
      flush();
      expect(await until(() => ours.isEstablished && theirs.state === "connected")).toBe(true);
      const big = new SeededRandom(3).fill(new Uint8Array(200_000));
      for (let i = 0; i < 50; i++) ours.send(1, 53, Uint8Array.of(i, 1, 2, 3));
      ours.send(1, 53, big);
      flush();
      for (let i = 0; i < 50; i++) void theirs.send(2, 51, Buffer.from(`hello ${i}`));
      void theirs.send(2, 53, Buffer.from(big));
      expect(await until(() => theirsGot.length === 51 && events.filter((e) => e.type === "message").length === 51, 20_000)).toBe(true);
      expect(theirsGot.slice(0, 50).map((b) => b[0])).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(Buffer.compare(theirsGot[50], Buffer.from(big))).toBe(0);
      const msgs = events.filter((e) => e.type === "message");
      expect(msgs.slice(0, 50).map((m) => new TextDecoder().decode(m.type === "message" ? m.data : undefined))).toEqual(Array.from({ length: 50 }, (_, i) => `hello ${i}`));
      const last = msgs[50];
      expect(last.type === "message" && Buffer.compare(Buffer.from(last.data), Buffer.from(big))).toBe(0);
      expect(ours.stats.badChecksum + ours.stats.malformed + ours.stats.internalErrors).toBe(0);
    });
  }

  it("recovers from loss against werift and resets a stream it understands", async () => {
    const { ours, theirs, events, theirsGot, flush, now } = setup("client", 7);
    const resets: number[][] = [];
    theirs.onReconfigStreams.subscribe((s) => resets.push(s));
    await theirs.start(5000);
    ours.connect(now());
    flush();
    expect(await until(() => ours.isEstablished && theirs.state === "connected", 20_000)).toBe(true);
    for (let i = 0; i < 30; i++) ours.send(3, 53, new SeededRandom(i).fill(new Uint8Array(5000)));
    flush();
    expect(await until(() => theirsGot.length === 30, 30_000)).toBe(true);
    for (let i = 0; i < 30; i++) expect(Buffer.compare(theirsGot[i], Buffer.from(new SeededRandom(i).fill(new Uint8Array(5000))))).toBe(0);
    expect(ours.resetStreams([3])).toBe(true);
    flush();
    expect(await until(() => events.some((e) => e.type === "stream-reset-outgoing"), 20_000)).toBe(true);
    expect(resets.flat()).toContain(3);
  });
});
