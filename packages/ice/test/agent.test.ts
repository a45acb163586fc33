import { describe, expect, it } from "vitest";
import { SeededRandom, address } from "@tsrtc/base";
import { Simulation } from "@tsrtc/testkit";
import {
  bothConnected,
  connectedPair,
  deliverCandidates,
  drain,
  exchangeCredentials,
  gatherAll,
  makePeer,
  shuffledSignaling,
  signalAll,
} from "./peers.js";

const up = (s: string) => s === "connected" || s === "completed";

describe("two agents on the virtual network", () => {
  it("connect with A controlling, states as browsers show them", () => {
    const sim = new Simulation({ seed: 1, conditions: { delay: 10 } });
    const [a, b] = connectedPair(sim);
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 10_000 })).toBe(true);
    expect(a.agent.selectedPair!.remoteAddress.host).toBe("10.0.0.2");
    expect(b.agent.selectedPair!.remoteAddress.host).toBe("10.0.0.1");
    expect(a.agent.selectedPair!.rtt).toBe(20); // 10 ms each way on the virtual link
    expect(a.agent.controlling).toBe(true);
    expect(b.agent.controlling).toBe(false);
    sim.runFor(2000);
    expect(a.states).toEqual(["checking", "connected", "completed"]);
    expect(b.states).toEqual(["checking", "connected", "completed"]);
    const gs = a.events.filter((e) => e.type === "gathering-state").map((e) => (e as { state: string }).state);
    expect(gs).toEqual(["gathering", "complete"]);
  });

  it("connect with B controlling (roles the other way round)", () => {
    const sim = new Simulation({ seed: 2, conditions: { delay: 5 } });
    const [a, b] = connectedPair(sim, { controlling: false }, { controlling: true });
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 10_000 })).toBe(true);
    expect(b.agent.controlling).toBe(true);
    expect(a.agent.controlling).toBe(false);
    expect(a.agent.stats.roleConflicts + b.agent.stats.roleConflicts).toBe(0);
  });

  it("connect with 30% loss each way", () => {
    let lost = 0;
    let retransmits = 0;
    for (let seed = 100; seed < 120; seed++) {
      const sim = new Simulation({ seed, conditions: { delay: 20, jitter: 10, loss: 0.3 } });
      const [a, b] = connectedPair(sim);
      expect(sim.runUntil(bothConnected(a, b), { maxTime: 30_000 }), `seed ${seed}`).toBe(true);
      lost += sim.network.stats.lost;
      retransmits += a.agent.stats.retransmits + b.agent.stats.retransmits;
    }
    expect(lost).toBeGreaterThan(10);
    expect(retransmits).toBeGreaterThan(10);
  });

  it("repair a role conflict: both controlling (RFC 8445 §7.3.1.1)", () => {
    const sim = new Simulation({ seed: 7, conditions: { delay: 10 } });
    const [a, b] = connectedPair(sim, { controlling: true }, { controlling: true });
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 10_000 })).toBe(true);
    expect(a.agent.controlling).not.toBe(b.agent.controlling);
    // The larger tie-breaker keeps the controlling role.
    const winner = a.agent.tieBreaker > b.agent.tieBreaker ? a : b;
    expect(winner.agent.controlling).toBe(true);
    expect(a.agent.stats.roleConflicts + b.agent.stats.roleConflicts).toBeGreaterThan(0);
    const loser = winner === a ? b : a;
    expect(loser.events.some((e) => e.type === "role" && !e.controlling)).toBe(true);
  });

  it("repair a role conflict: both controlled", () => {
    const sim = new Simulation({ seed: 8, conditions: { delay: 10 } });
    const [a, b] = connectedPair(sim, { controlling: false }, { controlling: false });
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 10_000 })).toBe(true);
    expect(a.agent.controlling).not.toBe(b.agent.controlling);
  });

  it("trickle in random order: candidates before credentials, interleaved with checks", () => {
    for (const seed of [10, 11, 12]) {
      const sim = new Simulation({ seed, conditions: { delay: 15, jitter: 10 } });
      const rng = new SeededRandom(seed);
      const addrsA = [address("10.0.0.1", 5000), address("10.0.1.1", 5001), address("2001:db8::1", 5002)];
      const addrsB = [address("10.0.0.2", 6000), address("2001:db8::2", 6002)];
      const a = makePeer(sim, "A", addrsA, { controlling: true }, seed * 3);
      const b = makePeer(sim, "B", addrsB, { controlling: false }, seed * 5);
      // Shuffle every signaling message, credentials included, and deliver one every few ms.
      shuffledSignaling(sim, a, b, rng, 40);
      expect(sim.runUntil(bothConnected(a, b), { maxTime: 10_000 }), `seed ${seed}`).toBe(true);
      sim.runFor(3000);
      expect(up(a.agent.connectionState) && up(b.agent.connectionState)).toBe(true);
    }
  });

  it("find the peer-reflexive path when one side is behind a NAT that only lets replies in", () => {
    const sim = new Simulation({ seed: 13, conditions: { delay: 10 } });
    const nat = sim.addNat({ publicIp: "203.0.113.1", mapping: "endpoint-independent", filtering: "address-and-port-dependent" });
    const a = makePeer(sim, "A", [address("192.168.1.10", 5000)], { controlling: true }, 1, { behind: nat });
    const b = makePeer(sim, "B", [address("198.51.100.2", 6000)], { controlling: false }, 2);
    signalAll(a, b, 0);
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 15_000 })).toBe(true);
    // B reached A at the NAT's public address, learned from A's check (RFC 8445 §7.3.1.3).
    const sel = b.agent.selectedPair!;
    expect(sel.remoteAddress.host).toBe("203.0.113.1");
    expect(sel.remote.type).toBe("prflx");
    // B's checks to A's private host address could not get there.
    expect(sim.network.stats.unroutable).toBeGreaterThan(0);
    expect(nat.stats.inbound).toBeGreaterThan(0);
    // A learned its own mapped address as a local peer-reflexive candidate (§7.2.5.3.1).
    expect(a.agent.localCandidates.some((c) => c.type === "prflx" && c.address === "203.0.113.1")).toBe(true);
  });

  it("lose consent after the link is cut: disconnected, then failed after ~30 s", () => {
    const sim = new Simulation({ seed: 14, conditions: { delay: 10 } });
    const [a, b] = connectedPair(sim);
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 10_000 })).toBe(true);
    sim.runFor(20_000);
    expect(up(a.agent.connectionState)).toBe(true); // consent keeps it alive
    expect(a.agent.stats.consentChecksSent).toBeGreaterThanOrEqual(3);
    const cutAt = sim.now;
    sim.network.cut("10.0.0.1", "10.0.0.2");
    expect(sim.runUntil(() => a.agent.connectionState === "failed", { maxTime: 60_000 })).toBe(true);
    const failedAfter = a.reachedAt.get("failed")! - cutAt;
    expect(failedAfter).toBeGreaterThanOrEqual(25_000);
    expect(failedAfter).toBeLessThanOrEqual(36_000);
    expect(a.states).toContain("disconnected");
    expect(a.states.indexOf("disconnected")).toBeLessThan(a.states.indexOf("failed"));
    expect(a.agent.selectedPair).toBeUndefined();
    expect(a.agent.send(new Uint8Array([0x17]), sim.now)).toBe(false);
    sim.runUntil(() => b.agent.connectionState === "failed", { maxTime: 10_000 });
    expect(b.agent.connectionState).toBe("failed");
  });

  it("after consent is lost no data leaves, even while another pair is still valid (RFC 7675 §5.1)", () => {
    const sim = new Simulation({ seed: 16, conditions: { delay: 10 } });
    // A slower IPv6 link: the IPv4 pair is proven first, the (preferred) IPv6 pair nominated later.
    sim.network.setLink("2001:db8::a", "2001:db8::b", { delay: 150 });
    const [a, b] = connectedPair(sim, {}, {}, {
      a: [address("10.0.0.1", 5000), address("2001:db8::a", 5000)],
      b: [address("10.0.0.2", 6000), address("2001:db8::b", 6000)],
    });
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 10_000 })).toBe(true);
    sim.runFor(2000);
    expect(a.agent.selectedPair!.remoteAddress.host).toBe("2001:db8::b");
    expect(a.agent.pairs.filter((p) => p.valid).map((p) => p.remote.address.host)).toContain("10.0.0.2");
    sim.network.cut("2001:db8::a", "2001:db8::b");
    expect(sim.runUntil(() => a.agent.connectionState === "failed", { maxTime: 60_000 })).toBe(true);
    const sentBefore = sim.network.stats.sent;
    expect(a.agent.send(new Uint8Array([0x17, 1]), sim.now)).toBe(false);
    sim.flush();
    expect(sim.network.stats.sent).toBe(sentBefore);
  });

  it("ICE restart keeps the data path up until the new pair is selected", () => {
    const sim = new Simulation({ seed: 15, conditions: { delay: 10 } });
    const [a, b] = connectedPair(sim);
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 10_000 })).toBe(true);
    const oldUfrag = a.agent.localCredentials.ufrag;
    a.agent.restart(sim.now);
    drain(a, sim.now);
    expect(a.agent.localCredentials.ufrag).not.toBe(oldUfrag);
    // The old pair still carries data while the new credentials travel.
    expect(a.agent.selectedPair!.remoteAddress).toEqual(b.addresses[0]);
    const before = b.data.length;
    expect(a.agent.send(new Uint8Array([23, 1, 2, 3]), sim.now)).toBe(true);
    sim.runFor(100);
    expect(b.data.length).toBe(before + 1);
    // Signal the restart: B sees new remote credentials and restarts too (its answer).
    sim.runFor(200);
    b.agent.setRemoteCredentials(a.agent.localCredentials, sim.now);
    drain(b, sim.now);
    a.agent.setRemoteCredentials(b.agent.localCredentials, sim.now);
    drain(a, sim.now);
    deliverCandidates(a, b, sim.now);
    deliverCandidates(b, a, sim.now);
    let dataOk = true;
    for (let t = 0; t < 30; t++) {
      const n = b.data.length;
      dataOk &&= a.agent.send(new Uint8Array([23, t]), sim.now);
      sim.runFor(50);
      dataOk &&= b.data.length === n + 1;
    }
    expect(dataOk).toBe(true);
    expect(up(a.agent.connectionState) && up(b.agent.connectionState)).toBe(true);
    const selectedEvents = a.events.filter((e) => e.type === "selected-pair").length;
    expect(selectedEvents).toBeGreaterThanOrEqual(1);
    // The new generation selected its own pair: A's checks use the new credentials.
    expect(a.agent.remoteCredentials!.ufrag).toBe(b.agent.localCredentials.ufrag);
    expect(a.agent.pairs.some((p) => p.nominated)).toBe(true);
    expect(b.agent.pairs.some((p) => p.nominated)).toBe(true);
    expect(a.states).not.toContain("failed");
    expect(a.states).not.toContain("disconnected");
  });
});

