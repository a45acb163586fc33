/**
 * Relayed candidates over testkit's virtual network with @tsrtc/turn's TurnServer core:
 * two agents that only use relay candidates connect through it and exchange data; the "all"
 * policy signals host and relay candidates; TURN failures and unsupported transports come out
 * as candidate-error events; close releases the allocations.
 */
import { type Address, type Millis, SeededRandom } from "@tsrtc/base";
import { StunBindingServer, StunMethod } from "@tsrtc/stun";
import { NatTypes, Simulation, replyNode } from "@tsrtc/testkit";
import { describe, expect, it } from "vitest";
import { IceAgent } from "../src/agent.js";
import type { IceAgentConfig, IceTurnServer } from "../src/types.js";
import { A, B, type RelayPeer, SERVER, TURN, type Turn, connected, drainPeer, gatherAndSignal, newTurn, relayPeer, requestsOf, turnNode } from "./relay-harness.js";

describe("ICE through a TURN relay (iceTransportPolicy relay on both sides)", () => {
  it("gathers only relay candidates, connects through the relay, and carries data both ways as ChannelData", () => {
    const sim = new Simulation({ seed: 7 });
    const server = newTurn();
    turnNode(sim, server);
    const cfg = { turnServers: [SERVER], iceTransportPolicy: "relay" as const };
    const a = relayPeer(sim, "A", A, { controlling: true, ...cfg }, 1);
    const b = relayPeer(sim, "B", B, { controlling: false, ...cfg }, 2);
    gatherAndSignal(sim, a, b);

    for (const p of [a, b]) {
      expect(p.candidates).toHaveLength(1);
      const c = p.candidates[0];
      expect(c.type).toBe("relay");
      expect(c.address).toBe(TURN.host);
      expect(c.priority >>> 24).toBe(0); // type preference 0 (RFC 8445 §5.1.2.2)
      // The policy hides our address: no related address (0.0.0.0 0).
      expect([c.relatedAddress, c.relatedPort]).toEqual(["0.0.0.0", 0]);
      expect(p.agent.localCandidateRelayProtocol(c)).toBe("udp");
    }
    expect(sim.runUntil(connected(a, b), { maxTime: 10_000 })).toBe(true);
    expect(a.agent.selectedPair!.local.type).toBe("relay");
    expect(a.agent.selectedPair!.remote.type).toBe("relay");
    expect(b.agent.selectedPair!.local.type).toBe("relay");

    const hello = new Uint8Array([23, 254, 253, 1, 2, 3]); // DTLS-looking application data
    const back = new Uint8Array([23, 254, 253, 9, 8, 7, 6]);
    expect(a.agent.send(hello, sim.now)).toBe(true);
    expect(b.agent.send(back, sim.now)).toBe(true);
    sim.runFor(200);
    const bGot = b.received.map((r) => Array.from(r.data));
    const aGot = a.received.map((r) => Array.from(r.data));
    expect(bGot).toContainEqual(Array.from(hello));
    expect(aGot).toContainEqual(Array.from(back));
    expect(b.received[0].verdict).toBe("relayed");
    expect(b.received[0].from).toEqual({ family: 4, host: TURN.host, port: a.candidates[0].port });

    // Application data bound a channel each way; later data goes as ChannelData.
    expect(requestsOf(server, StunMethod.ChannelBind).length).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < 5; i++) a.agent.send(hello, sim.now);
    sim.runFor(200);
    expect(a.agent.relays[0].stats.channelDataOut).toBeGreaterThanOrEqual(5);
    expect(b.agent.relays[0].stats.channelDataIn).toBeGreaterThanOrEqual(5);
    expect(b.received.length).toBeGreaterThanOrEqual(6);

    // Nothing ever went directly between the peers: every datagram came from the TURN server.
    for (const p of [a, b]) for (const src of p.sources) expect(src).toEqual(TURN);
  });

  it("keeps the allocation, permissions and channels refreshed while connected, and releases it on close", () => {
    const sim = new Simulation({ seed: 8 });
    const server = newTurn();
    turnNode(sim, server);
    const cfg = { turnServers: [SERVER], iceTransportPolicy: "relay" as const };
    const a = relayPeer(sim, "A", A, { controlling: true, ...cfg }, 3);
    const b = relayPeer(sim, "B", B, { controlling: false, ...cfg }, 4);
    gatherAndSignal(sim, a, b);
    expect(sim.runUntil(connected(a, b), { maxTime: 10_000 })).toBe(true);
    a.agent.send(new Uint8Array([23, 1]), sim.now);
    sim.runFor(100);
    const permissionsBefore = requestsOf(server, StunMethod.CreatePermission).length;
    sim.runFor(25 * 60_000); // 25 minutes: allocation (600 s), permissions (300 s), channels (10 min) all outlived
    expect(requestsOf(server, StunMethod.Refresh).length).toBeGreaterThanOrEqual(4);
    expect(requestsOf(server, StunMethod.CreatePermission).length).toBeGreaterThan(permissionsBefore + 4);
    expect(["connected", "completed"]).toContain(a.agent.connectionState);
    expect(["connected", "completed"]).toContain(b.agent.connectionState);
    a.agent.send(new Uint8Array([23, 42]), sim.now);
    sim.runFor(200);
    expect(b.received.at(-1)!.data).toEqual(new Uint8Array([23, 42]));

    expect(server.server.allocationCount).toBe(2);
    a.agent.close(sim.now);
    b.agent.close(sim.now);
    sim.runFor(1000);
    const last = requestsOf(server, StunMethod.Refresh).slice(-2);
    expect(last.map((m) => m.lifetime())).toEqual([0, 0]);
    expect(server.server.allocationCount).toBe(0);
  });

  it("survives random datagrams from the TURN server's address and keeps the relayed path", () => {
    const sim = new Simulation({ seed: 21 });
    const server = newTurn();
    turnNode(sim, server);
    const cfg = { turnServers: [SERVER], iceTransportPolicy: "relay" as const };
    const a = relayPeer(sim, "A", A, { controlling: true, ...cfg }, 22);
    const b = relayPeer(sim, "B", B, { controlling: false, ...cfg }, 23);
    gatherAndSignal(sim, a, b);
    expect(sim.runUntil(connected(a, b), { maxTime: 10_000 })).toBe(true);
    a.agent.send(new Uint8Array([23, 0]), sim.now);
    sim.runFor(200);
    const rng = new SeededRandom(24);
    const verdicts = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const n = rng.nextInt(100);
      const d = rng.fill(new Uint8Array(n));
      const kind = i % 4;
      if (kind === 0 && n >= 4) {
        d[0] = 0x40; // ChannelData on our channel, with a random length
        d[1] = 0x00;
      } else if (kind === 1 && n >= 20) {
        d[0] = 0x00; // a STUN header: Data indication or a response of any method
        d[1] = rng.nextInt(2) === 0 ? 0x17 : rng.nextInt(256);
        d[2] = 0;
        d[3] = (n - 20) & ~3;
        d.set([0x21, 0x12, 0xa4, 0x42], 4);
      }
      const sliced = kind === 1 && n >= 20 ? d.subarray(0, 20 + ((n - 20) & ~3)) : d;
      expect(() => verdicts.add(a.agent.handlePacket(sliced, TURN, A, sim.now))).not.toThrow();
    }
    expect(verdicts.has("dropped")).toBe(true);
    const st = a.agent.relays[0].stats;
    expect(st.droppedTruncated + st.droppedUnknownChannel + st.droppedMalformed + st.droppedUnmatched).toBeGreaterThan(0);
    sim.runFor(1000);
    a.agent.send(new Uint8Array([23, 77]), sim.now);
    sim.runFor(200);
    expect(b.received.at(-1)!.data).toEqual(new Uint8Array([23, 77]));
    expect(["connected", "completed"]).toContain(a.agent.connectionState);
  });

  it("restarts ICE over the same allocations", () => {
    const sim = new Simulation({ seed: 31 });
    const server = newTurn();
    turnNode(sim, server);
    const cfg = { turnServers: [SERVER], iceTransportPolicy: "relay" as const };
    const a = relayPeer(sim, "A", A, { controlling: true, ...cfg }, 32);
    const b = relayPeer(sim, "B", B, { controlling: false, ...cfg }, 33);
    gatherAndSignal(sim, a, b);
    expect(sim.runUntil(connected(a, b), { maxTime: 10_000 })).toBe(true);
    const allocations = requestsOf(server, StunMethod.Allocate).length;
    a.candidates.length = 0;
    a.agent.restart(sim.now);
    drainPeer(a);
    expect(a.candidates.map((c) => [c.type, c.ufrag])).toEqual([["relay", a.agent.localCredentials.ufrag]]);
    b.agent.setRemoteCredentials(a.agent.localCredentials, sim.now);
    drainPeer(b);
    b.candidates.length = 0;
    for (const e of b.events) if (e.type === "candidate" && e.candidate.ufrag === b.agent.localCredentials.ufrag) b.candidates.push(e.candidate);
    a.agent.setRemoteCredentials(b.agent.localCredentials, sim.now);
    for (const c of a.candidates) b.agent.addRemoteCandidate(c, sim.now);
    for (const c of b.candidates) a.agent.addRemoteCandidate(c, sim.now);
    sim.runFor(3000);
    expect(["connected", "completed"]).toContain(a.agent.connectionState);
    expect(a.agent.remoteCredentials).toEqual(b.agent.localCredentials);
    expect(a.agent.pairs.some((p) => p.valid && p.local.candidate.type === "relay")).toBe(true);
    a.agent.send(new Uint8Array([23, 99]), sim.now);
    sim.runFor(200);
    expect(b.received.at(-1)!.data).toEqual(new Uint8Array([23, 99]));
    // No new allocation: the relays outlive the restart.
    expect(requestsOf(server, StunMethod.Allocate).length).toBe(allocations);
  });

  it("drops what reaches a host socket outside the relay under the relay policy", () => {
    const sim = new Simulation({ seed: 9 });
    const server = newTurn();
    turnNode(sim, server);
    const a = relayPeer(sim, "A", A, { controlling: true, turnServers: [SERVER], iceTransportPolicy: "relay" }, 5);
    a.agent.gather([{ address: A }], sim.now);
    sim.runUntil(() => a.gathered, { maxTime: 10_000 });
    expect(a.agent.handlePacket(new Uint8Array([23, 254, 253]), B, A, sim.now)).toBe("dropped");
    expect(a.agent.stats.droppedNotRelayed).toBe(1);
  });
});

