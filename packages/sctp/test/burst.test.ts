import { SeededRandom } from "@tsrtc/base";
import { describe, expect, it } from "vitest";
import { SctpAssociation } from "../src/association.js";
import { ChunkType } from "../src/constants.js";
import { PacketBuilder, splitChunks } from "../src/packet.js";
import { SendQueue } from "../src/send-queue.js";
import { Sender } from "../src/sender.js";

function sender(maxBurst: number | undefined) {
  const q = new SendQueue(() => {});
  const s = new Sender(1000, 10_000_000, q, { mtu: 1200, iData: false, rtoInitial: 1000, rtoMin: 400, rtoMax: 10000, maxBurst });
  for (let i = 0; i < 200; i++) {
    q.push({ stream: 1, ppid: 53, data: new Uint8Array(1000), offset: 0, unordered: false, mid: -1, nextFsn: 0, maxRetransmits: Infinity, expiresAt: Infinity, abandoned: false });
  }
  s.cc.cwnd = 100_000;
  return s;
}

function drainPackets(s: Sender, now = 0): number {
  const pb = new PacketBuilder(1200);
  let n = 0;
  for (;;) {
    pb.begin(5000, 5000, 1);
    if (!s.fill(pb, 1200, now)) return n;
    pb.finish(false);
    n++;
  }
}

describe("Max.Burst (RFC 9260 §6.1 D)", () => {
  it("a sender with a large cwnd sends at most Max.Burst packets per opportunity", () => {
    const s = sender(4);
    expect(drainPackets(s)).toBe(4);
    expect(s.stats.burstLimited).toBe(1);
    // a SACK is the next opportunity: 4 more, though cwnd would allow ~80
    expect(s.handleSack({ cumTsnAck: 1000, aRwnd: 10_000_000, gaps: [], dups: [] }, 10)).toBe("ok");
    expect(drainPackets(s, 10)).toBe(4);
    expect(s.outstanding).toBe(7);
  });

  it("without a limit the whole cwnd goes at once", () => {
    const s = sender(undefined);
    expect(drainPackets(s)).toBeGreaterThan(80);
  });

  it("a T3 expiry opens a burst (the retransmission goes out)", () => {
    const s = sender(4);
    drainPackets(s);
    s.onT3(s.t3!);
    expect(drainPackets(s, 5000)).toBeGreaterThan(0);
    expect(s.stats.retransmitted).toBeGreaterThan(0);
  });

  it("with nothing in flight the sender never waits for a burst that no SACK would open", () => {
    const s = sender(1);
    expect(drainPackets(s)).toBe(1);
    // everything acknowledged by a SHUTDOWN-style ack path that does not go through fill
    expect(s.handleSack({ cumTsnAck: 1000, aRwnd: 10_000_000, gaps: [], dups: [] }, 10)).toBe("ok");
    expect(s.flightSize).toBe(0);
    expect(drainPackets(s, 10)).toBe(1);
  });

  it("an association with a grown cwnd sends data queued after a pause in bursts of 4", () => {
    const a = new SctpAssociation({ rng: new SeededRandom(1), iData: false });
    const b = new SctpAssociation({ rng: new SeededRandom(2), iData: false });
    let now = 0;
    let got = 0;
    const pump = (until: () => boolean): void => {
      for (let i = 0; i < 100_000 && !until(); i++) {
        for (let p = a.pollTransmit(now); p; p = a.pollTransmit(now)) b.handlePacket(p, now);
        for (let p = b.pollTransmit(now); p; p = b.pollTransmit(now)) a.handlePacket(p, now);
        for (let e = b.pollEvent(); e; e = b.pollEvent()) if (e.type === "message") got++;
        while (a.pollEvent());
        now += 1;
        a.handleTimeout(now);
        b.handleTimeout(now);
      }
    };
    a.connect(0);
    b.connect(0);
    pump(() => a.isEstablished && b.isEstablished);
    for (let i = 0; i < 300; i++) a.send(1, 53, new Uint8Array(8000));
    pump(() => got === 300);
    expect(got).toBe(300);
    pump(() => a.pollTimeout() === undefined || (a.pollTimeout() ?? 0) > now + 1000); // quiet, cwnd kept
    for (let i = 0; i < 50; i++) a.send(1, 53, new Uint8Array(8000));
    let dataPackets = 0;
    for (let p = a.pollTransmit(now); p; p = a.pollTransmit(now)) {
      if (splitChunks(p)?.some((c) => c.type === ChunkType.DATA)) dataPackets++;
    }
    expect(dataPackets).toBe(4);
  });
});
