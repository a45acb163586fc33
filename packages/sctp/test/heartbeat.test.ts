import { describe, expect, it } from "vitest";
import { ChunkType } from "../src/constants.js";
import { A_ADDR, B_ADDR, connectBoth, pair } from "./helpers.js";

describe("heartbeats (RFC 9260 §8.3)", () => {
  it("an idle association probes its peer, gets answers and stays up", () => {
    const { sim, a, b } = pair({ delay: 10 }, { a: { heartbeatInterval: 1000 }, b: { heartbeatInterval: 1000 } });
    const seen = { hb: 0, ack: 0 };
    sim.network.trace = (e) => {
      if (e.type !== "send") return;
      if (e.data[12] === ChunkType.HEARTBEAT) seen.hb++;
      if (e.data[12] === ChunkType.HEARTBEAT_ACK) seen.ack++;
    };
    expect(connectBoth(sim, a, b)).toBe(true);
    sim.runFor(20_000);
    expect(seen.hb).toBeGreaterThan(10);
    expect(seen.ack).toBe(seen.hb);
    expect(a.closed).toBeUndefined();
    expect(b.closed).toBeUndefined();
  });

  it("an idle association whose peer vanished closes after Association.Max.Retrans unanswered probes", () => {
    const { sim, a, b } = pair({ delay: 10 }, { a: { heartbeatInterval: 1000, maxRetransmits: 3 } });
    expect(connectBoth(sim, a, b)).toBe(true);
    sim.network.cut(A_ADDR, B_ADDR);
    expect(sim.runUntil(() => a.closed !== undefined, { maxTime: 60_000 })).toBe(true);
    expect(a.closed).toMatchObject({ byPeer: false, error: true });
    expect(String((a.closed as { reason: string }).reason)).toMatch(/heartbeat/);
  });
});
