import { describe, expect, it } from "vitest";
import { CongestionControl } from "../src/congestion.js";

const MTU = 1200;

describe("congestion avoidance (RFC 9260 §7.2.2)", () => {
  function inAvoidance(): CongestionControl {
    const cc = new CongestionControl(MTU, 1 << 20);
    cc.ssthresh = 10 * MTU;
    cc.cwnd = 12 * MTU;
    return cc;
  }

  it("grows one MTU per cwnd of bytes acknowledged while the window is fully used", () => {
    const cc = inAvoidance();
    // 12 SACKs of one MTU each: one cwnd's worth, one increase.
    for (let i = 0; i < 11; i++) cc.onCumAck(MTU, true);
    expect(cc.cwnd).toBe(12 * MTU);
    cc.onCumAck(MTU, true);
    expect(cc.cwnd).toBe(13 * MTU);
    expect(cc.partialBytesAcked).toBe(0);
  });

  it("banks no increase from acks of an underused window: partial_bytes_acked stops at cwnd", () => {
    const cc = inAvoidance();
    // An application-limited spell: 100 MTUs acknowledged, the window never full.
    for (let i = 0; i < 100; i++) cc.onCumAck(MTU, false);
    expect(cc.partialBytesAcked).toBe(12 * MTU);
    expect(cc.cwnd).toBe(12 * MTU);
    // Back to a full window: one increase, then the normal pace again (not one per SACK).
    cc.onCumAck(MTU, true);
    expect(cc.cwnd).toBe(13 * MTU);
    for (let i = 0; i < 5; i++) cc.onCumAck(MTU, true);
    expect(cc.cwnd).toBe(13 * MTU);
  });

  it("slow start: at most one MTU per SACK, and only while the window is fully used (§7.2.1)", () => {
    const cc = new CongestionControl(MTU, 1 << 20);
    expect(cc.cwnd).toBe(4380); // min(4*MTU, max(2*MTU, 4380))
    cc.onCumAck(2 * MTU, true);
    expect(cc.cwnd).toBe(4380 + MTU);
    cc.onCumAck(2 * MTU, false);
    expect(cc.cwnd).toBe(4380 + MTU);
    cc.onCumAck(500, true);
    expect(cc.cwnd).toBe(4380 + MTU + 500);
  });
});
