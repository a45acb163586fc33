import { describe, expect, it } from "vitest";
import { runInNetns, scenarioPath } from "./harness/run-in-netns.js";

// The browser harness itself: Chromium runs headless inside a private namespace and gathers on
// the namespace's veth addresses (mDNS names without media permission, raw IPs with it).
describe("Chromium harness", () => {
  it("gathers mDNS host candidates without media permission", async () => {
    const r = await runInNetns<{ candidates: string[]; version: string }>(scenarioPath("chromium-gather.ts"));
    expect(r.candidates.length).toBeGreaterThan(0);
    expect(r.candidates.some((c) => /\.local \d+ typ host/.test(c))).toBe(true);
    expect(r.candidates.some((c) => c.includes("198.18.0."))).toBe(false);
  });

  it("gathers raw 198.18.0.x host candidates with media permission", async () => {
    const r = await runInNetns<{ candidates: string[] }>(scenarioPath("chromium-gather.ts"), ["--media"]);
    expect(r.candidates.some((c) => / 198\.18\.0\.[12] \d+ typ host/.test(c))).toBe(true);
  });
});
