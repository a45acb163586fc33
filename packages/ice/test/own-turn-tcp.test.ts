/**
 * Two relay-only UdpIceAgents through our own TurnServer (its Node runner's TCP listener) with
 * the client-server legs over TCP (`turn:...?transport=tcp`): connect, data both ways, release
 * on close. Then the connections drop (a TCP proxy in front of the server cuts them): the agents'
 * allocations are lost, as RFC 8656 §3.1 ties an allocation to its connection, and are made again
 * over new connections (new relay candidates).
 */
import { type Server, type Socket, connect, createServer } from "node:net";
import { type RunningTurnServer, startTurnServer } from "@tsrtc/turn/node";
import { describe, expect, it } from "vitest";
import { formatCandidate } from "../src/candidate-sdp.js";
import { resolveTurnServers } from "../src/node/turn-servers.js";
import { UdpIceAgent } from "../src/node/udp-agent.js";
import { relayAgents } from "./relay-agents.js";
import { waitFor } from "./wait.js";

/** A TCP proxy to `port` on loopback that can cut every connection it carries. */
async function proxy(port: number): Promise<{ port: number; cut: () => void; close: () => Promise<void> }> {
  const live = new Set<Socket>();
  const srv: Server = createServer((down) => {
    const up = connect({ host: "127.0.0.1", port });
    live.add(down).add(up);
    down.pipe(up).pipe(down);
    const end = (): void => {
      down.destroy();
      up.destroy();
      live.delete(down);
      live.delete(up);
    };
    down.on("close", end).on("error", end);
    up.on("close", end).on("error", end);
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  return {
    port: (srv.address() as { port: number }).port,
    cut: () => {
      for (const s of live) s.destroy();
    },
    close: () => new Promise<void>((r) => srv.close(() => r())),
  };
}

describe("ICE through our TurnServer over TCP", () => {
  it("relay-only agents connect over TCP to the server, exchange data, and recover from a dropped connection", async () => {
    const server: RunningTurnServer = await startTurnServer({ host: "127.0.0.1", port: 0, tcp: true, realm: "own.test", users: { u: "p" }, allowPrivatePeers: true });
    const front = await proxy(server.address.port);
    const { servers } = await resolveTurnServers([{ urls: `turn:127.0.0.1:${front.port}?transport=tcp`, username: "u", credential: "p" }]);
    const { a, b, candidates, events, got } = await relayAgents(servers, {}, 3);
    try {
      await waitFor(() => candidates.a.length === 1 && candidates.b.length === 1, 5000);
      expect(server.core.allocationCount).toBe(2);
      a.setRemoteCredentials(b.agent.localCredentials);
      b.setRemoteCredentials(a.agent.localCredentials);
      a.addRemoteCandidate(formatCandidate(candidates.b[0]));
      b.addRemoteCandidate(formatCandidate(candidates.a[0]));
      const up = (u: UdpIceAgent): boolean => ["connected", "completed"].includes(u.agent.connectionState);
      await waitFor(() => up(a) && up(b), 10_000);
      for (let i = 0; i < 3; i++) {
        a.send(new Uint8Array([23, 1, i]));
        b.send(new Uint8Array([23, 2, i]));
      }
      await waitFor(() => got.a.length >= 3 && got.b.length >= 3, 5000);
      expect(got.b.map((g) => g.data)).toEqual([0, 1, 2].map((i) => [23, 1, i]));
      expect(got.a.map((g) => g.data)).toEqual([0, 1, 2].map((i) => [23, 2, i]));

      // Both connections drop: the server deletes the allocations, each agent allocates again at
      // once over a new connection and signals the new relay candidate.
      front.cut();
      await waitFor(() => candidates.a.length === 2 && candidates.b.length === 2, 10_000);
      expect(candidates.a[1].port).not.toBe(candidates.a[0].port);
      for (const u of [a, b]) expect(u.agent.relays.map((r) => [r.transport, r.state])).toEqual([["tcp", "failed"], ["tcp", "allocated"]]);
      expect(server.core.allocationCount).toBe(2);
      for (const n of ["a", "b"] as const) expect(events[n].filter((e) => e.type === "candidate-error")).toEqual([]);
    } finally {
      a.close();
      b.close();
      // The releases go over the new connections before they end.
      await waitFor(() => server.core.allocationCount === 0, 5000).finally(async () => {
        await front.close();
        await server.close();
      });
    }
  }, 30_000);
});
