import { describe, expect, it } from "vitest";
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
