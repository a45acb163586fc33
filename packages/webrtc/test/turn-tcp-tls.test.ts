/**
 * RTCPeerConnection through coturn with the client-server leg over TCP (`turn:...?transport=tcp`)
 * and over TLS (`turns:`, RFC 7065; the server's self-signed certificate passed as tsrtc.turnTls.ca):
 * relay-only on both sides, data-channel messages both ways, getStats relayProtocol "tcp" / "tls",
 * the allocations released on close. Without the CA, turns: is refused (icecandidateerror 701).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RTCDataChannel, RTCDataChannelEvent, RTCPeerConnection } from "../src/index.js";
import { type CoturnStreams, startCoturn } from "@tsrtc/testkit/node";
import { connect, makePc, once, until } from "./helpers.js";

describe("RTCPeerConnection through coturn over TCP and TLS (relay policy)", () => {
  let coturn: CoturnStreams;
  beforeAll(async () => {
    coturn = await startCoturn({ streams: true });
  }, 20_000);
  afterAll(async () => {
    await coturn?.stop();
  });
  const released = (): number => (coturn.log().match(/REFRESH processed, success/g) ?? []).length;

  for (const transport of ["tcp", "tls"] as const) {
    it(`${transport}: connects relay-only, exchanges messages, reports relayProtocol ${transport}`, async () => {
      const url = transport === "tcp" ? `turn:127.0.0.1:${coturn.port}?transport=tcp` : `turns:127.0.0.1:${coturn.tlsPort}`;
      const cfg = {
        iceServers: [{ urls: url, username: coturn.username, credential: coturn.password }],
        iceTransportPolicy: "relay" as const,
        tsrtc: { hosts: ["127.0.0.1"], turnTls: { ca: coturn.cert } },
      };
      const a: RTCPeerConnection = makePc(cfg);
      const b: RTCPeerConnection = makePc(cfg);
      const errors: unknown[] = [];
      a.addEventListener("icecandidateerror", (e) => errors.push(e));
      b.addEventListener("icecandidateerror", (e) => errors.push(e));
      let before = 0;
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
        const big = "x".repeat(50_000);
        dc.send("through the relay");
        dc.send(big);
        remote.send("and back");
        await until(() => atB.length === 2 && atA.length === 1, 10_000, "messages");
        expect(atB).toEqual(["through the relay", big]);
        expect(atA).toEqual(["and back"]);
        expect(a.sctp?.transport.iceTransport.getSelectedCandidatePair()?.local.type).toBe("relay");
        const report = await a.getStats();
        const relay = [...report.values()].filter((s) => s.type === "local-candidate" && s.candidateType === "relay");
        expect(relay.length).toBeGreaterThan(0);
        for (const r of relay) {
          expect(r.relayProtocol).toBe(transport);
          expect(r.url).toBe(url);
        }
        expect(errors).toEqual([]);
        before = released();
      } finally {
        a.close();
        b.close();
      }
      // Each side's Refresh with LIFETIME 0 went over its connection before it ended.
      await until(() => released() >= before + 2, 5000, "allocations released");
      // coturn saw stream connections (and, for TLS, names the TLS version of the sessions).
      expect(coturn.log().match(/tcp or tls connected to/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
      if (transport === "tls") expect(coturn.log()).toMatch(/lifetime=0, cipher=\S+, method=TLSv1\.[23]/);
    }, 30_000);
  }

  it("tls: without the server's CA the certificate is refused: icecandidateerror 701, no relay candidate", async () => {
    const url = `turns:127.0.0.1:${coturn.tlsPort}`;
    const pc = makePc({ iceServers: [{ urls: url, username: coturn.username, credential: coturn.password }], iceTransportPolicy: "relay" });
    try {
      const err = once<Event & { errorCode: number; url: string; errorText: string }>(pc, "icecandidateerror");
      pc.createDataChannel("x");
      await pc.setLocalDescription();
      const e = await err;
      expect(e.errorCode).toBe(701);
      expect(e.url).toBe(url);
      expect(e.errorText).toMatch(/certificate/i);
      await until(() => pc.iceGatheringState === "complete", 10_000, "gathering");
      expect(pc.localDescription?.sdp).not.toMatch(/typ relay/);
    } finally {
      pc.close();
    }
  });
});
