import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RTCDataChannel, RTCDataChannelEvent, RTCPeerConnection } from "../src/index.js";
import { type Coturn, startCoturn } from "@tsrtc/testkit/node";
import { connect, makePc, once, until } from "./helpers.js";

describe("RTCPeerConnection through coturn (relay policy)", () => {
  let coturn: Coturn;
  beforeAll(async () => {
    coturn = await startCoturn();
  }, 15_000);
  afterAll(async () => {
    await coturn?.stop();
  });

  it("connects relay-only and exchanges data-channel messages", async () => {
    const cfg = {
      iceServers: [{ urls: `turn:127.0.0.1:${coturn.port}`, username: coturn.username, credential: coturn.password }],
      iceTransportPolicy: "relay" as const,
    };
    const a: RTCPeerConnection = makePc(cfg);
    const b: RTCPeerConnection = makePc(cfg);
    const candidatesA: string[] = [];
    a.addEventListener("icecandidate", (e) => {
      const c = (e as unknown as { candidate: { candidate: string } | null }).candidate;
      if (c) candidatesA.push(c.candidate);
    });
    try {
      const dc = a.createDataChannel("relay");
      const got = once<RTCDataChannelEvent>(b, "datachannel");
      await connect(a, b);
      await once(dc, "open");
      const remote: RTCDataChannel = (await got).channel;
      const atB: unknown[] = [];
      const atA: unknown[] = [];
      remote.onmessage = (e) => atB.push(e.data);
      dc.onmessage = (e) => atA.push(e.data);
      dc.send("through the relay");
      remote.send("and back");
      await until(() => atB.length === 1 && atA.length === 1);
      expect(atB).toEqual(["through the relay"]);
      expect(atA).toEqual(["and back"]);
      expect(candidatesA.length).toBeGreaterThan(0);
      for (const c of candidatesA) expect(c).toMatch(/ typ relay /);
      expect(a.sctp?.transport.iceTransport.getSelectedCandidatePair()?.local.type).toBe("relay");
    } finally {
      a.close();
      b.close();
    }
    await until(() => (coturn.log().match(/REFRESH processed, success/g) ?? []).length >= 2, 3000, "allocations released");
  });

  it("reports an icecandidateerror for a wrong TURN password", async () => {
    const a = makePc({ iceServers: [{ urls: `turn:127.0.0.1:${coturn.port}`, username: coturn.username, credential: "wrong" }], iceTransportPolicy: "relay" });
    try {
      const err = once<Event & { errorCode: number; url: string }>(a, "icecandidateerror");
      a.createDataChannel("x");
      await a.setLocalDescription();
      const e = await err;
      expect(e.errorCode).toBe(401);
      expect(e.url).toBe(`turn:127.0.0.1:${coturn.port}`);
    } finally {
      a.close();
    }
  });

  it("getStats: local relay candidates report the TURN URL they came from and relayProtocol udp; host candidates report neither", async () => {
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
