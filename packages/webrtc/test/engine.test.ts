import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { address } from "@tsrtc/base";
import { NatTypes } from "@tsrtc/testkit";
import { negotiate, simPeers } from "./engine-helpers.js";

describe("PeerEngine over testkit (virtual clock, sans-IO)", () => {
  it("connects, opens a DCEP channel and carries messages both ways", () => {
    const { sim, a, b } = simPeers();
    const ch = a.engine.channels.create("chat", {});
    negotiate(sim, a, b);
    expect(a.engine.signalingState).toBe("stable");
    expect(b.engine.signalingState).toBe("stable");
    expect(sim.runUntil(() => ch.state === "open" && b.channels.length === 1, { maxTime: 10_000 })).toBe(true);
    expect(a.engine.connectionState).toBe("connected");
    expect(b.engine.connectionState).toBe("connected");
    expect(a.engine.dtlsRole).toBe("server");
    expect(b.engine.dtlsRole).toBe("client");
    expect(ch.id! % 2).toBe(1);
    a.engine.channels.send(ch, "hello");
    a.engine.channels.send(ch, new Uint8Array([1, 2, 3]));
    const bc = b.channels[0];
    expect(bc.label).toBe("chat");
    b.engine.channels.send(bc, "back");
    expect(sim.runUntil(() => (b.messages.get("chat")?.length ?? 0) === 2 && (a.messages.get("chat")?.length ?? 0) === 1, { maxTime: 5_000 })).toBe(true);
    expect(b.messages.get("chat")![0]).toBe("hello");
    expect([...(b.messages.get("chat")![1] as Uint8Array)]).toEqual([1, 2, 3]);
    expect(a.messages.get("chat")![0]).toBe("back");
  });

  it("connects through a symmetric NAT by a peer-reflexive path", () => {
    const { sim, a, b } = simPeers({
      seed: 9,
      conditions: { delay: 15 },
      addressA: address("192.168.1.10", 5000),
      addressB: address("198.51.100.2", 6000),
      natA: (s) => s.addNat({ publicIp: "203.0.113.1", ...NatTypes.symmetric }),
    });
    const ch = a.engine.channels.create("nat", {});
    negotiate(sim, a, b);
    expect(sim.runUntil(() => ch.state === "open" && b.channels.length === 1, { maxTime: 30_000 })).toBe(true);
    const sel = b.engine.iceAgent!.selectedPair!;
    expect(sel.remoteAddress.host).toBe("203.0.113.1");
    expect(sel.remote.type).toBe("prflx");
    // 15 ms each way on the virtual clock: the checks measured a 30 ms round trip.
    const rtt = b.engine.rtt.of(sel.localAddress, sel.remoteAddress)!;
    expect(rtt.responsesReceived).toBeGreaterThan(0);
    expect(rtt.currentRoundTripTime).toBeCloseTo(0.03, 6);
    a.engine.channels.send(ch, "through the NAT");
    expect(sim.runUntil(() => (b.messages.get("nat")?.length ?? 0) === 1, { maxTime: 5_000 })).toBe(true);
  });

  it("survives 10% loss with delay and delivers 200 ordered messages", () => {
    const { sim, a, b } = simPeers({ seed: 7, conditions: { loss: 0.1, delay: 20 } });
    const ch = a.engine.channels.create("lossy", {});
    negotiate(sim, a, b);
    expect(sim.runUntil(() => ch.state === "open", { maxTime: 60_000 })).toBe(true);
    for (let i = 0; i < 200; i++) a.engine.channels.send(ch, `m${i}`);
    expect(sim.runUntil(() => (b.messages.get("lossy")?.length ?? 0) === 200, { maxTime: 120_000 })).toBe(true);
    expect(b.messages.get("lossy")).toEqual(Array.from({ length: 200 }, (_, i) => `m${i}`));
  });
});


