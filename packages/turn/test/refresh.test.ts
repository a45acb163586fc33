import { describe, expect, it } from "vitest";
import { RETRY_AFTER, RefreshSchedule } from "../src/refresh.js";

describe("RefreshSchedule (RFC 8656 §7.3, §8)", () => {
  it("refreshes a minute before expiry, half-way for short lifetimes", () => {
    const r = new RefreshSchedule();
    expect(r.deadline()).toBeUndefined();
    r.granted(600, 1000);
    expect(r.lifetime).toBe(600);
    expect(r.deadline()).toBe(1000 + 540_000);
    expect(r.due(1000 + 539_999)).toBe(false);
    expect(r.due(1000 + 540_000)).toBe(true);
    r.granted(60, 0);
    expect(r.deadline()).toBe(30_000);
  });

  it("nothing more is due while a Refresh is in flight, but the expiry still is", () => {
    const r = new RefreshSchedule();
    r.granted(600, 0);
    r.sent();
    expect(r.due(550_000)).toBe(false);
    expect(r.deadline()).toBe(600_000);
    expect(r.expired(599_999)).toBe(false);
    expect(r.expired(600_000)).toBe(true);
    r.answered();
    r.granted(600, 560_000);
    expect(r.expired(600_000)).toBe(false);
    expect(r.deadline()).toBe(560_000 + 540_000);
  });

  it("retries a timed-out Refresh while the allocation lives; a 437 or a late timeout means it is lost", () => {
    const r = new RefreshSchedule();
    r.granted(600, 0);
    r.sent();
    expect(r.failed(0, 580_000)).toBe(true);
    expect(r.deadline()).toBe(580_000 + RETRY_AFTER);
    r.sent();
    expect(r.failed(0, 596_000)).toBe(false); // under RETRY_AFTER left
    r.granted(600, 0);
    r.sent();
    expect(r.failed(437, 550_000)).toBe(false);
    r.stop();
    expect(r.deadline()).toBeUndefined();
    expect(r.expired(10_000_000)).toBe(false);
  });
});
