/**
 * ICE against real Chromium (Debian's /usr/bin/chromium, headless, in a private network
 * namespace: ../../../test/harness, the repository's browser harness). Only ICE is ours here:
 * Chromium's iceConnectionState reaches "connected" on ICE alone.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { runInNetns } from "../../../test/harness/run-in-netns.js";

interface Result {
  chromeStates: string[];
  ourStates: string[];
  controlling: boolean;
  chromeCandidates: string[];
  selected: { local: string; remote: string } | null;
  chromeData: number;
  firstByte: number;
}

const scenario = join(import.meta.dirname, "scenarios/chromium-ice.ts");

describe("ICE with Chromium", () => {
  it("Chromium offers (controlling, nominating on every check), raw IP candidates", async () => {
    const r = await runInNetns<Result>(scenario, ["--offer-from=chromium", "--media"]);
    expect(r.chromeStates).toContain("connected");
    expect(r.ourStates.slice(0, 2)).toEqual(["checking", "connected"]);
    expect(r.controlling).toBe(false);
    // The signaled candidate replaced the peer-reflexive one learned from Chromium's first check.
    expect(r.selected!.remote).toMatch(/ typ host /);
  }, 60_000);

  it("we offer (controlling, regular nomination); Chromium's DTLS ClientHello reaches us as data", async () => {
    const r = await runInNetns<Result>(scenario, ["--offer-from=tsrtc", "--media"]);
    expect(r.chromeStates).toContain("connected");
    expect(r.controlling).toBe(true);
    expect(r.chromeData).toBeGreaterThan(0);
    expect(r.firstByte).toBe(22); // a DTLS handshake record, demuxed by RFC 7983
  }, 60_000);

  it("Chromium hides its host candidate behind mDNS: we fall back to peer-reflexive", async () => {
    const r = await runInNetns<Result>(scenario, ["--offer-from=chromium"]);
    expect(r.chromeCandidates.every((c) => / [0-9a-f-]{36}\.local /.test(c))).toBe(true);
    expect(r.chromeStates).toContain("connected");
    expect(r.selected!.remote).toMatch(/ typ prflx/);
  }, 60_000);
});
