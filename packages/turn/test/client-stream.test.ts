/**
 * TurnClient over a byte stream (RFC 8656 §3.1, TCP/TLS to the server) against our TurnServer
 * core: every message the client sends is written to a virtual stream cut into random chunks,
 * and a TurnStreamFramer on each side rebuilds the messages. Allocate, permission, channel,
 * data both ways (ChannelData padded to 4 on the wire, §12.5), refreshes, release; requests are
 * not retransmitted (RFC 8489 §6.2.2: one timeout of Ti = 39.5 s); a lost connection loses the
 * allocation.
 */
import { type Address, type Millis, SeededRandom, concat } from "@tsrtc/base";
import { StunClass, StunMessage } from "@tsrtc/stun";
import { describe, expect, it } from "vitest";
import { STREAM_TRANSACTION_TIMEOUT, TurnClient, type TurnClientEvent, TurnServer, TurnStreamFramer } from "../src/index.js";

const SERVER: Address = { family: 4, host: "192.0.2.10", port: 3478 };
const CLIENT: Address = { family: 4, host: "198.51.100.1", port: 40001 };
const PEER: Address = { family: 4, host: "203.0.113.5", port: 7000 };

/** Cut `bytes` into random chunks of 1..max bytes. */
function chunks(bytes: Uint8Array, rng: SeededRandom, max: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const n = 1 + (rng.nextU32() % max);
    out.push(bytes.subarray(at, Math.min(bytes.length, at + n)));
    at += n;
  }
  return out;
}

function setup(transport: "tcp" | "tls", seed: number) {
  const rng = new SeededRandom(seed);
  let relayPort = 50000;
  const server = new TurnServer({
    listening: SERVER,
    realm: "stream.test",
    users: { alice: "secret" },
    rng: new SeededRandom(seed + 1),
    allocateRelay: () => ({ family: 4, host: SERVER.host, port: relayPort++ }),
  });
  const client = new TurnClient({ server: SERVER, username: "alice", password: "secret", local: CLIENT, rng: new SeededRandom(seed + 2), transport });
  const events: TurnClientEvent[] = [];
  const toServerFramer = new TurnStreamFramer();
  const toClientFramer = new TurnStreamFramer();
  const wire = { up: [] as Uint8Array[], down: [] as Uint8Array[] };
  const atPeer: Uint8Array[] = [];
  const fromPeer: Uint8Array[] = [];
  let serverStream = true;

  /** Move everything both ways until quiet. */
  function pump(now: Millis): void {
    for (let round = 0; round < 20; round++) {
      const up: Uint8Array[] = [];
      for (let t = client.pollTransmit(); t; t = client.pollTransmit()) {
        expect(t.to).toEqual(SERVER);
        up.push(t.data);
      }
      for (let e = client.pollEvent(); e; e = client.pollEvent()) events.push(e);
      if (up.length > 0) {
        const bytes = concat(...up);
        wire.up.push(bytes);
        for (const c of chunks(bytes, rng, 13)) {
          toServerFramer.push(c);
          for (let m = toServerFramer.next(); m; m = toServerFramer.next()) server.handlePacket(m.slice(), CLIENT, now);
        }
      }
      const down: Uint8Array[] = [];
      for (let t = server.pollTransmit(); t; t = server.pollTransmit()) {
        if (t.via === "relay") atPeer.push(t.data);
        else if (serverStream) down.push(t.data);
      }
      if (down.length > 0) {
        // The server core does not pad ChannelData; over a stream it must (§12.5).
        const padded = down.map((d) => (d[0] >= 0x40 && d.length % 4 !== 0 ? concat(d, new Uint8Array(4 - (d.length % 4))) : d));
        const bytes = concat(...padded);
        wire.down.push(bytes);
        for (const c of chunks(bytes, rng, 7)) {
          toClientFramer.push(c);
          for (let m = toClientFramer.next(); m; m = toClientFramer.next()) {
            if (client.handlePacket(m, SERVER, now) === "data") fromPeer.push(client.payload!.slice());
          }
        }
      }
      if (up.length === 0 && down.length === 0) break;
    }
    for (let e = client.pollEvent(); e; e = client.pollEvent()) events.push(e);
  }
  return {
    server,
    client,
    events,
    wire,
    atPeer,
    fromPeer,
    pump,
    silenceServer: () => {
      serverStream = false;
    },
    framers: [toServerFramer, toClientFramer],
  };
}

