import { describe, expect, it } from "vitest";
import { ChunkType } from "../src/constants.js";
import { decodeData } from "../src/chunks/data.js";
import { PacketBuilder, splitChunks } from "../src/packet.js";
import { SendQueue } from "../src/send-queue.js";
import { Sender } from "../src/sender.js";

function sender() {
  const q = new SendQueue(() => {});
  const s = new Sender(1000, 10_000_000, q, { mtu: 1200, iData: false, rtoInitial: 1000, rtoMin: 400, rtoMax: 10000 });
  for (let i = 0; i < 10; i++) {
    q.push({ stream: 1, ppid: 53, data: new Uint8Array(1000), offset: 0, unordered: false, mid: -1, nextFsn: 0, maxRetransmits: Infinity, expiresAt: Infinity, abandoned: false });
  }
  s.cc.cwnd = 100_000;
  return s;
}

/** The TSNs of the DATA chunks in each packet the sender writes now. */
function sentTsns(s: Sender, now: number): number[] {
  const pb = new PacketBuilder(1200);
  const out: number[] = [];
  for (;;) {
    pb.begin(5000, 5000, 1);
    if (!s.fill(pb, 1200, now)) return out;
    for (const c of splitChunks(pb.finish(false)) ?? []) if (c.type === ChunkType.DATA) out.push(decodeData(c.type, c.flags, c.value).tsn);
  }
}

const sack = (cumTsnAck: number, gaps: number[]) => ({ cumTsnAck, aRwnd: 10_000_000, gaps, dups: [] });

describe("reneging (RFC 9260 §6.2, §6.2.1 D iv)", () => {
  it("gap-acked chunks are kept; when a later SACK drops them they are sent again", () => {
    const s = sender();
    expect(sentTsns(s, 0)).toEqual([1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009]);
    // TSN 1000 lost, 1001-1009 acknowledged by a gap block: out of flight, but not freed
    expect(s.handleSack(sack(999, [2, 10]), 10)).toBe("ok");
    expect(s.flightSize).toBe(1000);
    expect(s.outstanding).toBe(10);
    // the peer got 1000 and reneged on everything above it
    expect(s.handleSack(sack(1000, []), 20)).toBe("ok");
    expect(s.stats.reneged).toBe(9);
    expect(s.outstanding).toBe(9);
    expect(s.flightSize).toBe(9000);
    // T3 retransmits them (before, they stayed "acked" forever: nothing was resent, cum never moved)
    s.onT3(s.t3!);
    s.cc.cwnd = 100_000;
    expect(sentTsns(s, 2000)).toEqual([1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009]);
    expect(s.handleSack(sack(1009, []), 2100)).toBe("ok");
    expect(s.outstanding).toBe(0);
    expect(s.t3).toBeUndefined();
  });

  it("a partial renege: only the reneged chunks (and the lost one) are sent again", () => {
    const s = sender();
    sentTsns(s, 0);
    expect(s.handleSack(sack(999, [2, 10]), 10)).toBe("ok");
    // 1003-1005 reneged; the TSNs around them are still reported
    expect(s.handleSack(sack(999, [2, 3, 7, 10]), 20)).toBe("ok");
    expect(s.stats.reneged).toBe(3);
    expect(s.flightSize).toBe(4000);
    // the same picture again is no new renege
    expect(s.handleSack(sack(999, [2, 3, 7, 10]), 30)).toBe("ok");
    expect(s.stats.reneged).toBe(3);
    s.onT3(s.t3!);
    s.cc.cwnd = 100_000;
    expect(sentTsns(s, 2000)).toEqual([1000, 1003, 1004, 1005]);
  });

  it("a SACK that leaves out its highest blocks (truncated) does not count as reneging", () => {
    const s = sender();
    sentTsns(s, 0);
    expect(s.handleSack(sack(999, [2, 3, 5, 6, 8, 10]), 10)).toBe("ok");
    expect(s.handleSack(sack(999, [2, 3]), 20)).toBe("ok");
    expect(s.stats.reneged).toBe(0);
    expect(s.flightSize).toBe(3000);
  });
});
