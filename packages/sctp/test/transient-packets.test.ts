import { Simulation, pointToPoint } from "@tsrtc/testkit";
import { describe, expect, it } from "vitest";
import { A_ADDR, B_ADDR, connectBoth, drain, makePeer, payload } from "./helpers.js";

describe("transientPackets: pollTransmit reuses its packet buffer", () => {
  it("hands out every packet in the same buffer, each valid until the next call", () => {
    const sim = new Simulation({ seed: 3, conditions: { delay: 10 } });
    const a = makePeer(11, { transientPackets: true });
    const b = makePeer(12);
    const seen: Uint8Array[] = [];
    // The caller consumes each packet at once (here: a copy, as DTLS would encrypt it).
    sim.addNode(pointToPoint(a.assoc, A_ADDR, B_ADDR, {
      name: "A",
      afterInput: () => drain(a),
      poll: (c) => {
        const p = c.pollTransmit(sim.now);
        if (p) seen.push(p);
        return p?.slice();
      },
    }));
    sim.addNode(pointToPoint(b.assoc, B_ADDR, A_ADDR, { name: "B", afterInput: () => drain(b), poll: (c) => c.pollTransmit(sim.now) }));
    expect(connectBoth(sim, a, b)).toBe(true);
    for (let i = 0; i < 8; i++) a.assoc.send(1, 53, payload(i, 20_000));
    expect(sim.runUntil(() => b.messages.length === 8, { maxTime: 60_000 })).toBe(true);
    for (let i = 0; i < 8; i++) expect(Buffer.from(b.messages[i].data).equals(Buffer.from(payload(i, 20_000)))).toBe(true);
    // DATA packets (the handshake's INIT and COOKIE-ECHO are built apart) share one buffer.
    const built = seen.filter((p) => p.length > 1000);
    expect(built.length).toBeGreaterThan(100);
    expect(new Set(built.map((p) => p.buffer)).size).toBe(1);
  });

  it("is off by default: every packet has a buffer of its own", () => {
    const sim = new Simulation({ seed: 4, conditions: { delay: 10 } });
    const a = makePeer(13);
    const b = makePeer(14);
    const seen: Uint8Array[] = [];
    sim.addNode(pointToPoint(a.assoc, A_ADDR, B_ADDR, {
      name: "A",
      afterInput: () => drain(a),
      poll: (c) => {
        const p = c.pollTransmit(sim.now);
        if (p) seen.push(p);
        return p;
      },
    }));
    sim.addNode(pointToPoint(b.assoc, B_ADDR, A_ADDR, { name: "B", afterInput: () => drain(b), poll: (c) => c.pollTransmit(sim.now) }));
    expect(connectBoth(sim, a, b)).toBe(true);
    for (let i = 0; i < 4; i++) a.assoc.send(1, 53, payload(i, 20_000));
    expect(sim.runUntil(() => b.messages.length === 4, { maxTime: 60_000 })).toBe(true);
    const built = seen.filter((p) => p.length > 1000);
    expect(new Set(built.map((p) => p.buffer)).size).toBe(built.length);
  });
});
