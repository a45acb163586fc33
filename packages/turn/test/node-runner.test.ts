/**
 * The Node runner's relay addressing: a wildcard relay host without an external IP is refused
 * (clients could not send to 0.0.0.0), and `externalIp` is the relayed IP clients are told
 * (a server behind a 1:1 NAT) while relayed sockets stay on the relay host. And an EVEN-PORT
 * Allocate (RFC 8656 §7.2) on a fresh runner always finds an even relayed port, even with a
 * single spare (bound ports come odd as often as even).
 */
import type { Address } from "@tsrtc/base";
import { StunMethod, TransportProtocol } from "@tsrtc/stun";
import { connect, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { startTurnServer } from "../src/node/server.js";
import { ClientDriver, waitFor } from "./cli-harness.js";
import { ask, codeOf, request } from "./server-harness.js";

describe("TurnServer Node runner: relay addresses", () => {
  it("refuses a wildcard relay host without externalIp, and an externalIp of the other family", async () => {
    await expect(startTurnServer({ host: "127.0.0.1", port: 0, relayHost: "0.0.0.0", realm: "r", users: { a: "b" } })).rejects.toThrow(/wildcard/);
    await expect(startTurnServer({ host: "127.0.0.1", port: 0, externalIp: "2001:db8::1", realm: "r", users: { a: "b" } })).rejects.toThrow(/family/);
  });

  it("tells clients externalIp with the relayed socket's port", async () => {
    const server = await startTurnServer({ host: "127.0.0.1", port: 0, relayHost: "0.0.0.0", externalIp: "198.51.100.7", realm: "r", users: { a: "b" } });
    const d = await ClientDriver.open("udp", server.address, "a", "b");
    try {
      d.step(() => d.client.allocate(d.now()));
      await waitFor(() => d.client.state === "allocated", "the allocation");
      expect(d.client.relayed?.host).toBe("198.51.100.7");
      expect(d.client.relayed?.port).toBeGreaterThan(0);
      expect(server.core.allocationCount).toBe(1);
    } finally {
      d.close();
      await server.close();
    }
  });

  it("has an even relayed port ready for EVEN-PORT from the start, with spareRelays 1, every time", async () => {
    // Requests go straight into the runner's core from a made-up client address; its answers
    // are taken from the core before the runner would send them.
    for (let round = 0; round < 12; round++) {
      const server = await startTurnServer({ host: "127.0.0.1", port: 0, spareRelays: 1, realm: "tsrtc.test", users: { user: "pass" } });
      try {
        const from: Address = { family: 4, host: "127.0.0.1", port: 1000 + round };
        const challenge = ask(server.core, request(StunMethod.Allocate, (b) => b.requestedTransport(TransportProtocol.UDP)), 0, from);
        const creds = { username: "user", password: "pass", nonce: challenge.nonce()! };
        const m = ask(server.core, request(StunMethod.Allocate, (b) => b.requestedTransport(TransportProtocol.UDP).evenPort(false), creds), 0, from);
        expect(codeOf(m)).toBe(0);
        expect(m.xorRelayedAddress()!.port % 2).toBe(0);
      } finally {
        await server.close();
      }
    }
  });
});

describe("TurnServer Node runner: TCP connection limits", () => {
  /** Connect to the TCP listener; resolves with the socket and a promise of its close. */
  const open = async (port: number): Promise<{ sock: Socket; closed: Promise<void> }> => {
    const sock = connect({ host: "127.0.0.1", port });
    const closed = new Promise<void>((resolve) => sock.once("close", () => resolve()));
    sock.on("error", () => undefined);
    await new Promise<void>((resolve) => sock.once("connect", () => resolve()));
    return { sock, closed };
  };

  it("refuses connections beyond maxStreams, and accepts again once one closes", async () => {
    const server = await startTurnServer({ host: "127.0.0.1", port: 0, tcp: true, maxStreams: 2, realm: "r", users: { a: "b" } });
    const port = server.tcpAddress!.port;
    const a = await open(port);
    const b = await open(port);
    try {
      // The third is accepted by the kernel, then closed by the server at once.
      const c = await open(port);
      await c.closed;
      a.sock.destroy();
      await a.closed;
      const d = await open(port);
      let dClosed = false;
      void d.closed.then(() => (dClosed = true));
      await new Promise((r) => setTimeout(r, 200));
      expect(dClosed).toBe(false);
      d.sock.destroy();
    } finally {
      b.sock.destroy();
      await server.close();
    }
  });

  it("closes a connection idle for streamIdleMs, and keeps one that carries traffic", async () => {
    const server = await startTurnServer({ host: "127.0.0.1", port: 0, tcp: true, streamIdleMs: 300, realm: "r", users: { a: "b" } });
    const port = server.tcpAddress!.port;
    const idle = await open(port);
    const d = await ClientDriver.open("tcp", server.tcpAddress!, "a", "b");
    try {
      d.step(() => d.client.allocate(d.now()));
      await waitFor(() => d.client.state === "allocated", "the allocation");
      // Keep the client's connection busy (a CreatePermission for a new peer IP every 100 ms; the
      // server refuses loopback peers with 403, which is traffic all the same) while the idle one
      // times out.
      const t0 = Date.now();
      for (let i = 1; Date.now() - t0 < 600; i++) {
        const peer: Address = { family: 4, host: `127.0.0.${i}`, port: 9 };
        d.step(() => d.client.createPermission(peer, d.now()));
        await new Promise((r) => setTimeout(r, 100));
      }
      await idle.closed;
      expect(d.client.state).toBe("allocated");
      expect(server.core.allocationCount).toBe(1);
    } finally {
      d.close();
      idle.sock.destroy();
      await server.close();
    }
  });
});
