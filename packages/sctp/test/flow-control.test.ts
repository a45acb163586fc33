import { describe, expect, it } from "vitest";
import { PacketBuilder } from "../src/packet.js";
import { SendQueue } from "../src/send-queue.js";
import { Sender } from "../src/sender.js";
import { connectBoth, pair, payload } from "./helpers.js";

interface ReceiverStats {
  receiver: { stats: { refused: number } };
}

describe("flow control (receiver window, RFC 9260 §6.2.1)", () => {
  for (const iData of [false, true]) {
    it(`a sender never overruns a small receive window, even while gaps hold data (${iData ? "I-DATA" : "DATA"})`, () => {
      const { sim, a, b } = pair({ delay: 10, loss: 0.05, jitter: 3 }, { seed: 8, a: { iData }, b: { iData, receiveWindow: 24_000, maxReceiveMessageSize: 24_000 } });
      expect(connectBoth(sim, a, b)).toBe(true);
      expect(a.assoc.negotiated?.peerRwnd).toBe(24_000);
      const N = 200;
      for (let i = 0; i < N; i++) a.assoc.send(1, 53, payload(i, 4000));
      expect(sim.runUntil(() => b.messages.length === N, { maxTime: 600_000 })).toBe(true);
      b.messages.forEach((m, i) => expect(Buffer.compare(Buffer.from(m.data), Buffer.from(payload(i, 4000)))).toBe(0));
      const refused = (b.assoc as unknown as ReceiverStats).receiver.stats.refused;
      expect(refused).toBe(0);
    });
  }
});


describe("sender window rules (unit)", () => {
  function sender(peerRwnd: number) {
    const q = new SendQueue(() => {});
    const s = new Sender(1000, peerRwnd, q, { mtu: 1200, iData: false, rtoInitial: 1000, rtoMin: 400, rtoMax: 10000 });
    for (let i = 0; i < 100; i++) {
      q.push({ stream: 1, ppid: 53, data: new Uint8Array(1000), offset: 0, unordered: false, mid: -1, nextFsn: 0, maxRetransmits: Infinity, expiresAt: Infinity, abandoned: false });
    }
    return { q, s };
  }
  const drainPackets = (s: Sender): number => {
    const pb = new PacketBuilder(1200);
    let n = 0;
    for (;;) {
      pb.begin(5000, 5000, 1);
      if (!s.fill(pb, 1200, 0)) return n;
      pb.finish(false);
      n++;
    }
  };

  it("stops at the peer's window even when cwnd allows more (§6.1 rule B)", () => {
    const { s } = sender(5000);
    s.cc.cwnd = 1_000_000;
    drainPackets(s);
    expect(s.flightSize).toBeLessThanOrEqual(5000);
    expect(s.flightSize).toBeGreaterThan(3000);
  });

  it("stops at cwnd when the window is large (§6.1 rule C), and a SACK opens it again", () => {
    const { s } = sender(1_000_000);
    const cwnd = s.cc.cwnd;
    drainPackets(s);
    expect(s.flightSize).toBeGreaterThanOrEqual(cwnd - 1000);
    expect(s.flightSize).toBeLessThan(cwnd + 1200);
    const sent = s.outstanding;
    expect(s.handleSack({ cumTsnAck: 1000 + sent - 1, aRwnd: 1_000_000, gaps: [], dups: [] }, 10)).toBe("ok");
    expect(s.flightSize).toBe(0);
    expect(s.cc.cwnd).toBeGreaterThan(cwnd);
    expect(drainPackets(s)).toBeGreaterThan(0);
  });

  it("sends one probe chunk into a zero window when nothing is in flight", () => {
    const { s } = sender(0);
    expect(drainPackets(s)).toBe(1);
    expect(s.outstanding).toBe(1);
  });

  it("fast-retransmits a chunk reported missing three times, once (§7.2.4)", () => {
    const { s } = sender(1_000_000);
    s.cc.cwnd = 100_000;
    drainPackets(s);
    const first = 1000;
    // TSN 1000 lost; three SACKs each report more TSNs above it
    for (let k = 1; k <= 3; k++) expect(s.handleSack({ cumTsnAck: first - 1, aRwnd: 1_000_000, gaps: [2, 1 + k], dups: [] }, 5)).toBe("ok");
    expect(s.stats.fastRetransmits).toBe(1);
    expect(s.cc.inFastRecovery).toBe(true);
    const pb = new PacketBuilder(1200);
    pb.begin(5000, 5000, 1);
    expect(s.fill(pb, 1200, 6)).toBe(true);
    expect(s.stats.retransmitted).toBe(1);
    for (let k = 4; k <= 8; k++) s.handleSack({ cumTsnAck: first - 1, aRwnd: 1_000_000, gaps: [2, 1 + k], dups: [] }, 7);
    expect(s.stats.fastRetransmits).toBe(1);
  });

  it("T3 expiry backs off the RTO, collapses cwnd to one MTU and marks everything outstanding", () => {
    const { s } = sender(1_000_000);
    drainPackets(s);
    const rto = s.rto.rto;
    const outstanding = s.outstanding;
    s.onT3(s.t3!);
    expect(s.rto.rto).toBe(Math.min(rto * 2, 10000));
    expect(s.cc.cwnd).toBe(1200);
    expect(s.flightSize).toBe(0);
    const pb = new PacketBuilder(1200);
    pb.begin(5000, 5000, 1);
    expect(s.fill(pb, 1200, 5000)).toBe(true);
    expect(s.stats.retransmitted).toBe(1);
    expect(s.outstanding).toBe(outstanding);
  });

  it("an idle sender halves cwnd per idle RTO, not below 4 MTU (§7.2.1)", () => {
    const { s, q } = sender(1_000_000);
    s.cc.cwnd = 40_000;
    const pb = new PacketBuilder(1200);
    pb.begin(5000, 5000, 1);
    s.fill(pb, 1200, 0);
    s.handleSack({ cumTsnAck: 1000, aRwnd: 1_000_000, gaps: [], dups: [] }, 10);
    while (q.size > 0) q.discard(q.peek()!);
    expect(s.outstanding).toBe(0);
    const cwnd = s.cc.cwnd;
    q.push({ stream: 1, ppid: 53, data: new Uint8Array(10), offset: 0, unordered: false, mid: -1, nextFsn: 0, maxRetransmits: Infinity, expiresAt: Infinity, abandoned: false });
    pb.begin(5000, 5000, 1);
    s.fill(pb, 1200, 10 + 2 * s.rto.rto + 1);
    expect(s.cc.cwnd).toBe(Math.max(cwnd >> 2, 4800));
    q.push({ stream: 1, ppid: 53, data: new Uint8Array(10), offset: 0, unordered: false, mid: -1, nextFsn: 0, maxRetransmits: Infinity, expiresAt: Infinity, abandoned: false });
    s.handleSack({ cumTsnAck: 1001, aRwnd: 1_000_000, gaps: [], dups: [] }, 20 + 2 * s.rto.rto);
    pb.begin(5000, 5000, 1);
    s.fill(pb, 1200, 1_000_000);
    expect(s.cc.cwnd).toBe(4800);
  });

  it("without FORWARD-TSN negotiated, partially reliable messages are sent reliably (nothing could skip them)", () => {
    const q = new SendQueue(() => {});
    const s = new Sender(1000, 1_000_000, q, { mtu: 1200, iData: false, rtoInitial: 1000, rtoMin: 400, rtoMax: 10000, partialReliability: false });
    q.push({ stream: 1, ppid: 53, data: new Uint8Array(100), offset: 0, unordered: false, mid: -1, nextFsn: 0, maxRetransmits: 0, expiresAt: Infinity, abandoned: false });
    const pb = new PacketBuilder(1200);
    pb.begin(5000, 5000, 1);
    expect(s.fill(pb, 1200, 0)).toBe(true);
    s.onT3(s.t3!);
    expect(s.stats.abandoned).toBe(0);
    pb.begin(5000, 5000, 1);
    expect(s.fill(pb, 1200, 2000)).toBe(true);
    expect(s.stats.retransmitted).toBe(1);
  });

  it("refuses a SACK for a TSN never sent", () => {
    const { s } = sender(1_000_000);
    drainPackets(s);
    expect(s.handleSack({ cumTsnAck: 1000 + s.outstanding, aRwnd: 1, gaps: [], dups: [] }, 1)).toBe("violation");
  });
});

