/**
 * Our TurnServer's Node runner with its TCP listener (RFC 8656 §3.1) and our TurnClient over a
 * real TCP connection on loopback: allocate, Send indication and ChannelData to a UDP peer,
 * ChannelData back padded to 4 on the stream (§12.5), and the allocation deleted when the
 * connection closes.
 */
import { createSocket } from "node:dgram";
import { connect } from "node:net";
import { performance } from "node:perf_hooks";
import type { Address } from "@tsrtc/base";
import { describe, expect, it } from "vitest";
import { startTurnServer } from "../src/node/server.js";
import { TurnClient, type TurnClientEvent, TurnStreamFramer } from "../src/index.js";

async function waitFor(pred: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("TurnServer Node runner over TCP", () => {
  it("serves a TurnClient over TCP: allocation, data both ways (padded ChannelData), gone with the connection", async () => {
    const server = await startTurnServer({ host: "127.0.0.1", port: 0, tcp: true, realm: "tcp.test", users: { alice: "pw" }, allowPrivatePeers: true });
    const peer = createSocket("udp4");
    await new Promise<void>((r) => peer.bind(0, "127.0.0.1", () => r()));
    const peerAddr: Address = { family: 4, host: "127.0.0.1", port: peer.address().port };
    const atPeer: number[][] = [];
    let peerSeen: Address | undefined;
    peer.on("message", (m, r) => {
      atPeer.push(Array.from(m));
      peerSeen = { family: 4, host: r.address, port: r.port };
    });
    const sock = connect({ host: "127.0.0.1", port: server.address.port });
    sock.setNoDelay(true);
    await new Promise<void>((r) => sock.once("connect", () => r()));
    const t0 = performance.now();
    const now = (): number => performance.now() - t0;
    const client = new TurnClient({ server: server.address, username: "alice", password: "pw", transport: "tcp" });
    const events: TurnClientEvent[] = [];
    const fromPeer: number[][] = [];
    const channelDataLengths: number[] = [];
    const framer = new TurnStreamFramer();
    const flush = (): void => {
      for (let t = client.pollTransmit(); t; t = client.pollTransmit()) sock.write(t.data);
      for (let e = client.pollEvent(); e; e = client.pollEvent()) events.push(e);
    };
    sock.on("data", (chunk: Buffer) => {
      framer.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      for (let m = framer.next(); m; m = framer.next()) {
        if (m[0] >= 0x40) channelDataLengths.push(m.length);
        if (client.handlePacket(m, server.address, now()) === "data") fromPeer.push(Array.from(client.payload!));
      }
      flush();
    });
    try {
      client.allocate(now());
      flush();
      await waitFor(() => client.state === "allocated");
      expect(server.core.allocationCount).toBe(1);
      client.createPermission(peerAddr, now());
      flush();
      await waitFor(() => client.hasPermission(peerAddr));
      client.send(peerAddr, new Uint8Array([1, 2, 3]), now());
      flush();
      await waitFor(() => atPeer.length === 1);
      expect(atPeer[0]).toEqual([1, 2, 3]);
      expect(peerSeen).toEqual(client.relayed);
      client.bindChannel(peerAddr, now());
      flush();
      await waitFor(() => events.some((e) => e.type === "channel"));
      client.send(peerAddr, new Uint8Array([4, 5, 6, 7, 8]), now());
      flush();
      await waitFor(() => atPeer.length === 2);
      expect(atPeer[1]).toEqual([4, 5, 6, 7, 8]);
      expect(client.stats.channelDataOut).toBe(1);
      // The peer answers: ChannelData down the connection, padded (5 bytes of data: 4 + 5 + 3).
      peer.send(new Uint8Array([9, 9, 9, 9, 9]), client.relayed!.port, client.relayed!.host);
      await waitFor(() => fromPeer.length === 1);
      expect(fromPeer[0]).toEqual([9, 9, 9, 9, 9]);
      expect(channelDataLengths).toEqual([12]);
      expect(framer.error).toBeUndefined();
      expect(client.stats.droppedMalformed + client.stats.droppedTruncated + client.stats.droppedBadIntegrity).toBe(0);
      // The allocation lives as long as its connection (§3.1).
      sock.destroy();
      await waitFor(() => server.core.allocationCount === 0);
    } finally {
      sock.destroy();
      peer.close();
      await server.close();
    }
  });
});
