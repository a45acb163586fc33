/**
 * Two ICE agents over real loopback UDP that can only reach each other through coturn's relay:
 * both use iceTransportPolicy "relay", so they signal relay candidates only and drop anything
 * arriving on their sockets except from the TURN server. coturn runs with
 * --allow-loopback-peers (see coturn.ts): by default it refuses to relay to 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatCandidate } from "../src/candidate-sdp.js";
import { resolveTurnServers } from "../src/node/turn-servers.js";
import { type Coturn, startCoturn } from "@tsrtc/testkit/node";
import { relayAgents } from "./relay-agents.js";
import { waitFor } from "./wait.js";

describe("ICE through coturn (relay policy on both sides)", () => {
  let coturn: Coturn;
  beforeAll(async () => {
    coturn = await startCoturn();
  }, 15_000);
  afterAll(async () => {
    await coturn?.stop();
  });

  it("resolves RTCIceServer entries into TURN servers", async () => {
    const r = await resolveTurnServers([
      { urls: "stun:127.0.0.1:3478" },
      { urls: [`turn:127.0.0.1:${coturn.port}`, "turns:127.0.0.1", "turn:[0:0::1]:3479?transport=tcp"], username: "u", credential: "p" },
      { urls: "turn:127.0.0.1" },
      { urls: "turn:no-such-host.invalid", username: "u", credential: "p" },
    ]);
    expect(r.servers).toEqual([
      { address: { family: 4, host: "127.0.0.1", port: coturn.port }, username: "u", credential: "p", url: `turn:127.0.0.1:${coturn.port}`, transport: "udp", secure: false },
      { address: { family: 4, host: "127.0.0.1", port: 5349 }, username: "u", credential: "p", url: "turns:127.0.0.1", transport: "tcp", secure: true, hostname: "127.0.0.1" },
      { address: { family: 6, host: "::1", port: 3479 }, username: "u", credential: "p", url: "turn:[0:0::1]:3479?transport=tcp", transport: "tcp", secure: false },
    ]);
    expect(r.errors.map((e) => [e.url, e.errorCode])).toEqual([
      ["turn:127.0.0.1", 701],
      ["turn:no-such-host.invalid", 701],
    ]);
  });

  it("connect, exchange data both ways through the relay, and release the allocations on close", async () => {
    const { servers } = await resolveTurnServers([
      { urls: `turn:127.0.0.1:${coturn.port}`, username: coturn.username, credential: coturn.password },
    ]);
    const { a, b, events, candidates, got } = await relayAgents(servers);
    try {
      const complete = (n: "a" | "b") => events[n].some((e) => e.type === "gathering-state" && e.state === "complete");
      await waitFor(() => complete("a") && complete("b"), 5000);
      for (const n of ["a", "b"] as const) {
        expect(candidates[n]).toHaveLength(1);
        expect(candidates[n][0].type).toBe("relay");
        expect(candidates[n][0].address).toBe("127.0.0.1");
        expect(candidates[n][0].port).not.toBe((n === "a" ? a : b).localAddresses[0].port);
        expect(events[n].filter((e) => e.type === "candidate-error")).toEqual([]);
      }
      a.setRemoteCredentials(b.agent.localCredentials);
      b.setRemoteCredentials(a.agent.localCredentials);
      for (const c of candidates.b) a.addRemoteCandidate(formatCandidate(c));
      for (const c of candidates.a) b.addRemoteCandidate(formatCandidate(c));
      a.addRemoteCandidate(null);
      b.addRemoteCandidate(null);
      await waitFor(
        () => ["connected", "completed"].includes(a.agent.connectionState) && ["connected", "completed"].includes(b.agent.connectionState),
        10_000,
      );
      expect(a.agent.selectedPair!.local.type).toBe("relay");
      expect(a.agent.selectedPair!.remote.type).toBe("relay");
      expect(b.agent.selectedPair!.local.type).toBe("relay");

      // DTLS-looking bytes (RFC 7983: first byte 20..63) come out unwrapped on the other side.
      for (let i = 0; i < 5; i++) {
        expect(a.send(new Uint8Array([23, 254, 253, i]))).toBe(true);
        expect(b.send(new Uint8Array([22, 254, 253, 100 + i]))).toBe(true);
      }
      await waitFor(() => got.a.length >= 5 && got.b.length >= 5, 5000);
      const relayA = `127.0.0.1:${candidates.a[0].port}`;
      const relayB = `127.0.0.1:${candidates.b[0].port}`;
      expect(got.b.map((g) => g.data)).toEqual([0, 1, 2, 3, 4].map((i) => [23, 254, 253, i]));
      expect(got.a.map((g) => g.data)).toEqual([0, 1, 2, 3, 4].map((i) => [22, 254, 253, 100 + i]));
      expect(new Set(got.b.map((g) => g.from))).toEqual(new Set([relayA]));
      expect(new Set(got.a.map((g) => g.from))).toEqual(new Set([relayB]));

      // Application data bound channels: later data goes as ChannelData both ways.
      await waitFor(() => a.agent.relays[0].stats.channelDataOut > 0 || a.agent.relays[0].stats.sendIndicationsOut > 5, 2000).catch(() => undefined);
      for (let i = 0; i < 3; i++) a.send(new Uint8Array([23, 254, 253, 50 + i]));
      await waitFor(() => got.b.length >= 8, 5000);
      expect(a.agent.relays[0].stats.channelDataOut).toBeGreaterThan(0);
      expect(b.agent.relays[0].stats.channelDataIn).toBeGreaterThan(0);
      for (const u of [a, b]) {
        const st = u.agent.relays[0].stats;
        expect(st.droppedBadIntegrity + st.droppedUnmatched + st.droppedMalformed).toBe(0);
        expect(u.agent.stats.droppedNotRelayed).toBe(0);
      }
    } finally {
      a.close();
      b.close();
    }
    // Both allocations are released (Refresh with LIFETIME 0) as the agents close: nothing else
    // refreshes within the test's lifetime of 600 s.
    const refreshes = (): number => (coturn.log().match(/REFRESH processed, success/g) ?? []).length;
    await waitFor(() => refreshes() >= 2, 3000);
    expect(refreshes()).toBe(2);
  });
});