describe("advertised window below the reassembly capacity (advertisedWindow)", () => {
  interface SenderView {
    sender: { peerRwnd: number; flightSize: number };
  }
  it("advertises at most the cap, yet reassembles a message larger than it", () => {
    const { sim, a, b } = pair({ delay: 5 }, { seed: 3, b: { receiveWindow: 200_000, maxReceiveMessageSize: 150_000, advertisedWindow: 30_000 } });
    expect(connectBoth(sim, a, b)).toBe(true);
    expect(a.assoc.negotiated?.peerRwnd).toBe(30_000);
    const big = payload(7, 120_000);
    a.assoc.send(1, 53, big);
    let maxFlight = 0;
    let maxRwnd = 0;
    const s = (a.assoc as unknown as SenderView).sender;
    expect(
      sim.runUntil(
        () => {
          maxFlight = Math.max(maxFlight, s.flightSize);
          maxRwnd = Math.max(maxRwnd, s.peerRwnd);
          return b.messages.length === 1;
        },
        { maxTime: 60_000 },
      ),
    ).toBe(true);
    expect(Buffer.compare(Buffer.from(b.messages[0].data), Buffer.from(big))).toBe(0);
    expect(maxRwnd).toBeLessThanOrEqual(30_000);
    expect(maxFlight).toBeLessThanOrEqual(30_000 + 1200);
    expect(maxFlight).toBeGreaterThan(0);
  });

  it("is never above receiveWindow", () => {
    const { sim, a, b } = pair({ delay: 5 }, { seed: 4, b: { receiveWindow: 50_000, maxReceiveMessageSize: 50_000, advertisedWindow: 80_000 } });
    expect(connectBoth(sim, a, b)).toBe(true);
    expect(a.assoc.negotiated?.peerRwnd).toBe(50_000);
  });
});
