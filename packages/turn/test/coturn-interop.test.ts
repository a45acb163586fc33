/**
 * Interop with coturn 4.6 on loopback: the sans-IO TurnClient driven by a real UDP socket.
 * coturn runs with --allow-loopback-peers (see coturn.ts): by default it refuses to relay to
 * 127.0.0.1, which the last test checks (403 Forbidden IP to CreatePermission).
 */
import { type Socket, createSocket } from "node:dgram";
import { performance } from "node:perf_hooks";
import { type Address, utf8Decode, utf8Encode } from "@tsrtc/base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TurnClient, type TurnClientEvent } from "../src/index.js";
import { type Coturn, startCoturn } from "@tsrtc/testkit/node";

/** One TurnClient on one UDP socket, with one timer (the Node layer in miniature). */
class UdpTurn {
  readonly events: TurnClientEvent[] = [];
  readonly received: { peer: Address; data: string }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly t0 = performance.now();
  private waiters: (() => void)[] = [];

  private constructor(
    readonly socket: Socket,
    readonly client: TurnClient,
  ) {
    socket.on("message", (msg, rinfo) => {
      const from: Address = { family: 4, host: rinfo.address, port: rinfo.port };
      const verdict = client.handlePacket(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), from, this.now());
      if (verdict === "data") this.received.push({ peer: client.peer!, data: utf8Decode(client.payload!) });
      this.flush();
    });
  }

  static async create(server: Address, username: string, password: string): Promise<UdpTurn> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    const local: Address = { family: 4, host: "127.0.0.1", port: socket.address().port };
    return new UdpTurn(socket, new TurnClient({ server, username, password, local, software: "tsrtc test" }));
  }

  now(): number {
    return performance.now() - this.t0;
  }

  run(f: (now: number) => void): void {
    f(this.now());
    this.flush();
  }

  flush(): void {
    const c = this.client;
    for (let t = c.pollTransmit(); t; t = c.pollTransmit()) this.socket.send(t.data, t.to.port, t.to.host);
    for (let e = c.pollEvent(); e; e = c.pollEvent()) this.events.push(e);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const at = c.pollTimeout();
    if (at !== undefined) {
      this.timer = setTimeout(() => {
        c.handleTimeout(this.now());
        this.flush();
      }, Math.max(0, at - this.now()));
    }
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolve when `pred` holds (checked after every input), or fail after `ms`. */
  until(pred: () => boolean, ms = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`timed out; events: ${JSON.stringify(this.events)}`)), ms);
      const check = (): void => {
        if (pred()) {
          clearTimeout(deadline);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.socket.close();
  }
}

/** A plain UDP peer that echoes every datagram back, upper-cased, and remembers where from. */
async function echoPeer(): Promise<{ socket: Socket; address: Address; seen: { from: Address; data: string }[] }> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const seen: { from: Address; data: string }[] = [];
  socket.on("message", (msg, rinfo) => {
    const text = msg.toString();
    seen.push({ from: { family: 4, host: rinfo.address, port: rinfo.port }, data: text });
    socket.send(Buffer.from(text.toUpperCase()), rinfo.port, rinfo.address);
  });
  return { socket, address: { family: 4, host: "127.0.0.1", port: socket.address().port }, seen };
}

describe("TurnClient against coturn", () => {
  let coturn: Coturn;
  let server: Address;
  beforeAll(async () => {
    coturn = await startCoturn();
    server = { family: 4, host: "127.0.0.1", port: coturn.port };
  }, 15_000);
  afterAll(async () => {
    await coturn?.stop();
  });

  it("allocates, installs a permission, relays both ways by Send/Data indications and by ChannelData, and releases", async () => {
    const t = await UdpTurn.create(server, coturn.username, coturn.password);
    const peer = await echoPeer();
    try {
      t.run((now) => t.client.allocate(now));
      await t.until(() => t.client.state === "allocated");
      const relayed = t.client.relayed!;
      expect(relayed.host).toBe("127.0.0.1");
      expect(t.client.mapped).toEqual(t.client.local);
      expect(t.client.realm).toBe(coturn.realm);
      expect(t.client.lifetime).toBeGreaterThan(0);
      expect(t.client.stats.authChallenges).toBe(1);

      t.run((now) => t.client.createPermission(peer.address, now));
      await t.until(() => t.client.hasPermission(peer.address));
      t.run((now) => t.client.send(peer.address, utf8Encode("hello"), now));
      await t.until(() => t.received.length === 1);
      expect(peer.seen[0]).toEqual({ from: relayed, data: "hello" });
      expect(t.received[0]).toEqual({ peer: peer.address, data: "HELLO" });
      expect(t.client.stats.sendIndicationsOut).toBe(1);
      expect(t.client.stats.dataIndicationsIn).toBe(1);

      t.run((now) => t.client.bindChannel(peer.address, now));
      await t.until(() => t.events.some((e) => e.type === "channel"));
      t.run((now) => t.client.send(peer.address, utf8Encode("over a channel"), now));
      await t.until(() => t.received.length === 2);
      expect(peer.seen[1]).toEqual({ from: relayed, data: "over a channel" });
      expect(t.received[1]).toEqual({ peer: peer.address, data: "OVER A CHANNEL" });
      expect(t.client.stats.channelDataOut).toBe(1);
      expect(t.client.stats.channelDataIn).toBe(1);
      expect(t.client.stats.droppedBadIntegrity).toBe(0);

      // A Refresh now (as the timer would later) works against coturn's nonce too.
      t.run((now) => {
        (t.client as unknown as { lifetimeSchedule: { refreshAt: number } }).lifetimeSchedule.refreshAt = now;
        t.client.handleTimeout(now);
      });
      await t.until(() => t.events.some((e) => e.type === "refreshed"));

      t.run((now) => t.client.close(now));
      await t.until(() => t.client.state === "closed");
      expect(t.events.at(-1)).toEqual({ type: "closed", reason: "released" });
    } finally {
      t.close();
      peer.socket.close();
    }
  });

  it("fails with 401 on a wrong password", async () => {
    const t = await UdpTurn.create(server, coturn.username, "not-the-password");
    try {
      t.run((now) => t.client.allocate(now));
      await t.until(() => t.client.state === "failed");
      expect(t.events).toContainEqual(expect.objectContaining({ type: "error", operation: "allocate", code: 401, fatal: true }));
    } finally {
      t.close();
    }
  });
});

describe("TurnClient against coturn's default peer policy", () => {
  let coturn: Coturn;
  beforeAll(async () => {
    coturn = await startCoturn({ allowLoopbackPeers: false });
  }, 15_000);
  afterAll(async () => {
    await coturn?.stop();
  });

  it("gets 403 Forbidden for a loopback peer's permission (signed by the server), and keeps the allocation", async () => {
    const t = await UdpTurn.create({ family: 4, host: "127.0.0.1", port: coturn.port }, coturn.username, coturn.password);
    try {
      t.run((now) => t.client.allocate(now));
      await t.until(() => t.client.state === "allocated");
      t.run((now) => t.client.createPermission({ family: 4, host: "127.0.0.1", port: 9 }, now));
      await t.until(() => t.events.some((e) => e.type === "error"));
      expect(t.events).toContainEqual(expect.objectContaining({ type: "error", operation: "permission", code: 403, fatal: false }));
      expect(t.client.state).toBe("allocated");
      expect(t.client.stats.droppedBadIntegrity).toBe(0);
      t.run((now) => t.client.close(now));
      await t.until(() => t.client.state === "closed");
    } finally {
      t.close();
    }
  });
});
