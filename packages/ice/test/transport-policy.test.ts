/**
 * iceTransportPolicy changed on a running agent (setTransportPolicy, for W3C setConfiguration):
 * RFC 8829 §3.5.3 reads the policy at the start of each gathering phase, so nothing changes until
 * the next restart; then "relay" keeps only relay candidates (their related address hidden) and
 * checks only from them, while the old host pair carries data until the new generation selects;
 * "all" after "relay" brings back the host candidates and their server-reflexive ones.
 */
import { NatTypes, Simulation } from "@tsrtc/testkit";
import { describe, expect, it } from "vitest";
import type { Candidate } from "../src/candidate.js";
import { A, B, type RelayPeer, SERVER, connected, drainPeer, gatherAndSignal, newTurn, relayPeer, turnNode } from "./relay-harness.js";

/** Restart `a` and wait for its gathering: the new generation's candidates. */
function restart(sim: Simulation, a: RelayPeer): Candidate[] {
  a.candidates.length = 0;
  a.gathered = false;
  a.agent.restart(sim.now);
  drainPeer(a);
  expect(sim.runUntil(() => a.gathered, { maxTime: 10_000 })).toBe(true);
  return [...a.candidates];
}

/** Signal `a`'s new generation (`fresh`) to `b`, which restarts too, and b's back. */
function signal(sim: Simulation, a: RelayPeer, b: RelayPeer, fresh: Candidate[]): void {
  const eventsBefore = b.events.length;
  b.agent.setRemoteCredentials(a.agent.localCredentials, sim.now);
  drainPeer(b);
  expect(sim.runUntil(() => b.events.slice(eventsBefore).some((e) => e.type === "gathering-state" && e.state === "complete"), { maxTime: 10_000 })).toBe(true);
  const ufragB = b.agent.localCredentials.ufrag;
  const bNew = b.events.slice(eventsBefore).flatMap((e) => (e.type === "candidate" && e.candidate.ufrag === ufragB ? [e.candidate] : []));
  a.agent.setRemoteCredentials(b.agent.localCredentials, sim.now);
  for (const c of fresh) b.agent.addRemoteCandidate(c, sim.now);
  for (const c of bNew) a.agent.addRemoteCandidate(c, sim.now);
  a.agent.addRemoteCandidate(null, sim.now);
  b.agent.addRemoteCandidate(null, sim.now);
}