describe("trickle and failure details", () => {
  it("holds remote candidates that come before the credentials, then checks them", () => {
    const sim = new Simulation({ seed: 20, conditions: { delay: 10 } });
    const a = makePeer(sim, "A", [address("10.0.0.1", 5000)], { controlling: true }, 1);
    const b = makePeer(sim, "B", [address("10.0.0.2", 6000)], { controlling: false }, 2);
    gatherAll(a, 0);
    gatherAll(b, 0);
    deliverCandidates(b, a, 0);
    expect(a.agent.remoteCandidates).toHaveLength(1);
    expect(a.agent.pairs).toHaveLength(0); // held: no pairs, no checks without credentials
    sim.runFor(500);
    expect(a.agent.stats.checksSent).toBe(0);
    expect(a.agent.connectionState).toBe("new");
    exchangeCredentials(a, b, sim.now);
    expect(a.agent.pairs).toHaveLength(1);
    deliverCandidates(a, b, sim.now);
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 5000 })).toBe(true);
  });

  it("a signaled candidate replaces the peer-reflexive one its checks revealed first", () => {
    const sim = new Simulation({ seed: 24, conditions: { delay: 10 } });
    const a = makePeer(sim, "A", [address("10.0.0.1", 5000)], { controlling: true }, 1);
    const b = makePeer(sim, "B", [address("10.0.0.2", 6000)], { controlling: false }, 2);
    gatherAll(a, 0);
    gatherAll(b, 0);
    exchangeCredentials(a, b, 0);
    deliverCandidates(a, b, 0); // only B knows where A is: A learns B from B's checks
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 5000 })).toBe(true);
    expect(a.agent.selectedPair!.remote.type).toBe("prflx");
    deliverCandidates(b, a, sim.now);
    expect(a.agent.selectedPair!.remote.type).toBe("host");
    expect(a.agent.remoteCandidates.map((c) => c.type)).toEqual(["host"]);
    expect(a.agent.pairs).toHaveLength(1);
  });

  it("holds candidates of a newer generation until its credentials come (restart trickle)", () => {
    const sim = new Simulation({ seed: 21, conditions: { delay: 10 } });
    const [a, b] = connectedPair(sim);
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 5000 })).toBe(true);
    a.agent.restart(sim.now);
    drain(a, sim.now);
    // A's re-signaled candidates overtake its new credentials.
    deliverCandidates(a, b, sim.now);
    expect(b.agent.stats.droppedCandidates).toBe(0);
    b.agent.setRemoteCredentials(a.agent.localCredentials, sim.now);
    drain(b, sim.now);
    expect(b.agent.pairs.length).toBeGreaterThan(0);
    a.agent.setRemoteCredentials(b.agent.localCredentials, sim.now);
    drain(a, sim.now);
    deliverCandidates(b, a, sim.now);
    sim.runFor(2000);
    expect(a.agent.pairs.some((p) => p.nominated)).toBe(true);
    expect(b.agent.pairs.some((p) => p.nominated)).toBe(true);
  });

  it("fails when every pair failed after both sides ended their candidates", () => {
    const sim = new Simulation({ seed: 22, conditions: { delay: 10 } });
    const [a, b] = connectedPair(sim);
    sim.network.cut("10.0.0.1", "10.0.0.2");
    expect(sim.runUntil(() => a.agent.connectionState === "failed", { maxTime: 60_000 })).toBe(true);
    expect(a.states).toEqual(["checking", "failed"]);
    expect(a.agent.pairs.every((p) => p.state === "failed")).toBe(true);
    expect(a.agent.pollTimeout()).toBeUndefined(); // nothing left to do: idle
    expect(sim.runUntil(() => b.agent.connectionState === "failed", { maxTime: 30_000 })).toBe(true);
  });

  it("an ICE restart after consent was lost brings the connection back", () => {
    const sim = new Simulation({ seed: 25, conditions: { delay: 10 } });
    const [a, b] = connectedPair(sim);
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 5000 })).toBe(true);
    sim.network.cut("10.0.0.1", "10.0.0.2");
    expect(sim.runUntil(() => a.agent.connectionState === "failed" && b.agent.connectionState === "failed", { maxTime: 60_000 })).toBe(true);
    sim.network.restore("10.0.0.1", "10.0.0.2");
    a.agent.restart(sim.now);
    drain(a, sim.now);
    b.agent.setRemoteCredentials(a.agent.localCredentials, sim.now); // B restarts in its answer
    drain(b, sim.now);
    a.agent.setRemoteCredentials(b.agent.localCredentials, sim.now);
    drain(a, sim.now);
    deliverCandidates(a, b, sim.now);
    deliverCandidates(b, a, sim.now);
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 10_000 })).toBe(true);
    expect(a.states.slice(a.states.indexOf("failed")).slice(0, 3)).toEqual(["failed", "checking", "connected"]);
  });

  it("failed is terminal until a restart: the link coming back does not reconnect (W3C RTCIceTransportState, RFC 8445 §8)", () => {
    const sim = new Simulation({ seed: 26, conditions: { delay: 10 } });
    const [a, b] = connectedPair(sim);
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 5000 })).toBe(true);
    sim.network.cut("10.0.0.1", "10.0.0.2");
    expect(sim.runUntil(() => a.agent.connectionState === "failed" && b.agent.connectionState === "failed", { maxTime: 60_000 })).toBe(true);
    const statesA = a.states.length;
    const statesB = b.states.length;
    sim.network.restore("10.0.0.1", "10.0.0.2");
    sim.runFor(30_000);
    expect(a.agent.connectionState).toBe("failed");
    expect(b.agent.connectionState).toBe("failed");
    expect(a.states.length).toBe(statesA); // no state change at all
    expect(b.states.length).toBe(statesB);
    expect(a.agent.selectedPair).toBeUndefined();
    expect(b.agent.selectedPair).toBeUndefined();
    expect(a.events.some((e, i) => i > 0 && e.type === "selected-pair" && a.events.slice(0, i).some((x) => x.type === "connection-state" && x.state === "failed"))).toBe(false);
    expect(a.agent.send(new Uint8Array([0x17]), sim.now)).toBe(false);
    expect(b.agent.send(new Uint8Array([0x17]), sim.now)).toBe(false);
    // A restart on both sides (new credentials both ways) brings it back.
    a.agent.restart(sim.now);
    drain(a, sim.now);
    b.agent.setRemoteCredentials(a.agent.localCredentials, sim.now);
    drain(b, sim.now);
    a.agent.setRemoteCredentials(b.agent.localCredentials, sim.now);
    drain(a, sim.now);
    deliverCandidates(a, b, sim.now);
    deliverCandidates(b, a, sim.now);
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 10_000 })).toBe(true);
    expect(a.agent.send(new Uint8Array([0x17]), sim.now)).toBe(true);
  });

  it("close() stops everything", () => {
    const sim = new Simulation({ seed: 23, conditions: { delay: 10 } });
    const [a, b] = connectedPair(sim);
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 5000 })).toBe(true);
    a.agent.close(sim.now);
    drain(a, sim.now);
    expect(a.states.at(-1)).toBe("closed");
    expect(a.agent.pollTimeout()).toBeUndefined();
    expect(a.agent.pollTransmit()).toBeUndefined();
    expect(a.agent.send(new Uint8Array([23]), sim.now)).toBe(false);
    expect(() => a.agent.restart(sim.now)).toThrow(/InvalidStateError/);
  });
});

