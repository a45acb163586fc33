/**
 * The Node runner's relay addressing: a wildcard relay host without an external IP is refused
 * (clients could not send to 0.0.0.0), and `externalIp` is the relayed IP clients are told
 * (a server behind a 1:1 NAT) while relayed sockets stay on the relay host. And an EVEN-PORT
 * Allocate (RFC 8656 §7.2) on a fresh runner always finds an even relayed port, even with a
 * single spare (bound ports come odd as often as even).
 */
import type { Address } from "@tsrtc/base";
import { StunMethod, TransportProtocol } from "@tsrtc/stun";
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