describe("PeerEngine hostile input", () => {
  it("drops RTP/RTCP and unknown first bytes from the peer, counts them, and keeps going", () => {
    const { sim, a, b } = simPeers({ seed: 3 });
    const ch = a.engine.channels.create("x", {});
    negotiate(sim, a, b);
    expect(sim.runUntil(() => ch.state === "open", { maxTime: 10_000 })).toBe(true);
    const now = sim.now;
    a.engine.handlePacket(Uint8Array.of(0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1), b.addr, a.addr, now);
    a.engine.handlePacket(Uint8Array.of(0x80, 200, 0, 1, 0, 0, 0, 0), b.addr, a.addr, now);
    a.engine.handlePacket(Uint8Array.of(0xff, 1, 2), b.addr, a.addr, now);
    a.engine.handlePacket(new Uint8Array(0), b.addr, a.addr, now);
    const d = a.engine.counters.dropped;
    expect(d.rtp).toBe(1);
    expect(d.rtcp).toBe(1);
    expect(d.unknownKind).toBe(1);
    expect(d.empty).toBe(1);
    a.engine.channels.send(ch, "after junk");
    expect(sim.runUntil(() => (b.messages.get("x")?.length ?? 0) === 1, { maxTime: 5_000 })).toBe(true);
  });

  it("never throws on random datagrams from the peer's address, before and after connecting", () => {
    const { sim, a, b } = simPeers({ seed: 4 });
    const ch = a.engine.channels.create("x", {});
    negotiate(sim, a, b);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        a.engine.handlePacket(bytes, b.addr, a.addr, sim.now);
        a.drain();
      }),
      { numRuns: 300, seed: 11 },
    );
    expect(sim.runUntil(() => ch.state === "open", { maxTime: 20_000 })).toBe(true);
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 63 }), fc.uint8Array({ minLength: 0, maxLength: 200 }), (first, rest) => {
        const d = new Uint8Array(rest.length + 1);
        d[0] = first;
        d.set(rest, 1);
        b.engine.handlePacket(d, a.addr, b.addr, sim.now);
        b.drain();
      }),
      { numRuns: 300, seed: 12 },
    );
    a.engine.channels.send(ch, "alive");
    expect(sim.runUntil(() => (b.messages.get("x")?.length ?? 0) === 1, { maxTime: 10_000 })).toBe(true);
    expect(b.engine.dtlsEndpoint!.stats.dropped.badMac + b.engine.dtlsEndpoint!.stats.dropped.truncated + b.engine.dtlsEndpoint!.stats.dropped.badVersion).toBeGreaterThan(0);
  });

  it("closes every channel on the peer when one side closes (SCTP ABORT and DTLS close_notify)", () => {
    const { sim, a, b } = simPeers({ seed: 5 });
    const ch = a.engine.channels.create("x", {});
    negotiate(sim, a, b);
    expect(sim.runUntil(() => ch.state === "open" && b.channels.length === 1, { maxTime: 10_000 })).toBe(true);
    a.engine.close(sim.now);
    for (const t of a.engine.finishClose(sim.now)) b.engine.handlePacket(t.data, a.addr, b.addr, sim.now);
    b.drain();
    expect(b.channels[0].state).toBe("closed");
    expect(b.engine.sctpState).toBe("closed");
    expect(b.engine.dtlsState).toBe("closed");
    expect(b.events.some((e) => e.type === "close")).toBe(true);
  });

  it("a negotiated channel and a DCEP channel open on both sides with the same stream parity rules", () => {
    const { sim, a, b } = simPeers({ seed: 6, conditions: { loss: 0.05, delay: 10, jitter: 5 } });
    const na = a.engine.channels.create("neg", { negotiated: true, id: 8 });
    const nb = b.engine.channels.create("neg", { negotiated: true, id: 8 });
    const dcepB = b.engine.channels.create("from-b", {});
    negotiate(sim, a, b);
    expect(sim.runUntil(() => na.state === "open" && nb.state === "open" && dcepB.state === "open" && a.channels.length === 1, { maxTime: 60_000 })).toBe(true);
    expect(dcepB.id! % 2).toBe(0); // b answered: the DTLS client takes even ids
    a.engine.channels.send(na, "neg a→b");
    b.engine.channels.send(dcepB, "dcep b→a");
    expect(sim.runUntil(() => (b.messages.get("neg")?.length ?? 0) === 1 && (a.messages.get("from-b")?.length ?? 0) === 1, { maxTime: 30_000 })).toBe(true);
  });
});

describe("PeerEngine states over time (virtual clock)", () => {
  it("goes disconnected during an outage, back to connected when it ends, failed when consent is lost", () => {
    const { sim, a, b } = simPeers({ seed: 21, conditions: { delay: 5 } });
    const ch = a.engine.channels.create("x", {});
    negotiate(sim, a, b);
    expect(sim.runUntil(() => ch.state === "open", { maxTime: 10_000 })).toBe(true);
    const states = () => a.events.filter((e) => e.type === "connectionstatechange").map((e) => (e as { state: string }).state);
    sim.network.cut(a.addr, b.addr);
    expect(sim.runUntil(() => a.engine.connectionState === "disconnected", { maxTime: 20_000 })).toBe(true);
    sim.network.restore(a.addr, b.addr);
    expect(sim.runUntil(() => a.engine.connectionState === "connected", { maxTime: 20_000 })).toBe(true);
    a.engine.channels.send(ch, "after the outage");
    expect(sim.runUntil(() => (b.messages.get("x")?.length ?? 0) === 1, { maxTime: 20_000 })).toBe(true);
    sim.network.cut(a.addr, b.addr);
    expect(sim.runUntil(() => a.engine.connectionState === "failed", { maxTime: 60_000 })).toBe(true);
    expect(a.engine.iceConnectionState).toBe("failed");
    expect(states()).toEqual(["connecting", "connected", "disconnected", "connected", "disconnected", "failed"]);
  });

  it("partially reliable unordered channel under 20% loss: no stall, no duplicates, the reliable one is complete", () => {
    const { sim, a, b } = simPeers({ seed: 22, conditions: { loss: 0.2, delay: 10 } });
    const lossy = a.engine.channels.create("lossy", { ordered: false, maxRetransmits: 0 });
    const sure = a.engine.channels.create("sure", {});
    negotiate(sim, a, b);
    expect(sim.runUntil(() => lossy.state === "open" && sure.state === "open" && b.channels.length === 2, { maxTime: 60_000 })).toBe(true);
    // Let the DCEP ACK arrive so the lossy channel really is unordered.
    sim.runFor(2_000);
    for (let i = 0; i < 300; i++) {
      a.engine.channels.send(lossy, `l${i}`);
      a.engine.channels.send(sure, `s${i}`);
      a.engine.pump(sim.now);
      sim.runFor(5);
    }
    expect(sim.runUntil(() => (b.messages.get("sure")?.length ?? 0) === 300, { maxTime: 120_000 })).toBe(true);
    sim.runFor(5_000);
    const got = (b.messages.get("lossy") ?? []) as string[];
    expect(got.length).toBeLessThan(300);
    expect(got.length).toBeGreaterThan(100);
    expect(new Set(got).size).toBe(got.length);
    for (const m of got) expect(/^l\d+$/.test(m) && Number(m.slice(1)) < 300).toBe(true);
    expect(b.messages.get("sure")).toEqual(Array.from({ length: 300 }, (_, i) => `s${i}`));
  });
});