describe("ICE with TURN servers and the default policy", () => {
  it("connects two peers behind symmetric NATs through the relay when nothing else works", () => {
    const sim = new Simulation({ seed: 13 });
    const server = newTurn();
    turnNode(sim, server);
    const natA = sim.addNat({ name: "natA", publicIp: "203.0.113.1", ...NatTypes.symmetric });
    const natB = sim.addNat({ name: "natB", publicIp: "203.0.113.2", ...NatTypes.symmetric });
    const a = relayPeer(sim, "A", A, { controlling: true, turnServers: [SERVER] }, 14, natA);
    const b = relayPeer(sim, "B", B, { controlling: false, turnServers: [SERVER] }, 15, natB);
    gatherAndSignal(sim, a, b);
    // The relay candidate's related address is the NAT's mapping, as the server saw it.
    expect(a.candidates.find((c) => c.type === "relay")!.relatedAddress).toBe("203.0.113.1");
    // Each Allocate answer also gave a server-reflexive candidate (RFC 8445 §5.1.1.2): the NAT's address.
    expect(a.candidates.filter((c) => c.type === "srflx").map((c) => c.address)).toEqual(["203.0.113.1"]);
    expect(sim.runUntil(connected(a, b), { maxTime: 15_000 })).toBe(true);
    // Through a relay: both ways relayed, or one NAT's mapping straight to the other's relay
    // (the srflx candidate gave that relay a permission for the NAT's address).
    const sa = a.agent.selectedPair!;
    const sb = b.agent.selectedPair!;
    expect([sa.local.type, sa.remote.type]).toContain("relay");
    expect([sb.local.type, sb.remote.type]).toContain("relay");
    a.agent.send(new Uint8Array([23, 5]), sim.now);
    sim.runFor(500);
    expect(b.received.map((r) => Array.from(r.data))).toContainEqual([23, 5]);
  });


  it("signals host and relay candidates (the relay's related address is the mapped address) and prefers the direct path", () => {
    const sim = new Simulation({ seed: 10 });
    const server = newTurn();
    turnNode(sim, server);
    const a = relayPeer(sim, "A", A, { controlling: true, turnServers: [SERVER] }, 6);
    const b = relayPeer(sim, "B", B, { controlling: false, turnServers: [SERVER] }, 7);
    gatherAndSignal(sim, a, b);
    expect(a.candidates.map((c) => c.type)).toEqual(["host", "relay"]);
    const relay = a.candidates[1];
    expect([relay.relatedAddress, relay.relatedPort]).toEqual([A.host, A.port]);
    expect(relay.priority).toBeLessThan(a.candidates[0].priority);
    expect(sim.runUntil(connected(a, b), { maxTime: 10_000 })).toBe(true);
    sim.runFor(3000);
    expect(a.agent.selectedPair!.local.type).toBe("host");
    expect(b.agent.selectedPair!.local.type).toBe("host");
    // The relay pairs were checked through the server too (permissions for B's candidates).
    expect(requestsOf(server, StunMethod.CreatePermission).length).toBeGreaterThan(0);
  });

  it("uses one server for STUN and TURN: server-reflexive and relay candidates from the same host socket", () => {
    const sim = new Simulation({ seed: 41 });
    const server = newTurn();
    turnNode(sim, server);
    const nat = sim.addNat({ name: "nat", publicIp: "203.0.113.9", ...NatTypes.fullCone });
    const a = relayPeer(sim, "A", A, { controlling: true, stunServers: [TURN], turnServers: [SERVER] }, 42, nat);
    a.agent.gather([{ address: A }], sim.now);
    drainPeer(a);
    expect(sim.runUntil(() => a.gathered, { maxTime: 10_000 })).toBe(true);
    expect(a.candidates.map((c) => c.type).sort()).toEqual(["host", "relay", "srflx"]);
    const srflx = a.candidates.find((c) => c.type === "srflx")!;
    expect(srflx.address).toBe("203.0.113.9");
    expect(a.agent.relays[0].stats.droppedUnmatched).toBe(0);
  });

  it("reports a TURN failure and unsupported transports as candidate-error, and still completes gathering", () => {
    const sim = new Simulation({ seed: 11 });
    const server = newTurn();
    turnNode(sim, server);
    const a = relayPeer(
      sim,
      "A",
      A,
      {
        controlling: true,
        turnServers: [
          { ...SERVER, credential: "wrong", url: "turn:bad-password" },
          // TURN over DTLS (RFC 7065 allows turns: with transport=udp) is not supported.
          { ...SERVER, secure: true, transport: "udp", url: "turns:192.0.2.1?transport=udp" },
        ],
      },
      8,
    );
    a.agent.gather([{ address: A }], sim.now);
    drainPeer(a);
    expect(sim.runUntil(() => a.gathered, { maxTime: 10_000 })).toBe(true);
    const errors = a.events.filter((e) => e.type === "candidate-error");
    expect(errors).toContainEqual(expect.objectContaining({ url: "turn:bad-password", errorCode: 401, address: A.host, port: A.port }));
    expect(errors).toContainEqual(expect.objectContaining({ url: "turns:192.0.2.1?transport=udp", errorCode: 701 }));
    expect(errors).toHaveLength(2);
    expect(a.candidates.map((c) => c.type)).toEqual(["host"]);
  });

  it("a TURN server that never answers delays gathering until the allocation times out, then reports 701", () => {
    const sim = new Simulation({ seed: 12 });
    const silent: IceTurnServer = { address: { family: 4, host: "192.0.2.99", port: 3478 }, username: "u", credential: "p", url: "turn:silent" };
    const a = relayPeer(sim, "A", A, { controlling: true, turnServers: [silent] }, 9);
    a.agent.gather([{ address: A }], sim.now);
    drainPeer(a);
    expect(a.gathered).toBe(false);
    expect(sim.runUntil(() => a.gathered, { maxTime: 60_000 })).toBe(true);
    expect(a.events).toContainEqual(expect.objectContaining({ type: "candidate-error", url: "turn:silent", errorCode: 701 }));
  });
});

