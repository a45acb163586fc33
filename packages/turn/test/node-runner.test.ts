/**
 * The Node runner's relay addressing: a wildcard relay host without an external IP is refused
 * (clients could not send to 0.0.0.0), and `externalIp` is the relayed IP clients are told
 * (a server behind a 1:1 NAT) while relayed sockets stay on the relay host.
 */
import { describe, expect, it } from "vitest";
import { startTurnServer } from "../src/node/server.js";
import { ClientDriver, waitFor } from "./cli-harness.js";

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
});
