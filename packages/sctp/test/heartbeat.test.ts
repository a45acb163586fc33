import { describe, expect, it } from "vitest";
import { ChunkType } from "../src/constants.js";
import { SeededRandom } from "@tsrtc/base";
import { decodeHeartbeat } from "../src/chunks/control.js";
import { Heartbeat } from "../src/heartbeat.js";
import { splitChunks } from "../src/packet.js";
import { SendQueue } from "../src/send-queue.js";
import { Sender } from "../src/sender.js";
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

describe("HEARTBEAT-ACK checks (RFC 9260 §8.3)", () => {
  it("an answer that does not echo our latest probe is counted and ignored", () => {
    const s = new Sender(1, 100_000, new SendQueue(() => {}), { mtu: 1200, iData: false, rtoInitial: 1000, rtoMin: 400, rtoMax: 60_000 });
    const hb = new Heartbeat(1000, new SeededRandom(3));
    hb.start(0);
    const probe = hb.onTimeout(1000, s, 10);
    expect(probe).toBeInstanceOf(Uint8Array);
    const info = decodeHeartbeat(splitChunks(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...(probe as Uint8Array)]))![0].value);
    s.errorCount = 3;
    // forged: our format, a chosen send time, a guessed nonce
    const forged = info.slice();
    new DataView(forged.buffer).setFloat64(0, 1000 - 50_000);
    forged[8] ^= 0xff;
    hb.onAck(forged, 1010, s);
    expect(hb.stats.forgedAcks).toBe(1);
    expect(s.errorCount).toBe(3);
    expect(s.rto.srtt).toBeUndefined();
    // the real answer
    hb.onAck(info, 1010, s);
    expect(s.errorCount).toBe(0);
    expect(s.rto.srtt).toBe(10);
    // the same answer again is stale
    hb.onAck(info, 1020, s);
    expect(hb.stats.forgedAcks).toBe(2);
  });
});
