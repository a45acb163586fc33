import { describe, expect, it } from "vitest";
import { type Address, type Transmit, address } from "@tsrtc/base";
import { StunBindingServer, StunMessage, StunClass } from "@tsrtc/stun";
import { Simulation, simNode } from "@tsrtc/testkit";
import { bothConnected, deliverCandidates, drain, exchangeCredentials, gatherAll, makePeer, signalAll } from "./peers.js";

const STUN = address("198.51.100.50", 3478);

function stunServer(sim: Simulation): StunBindingServer {
  const server = new StunBindingServer();
  const out: Transmit[] = [];
  sim.addNode(
    simNode({
      name: "stun",
      address: STUN,
      receive: (d, from, _to, now) => {
        const t = server.handlePacket(d, from, now);
        if (t) out.push(t);
      },
      poll: () => out.shift(),
    }),
  );
  return server;
}

describe("gathering (RFC 8445 §5.1.1)", () => {
  it("gets a server-reflexive candidate through a NAT and connects over it", () => {
    const sim = new Simulation({ seed: 30, conditions: { delay: 10 } });
    const server = stunServer(sim);
    // Endpoint-independent mapping and filtering: the srflx address works for the peer too.
    const nat = sim.addNat({ publicIp: "203.0.113.9", mapping: "endpoint-independent", filtering: "endpoint-independent" });
    const a = makePeer(sim, "A", [address("192.168.0.5", 5000)], { controlling: true, stunServers: [STUN] }, 1, { behind: nat });
    const b = makePeer(sim, "B", [address("198.51.100.7", 6000)], { controlling: false }, 2);
    gatherAll(a, 0);
    gatherAll(b, 0);
    expect(a.agent.gatheringState).toBe("gathering");
    expect(sim.runUntil(() => a.agent.gatheringState === "complete", { maxTime: 5000 })).toBe(true);
    const srflx = a.agent.localCandidates.find((c) => c.type === "srflx")!;
    expect(srflx).toMatchObject({ address: "203.0.113.9", relatedAddress: "192.168.0.5", relatedPort: 5000 });
    expect(server.stats.success).toBe(1);
    const host = a.agent.localCandidates.find((c) => c.type === "host")!;
    expect(srflx.priority).toBeLessThan(host.priority);
    expect(srflx.foundation).not.toBe(host.foundation);
    // Only B learns A's candidates; B's checks to the srflx address open the path at once.
    exchangeCredentials(a, b, sim.now);
    deliverCandidates(a, b, sim.now);
    deliverCandidates(b, a, sim.now);
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 10_000 })).toBe(true);
    expect(b.agent.selectedPair!.remoteAddress.host).toBe("203.0.113.9");
  });

  it("an ICE restart gathers server-reflexive candidates again and signals them with the new ufrag (RFC 8445 §9)", () => {
    const sim = new Simulation({ seed: 34, conditions: { delay: 10 } });
    const server = stunServer(sim);
    // The NAT forgets idle mappings: after a while the old srflx address leads nowhere.
    const nat = sim.addNat({ publicIp: "203.0.113.9", mapping: "endpoint-independent", filtering: "endpoint-independent", mappingTimeout: 30_000 });
    const a = makePeer(sim, "A", [address("192.168.0.5", 5000)], { controlling: true, stunServers: [STUN] }, 1, { behind: nat });
    gatherAll(a, 0);
    expect(sim.runUntil(() => a.agent.gatheringState === "complete", { maxTime: 5000 })).toBe(true);
    const before = a.agent.localCandidates.find((c) => c.type === "srflx")!;
    expect(before.ufrag).toBe(a.agent.localCredentials.ufrag);
    sim.runFor(60_000);
    a.outbox.length = 0;
    const oldUfrag = a.agent.localCredentials.ufrag;
    a.agent.restart(sim.now);
    drain(a, sim.now);
    const ufrag = a.agent.localCredentials.ufrag;
    expect(ufrag).not.toBe(oldUfrag);
    // Host at once; the srflx waits for the STUN server's answer.
    expect(a.agent.gatheringState).toBe("gathering");
    expect(sim.runUntil(() => a.agent.gatheringState === "complete", { maxTime: 5000 })).toBe(true);
    expect(server.stats.success).toBe(2);
    const signaled = a.outbox.filter((c) => c !== null);
    expect(signaled.map((c) => c!.type)).toEqual(["host", "srflx"]);
    for (const c of signaled) expect(c!.ufrag).toBe(ufrag);
    const after = signaled[1]!;
    // The fresh mapping, not the dead one.
    expect(after.address).toBe("203.0.113.9");
    expect(after.port).not.toBe(before.port);
    expect(nat.mappings(sim.now).map((m) => m.external.port)).toContain(after.port);
    expect(a.outbox.at(-1)).toBeNull();
    expect(a.agent.localCandidates.filter((c) => c.type === "srflx").map((c) => c.port)).toEqual([after.port]);
  });

  it("drops a server-reflexive candidate equal to its base (§5.1.3) and completes", () => {
    const sim = new Simulation({ seed: 31, conditions: { delay: 10 } });
    stunServer(sim);
    const a = makePeer(sim, "A", [address("198.51.100.8", 5000)], { controlling: true, stunServers: [STUN] }, 1);
    gatherAll(a, 0);
    expect(sim.runUntil(() => a.agent.gatheringState === "complete", { maxTime: 5000 })).toBe(true);
    expect(a.agent.localCandidates.map((c) => c.type)).toEqual(["host"]);
  });

  it("completes gathering when the STUN server never answers", () => {
    const sim = new Simulation({ seed: 32, conditions: { delay: 10 } });
    const a = makePeer(sim, "A", [address("10.0.0.1", 5000), address("2001:db8::1", 5001)], { controlling: true, stunServers: [STUN] }, 1);
    gatherAll(a, 0);
    const sent: Address[] = [];
    sim.network.trace = (e) => {
      if (e.type === "send") sent.push(e.to);
    };
    expect(sim.runUntil(() => a.agent.gatheringState === "complete", { maxTime: 20_000 })).toBe(true);
    // Only the IPv4 base asks the IPv4 server, with retransmissions; then it gives up.
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent.every((t) => t.host === STUN.host)).toBe(true);
    expect(sim.now).toBeLessThan(10_000);
    expect(a.outbox.at(-1)).toBeNull(); // end-of-candidates signaled
  });
});

describe("consent freshness timing (RFC 7675 §5.1)", () => {
  it("sends a consent check every 4-6 s on the selected pair, with jitter", () => {
    const sim = new Simulation({ seed: 33, conditions: { delay: 10 } });
    const a = makePeer(sim, "A", [address("10.0.0.1", 5000)], { controlling: true }, 1);
    const b = makePeer(sim, "B", [address("10.0.0.2", 6000)], { controlling: false }, 2);
    signalAll(a, b, 0);
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 5000 })).toBe(true);
    sim.runFor(1000);
    const times: number[] = [];
    sim.network.trace = (e) => {
      if (e.type !== "send" || e.from.host !== "10.0.0.1") return;
      const m = StunMessage.decode(e.data);
      if (m.cls === StunClass.Request) times.push(e.now);
    };
    sim.runFor(60_000);
    expect(times.length).toBeGreaterThanOrEqual(10);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(4000);
      expect(g).toBeLessThanOrEqual(6000);
    }
    expect(new Set(gaps).size).toBeGreaterThan(1); // randomized, not a fixed period
    expect(a.agent.connectionState).toBe("completed");
  });
});
