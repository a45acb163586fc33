import { describe, expect, it } from "vitest";
import { runInNetns, scenarioPath } from "./harness/run-in-netns.js";

interface DemoResult {
  url: string;
  modes: { offerer: string; signaling: string; ice: string; connection: string; channel: string; sent: string; echoes: string[]; pair: string; error: string }[];
  afterStop: { signaling: string; channel: string }[];
  exitCode: number | null;
  serverLog: string[];
}

// The demo app (examples/demo) end to end: its server started by its command line inside a private
// namespace, the page in headless Chromium, the chat echoed by the Node tsrtc peer, once with the
// browser offering and once with Node offering; then SIGTERM while both pages are connected.
describe("demo app", () => {
  it("connects Chromium to the Node peer, echoes the chat both ways of offering, shuts down cleanly", async () => {
    const r = await runInNetns<DemoResult>(scenarioPath("demo-echo.ts"), [], 90_000);
    expect(r.modes.map((m) => m.offerer)).toEqual(["browser", "node"]);
    for (const m of r.modes) {
      expect(m.error).toBe("");
      expect(m.signaling).toBe("open");
      expect(m.connection).toBe("connected");
      expect(["connected", "completed"]).toContain(m.ice);
      expect(m.channel).toBe("open");
      expect(m.echoes).toEqual([m.sent, "a second message"]);
      // The Node peer gathered on the namespace's veth addresses, not loopback.
      expect(m.pair).toMatch(/Node 198\.18\.0\.[12]:\d+/);
    }
    expect(r.serverLog.some((l) => l.includes("browser offers"))).toBe(true);
    expect(r.serverLog.some((l) => l.includes("node offers"))).toBe(true);
    expect(r.serverLog).toContain("SIGTERM: closing 2 session(s)");
    expect(r.exitCode).toBe(0);
    // The pages saw the signaling socket and the data channel close.
    expect(r.afterStop).toEqual([
      { signaling: "closed", channel: "closed" },
      { signaling: "closed", channel: "closed" },
    ]);
  }, 120_000);
});
