/**
 * TURN over TCP and TLS (RFC 8656 §3.1, RFC 7065 URIs) against coturn on loopback: two ICE agents
 * with iceTransportPolicy "relay" reach each other only through coturn's UDP relay, each talking
 * to coturn over a TCP connection (`turn:...?transport=tcp`) or a TLS one (`turns:`, the server's
 * self-signed certificate passed as `ca`). Also: TLS refuses a certificate it cannot verify, and
 * a refused connection is a candidate error, both reported as 701.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatCandidate } from "../src/candidate-sdp.js";
import { computePriority } from "../src/candidate.js";
import { resolveTurnServers } from "../src/node/turn-servers.js";
import type { UdpIceAgent } from "../src/node/udp-agent.js";
import type { IceTurnServer } from "../src/types.js";
import { type CoturnStreams, startCoturn } from "@tsrtc/testkit/node";
import { gathered as complete, relayAgents } from "./relay-agents.js";
import { waitFor } from "./wait.js";

describe("ICE through coturn over TCP and TLS to the server", () => {
  let coturn: CoturnStreams;
  beforeAll(async () => {
    coturn = await startCoturn({ streams: true });
  }, 20_000);
  afterAll(async () => {
    await coturn?.stop();
  });
  const refreshes = (): number => (coturn.log().match(/REFRESH processed, success/g) ?? []).length;

  it("resolveTurnServers: ?transport=tcp and turns: (TLS, default port 5349, host kept for the certificate)", async () => {
    const r = await resolveTurnServers([
      { urls: ["turn:127.0.0.1:3478?transport=tcp", "turns:127.0.0.1", "turns:localhost:443?transport=tcp"], username: "u", credential: "p" },
    ]);
    const brief = r.servers.map((s) => [s.url, s.address.port, s.transport, s.secure, s.hostname]);
    expect(brief[0]).toEqual(["turn:127.0.0.1:3478?transport=tcp", 3478, "tcp", false, undefined]);
    expect(brief[1]).toEqual(["turns:127.0.0.1", 5349, "tcp", true, "127.0.0.1"]);
    expect(brief.slice(2).every((b) => b[0] === "turns:localhost:443?transport=tcp" && b[1] === 443 && b[4] === "localhost")).toBe(true);
    expect(r.errors).toEqual([]);
  });

  for (const transport of ["tcp", "tls"] as const) {
    it(`${transport}: relay-only agents connect and exchange data both ways, then release the allocations`, async () => {
      const url = transport === "tcp" ? `turn:127.0.0.1:${coturn.port}?transport=tcp` : `turns:127.0.0.1:${coturn.tlsPort}`;
      const { servers } = await resolveTurnServers([{ urls: url, username: coturn.username, credential: coturn.password }]);
      const p = await relayAgents(servers, { turnTls: { ca: coturn.cert } });
      const { a, b } = p;
      let releasedBefore = 0;
      try {
        await waitFor(() => complete(p, "a") && complete(p, "b"), 10_000);
        for (const n of ["a", "b"] as const) {
          expect(p.events[n].filter((e) => e.type === "candidate-error")).toEqual([]);
          expect(p.candidates[n]).toHaveLength(1);
          const c = p.candidates[n][0];
          expect(c.type).toBe("relay");
          expect(c.transport).toBe("udp");
          // RFC 8445 §5.1.2.1: below a UDP relay on the same interface.
          expect(c.priority).toBeLessThan(computePriority("relay", 65535 - 64, 1));
          const relays = (n === "a" ? a : b).agent.relays;
          expect(relays.map((r) => [r.transport, r.state])).toEqual([[transport, "allocated"]]);
          expect((n === "a" ? a : b).agent.localCandidateRelayProtocol(c)).toBe(transport);
        }
        a.setRemoteCredentials(b.agent.localCredentials);
        b.setRemoteCredentials(a.agent.localCredentials);
        for (const c of p.candidates.b) a.addRemoteCandidate(formatCandidate(c));
        for (const c of p.candidates.a) b.addRemoteCandidate(formatCandidate(c));
        a.addRemoteCandidate(null);
        b.addRemoteCandidate(null);
        const up = (u: UdpIceAgent): boolean => ["connected", "completed"].includes(u.agent.connectionState);
        await waitFor(() => up(a) && up(b), 15_000);
        expect(a.agent.selectedPair!.local.type).toBe("relay");
        expect(b.agent.selectedPair!.remote.type).toBe("relay");

        for (let i = 0; i < 5; i++) {
          expect(a.send(new Uint8Array([23, 254, 253, i]))).toBe(true);
          expect(b.send(new Uint8Array([22, 254, 253, 100 + i]))).toBe(true);
        }
        await waitFor(() => p.got.a.length >= 5 && p.got.b.length >= 5, 5000);
        expect(p.got.b.map((g) => g.data)).toEqual([0, 1, 2, 3, 4].map((i) => [23, 254, 253, i]));
        expect(p.got.a.map((g) => g.data)).toEqual([0, 1, 2, 3, 4].map((i) => [22, 254, 253, 100 + i]));
        expect(new Set(p.got.b.map((g) => g.from))).toEqual(new Set([`127.0.0.1:${p.candidates.a[0].port}`]));

        // Channels are bound for application data: a larger burst goes as padded ChannelData.
        await waitFor(() => a.agent.relays[0].stats.channelDataOut > 0 || a.agent.relays[0].stats.requestsSent > 4, 3000).catch(() => undefined);
        const big = new Uint8Array(1001).fill(0x33);
        big[0] = 23;
        for (let i = 0; i < 20; i++) a.send(big);
        await waitFor(() => p.got.b.length >= 25, 5000);
        expect(p.got.b.slice(5).every((g) => g.data.length === 1001 && g.data[1000] === 0x33)).toBe(true);
        expect(a.agent.relays[0].stats.channelDataOut).toBeGreaterThan(0);
        for (const u of [a, b]) {
          const st = u.agent.relays[0].stats;
          expect(st.droppedBadIntegrity + st.droppedUnmatched + st.droppedMalformed + st.droppedTruncated).toBe(0);
          // No retransmission over a reliable transport: every request was answered once.
          expect(st.responsesIn).toBe(st.requestsSent);
        }
      } finally {
        releasedBefore = refreshes();
        a.close();
        b.close();
      }
      // coturn saw two stream connections from us, and both allocations were released on close
      // (Refresh with LIFETIME 0 written before the connections end; nothing else refreshes yet).
      expect(coturn.log().match(/tcp or tls connected to/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
      await waitFor(() => refreshes() >= releasedBefore + 2, 5000);
      expect(refreshes()).toBe(releasedBefore + 2);
      // coturn names the TLS version of a session's connection; the TCP ones have none.
      const tlsReleases = coturn.log().match(/refreshed, .*lifetime=0, cipher=\S+, method=TLSv1\.[23]/g)?.length ?? 0;
      expect(tlsReleases).toBe(transport === "tls" ? 2 : 0);
    }, 40_000);
  }

  it("tls: a certificate Node cannot verify is refused (candidate error 701, no relay candidate)", async () => {
    const { servers } = await resolveTurnServers([{ urls: `turns:127.0.0.1:${coturn.tlsPort}`, username: coturn.username, credential: coturn.password }]);
    const p = await relayAgents(servers);
    try {
      await waitFor(() => complete(p, "a"), 10_000);
      expect(p.candidates.a).toEqual([]);
      const errs = p.events.a.filter((e) => e.type === "candidate-error");
      expect(errs).toHaveLength(1);
      expect(errs[0]).toMatchObject({ url: `turns:127.0.0.1:${coturn.tlsPort}`, errorCode: 701, address: "127.0.0.1" });
      expect((errs[0] as { errorText: string }).errorText).toMatch(/certificate/i);
    } finally {
      p.a.close();
      p.b.close();
    }
  });

  it("tls: turns: with a host name (resolved, then checked against the certificate) allocates", async () => {
    const url = `turns:localhost:${coturn.tlsPort}`;
    const { servers } = await resolveTurnServers([{ urls: url, username: coturn.username, credential: coturn.password }]);
    expect(servers.some((s) => s.address.host === "127.0.0.1" && s.hostname === "localhost")).toBe(true);
    const p = await relayAgents(servers, { turnTls: { ca: coturn.cert } });
    try {
      await waitFor(() => complete(p, "a"), 10_000);
      expect(p.events.a.filter((e) => e.type === "candidate-error")).toEqual([]);
      expect(p.candidates.a.map((c) => c.type)).toEqual(["relay"]);
      expect(p.a.agent.relays.filter((r) => r.state === "allocated").map((r) => [r.transport, r.url])).toEqual([["tls", url]]);
    } finally {
      p.a.close();
      p.b.close();
    }
  });

  it("tls: a certificate for another name is refused even with the right CA", async () => {
    const servers: IceTurnServer[] = [
      { address: { family: 4, host: "127.0.0.1", port: coturn.tlsPort }, username: coturn.username, credential: coturn.password, transport: "tcp", secure: true, hostname: "other.test", url: "turns:other.test" },
    ];
    const p = await relayAgents(servers, { turnTls: { ca: coturn.cert } });
    try {
      await waitFor(() => complete(p, "a"), 10_000);
      expect(p.candidates.a).toEqual([]);
      const errs = p.events.a.filter((e) => e.type === "candidate-error");
      expect(errs.map((e) => (e as { errorCode: number }).errorCode)).toEqual([701]);
      expect((errs[0] as { errorText: string }).errorText).toMatch(/other\.test|altnames/i);
    } finally {
      p.a.close();
      p.b.close();
    }
  });

  it("tcp: a refused connection is a candidate error 701 and gathering completes", async () => {
    const closed = coturn.tlsPort + 1 === coturn.port ? coturn.tlsPort + 2 : coturn.tlsPort + 1;
    const { servers } = await resolveTurnServers([{ urls: `turn:127.0.0.1:${closed}?transport=tcp`, username: "u", credential: "p" }]);
    const p = await relayAgents(servers);
    try {
      await waitFor(() => complete(p, "a"), 10_000);
      expect(p.candidates.a).toEqual([]);
      const errs = p.events.a.filter((e) => e.type === "candidate-error");
      expect(errs).toHaveLength(1);
      expect(errs[0]).toMatchObject({ errorCode: 701 });
      expect((errs[0] as { errorText: string }).errorText).toMatch(/ECONNREFUSED|closed/);
    } finally {
      p.a.close();
      p.b.close();
    }
  });
});