describe("datagrams besides STUN (RFC 7983 demux for BUNDLE)", () => {
  it("hands back non-STUN from a known peer as data and drops it from strangers", () => {
    const sim = new Simulation({ seed: 40, conditions: { delay: 10 } });
    const [a, b] = connectedPair(sim);
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 5000 })).toBe(true);
    const peer = a.agent.selectedPair!.remoteAddress;
    const local = a.agent.selectedPair!.localAddress;
    const dtls = new Uint8Array([22, 254, 253, 0, 0]);
    const rtp = new Uint8Array([0x80, 96, 0, 1]);
    expect(a.agent.handlePacket(dtls, peer, local, sim.now)).toBe("data");
    expect(a.agent.handlePacket(rtp, peer, local, sim.now)).toBe("data");
    const before = a.agent.stats.droppedUnknownSource;
    expect(a.agent.handlePacket(dtls, address("10.9.9.9", 1), local, sim.now)).toBe("dropped");
    expect(a.agent.stats.droppedUnknownSource).toBe(before + 1);
  });

  it("connects with duplication, reordering and jitter", () => {
    for (let seed = 200; seed < 210; seed++) {
      const sim = new Simulation({ seed, conditions: { delay: 15, jitter: 40, duplicate: 0.3, reorder: 0.3 } });
      const [a, b] = connectedPair(sim);
      expect(sim.runUntil(bothConnected(a, b), { maxTime: 10_000 }), `seed ${seed}`).toBe(true);
      sim.runFor(12_000);
      expect(up(a.agent.connectionState) && up(b.agent.connectionState), `seed ${seed}`).toBe(true);
    }
  });
});