describe("TurnClient over TCP/TLS (RFC 8656 §3.1)", () => {
  for (const transport of ["tcp", "tls"] as const) {
    it(`${transport}: allocates, relays both ways over a channel with padded ChannelData, refreshes and releases`, () => {
      const w = setup(transport, 3);
      let now = 0;
      w.client.allocate(now);
      w.pump(now);
      expect(w.client.state).toBe("allocated");
      expect(w.client.transport).toBe(transport);
      expect(w.events.find((e) => e.type === "allocated")).toBeDefined();
      // Before a channel: Send indication once the permission is in.
      w.client.createPermission(PEER, now);
      w.pump(now);
      expect(w.client.hasPermission(PEER)).toBe(true);
      expect(w.client.send(PEER, new Uint8Array([1, 2, 3]), now)).toBe(true);
      w.pump(now);
      expect(w.atPeer.map((d) => Array.from(d))).toEqual([[1, 2, 3]]);
      // A channel: ChannelData from now on, padded on the stream.
      const ch = w.client.bindChannel(PEER, now)!;
      w.pump(now);
      expect(w.events.some((e) => e.type === "channel" && e.channel === ch)).toBe(true);
      const upBefore = w.wire.up.length;
      expect(w.client.send(PEER, new Uint8Array([4, 5, 6, 7, 8]), now)).toBe(true);
      w.pump(now);
      const cd = w.wire.up[upBefore];
      expect(Array.from(cd)).toEqual([ch >> 8, ch & 0xff, 0, 5, 4, 5, 6, 7, 8, 0, 0, 0]);
      expect(w.atPeer.map((d) => Array.from(d))).toEqual([[1, 2, 3], [4, 5, 6, 7, 8]]);
      expect(w.client.stats.channelDataOut).toBe(1);
      // The peer answers through the relay: ChannelData down the stream.
      const relayed = w.client.relayed!;
      w.server.handleRelayed(new Uint8Array([9, 8, 7]), relayed, PEER, now);
      w.pump(now);
      expect(w.fromPeer.map((d) => Array.from(d))).toEqual([[9, 8, 7]]);
      expect(w.client.stats.channelDataIn).toBe(1);
      // Refreshes over a long run keep the allocation, permission and channel.
      for (now = 0; now <= 30 * 60_000; now += 5_000) {
        w.client.handleTimeout(now);
        w.server.handleTimeout(now);
        w.pump(now);
      }
      expect(w.client.state).toBe("allocated");
      expect(w.events.filter((e) => e.type === "refreshed").length).toBeGreaterThan(2);
      expect(w.client.send(PEER, new Uint8Array([1]), now)).toBe(true);
      w.pump(now);
      expect(w.atPeer.at(-1)).toEqual(new Uint8Array([1]));
      // Every request was answered at once: none was sent twice.
      const ids = new Set<string>();
      for (const bytes of w.wire.up) {
        const f = new TurnStreamFramer();
        f.push(bytes);
        for (let m = f.next(); m; m = f.next()) {
          if (m[0] >= 0x40) continue;
          const msg = StunMessage.decode(m);
          if (msg.cls !== StunClass.Request) continue;
          expect(ids.has(msg.transactionKey)).toBe(false);
          ids.add(msg.transactionKey);
        }
      }
      expect(ids.size).toBe(w.client.stats.requestsSent);
      expect(w.framers.every((f) => f.error === undefined)).toBe(true);
      w.client.close(now);
      w.pump(now);
      expect(w.client.state).toBe("closed");
      expect(w.server.allocationCount).toBe(0);
    });
  }

  it("sends a request once and times it out after Ti = 39.5 s (RFC 8489 §6.2.2)", () => {
    const w = setup("tcp", 5);
    w.silenceServer();
    w.client.allocate(0);
    w.pump(0);
    expect(w.client.stats.requestsSent).toBe(1);
    expect(w.client.pollTimeout()).toBe(STREAM_TRANSACTION_TIMEOUT);
    for (let now = 0; now < STREAM_TRANSACTION_TIMEOUT; now += 500) {
      w.client.handleTimeout(now);
      w.pump(now);
    }
    expect(w.client.state).toBe("allocating");
    expect(w.wire.up.length).toBe(1);
    w.client.handleTimeout(STREAM_TRANSACTION_TIMEOUT);
    w.pump(STREAM_TRANSACTION_TIMEOUT);
    expect(w.client.state).toBe("failed");
    expect(w.events.find((e) => e.type === "error")).toMatchObject({ operation: "allocate", code: 0, fatal: true });
  });

  it("a lost connection loses the allocation (fatal error, state failed)", () => {
    const w = setup("tls", 7);
    w.client.allocate(0);
    w.pump(0);
    expect(w.client.state).toBe("allocated");
    w.client.connectionLost("connection reset");
    w.pump(0);
    expect(w.client.state).toBe("failed");
    expect(w.events.filter((e) => e.type === "error")).toEqual([{ type: "error", operation: "refresh", code: 0, reason: "connection reset", fatal: true }]);
    expect(w.events.at(-1)).toEqual({ type: "closed", reason: "failed" });
    expect(w.client.send(PEER, new Uint8Array([1]), 0)).toBe(false);
  });

  it("connectionLost on a UDP client is a programming error", () => {
    const c = new TurnClient({ server: SERVER, username: "a", password: "b" });
    expect(() => c.connectionLost("x")).toThrow(/TCP or TLS/);
  });
});