describe("iceTransportPolicy changed between gathering phases (RFC 8829 §3.5.3)", () => {
  it("all -> relay: nothing changes until the restart, which signals and checks from relay candidates only; the host pair carries data until then", () => {
    const sim = new Simulation({ seed: 71 });
    const server = newTurn();
    turnNode(sim, server);
    const a = relayPeer(sim, "A", A, { controlling: true, turnServers: [SERVER] }, 72);
    const b = relayPeer(sim, "B", B, { controlling: false }, 73);
    gatherAndSignal(sim, a, b);
    expect(a.candidates.map((c) => c.type).sort()).toEqual(["host", "relay"]);
    expect(sim.runUntil(connected(a, b), { maxTime: 10_000 })).toBe(true);
    sim.runFor(2000);
    expect(a.agent.selectedPair!.local.type).toBe("host");

    const events = a.events.length;
    a.agent.setTransportPolicy("relay");
    sim.runFor(500);
    drainPeer(a);
    expect(a.events.slice(events).filter((e) => e.type === "candidate")).toEqual([]);
    a.agent.send(new Uint8Array([23, 1]), sim.now);
    sim.runFor(200);
    expect(b.received.at(-1)!.data).toEqual(new Uint8Array([23, 1]));

    const fresh = restart(sim, a);
    expect(fresh.map((c) => [c.type, c.ufrag, c.relatedAddress, c.relatedPort])).toEqual([["relay", a.agent.localCredentials.ufrag, "0.0.0.0", 0]]);
    expect(a.agent.localCandidates.every((c) => c.type === "relay")).toBe(true);
    // Make-before-break (RFC 8445 §9): until the new generation selects, the old host pair
    // carries data both ways, under the "relay" policy too.
    a.agent.send(new Uint8Array([23, 2]), sim.now);
    b.agent.send(new Uint8Array([23, 5]), sim.now);
    sim.runFor(20);
    expect(a.agent.selectedPair!.local.type).toBe("host");
    expect(b.received.at(-1)!.data).toEqual(new Uint8Array([23, 2]));
    expect(a.received.at(-1)).toMatchObject({ data: new Uint8Array([23, 5]), verdict: "data" });
    signal(sim, a, b, fresh);
    expect(sim.runUntil(() => a.agent.selectedPair?.local.type === "relay", { maxTime: 10_000 })).toBe(true);
    expect(a.agent.pairs.length).toBeGreaterThan(0);
    for (const p of a.agent.pairs) expect(p.local.candidate.type).toBe("relay");
    a.agent.send(new Uint8Array([23, 3]), sim.now);
    sim.runFor(500);
    const last = b.received.at(-1)!;
    expect(last.data).toEqual(new Uint8Array([23, 3]));
    // It came through the TURN server's relayed address, not from A's host socket.
    expect(last.from.host).toBe(SERVER.address.host);
    // From now on the host socket only carries TURN: a peer's datagram to it is dropped.
    const dropped = a.agent.stats.droppedNotRelayed;
    expect(a.agent.handlePacket(new Uint8Array([23, 4]), B, A, sim.now)).toBe("dropped");
    expect(a.agent.stats.droppedNotRelayed).toBe(dropped + 1);
  });

  it("relay -> all: the restart brings back the host candidate, the Allocate answer's server-reflexive one, and the relay's related address", () => {
    const sim = new Simulation({ seed: 81 });
    const server = newTurn();
    turnNode(sim, server);
    const nat = sim.addNat({ name: "nat", publicIp: "203.0.113.7", ...NatTypes.fullCone });
    const a = relayPeer(sim, "A", A, { controlling: true, turnServers: [SERVER], iceTransportPolicy: "relay" }, 82, nat);
    const b = relayPeer(sim, "B", B, { controlling: false }, 83);
    gatherAndSignal(sim, a, b);
    expect(a.candidates.map((c) => c.type)).toEqual(["relay"]);
    expect(sim.runUntil(connected(a, b), { maxTime: 10_000 })).toBe(true);

    a.agent.setTransportPolicy("all");
    const fresh = restart(sim, a);
    signal(sim, a, b, fresh);
    expect(fresh.map((c) => c.type).sort()).toEqual(["host", "relay", "srflx"]);
    for (const c of fresh) expect(c.ufrag).toBe(a.agent.localCredentials.ufrag);
    expect(fresh.find((c) => c.type === "host")!.address).toBe(A.host);
    const srflx = fresh.find((c) => c.type === "srflx")!;
    expect(srflx.address).toBe("203.0.113.7");
    const relay = fresh.find((c) => c.type === "relay")!;
    expect([relay.relatedAddress, relay.relatedPort]).toEqual([srflx.address, srflx.port]);
    sim.runFor(3000);
    expect(["connected", "completed"]).toContain(a.agent.connectionState);
    expect(a.agent.remoteCredentials).toEqual(b.agent.localCredentials);
    a.agent.send(new Uint8Array([23, 9]), sim.now);
    sim.runFor(500);
    expect(b.received.at(-1)!.data).toEqual(new Uint8Array([23, 9]));
  });

  it("all -> relay -> all with mDNS host candidates: the host comes back under the name it was published with, registered once", () => {
    const sim = new Simulation({ seed: 91 });
    const server = newTurn();
    turnNode(sim, server);
    const a = relayPeer(sim, "A", A, { controlling: true, turnServers: [SERVER], mdnsHostCandidates: true }, 92);
    const b = relayPeer(sim, "B", B, { controlling: false }, 93);
    gatherAndSignal(sim, a, b);
    const name = a.candidates.find((c) => c.type === "host")!.address;
    expect(name).toMatch(/\.local$/);
    for (let cycle = 0; cycle < 2; cycle++) {
      a.agent.setTransportPolicy("relay");
      expect(restart(sim, a).map((c) => c.type)).toEqual(["relay"]);
      a.agent.setTransportPolicy("all");
      expect(restart(sim, a).find((c) => c.type === "host")!.address).toBe(name);
    }
    expect(a.events.filter((e) => e.type === "mdns-register")).toEqual([{ type: "mdns-register", name, address: A.host }]);
  });
});