describe("a remote candidate trickled after completed", () => {
  it("that cannot give a better pair leaves completed alone and is not checked (no completed → connected flap)", () => {
    const sim = new Simulation({ seed: 52, conditions: { delay: 10 } });
    const [a, b] = connectedPair(sim);
    for (const p of [a, b]) p.agent.addRemoteCandidate(null, sim.now);
    expect(sim.runUntil(() => a.agent.connectionState === "completed" && b.agent.connectionState === "completed", { maxTime: 5000 })).toBe(true);
    const statesA = a.states.length;
    const statesB = b.states.length;
    const probed: string[] = [];
    sim.network.trace = (e) => {
      if (e.type === "send" && e.to.host.startsWith("10.0.0.9")) probed.push(e.to.host);
    };
    // A late srflx of each peer (a second interface, say): lower than the selected host pair.
    a.agent.addRemoteCandidate("candidate:9 1 udp 1686052607 10.0.0.91 7000 typ srflx raddr 10.0.0.2 rport 6000", sim.now);
    b.agent.addRemoteCandidate("candidate:9 1 udp 1686052607 10.0.0.92 7000 typ srflx raddr 10.0.0.1 rport 5000", sim.now);
    drain(a, sim.now);
    drain(b, sim.now);
    expect(a.agent.remoteCandidates.some((c) => c.address === "10.0.0.91")).toBe(true);
    sim.runFor(15_000);
    expect(a.states.slice(statesA)).toEqual([]);
    expect(b.states.slice(statesB)).toEqual([]);
    expect(a.agent.connectionState).toBe("completed");
    expect(b.agent.connectionState).toBe("completed");
    expect(probed).toEqual([]);
    // The pairs exist (stats show them), settled as failed rather than checked (§8.1.2).
    expect(a.agent.pairs.find((p) => p.remote.candidate.address === "10.0.0.91")?.state).toBe("failed");
  });

  it("that could give a better pair to the controlled side: connected while it is checked, completed again after", () => {
    const sim = new Simulation({ seed: 53, conditions: { delay: 10 } });
    const [a, b] = connectedPair(sim);
    for (const p of [a, b]) p.agent.addRemoteCandidate(null, sim.now);
    expect(sim.runUntil(() => b.agent.connectionState === "completed", { maxTime: 5000 })).toBe(true);
    const statesB = b.states.length;
    const top = b.agent.remoteCandidates[0].priority + 1;
    b.agent.addRemoteCandidate(`candidate:7 1 udp ${top} 10.0.0.93 7000 typ host`, sim.now);
    drain(b, sim.now);
    expect(b.agent.connectionState).toBe("connected");
    sim.runFor(20_000);
    expect(b.states.slice(statesB)).toEqual(["connected", "completed"]);
    expect(b.agent.selectedPair!.remoteAddress.host).toBe("10.0.0.1");
  });
});

