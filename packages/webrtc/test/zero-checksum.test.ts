import { describe, expect, it } from "vitest";
import { negotiate, simPeers } from "./engine-helpers.js";

interface SctpView {
  sctp?: { negotiated?: { zeroChecksum: boolean } };
}

describe("SCTP zero checksum between two tsrtc peers (RFC 9653, over DTLS)", () => {
  it("is negotiated by both sides and data still flows", () => {
    const { sim, a, b } = simPeers({ seed: 21 });
    const ch = a.engine.channels.create("zc", {});
    negotiate(sim, a, b);
    expect(sim.runUntil(() => ch.state === "open" && b.channels.length === 1, { maxTime: 10_000 })).toBe(true);
    expect((a.engine as unknown as SctpView).sctp?.negotiated?.zeroChecksum).toBe(true);
    expect((b.engine as unknown as SctpView).sctp?.negotiated?.zeroChecksum).toBe(true);
    for (let i = 0; i < 50; i++) a.engine.channels.send(ch, `m${i}`);
    expect(sim.runUntil(() => (b.messages.get("zc")?.length ?? 0) === 50, { maxTime: 10_000 })).toBe(true);
    expect(b.messages.get("zc")).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
  });
});
