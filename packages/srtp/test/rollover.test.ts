/** ROC tracking and the packet index estimate of RFC 3711 §3.3.1 across sequence number wraps. */
import { describe, expect, it } from "vitest";
import { estimateRoc } from "../src/index.js";
import { ALL_PROFILES, hex, pair, rtcpRr, rtp } from "./helpers.js";

describe("estimateRoc (RFC 3711 §3.3.1)", () => {
  it.each([
    // s_l, ROC, SEQ, expected v
    [100, 0, 101, 0],
    [100, 0, 50, 0],
    [100, 3, 65500, 2], // late packet from before the wrap
    [100, 0, 65500, 0], // ... but there is no ROC -1
    [65500, 0, 10, 1], // the wrap
    [65500, 5, 65000, 5],
    [40000, 2, 7000, 3], // s_l - 32768 > SEQ
    [40000, 2, 8000, 2],
    [32767, 1, 65535, 1], // SEQ - s_l = 32768: not more than half a cycle ahead
    [32767, 1, 0, 1],
    [0, 1, 32769, 0], // SEQ - s_l > 32768
  ])("s_l=%i ROC=%i SEQ=%i -> %i", (sl, roc, seq, v) => {
    expect(estimateRoc(sl, roc, seq)).toBe(v);
  });
});

describe.each(ALL_PROFILES.map((p) => [`0x${p.toString(16).padStart(4, "0")}`, p] as const))("profile %s", (_name, profile) => {
  it("round-trips an in-order stream across the 16-bit wrap, with the ROC following", () => {
    const { client, server } = pair(profile);
    const ssrc = 0xdeadbeef;
    for (let i = 0; i < 300; i++) {
      const seq = (65400 + i) & 0xffff;
      const plain = rtp(seq, ssrc, 100 + (i % 40));
      const wire = client.local.protectRtp(plain);
      expect(wire).toBeDefined();
      expect(hex(server.remote.unprotectRtp(wire!))).toBe(hex(plain));
    }
    expect(client.local.rolloverCounter(ssrc)).toBe(1);
    expect(server.remote.rolloverCounter(ssrc)).toBe(1);
    expect(server.remote.stats.rtpUnprotected).toBe(300);
  });

  it("round-trips packets reordered around the wrap", () => {
    const { client, server } = pair(profile);
    const ssrc = 0x01020304;
    const seqs = Array.from({ length: 60 }, (_, i) => (65506 + i) & 0xffff); // 65506..65535, 0..29
    const wires = seqs.map((s) => ({ seq: s, plain: rtp(s, ssrc, 64), wire: client.local.protectRtp(rtp(s, ssrc, 64))! }));
    // Deliver in a shuffled order that crosses the wrap both ways: swap neighbours, then
    // hold back a few pre-wrap packets until well after the wrap.
    const order = wires.slice();
    for (let i = 0; i + 1 < order.length; i += 2) [order[i], order[i + 1]] = [order[i + 1], order[i]];
    const late = order.splice(25, 4); // 65531..65534 region
    order.splice(45, 0, ...late);
    for (const w of order) {
      const got = server.remote.unprotectRtp(w.wire);
      expect(got, `seq ${w.seq}: ${server.remote.lastError}`).toBeDefined();
      expect(hex(got)).toBe(hex(w.plain));
    }
    expect(server.remote.rolloverCounter(ssrc)).toBe(1);
    // Every one of them again is a replay.
    for (const w of order) expect(server.remote.unprotectRtp(w.wire)).toBeUndefined();
    expect(server.remote.stats.failures.replay).toBe(order.length);
  });

  it("follows several wraps with large forward jumps", () => {
    const { client, server } = pair(profile);
    const ssrc = 7;
    let seq = 65000;
    for (let i = 0; i < 40; i++) {
      seq = (seq + 20000) & 0xffff; // less than half a cycle each time
      const plain = rtp(seq, ssrc, 32);
      const got = server.remote.unprotectRtp(client.local.protectRtp(plain)!);
      expect(hex(got)).toBe(hex(plain));
    }
    // The first packet (seq 19464) has ROC 0 for both sides; 39 jumps later the index is
    // 19464 + 39 * 20000 = 799464, so ROC 12.
    expect(server.remote.rolloverCounter(ssrc)).toBe(12);
    expect(client.local.rolloverCounter(ssrc)).toBe(server.remote.rolloverCounter(ssrc));
  });

  it("keeps per-SSRC state for streams that appear mid-stream and wrap on their own", () => {
    const { client, server } = pair(profile);
    const a = 0xaaaa0001;
    const b = 0xbbbb0002;
    const c = 0xcccc0003;
    let sa = 65000;
    let sb = 0;
    let sc = 0;
    for (let i = 0; i < 2000; i++) {
      const batch: Uint8Array[] = [rtp(sa++ & 0xffff, a, 40)];
      if (i === 300) sb = 65300; // b starts late, close to its own wrap
      if (i >= 300) batch.push(rtp(sb++ & 0xffff, b, 50));
      if (i === 1200) sc = 12345;
      if (i >= 1200) batch.push(rtp(sc++ & 0xffff, c, 60));
      for (const plain of batch) {
        const got = server.remote.unprotectRtp(client.local.protectRtp(plain)!);
        expect(hex(got)).toBe(hex(plain));
      }
    }
    expect(server.remote.rolloverCounter(a)).toBe(1); // 65000 + 2000 wraps once
    expect(server.remote.rolloverCounter(b)).toBe(1); // 65300 + 1700 wraps once
    expect(server.remote.rolloverCounter(c)).toBe(0); // 12345 + 800 does not
    expect(server.remote.ssrcCount.rtp).toBe(3);
  });

  it("re-protects a pre-wrap sequence number after the wrap with its old ROC", () => {
    const { client, server } = pair(profile);
    const ssrc = 99;
    const late = rtp(65535, ssrc, 20);
    for (const s of [65533, 65534, 0, 1]) {
      expect(server.remote.unprotectRtp(client.local.protectRtp(rtp(s, ssrc, 20))!)).toBeDefined();
    }
    // The sender protects 65535 only now (e.g. a pacer let it through late).
    const got = server.remote.unprotectRtp(client.local.protectRtp(late)!);
    expect(hex(got)).toBe(hex(late));
    expect(client.local.rolloverCounter(ssrc)).toBe(1);
  });
});

describe.each(ALL_PROFILES.map((p) => [`0x${p.toString(16).padStart(4, "0")}`, p] as const))("profile %s: SRTCP index space", (_name, profile) => {
  it("protects index 2^31-1, then refuses (counted) instead of wrapping to index 0 (RFC 3711 §3.2.1)", () => {
    const { client, server } = pair(profile);
    const ssrc = 0x1234;
    const first = client.local.protectRtcp(rtcpRr(ssrc))!; // index 0
    client.local.setRtcpIndex(ssrc, 0x7fffffff);
    const last = client.local.protectRtcp(rtcpRr(ssrc));
    expect(last).toBeDefined();
    expect(server.remote.unprotectRtcp(last!)).toBeDefined();
    for (let i = 0; i < 3; i++) {
      expect(client.local.protectRtcp(rtcpRr(ssrc))).toBeUndefined();
      expect(client.local.lastError).toBe("exhausted");
    }
    expect(client.local.stats.failures.exhausted).toBe(3);
    expect(client.local.stats.rtcpProtected).toBe(2);
    expect(first.length).toBeGreaterThan(0);
    // Other SSRCs are unaffected.
    expect(client.local.protectRtcp(rtcpRr(ssrc + 1))).toBeDefined();
  });
});