describe("role from signaling", () => {
  it("setControlling() before the checks start decides who nominates", () => {
    const sim = new Simulation({ seed: 50, conditions: { delay: 10 } });
    const [a, b] = connectedPair(sim, { controlling: false }, { controlling: false });
    a.agent.setControlling(true, sim.now);
    drain(a, sim.now);
    expect(a.events.some((e) => e.type === "role" && e.controlling)).toBe(true);
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 5000 })).toBe(true);
    expect(a.agent.controlling).toBe(true);
    expect(a.agent.stats.roleConflicts + b.agent.stats.roleConflicts).toBe(0);
  });
});

describe("a late role conflict (RFC 8445 §7.3.1.1) after the connection is up", () => {
  for (const [name, flip] of [
    ["the controlled side turns controlling", "b"],
    ["the controlling side turns controlled", "a"],
  ] as const) {
    it(`${name}: the conflict is repaired on consent checks and the selected pair carries on`, () => {
      const sim = new Simulation({ seed: 51, conditions: { delay: 10 } });
      const [a, b] = connectedPair(sim);
      expect(sim.runUntil(bothConnected(a, b), { maxTime: 5000 })).toBe(true);
      sim.runFor(2000);
      const selA = a.agent.selectedPair!;
      const selB = b.agent.selectedPair!;
      const statesA = a.states.length;
      const statesB = b.states.length;
      // A renegotiation gets the roles wrong: now both claim the same role.
      if (flip === "b") b.agent.setControlling(true, sim.now);
      else a.agent.setControlling(false, sim.now);
      drain(a, sim.now);
      drain(b, sim.now);
      expect(b.agent.selectedPair).toEqual(selB);
      expect(a.agent.selectedPair).toEqual(selA);
      // Consent checks (every ~5 s) carry the conflicting role attribute: one side gives way.
      sim.runFor(20_000);
      expect(a.agent.stats.roleConflicts + b.agent.stats.roleConflicts).toBeGreaterThan(0);
      expect(a.agent.controlling).not.toBe(b.agent.controlling);
      // Same pair on both sides all along; the state never left connected/completed.
      expect(a.agent.selectedPair!.localAddress).toEqual(selA.localAddress);
      expect(a.agent.selectedPair!.remoteAddress).toEqual(selA.remoteAddress);
      expect(b.agent.selectedPair!.remoteAddress).toEqual(selB.remoteAddress);
      expect(a.states.slice(statesA).every(up)).toBe(true);
      expect(b.states.slice(statesB).every(up)).toBe(true);
      expect(up(a.agent.connectionState) && up(b.agent.connectionState)).toBe(true);
      // Data keeps flowing both ways, and consent survives past its 30 s timeout.
      sim.runFor(40_000);
      expect(up(a.agent.connectionState) && up(b.agent.connectionState)).toBe(true);
      const na = a.data.length;
      const nb = b.data.length;
      expect(a.agent.send(new Uint8Array([23, 1]), sim.now)).toBe(true);
      expect(b.agent.send(new Uint8Array([23, 2]), sim.now)).toBe(true);
      sim.runFor(100);
      expect(a.data.length).toBe(na + 1);
      expect(b.data.length).toBe(nb + 1);
    });
  }
});

