import { type Address, address } from "@tsrtc/base";
import { describe, expect, it } from "vitest";
import { type NatBehaviour, type NatOptions, NatTypes, Simulation } from "../src/index.js";
import { Box } from "./toys.js";

const PUBLIC = "203.0.113.1";
const S1 = address("198.51.100.1", 3478);
const S1b = address("198.51.100.1", 3479);
const S2 = address("198.51.100.2", 3478);
const CLIENT = address("192.168.1.10", 4000);

function setup(nat: Partial<NatOptions> & { mapping?: NatBehaviour; filtering?: NatBehaviour }, seed = 1) {
  const sim = new Simulation({ seed, conditions: { delay: 10 } });
  const n = sim.addNat({ publicIp: PUBLIC, ...nat });
  const client = sim.addNode(new Box("client", CLIENT), { behind: n });
  const s1 = sim.addNode(new Box("s1", S1, [], true));
  const s1b = sim.addNode(new Box("s1b", S1b, [], true));
  const s2 = sim.addNode(new Box("s2", S2, [], true));
  return { sim, nat: n, client, s1, s1b, s2 };
}

/** What each server saw as the client's address, after the client sent one datagram to each. */
function mappedBy(kind: NatBehaviour): string[] {
  const { sim, client, s1, s1b, s2 } = setup({ mapping: kind, filtering: "endpoint-independent" });
  client.send(S1);
  client.send(S1b);
  client.send(S2);
  sim.runFor(100);
  expect(client.texts()).toEqual([...s1.sources(), ...s1b.sources(), ...s2.sources()]); // reflected back
  return [s1.sources()[0], s1b.sources()[0], s2.sources()[0]];
}