describe("a lost TURN allocation (RFC 8656 §8)", () => {
  function connectedRelayOnly(seed: number): { sim: Simulation; server: Turn; a: RelayPeer; b: RelayPeer } {
    const sim = new Simulation({ seed });
    const server = newTurn();
    turnNode(sim, server);
    const cfg = { turnServers: [SERVER], iceTransportPolicy: "relay" as const };
    const a = relayPeer(sim, "A", A, { controlling: true, ...cfg }, seed + 1);
    const b = relayPeer(sim, "B", B, { controlling: false, ...cfg }, seed + 2);
    gatherAndSignal(sim, a, b);
    expect(sim.runUntil(connected(a, b), { maxTime: 10_000 })).toBe(true);
    return { sim, server, a, b };
  }
  const allocatesFrom = (server: Turn, n: number): number => requestsOf(server, StunMethod.Allocate).length - n;

  it("437 to a refresh: allocates once more, signals the new relay candidate, and a restart reconnects over it", () => {
    const { sim, server, a, b } = connectedRelayOnly(70);
    const allocates = requestsOf(server, StunMethod.Allocate).length;
    const old = a.candidates.find((c) => c.type === "relay")!;
    // The server restarts and forgets A's allocation; A learns it at its next Refresh (540 s).
    server.server.deallocate(A);
    a.candidates.length = 0;
    sim.runFor(560_000);
    expect(requestsOf(server, StunMethod.Refresh).some((m) => m.lifetime() === 600)).toBe(true);
    expect(allocatesFrom(server, allocates)).toBe(2); // one allocation: the 401 challenge, then signed
    const fresh = a.candidates.filter((c) => c.type === "relay");
    expect(fresh).toHaveLength(1);
    expect(fresh[0].port).not.toBe(old.port);
    expect(fresh[0].ufrag).toBe(a.agent.localCredentials.ufrag);
    // The lost candidate is no longer offered; the live allocation is the new one.
    expect(a.agent.localCandidates.filter((c) => c.type === "relay").map((c) => c.port)).toEqual([fresh[0].port]);
    expect(a.agent.relays.map((r) => r.state)).toEqual(["failed", "allocated"]);
    expect(a.events.some((e) => e.type === "candidate-error")).toBe(false);
    // The old pairs died with the allocation (consent lost); an ICE restart finds the new path.
    expect(a.agent.connectionState).toBe("failed");
    a.candidates.length = 0;
    b.candidates.length = 0;
    a.agent.restart(sim.now);
    drainPeer(a);
    b.agent.setRemoteCredentials(a.agent.localCredentials, sim.now);
    drainPeer(b);
    for (const e of b.events) if (e.type === "candidate" && e.candidate.ufrag === b.agent.localCredentials.ufrag) b.candidates.push(e.candidate);
    a.agent.setRemoteCredentials(b.agent.localCredentials, sim.now);
    expect(a.candidates.map((c) => c.port)).toEqual([fresh[0].port]);
    for (const c of a.candidates) b.agent.addRemoteCandidate(c, sim.now);
    for (const c of b.candidates) a.agent.addRemoteCandidate(c, sim.now);
    expect(sim.runUntil(connected(a, b), { maxTime: 10_000 })).toBe(true);
    expect(a.agent.selectedPair!.local.port).toBe(fresh[0].port);
    a.agent.send(new Uint8Array([23, 7]), sim.now);
    sim.runFor(200);
    expect(b.received.at(-1)!.data).toEqual(new Uint8Array([23, 7]));
    // Once only: losing the replacement too gives up.
    server.server.deallocate(A);
    const before = requestsOf(server, StunMethod.Allocate).length;
    sim.runFor(700_000);
    expect(requestsOf(server, StunMethod.Allocate).length).toBe(before);
    expect(a.agent.relays.map((r) => r.state)).toEqual(["failed", "failed"]);
  });

  it("refreshes that get no answer until the allocation expires: allocates again once the server is back", () => {
    const { sim, server, a } = connectedRelayOnly(80);
    const allocates = requestsOf(server, StunMethod.Allocate).length;
    const old = a.candidates.find((c) => c.type === "relay")!;
    a.candidates.length = 0;
    sim.runFor(500_000);
    sim.network.cut(A.host, TURN.host);
    sim.runFor(120_000); // past the refresh (540 s) and the end of the lifetime (600 s)
    expect(a.agent.relays[0].state).not.toBe("allocated");
    sim.network.restore(A.host, TURN.host);
    sim.runFor(60_000);
    expect(allocatesFrom(server, allocates)).toBe(2); // one allocation: the 401 challenge, then signed
    const fresh = a.candidates.filter((c) => c.type === "relay");
    expect(fresh).toHaveLength(1);
    expect(fresh[0].port).not.toBe(old.port);
    expect(a.agent.relays.at(-1)!.state).toBe("allocated");
  });
});

