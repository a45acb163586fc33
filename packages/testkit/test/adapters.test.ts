import { type Address, type Millis, type Transmit, address } from "@tsrtc/base";
import { describe, expect, it } from "vitest";
import { NatTypes, Simulation, replyNode, transmitNode, twoPeers } from "../src/index.js";
import { Box, PingPong } from "./toys.js";

/** A toy "agent" shaped like the ICE core: handlePacket(data, from, local, now), Transmit out. */
class ToyAgent {
  readonly heard: string[] = [];
  private readonly out: Transmit[] = [];
  private due: Millis | undefined = 0;
  constructor(
    private readonly locals: Address[],
    private readonly server: Address,
  ) {}
  handlePacket(data: Uint8Array, from: Address, local: Address, _now: Millis): void {
    this.heard.push(`${new TextDecoder().decode(data)} via ${local.host}`);
    void from;
  }
  handleTimeout(now: Millis): void {
    if (this.due === undefined || now < this.due) return;
    this.due = undefined; // one probe from each local address
    for (const l of this.locals) if (l.family === this.server.family) this.out.push({ to: this.server, data: Uint8Array.of(1), from: l });
  }
  pollTransmit(): Transmit | undefined {
    return this.out.shift();
  }
  pollTimeout(): Millis | undefined {
    return this.due;
  }
}

describe("transmitNode and replyNode", () => {
  it("wire an address-aware core to a reflexive-address server through a NAT", () => {
    const sim = new Simulation({ conditions: { delay: 5 } });
    const nat = sim.addNat({ publicIp: "203.0.113.9", ...NatTypes.symmetric });
    const server = address("198.51.100.7", 3478);
    const locals = [address("192.168.0.2", 4000), address("192.168.0.2", 4001)];
    const agent = new ToyAgent(locals, server);
    let inputs = 0;
    sim.addNode(transmitNode(agent, locals, { name: "agent", afterInput: () => inputs++ }), { behind: nat });
    sim.addNode(replyNode("srflx", server, (_d, from) => ({ to: from, data: new TextEncoder().encode(`${from.host}:${from.port}`) })));
    sim.runFor(100);
    expect(agent.heard).toHaveLength(2);
    const [p1, p2] = agent.heard.map((h) => h.split(" via ")[0]);
    expect(p1.startsWith("203.0.113.9:")).toBe(true);
    expect(p2).not.toBe(p1); // two local ports, two mappings
    expect(agent.heard.every((h) => h.endsWith("via 192.168.0.2"))).toBe(true);
    expect(inputs).toBe(3); // one timeout, two receives
  });

  it("replyNode answers from the address a request arrived at, and may answer several times", () => {
    const sim = new Simulation();
    const s1 = address("198.51.100.7", 3478);
    const s2 = address("198.51.100.7", 3479);
    sim.addNode(replyNode("srv", [s1, s2], (d, from) => [{ to: from, data: d }, { to: from, data: d }]));
    const c = sim.addNode(new Box("c", address("10.0.0.1", 1)));
    c.send(s2, "ping");
    sim.runFor(1);
    expect(c.received.map((r) => [r.from, new TextDecoder().decode(r.data)])).toEqual([
      [s2, "ping"],
      [s2, "ping"],
    ]);
  });

  it("transmitNode refuses a core without the default methods", () => {
    expect(() => transmitNode({}, address("10.0.0.1", 1), { name: "x" })).toThrow(/core has no handlePacket/);
  });
});

describe("twoPeers", () => {
  it("wires two single-path cores in a fresh simulation", () => {
    const a = new PingPong({ interval: 50, stopAt: 1000 });
    const b = new PingPong();
    const { sim, addressA, addressB } = twoPeers(a, b, { seed: 4, conditions: { delay: 10 } });
    expect(sim.nodeAt(addressA)?.name).toBe("a");
    expect(sim.nodeAt(addressB)?.name).toBe("b");
    expect(sim.runUntil(() => a.pongs.length === 21)).toBe(true);
    expect(sim.now).toBe(1020);
  });
});

describe("addresses added and removed at run time", () => {
  it("routes to a relayed address only while it exists", () => {
    const sim = new Simulation();
    const relay = sim.addNode(new Box("relay", address("198.51.100.1", 3478)));
    const peer = sim.addNode(new Box("peer", address("198.51.100.2", 9)));
    const relayed = address("198.51.100.1", 50_000);
    peer.send(relayed, "early");
    sim.runFor(1);
    expect(sim.network.stats.unroutable).toBe(1);
    sim.addAddress(relay, relayed);
    peer.send(relayed, "now");
    relay.send(peer.address, "from relayed", relayed);
    sim.runFor(1);
    expect(relay.received.map((r) => [r.to, new TextDecoder().decode(r.data)])).toEqual([[relayed, "now"]]);
    expect(peer.received[0].from).toEqual(relayed);
    sim.removeAddress(relay, relayed);
    peer.send(relayed, "late");
    sim.runFor(1);
    expect(sim.network.stats.unroutable).toBe(2);
    relay.send(peer.address, "x", relayed);
    expect(() => sim.runFor(1)).toThrow(/does not own/);
    expect(() => sim.addAddress(peer, relay.address)).toThrow(/belongs to a node/);
  });

  it("keeps a new port of a NATed host behind the same NAT", () => {
    const sim = new Simulation();
    const nat = sim.addNat({ publicIp: "203.0.113.5", ...NatTypes.fullCone });
    const inside = sim.addNode(new Box("inside", address("192.168.5.5", 1000)), { behind: nat });
    const out = sim.addNode(new Box("out", address("198.51.100.3", 7), [], true));
    const second = address("192.168.5.5", 1001);
    sim.addAddress(inside, second);
    inside.send(out.address, "x", second);
    sim.runFor(1);
    expect(out.sources()[0].startsWith("203.0.113.5:")).toBe(true);
    expect(inside.received.map((r) => r.to)).toEqual([second]);
    expect(nat.stats.mappingsCreated).toBe(1);
  });
});