describe("consent freshness and keepalive", () => {
  it("disconnected during a short outage, connected again when it ends", () => {
    const sim = new Simulation({ seed: 60, conditions: { delay: 10 } });
    const [a, b] = connectedPair(sim);
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 5000 })).toBe(true);
    sim.runFor(5000);
    sim.network.cut("10.0.0.1", "10.0.0.2");
    expect(sim.runUntil(() => a.agent.connectionState === "disconnected", { maxTime: 20_000 })).toBe(true);
    sim.network.restore("10.0.0.1", "10.0.0.2");
    expect(sim.runUntil(() => up(a.agent.connectionState), { maxTime: 10_000 })).toBe(true);
    sim.runFor(40_000);
    expect(up(a.agent.connectionState) && up(b.agent.connectionState)).toBe(true);
    expect(a.states).not.toContain("failed");
  });

  it("consent checks keep a NAT mapping alive for minutes", () => {
    const sim = new Simulation({ seed: 61, conditions: { delay: 10 } });
    // The mapping expires after 20 s without outbound traffic.
    const nat = sim.addNat({ publicIp: "203.0.113.1", mappingTimeout: 20_000 });
    const a = makePeer(sim, "A", [address("192.168.1.10", 5000)], { controlling: true }, 1, { behind: nat });
    const b = makePeer(sim, "B", [address("198.51.100.2", 6000)], { controlling: false }, 2);
    signalAll(a, b, 0);
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 10_000 })).toBe(true);
    sim.runFor(180_000);
    expect(nat.stats.mappingsExpired).toBe(0);
    expect(up(a.agent.connectionState) && up(b.agent.connectionState)).toBe(true);
    // And data still flows from the public side to the NATed one.
    const n = a.data.length;
    expect(b.agent.send(new Uint8Array([23, 1]), sim.now)).toBe(true);
    sim.runFor(100);
    expect(a.data.length).toBe(n + 1);
  });
});