describe("a server-reflexive candidate from the Allocate answer (RFC 8445 §5.1.1.2)", () => {
  const STUN: Address = { family: 4, host: "198.51.100.50", port: 3478 };

  function stunNode(sim: Simulation): void {
    const stun = new StunBindingServer();
    sim.addNode(replyNode("stun", STUN, (d, from, _to, now) => stun.handlePacket(d, from, now)));
  }

  it("comes from a TURN-only server's XOR-MAPPED-ADDRESS, once, even when a STUN server reports the same mapping", () => {
    for (const withStun of [false, true]) {
      const sim = new Simulation({ seed: withStun ? 91 : 90 });
      const server = newTurn();
      turnNode(sim, server);
      if (withStun) stunNode(sim);
      const nat = sim.addNat({ name: "nat", publicIp: "203.0.113.9", ...NatTypes.fullCone });
      const cfg: IceAgentConfig = { controlling: true, turnServers: [SERVER], ...(withStun ? { stunServers: [STUN] } : {}) };
      const a = relayPeer(sim, "A", A, cfg, 92, nat);
      a.agent.gather([{ address: A }], sim.now);
      drainPeer(a);
      expect(sim.runUntil(() => a.gathered, { maxTime: 10_000 })).toBe(true);
      // The TURN server was asked no Binding: the srflx came from the Allocate answer (or the STUN server).
      expect(requestsOf(server, StunMethod.Binding)).toHaveLength(0);
      const srflx = a.candidates.filter((c) => c.type === "srflx");
      expect(srflx, `with STUN: ${withStun}`).toHaveLength(1);
      expect(srflx[0]).toMatchObject({ address: "203.0.113.9", relatedAddress: A.host, relatedPort: A.port });
      const relay = a.candidates.find((c) => c.type === "relay")!;
      expect([relay.relatedAddress, relay.relatedPort]).toEqual([srflx[0].address, srflx[0].port]);
      expect(a.candidates.map((c) => c.type).sort()).toEqual(["host", "relay", "srflx"]);
      // Where each came from (W3C RTCIceCandidateStats.url): the first answer wins the srflx.
      const local = (type: string) => a.agent.localCandidates.find((c) => c.type === type)!;
      expect(a.agent.localCandidateUrl(local("relay"))).toBe(SERVER.url);
      expect(a.agent.localCandidateUrl(local("srflx"))).toBe(withStun ? "stun:198.51.100.50:3478" : SERVER.url);
      expect(a.agent.localCandidateUrl(local("host"))).toBeUndefined();
    }
  });

  it("is not offered under the relay policy", () => {
    const sim = new Simulation({ seed: 93 });
    const server = newTurn();
    turnNode(sim, server);
    const nat = sim.addNat({ name: "nat", publicIp: "203.0.113.9", ...NatTypes.fullCone });
    const a = relayPeer(sim, "A", A, { controlling: true, turnServers: [SERVER], iceTransportPolicy: "relay" }, 94, nat);
    a.agent.gather([{ address: A }], sim.now);
    drainPeer(a);
    expect(sim.runUntil(() => a.gathered, { maxTime: 10_000 })).toBe(true);
    expect(a.candidates.map((c) => c.type)).toEqual(["relay"]);
  });
});