describe("Nat mapping (RFC 4787 §4.1)", () => {
  it("endpoint-independent: one public address for every destination", () => {
    const [a, b, c] = mappedBy("endpoint-independent");
    expect(a.startsWith(`${PUBLIC}:`)).toBe(true);
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it("address-dependent: one public address per destination host", () => {
    const [a, b, c] = mappedBy("address-dependent");
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(c.startsWith(`${PUBLIC}:`)).toBe(true);
  });

  it("address-and-port-dependent: one public address per destination address and port", () => {
    const [a, b, c] = mappedBy("address-and-port-dependent");
    expect(new Set([a, b, c]).size).toBe(3);
  });

  it("reuses the mapping for repeated traffic to the same destination", () => {
    const { sim, nat, client, s1 } = setup(NatTypes.symmetric);
    client.send(S1);
    client.send(S1);
    sim.runFor(100);
    expect(new Set(s1.sources()).size).toBe(1);
    expect(nat.stats.mappingsCreated).toBe(1);
    expect(nat.mappings()).toEqual([
      { internal: CLIENT, external: address(PUBLIC, Number(s1.sources()[0].split(":")[1])), remote: S1 },
    ]);
  });

  it("allocates ports from the seeded range, reproducibly, or preserves the internal port", () => {
    const ports = (seed: number): string[] => {
      const { sim, client, s1, s1b, s2 } = setup({ ...NatTypes.symmetric, portRange: [20000, 20099], seed }, seed);
      client.send(S1);
      client.send(S1b);
      client.send(S2);
      sim.runFor(100);
      return [...s1.sources(), ...s1b.sources(), ...s2.sources()];
    };
    const p = ports(5);
    for (const s of p) {
      const port = Number(s.split(":")[1]);
      expect(port).toBeGreaterThanOrEqual(20000);
      expect(port).toBeLessThanOrEqual(20099);
    }
    expect(ports(5)).toEqual(p);
    expect([ports(6), ports(7), ports(8)].some((q) => q.join() !== p.join())).toBe(true);

    const { sim, client, s1 } = setup({ preservePort: true, portRange: [1024, 65535] });
    client.send(S1);
    sim.runFor(100);
    expect(s1.sources()).toEqual([`${PUBLIC}:${CLIENT.port}`]);
  });
});

describe("Nat filtering (RFC 4787 §5)", () => {
  /** The client talks to S1 only; then S1, S1b and S2 each send to the client's mapping. */
  function inbound(filtering: NatBehaviour) {
    const t = setup({ mapping: "endpoint-independent", filtering });
    t.client.send(S1);
    t.sim.runFor(100);
    const mapped = t.s1.received[0].from;
    t.client.received.length = 0;
    t.s1.send(mapped, "from s1");
    t.s1b.send(mapped, "from s1b");
    t.s2.send(mapped, "from s2");
    t.sim.runFor(100);
    return { got: t.client.texts().sort(), nat: t.nat, sim: t.sim };
  }

  it("endpoint-independent: anyone may reach the mapping (full cone)", () => {
    const { got, nat } = inbound("endpoint-independent");
    expect(got).toEqual(["from s1", "from s1b", "from s2"]);
    expect(nat.stats.filtered).toBe(0);
  });

  it("address-dependent: only hosts the client sent to (restricted cone)", () => {
    const { got, nat, sim } = inbound("address-dependent");
    expect(got).toEqual(["from s1", "from s1b"]);
    expect(nat.stats.filtered).toBe(1);
    expect(sim.network.stats.natDropped).toBe(1);
  });

  it("address-and-port-dependent: only the exact address and port (port restricted)", () => {
    const { got, nat } = inbound("address-and-port-dependent");
    expect(got).toEqual(["from s1"]);
    expect(nat.stats.filtered).toBe(2);
  });

  it("drops unsolicited datagrams to a port with no mapping", () => {
    const { sim, nat, client, s2 } = setup(NatTypes.fullCone);
    s2.send(address(PUBLIC, 50000), "hello?");
    sim.runFor(100);
    expect(client.received).toEqual([]);
    expect(nat.stats.noMapping).toBe(1);
    expect(sim.network.stats.natDropped).toBe(1);
  });

  it("hands the client the server's real address as the source", () => {
    const { sim, client } = setup(NatTypes.portRestrictedCone);
    client.send(S2);
    sim.runFor(100);
    expect(client.received.map((r) => [r.from, r.to])).toEqual([[S2, CLIENT]]);
  });
});

describe("Nat timeouts, hairpinning and realms", () => {
  it("expires an idle mapping and creates a fresh one on new outbound traffic", () => {
    const { sim, nat, client, s1 } = setup({ ...NatTypes.fullCone, mappingTimeout: 30_000 });
    client.send(S1);
    sim.runFor(100);
    const mapped: Address = s1.received[0].from;
    sim.runFor(31_000);
    s1.send(mapped, "late");
    sim.runFor(100);
    expect(client.texts()).toEqual([`${mapped.host}:${mapped.port}`]); // only the reflection
    expect(nat.stats.noMapping).toBe(1);
    expect(nat.stats.mappingsExpired).toBe(1);
    client.send(S1);
    sim.runFor(100);
    expect(nat.stats.mappingsCreated).toBe(2);
  });

  it("keeps a mapping alive with outbound keepalives", () => {
    const { sim, nat, client, s1 } = setup({ ...NatTypes.portRestrictedCone, mappingTimeout: 30_000 });
    for (let i = 0; i < 5; i++) {
      client.send(S1);
      sim.runFor(20_000);
    }
    expect(new Set(s1.sources()).size).toBe(1);
    expect(nat.stats.mappingsCreated).toBe(1);
    expect(client.received.length).toBe(5);
  });

  it("drops hairpinned datagrams by default and delivers them when hairpinning is on", () => {
    for (const hairpinning of [false, true]) {
      const sim = new Simulation({ seed: 1 });
      const nat = sim.addNat({ publicIp: PUBLIC, ...NatTypes.fullCone, hairpinning });
      const a = sim.addNode(new Box("a", address("192.168.1.10", 1000)), { behind: nat });
      const b = sim.addNode(new Box("b", address("192.168.1.11", 2000)), { behind: nat });
      const s = sim.addNode(new Box("s", S1, [], true));
      a.send(S1);
      b.send(S1);
      sim.runFor(10);
      const [ma, mb] = s.received.map((r) => r.from);
      a.send(mb, "hairpin");
      sim.runFor(10);
      if (hairpinning) {
        expect(b.texts()).toContain("hairpin");
        expect(b.received.at(-1)!.from).toEqual(ma);
      } else {
        expect(b.texts()).not.toContain("hairpin");
        expect(nat.stats.hairpinDropped).toBe(1);
      }
    }
  });

  it("routes directly between private hosts of one NAT, never into another NAT's private side", () => {
    const sim = new Simulation({ seed: 1 });
    const n1 = sim.addNat({ publicIp: PUBLIC, ...NatTypes.fullCone });
    const n2 = sim.addNat({ publicIp: "203.0.113.2", ...NatTypes.fullCone });
    const a = sim.addNode(new Box("a", address("192.168.1.10", 1000)), { behind: n1 });
    const b = sim.addNode(new Box("b", address("192.168.1.11", 1000)), { behind: n1 });
    const c = sim.addNode(new Box("c", address("10.0.0.5", 1000)), { behind: n2 });
    a.send(b.address, "lan");
    c.send(a.address, "from another lan");
    sim.runFor(10);
    expect(b.received.map((r) => [r.from, new TextDecoder().decode(r.data)])).toEqual([[a.address, "lan"]]);
    expect(a.received).toEqual([]);
    expect(sim.network.stats.unroutable).toBe(1);
    expect(n1.stats.outbound).toBe(0);
  });

  it("translates only the NAT's IP family; a dual-stack node's IPv6 address stays public", () => {
    const sim = new Simulation({ seed: 1 });
    const nat = sim.addNat({ publicIp: PUBLIC, ...NatTypes.symmetric });
    const v4 = address("192.168.1.10", 1000);
    const v6 = address("2001:db8::10", 1000);
    const node = sim.addNode(new Box("dual", v4, [v6]), { behind: nat });
    const s4 = sim.addNode(new Box("s4", S1, [], true));
    const s6 = sim.addNode(new Box("s6", address("2001:db8::1", 3478), [], true));
    node.send(S1, "x", v4);
    node.send(s6.address, "y", v6);
    sim.runFor(10);
    expect(s4.sources()[0].startsWith(`${PUBLIC}:`)).toBe(true);
    expect(s6.received[0].from).toEqual(v6);
    expect(node.received.map((r) => r.to)).toEqual([v4, v6]);
  });

  it("refuses a NAT public IP that is a node's address, and a second NAT on the same IP", () => {
    const sim = new Simulation({ seed: 1 });
    sim.addNode(new Box("s", S1));
    expect(() => sim.addNat({ publicIp: S1.host })).toThrow(/already a node/);
    sim.addNat({ publicIp: PUBLIC });
    expect(() => sim.addNat({ publicIp: PUBLIC })).toThrow(/already has public IP/);
    expect(() => sim.addNode(new Box("x", address(PUBLIC, 1)))).toThrow(/public IP/);
  });
});
