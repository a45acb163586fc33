import type { Transmit } from "@tsrtc/base";
import { dtlsRecords } from "@tsrtc/testkit";
import { describe, expect, it } from "vitest";
import type { PeerEngine } from "../src/engine/engine.js";
import { negotiate, simPeers } from "./engine-helpers.js";

/** The engine's datagrams, drained (what the Node driver sends at the end of a read burst). */
function drain(e: PeerEngine): Transmit[] {
  const out: Transmit[] = [];
  for (let t = e.pollTransmit(); t; t = e.pollTransmit()) out.push(t);
  return out;
}

const sctpPackets = (e: PeerEngine) => ({ sent: e.sctpAssociation!.stats.packetsSent, received: e.sctpAssociation!.stats.packetsReceived });

describe("a burst of received datagrams drained once (the Node driver's read bursts)", () => {
  it("sends the SACK owed every second packet (RFC 9260 §6.2) each in its own record, the records sharing datagrams", () => {
    const { sim, a, b } = simPeers({ seed: 31 });
    const ch = a.engine.channels.create("bulk", {});
    negotiate(sim, a, b);
    expect(sim.runUntil(() => ch.state === "open" && b.channels.length === 1, { maxTime: 10_000 })).toBe(true);
    // From here the test moves the datagrams itself, without the simulation.
    const now = sim.now + 1;
    a.engine.channels.send(ch, new Uint8Array(64 * 1024).fill(7));
    a.engine.pump(now);
    // The initial cwnd (RFC 9260 §7.2.1: min(4*MTU, max(2*MTU, 4380)) = 4380 bytes) and Max.Burst 4: 4 packets.
    const data = drain(a.engine);
    expect(data.length).toBe(4);

    const before = sctpPackets(b.engine);
    for (const t of data) b.engine.handlePacket(t.data, a.addr, b.addr, now);
    const acks = drain(b.engine);
    const after = sctpPackets(b.engine);
    // Two SACKs (after the 2nd and the 4th packet), one datagram holding both records.
    expect(after.received - before.received).toBe(4);
    expect(after.sent - before.sent).toBe(2);
    expect(acks.length).toBe(1);
    expect(dtlsRecords(acks[0].data).length).toBe(2);
    expect(b.engine.counters.datagramsSent).toBe(b.engine.counters.stunSent + b.engine.counters.packetsSent);

    // The sender takes each record as its own SACK and each as a transmission opportunity: the
    // first acks 2 packets of a full window (cwnd 4380 -> 5580, 3 packets out), the second 2 more
    // (cwnd 6780, 3 more). Taken as one opportunity after both, Max.Burst would allow only 4.
    const aBefore = sctpPackets(a.engine);
    a.engine.handlePacket(acks[0].data, b.addr, a.addr, now + 1);
    expect(sctpPackets(a.engine).received - aBefore.received).toBe(2);
    const more = drain(a.engine);
    expect(more.length).toBe(6);
  });

  it("keeps STUN and large DTLS datagrams apart and in order", () => {
    const { sim, a, b } = simPeers({ seed: 32 });
    const ch = a.engine.channels.create("bulk", {});
    negotiate(sim, a, b);
    expect(sim.runUntil(() => ch.state === "open" && b.channels.length === 1, { maxTime: 10_000 })).toBe(true);
    const now = sim.now + 1;
    a.engine.channels.send(ch, new Uint8Array(64 * 1024).fill(7));
    a.engine.pump(now);
    const data = drain(a.engine);
    // Full-size DATA packets are not merged with each other: each is one record in one datagram.
    expect(data.every((t) => dtlsRecords(t.data).length === 1 && t.data.length > 600)).toBe(true);
    for (const t of data) b.engine.handlePacket(t.data, a.addr, b.addr, now);
    // A consent check (RFC 7675, every ~5 s) comes due while the SACKs wait: it leaves alone.
    b.engine.handleTimeout(now + 6000);
    const out = drain(b.engine);
    const stun = out.filter((t) => t.data[0] < 4);
    expect(stun.length).toBeGreaterThan(0);
    // Exactly one STUN message (20-byte header + its length field) per datagram.
    for (const t of stun) expect(t.data.length).toBe(20 + ((t.data[2] << 8) | t.data[3]));
    const dtls = out.filter((t) => t.data[0] >= 20 && t.data[0] <= 63);
    expect(dtls.length).toBe(1);
    expect(dtlsRecords(dtls[0].data).length).toBeGreaterThanOrEqual(2);
  });

  it("lets a burst of SACKs release more packets than one send turn carries (slow start: 1.5x per round trip)", () => {
    const { sim, a, b } = simPeers({ seed: 33 });
    const ch = a.engine.channels.create("bulk", {});
    negotiate(sim, a, b);
    expect(sim.runUntil(() => ch.state === "open" && b.channels.length === 1, { maxTime: 10_000 })).toBe(true);
    let now = sim.now + 1;
    for (let i = 0; i < 8; i++) a.engine.channels.send(ch, new Uint8Array(256 * 1024).fill(i));
    a.engine.pump(now);
    // Each round trip, each side handles everything the other sent before draining its output.
    const sentPerRound: number[] = [];
    let toB = drain(a.engine);
    for (let round = 0; round < 12; round++) {
      sentPerRound.push(toB.length);
      now += 1;
      for (const t of toB) b.engine.handlePacket(t.data, a.addr, b.addr, now);
      const toA = drain(b.engine);
      now += 1;
      for (const t of toA) a.engine.handlePacket(t.data, b.addr, a.addr, now);
      toB = drain(a.engine);
    }
    // Every SACK acks two packets of a full window: cwnd grows one MTU (RFC 9260 §7.2.1), three
    // packets leave (an odd last packet waits for the next round). Nothing holds the sender back
    // at a queue limit within reach of one round.
    for (let i = 1; i < sentPerRound.length; i++) expect(sentPerRound[i]).toBeGreaterThanOrEqual(3 * Math.floor(sentPerRound[i - 1] / 2));
    expect(sentPerRound.at(-1)).toBeGreaterThan(200);
    expect(a.engine.sctpAssociation!.stats.packetsReceived).toBeGreaterThan(200);
  });
});