export type { Millis };

describe("close() with TURN allocations still being released (RFC 8656 §8)", () => {
  it("an Allocate in flight at close: the agent stays `releasing`, releases what its answer reports, and sends a lost release again", () => {
    const { server } = newTurn();
    const agent = new IceAgent({ controlling: true, turnServers: [SERVER] }, new SeededRandom(5));
    agent.gather([{ address: A }], 0);
    /** The agent's datagrams to the server (or lost), and the server's answers. */
    const exchange = (now: Millis, lose = false): Uint8Array[] => {
      const answers: Uint8Array[] = [];
      for (let t = agent.pollTransmit(); t; t = agent.pollTransmit()) {
        if (t.to.host !== TURN.host || t.to.port !== TURN.port || lose) continue;
        server.handlePacket(t.data, A, now);
        for (let o = server.pollTransmit(); o; o = server.pollTransmit()) if (o.via === "listening") answers.push(o.data);
      }
      return answers;
    };
    for (const d of exchange(0)) agent.handlePacket(d, TURN, A, 0); // 401
    const success = exchange(0);
    expect(server.allocationCount).toBe(1);
    agent.close(1);
    expect(agent.connectionState).toBe("closed");
    expect(agent.releasing).toBe(true);
    expect(agent.handlePacket(success[0], TURN, A, 2)).toBe("stun");
    expect(exchange(2, true)).toEqual([]); // the release is lost
    expect(server.allocationCount).toBe(1);
    const at = agent.pollTimeout()!;
    expect(at).toBeGreaterThan(2);
    agent.handleTimeout(at);
    for (const d of exchange(at)) expect(agent.handlePacket(d, TURN, A, at)).toBe("stun");
    expect(server.allocationCount).toBe(0);
    expect(agent.releasing).toBe(false);
    expect(agent.pollTimeout()).toBeUndefined();
    // Anything else reaching a closed agent is dropped.
    expect(agent.handlePacket(success[0], TURN, A, at)).toBe("dropped");
  });
});
