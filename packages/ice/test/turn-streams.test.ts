/**
 * TurnStreams (the Node layer's TCP connections to TURN servers) against a plain TCP server on
 * loopback: messages written arrive intact, messages coming back in any chunking are handed
 * over whole (a message split across reads as its own copy), garbage or a refused connection
 * is reported once, close() ends the connections after what was written.
 */
import { type Server, type Socket, createServer } from "node:net";
import { SeededRandom, concat } from "@tsrtc/base";
import { StunBuilder, StunClass, StunMethod, newTransactionId } from "@tsrtc/stun";
import { encodeChannelData } from "@tsrtc/turn";
import { afterEach, describe, expect, it } from "vitest";
import { TurnStreams } from "../src/node/turn-streams.js";
import type { IceRelayStream } from "../src/types.js";
import { waitFor } from "./wait.js";

const rng = new SeededRandom(9);
const stun = (n: number): Uint8Array =>
  new StunBuilder().begin(StunMethod.Binding, StunClass.Request, newTransactionId(rng)).software(`m${n}`).fingerprint().finish();

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function listen(onConn: (s: Socket) => void): Promise<number> {
  server = createServer(onConn);
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  return (server.address() as { port: number }).port;
}

function streamTo(port: number): IceRelayStream {
  return { local: { family: 4, host: "127.0.0.1", port: 0 }, server: { family: 4, host: "127.0.0.1", port }, transport: "tcp", hostname: "127.0.0.1", url: undefined };
}

describe("TurnStreams", () => {
  it("writes messages on one connection and hands back whole messages whatever the chunking", async () => {
    const atServer: Buffer[] = [];
    let conns = 0;
    const port = await listen((s) => {
      conns++;
      s.on("data", (d) => {
        atServer.push(d);
        // Echo byte by byte, a turn apart: every message arrives split across reads.
        const bytes = Buffer.from(d);
        let i = 0;
        const next = (): void => {
          if (i >= bytes.length || s.destroyed) return;
          s.write(bytes.subarray(i, i + 1));
          i++;
          setImmediate(next);
        };
        next();
      });
    });
    const got: Uint8Array[] = [];
    const closed: string[] = [];
    const streams = new TurnStreams({ onMessage: (m) => got.push(m), onClosed: (_s, r) => closed.push(r) });
    const st = streamTo(port);
    const sent = [stun(1), encodeChannelData(0x4001, new Uint8Array([1, 2, 3]), true), stun(2)];
    for (const m of sent) streams.send(st, m);
    expect(streams.size).toBe(1);
    await waitFor(() => got.length === 3, 5000);
    expect(got).toEqual(sent);
    expect(Buffer.concat(atServer)).toEqual(Buffer.from(concat(...sent)));
    // Each message was built across reads: its own buffer, not a view of the framer's.
    expect(new Set(got.map((m) => m.buffer)).size).toBe(3);
    expect(conns).toBe(1);
    expect(closed).toEqual([]);
    streams.close();
    await waitFor(() => streams.size === 0, 1000);
  });

  it("garbage from the server ends the connection, reported once", async () => {
    let serverSawClose = false;
    const port = await listen((s) => {
      s.resume(); // read, so that the client's close is seen
      s.on("close", () => (serverSawClose = true));
      s.write(concat(stun(3), new Uint8Array([0xff, 0xff, 0, 4, 1, 2, 3, 4])));
    });
    const got: Uint8Array[] = [];
    const closed: string[] = [];
    const streams = new TurnStreams({ onMessage: (m) => got.push(m), onClosed: (_s, r) => closed.push(r) });
    streams.send(streamTo(port), stun(4));
    await waitFor(() => closed.length > 0 && serverSawClose, 5000);
    expect(got).toHaveLength(1);
    expect(closed).toEqual(["neither STUN nor ChannelData on the stream"]);
    expect(streams.size).toBe(0);
    streams.close();
  });

  it("a refused connection is reported; the next message opens a new connection", async () => {
    const port = await listen((s) => s.destroy());
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    const closed: string[] = [];
    const streams = new TurnStreams({ onMessage: () => undefined, onClosed: (_s, r) => closed.push(r) });
    streams.send(streamTo(port), stun(5));
    await waitFor(() => closed.length > 0, 5000);
    expect(closed[0]).toMatch(/ECONNREFUSED/);
    expect(closed).toHaveLength(1);
    let accepted = 0;
    const port2 = await listen((s) => {
      accepted++;
      s.on("data", () => undefined);
    });
    streams.send(streamTo(port2), stun(6));
    await waitFor(() => accepted === 1, 5000);
    streams.close();
  });

  it("close() ends the connections after what was written, and reports nothing", async () => {
    const atServer: Buffer[] = [];
    let ended = false;
    const port = await listen((s) => {
      s.on("data", (d) => atServer.push(d));
      s.on("end", () => {
        ended = true;
        s.end();
      });
    });
    const closed: string[] = [];
    const streams = new TurnStreams({ onMessage: () => undefined, onClosed: (_s, r) => closed.push(r) });
    const last = stun(7);
    streams.send(streamTo(port), last);
    streams.close();
    streams.send(streamTo(port), stun(8)); // after close: ignored
    await waitFor(() => ended, 5000);
    expect(Buffer.concat(atServer)).toEqual(Buffer.from(last));
    expect(closed).toEqual([]);
  });
});
