import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Coturn, startCoturn } from "@tsrtc/testkit/node";
import { makePc, until } from "./helpers.js";

describe("getStats: local relay candidates (W3C webrtc-stats RTCIceCandidateStats)", () => {
  let coturn: Coturn;
  beforeAll(async () => {
    coturn = await startCoturn();
  }, 15_000);
  afterAll(async () => {
    await coturn?.stop();
  });

  it("report the TURN URL they came from and relayProtocol udp; host candidates report neither", async () => {
    const url = `turn:127.0.0.1:${coturn.port}?transport=udp`;
    const pc = makePc({ iceServers: [{ urls: url, username: coturn.username, credential: coturn.password }] });
    try {
      pc.createDataChannel("stats");
      await pc.setLocalDescription();
      await until(() => pc.iceGatheringState === "complete", 10_000, "gathering");
      const report = await pc.getStats();
      const locals = [...report.values()].filter((s) => s.type === "local-candidate");
      const relay = locals.filter((s) => s.candidateType === "relay");
      expect(relay).toHaveLength(1);
      expect(relay[0].url).toBe(url);
      expect(relay[0].relayProtocol).toBe("udp");
      const host = locals.filter((s) => s.candidateType === "host");
      expect(host.length).toBeGreaterThan(0);
      for (const h of host) {
        expect(h.url).toBeUndefined();
        expect(h.relayProtocol).toBeUndefined();
      }
    } finally {
      pc.close();
    }
  });
});
