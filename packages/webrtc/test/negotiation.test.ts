import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { RTCDataChannel, RTCDataChannelEvent, RTCPeerConnection } from "../src/index.js";
import { Signaling, closeAll, connect, makePc, once, trickle, until } from "./helpers.js";

const open: RTCPeerConnection[] = [];
afterEach(() => closeAll(...open.splice(0)));

function pcs(extra = {}): [RTCPeerConnection, RTCPeerConnection] {
  const a = makePc(extra);
  const b = makePc(extra);
  open.push(a, b);
  return [a, b];
}

async function echoCheck(x: RTCDataChannel, y: RTCDataChannel, text: string): Promise<void> {
  const got = once<MessageEvent>(y, "message");
  x.send(text);
  expect((await got).data).toBe(text);
}

describe("JSEP for data channels", () => {
  it("writes an offer shaped like a browser's", async () => {
    const [a] = pcs();
    a.createDataChannel("x");
    const offer = await a.createOffer();
    expect(offer.type).toBe("offer");
    const lines = offer.sdp!.trim().split("\r\n");
    expect(lines[0]).toBe("v=0");
    expect(lines[1]).toMatch(/^o=- \d+ \d+ IN IP4 127\.0\.0\.1$/);
    expect(lines.slice(2, 7)).toEqual(["s=-", "t=0 0", "a=group:BUNDLE 0", "a=extmap-allow-mixed", "a=msid-semantic: WMS"]);
    expect(lines[7]).toBe("m=application 9 UDP/DTLS/SCTP webrtc-datachannel");
    expect(lines[8]).toBe("c=IN IP4 0.0.0.0");
    expect(lines).toContain("a=ice-options:trickle");
    expect(lines).toContain("a=setup:actpass");
    expect(lines).toContain("a=mid:0");
    expect(lines).toContain("a=sctp-port:5000");
    expect(lines).toContain("a=max-message-size:262144");
    expect(lines.find((l) => l.startsWith("a=ice-ufrag:"))).toMatch(/^a=ice-ufrag:[A-Za-z0-9+/]{4,}$/);
    expect(lines.find((l) => l.startsWith("a=ice-pwd:"))).toMatch(/^a=ice-pwd:[A-Za-z0-9+/]{22,}$/);
    const fp = lines.find((l) => l.startsWith("a=fingerprint:"))!;
    const cert = a.getConfiguration().certificates![0];
    expect(fp).toBe(`a=fingerprint:sha-256 ${cert.getFingerprints()[0].value}`);
    // Once set, the local description gains the gathered candidates.
    await a.setLocalDescription(offer);
    expect(a.signalingState).toBe("have-local-offer");
    expect(a.pendingLocalDescription?.sdp).toMatch(/a=candidate:\d+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host/);
    expect(a.currentLocalDescription).toBeNull();
  });

  it("answers a Chromium offer (setup active, BUNDLE) and rejects the media sections it cannot do", async () => {
    const [a] = pcs();
    const dir = "/work/shared/fixtures/sdp";
    await a.setRemoteDescription({ type: "offer", sdp: readFileSync(`${dir}/chromium-156-offer-dc.sdp`, "utf8") });
    expect(a.signalingState).toBe("have-remote-offer");
    expect(a.canTrickleIceCandidates).toBe(true);
    const answer = await a.createAnswer();
    expect(answer.sdp).toContain("a=setup:active");
    expect(answer.sdp).toContain("a=group:BUNDLE 0");
    expect(answer.sdp).toContain("m=application 9 UDP/DTLS/SCTP webrtc-datachannel");
    await a.setLocalDescription(answer);
    expect(a.signalingState).toBe("stable");
    expect(a.sctp).not.toBeNull();
    expect(a.sctp!.maxMessageSize).toBe(262144);

    const [b] = pcs();
    await b.setRemoteDescription({ type: "offer", sdp: readFileSync(`${dir}/chromium-156-offer-av-dc.sdp`, "utf8") });
    const av = (await b.createAnswer()).sdp!;
    const mLines = av.split("\r\n").filter((l) => l.startsWith("m="));
    expect(mLines.length).toBe(3);
    expect(mLines[0]).toMatch(/^m=audio 0 /);
    expect(mLines[1]).toMatch(/^m=video 0 /);
    expect(mLines[2]).toBe("m=application 9 UDP/DTLS/SCTP webrtc-datachannel");
    expect(av).toContain("a=group:BUNDLE 2");
  });

  it("connects without trickle: full descriptions with candidates and end-of-candidates", async () => {
    const [a, b] = pcs();
    const dc = a.createDataChannel("full");
    const ch = once<RTCDataChannelEvent>(b, "datachannel");
    await a.setLocalDescription();
    if (a.iceGatheringState !== "complete") await once(a, "icegatheringstatechange");
    expect(a.iceGatheringState).toBe("complete");
    const offer = a.localDescription!;
    expect(offer.sdp).toContain("a=end-of-candidates");
    expect(offer.sdp).toMatch(/a=candidate:/);
    await b.setRemoteDescription(offer);
    await b.setLocalDescription();
    if (b.iceGatheringState !== "complete") await once(b, "icegatheringstatechange");
    const answer = b.localDescription!;
    expect(answer.type).toBe("answer");
    expect(answer.sdp).toMatch(/a=candidate:/);
    await a.setRemoteDescription(answer);
    await once(dc, "open");
    await echoCheck(dc, (await ch).channel, "no trickle needed");
    expect(a.currentRemoteDescription?.sdp).toBe(answer.sdp);
    expect(b.currentRemoteDescription?.sdp).toBe(offer.sdp);
  });

  it("trickles candidates as icecandidate events, ending with a null candidate", async () => {
    const [a, b] = pcs();
    const seen: (string | null)[] = [];
    a.onicecandidate = (e) => seen.push(e.candidate ? e.candidate.candidate : null);
    const dc = a.createDataChannel("t");
    const ch = once<RTCDataChannelEvent>(b, "datachannel");
    await connect(a, b);
    await once(dc, "open");
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.at(-1)).toBeNull();
    expect(seen[0]).toMatch(/^candidate:\d+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host/);
    await echoCheck((await ch).channel, dc, "trickled");
  });

  it("rolls back a local offer, then answers the peer's", async () => {
    const [a, b] = pcs();
    a.createDataChannel("a-side");
    const states: string[] = [];
    a.onsignalingstatechange = () => states.push(a.signalingState);
    await a.setLocalDescription();
    expect(a.signalingState).toBe("have-local-offer");
    await a.setLocalDescription({ type: "rollback" });
    expect(a.signalingState).toBe("stable");
    expect(a.pendingLocalDescription).toBeNull();
    expect(a.iceGatheringState).toBe("new");
    const dc = b.createDataChannel("b-side");
    const ch = once<RTCDataChannelEvent>(a, "datachannel");
    await connect(b, a);
    await once(dc, "open");
    expect(states).toEqual(["have-local-offer", "stable", "have-remote-offer", "stable"]);
    await echoCheck(dc, (await ch).channel, "after rollback");
  });

  it("perfect negotiation: both offer at once, the polite peer rolls back, every channel opens", async () => {
    const [a, b] = pcs();
    const s = new Signaling(a, b);
    const polite = new Map([[a, false], [b, true]]);
    const making = new Map([[a, false], [b, false]]);
    const ignore = new Map([[a, false], [b, false]]);
    const seq = new Map<RTCPeerConnection, string[]>([[a, []], [b, []]]);
    for (const pc of [a, b]) {
      pc.onnegotiationneeded = async () => {
        try {
          making.set(pc, true);
          await pc.setLocalDescription();
          s.post(pc, { description: pc.localDescription!.toJSON() as { type: "offer"; sdp: string } });
        } finally {
          making.set(pc, false);
        }
      };
      pc.addEventListener("signalingstatechange", () => seq.get(pc)!.push(pc.signalingState));
    }
    trickle(s);
    s.onMessage = async (to, _from, m) => {
      if ("description" in m) {
        const d = m.description;
        const collision = d.type === "offer" && (making.get(to) || to.signalingState !== "stable");
        ignore.set(to, !polite.get(to) && collision);
        if (ignore.get(to)) return;
        await to.setRemoteDescription(d as { type: "offer" | "answer"; sdp: string });
        if (d.type === "offer") {
          await to.setLocalDescription();
          s.post(to, { description: to.localDescription!.toJSON() as { type: "answer"; sdp: string } });
        }
      } else {
        try {
          await to.addIceCandidate(m.candidate ?? undefined);
        } catch (e) {
          if (!ignore.get(to)) throw e;
        }
      }
    };
    const fromA = a.createDataChannel("from-a");
    const fromB = b.createDataChannel("from-b");
    const atA = once<RTCDataChannelEvent>(a, "datachannel");
    const atB = once<RTCDataChannelEvent>(b, "datachannel");
    await Promise.all([once(fromA, "open", 15_000), once(fromB, "open", 15_000)]);
    // Both offered; the impolite peer's offer won, the polite one rolled its own back.
    expect(seq.get(a)).toEqual(["have-local-offer", "stable"]);
    expect(seq.get(b)).toEqual(["have-local-offer", "stable", "have-remote-offer", "stable"]);
    await echoCheck(fromA, (await atB).channel, "a to b");
    await echoCheck(fromB, (await atA).channel, "b to a");
    expect(a.signalingState).toBe("stable");
    expect(b.signalingState).toBe("stable");
    expect(s.errors).toEqual([]);
  });

  it("restartIce renegotiates new credentials and the channel stays up", async () => {
    const [a, b] = pcs();
    const dc = a.createDataChannel("keep");
    const ch = once<RTCDataChannelEvent>(b, "datachannel");
    const s = await connect(a, b);
    await once(dc, "open");
    const remote = (await ch).channel;
    const ufragOf = (pc: RTCPeerConnection) => /a=ice-ufrag:(\S+)/.exec(pc.localDescription!.sdp)![1];
    const before = [ufragOf(a), ufragOf(b)];
    const got: string[] = [];
    remote.onmessage = (e) => got.push(e.data as string);
    const nn = once(a, "negotiationneeded");
    a.restartIce();
    await nn;
    await a.setLocalDescription();
    expect(ufragOf(a)).not.toBe(before[0]);
    s.post(a, { description: a.localDescription!.toJSON() as { type: "offer"; sdp: string } });
    for (let i = 0; i < 50; i++) {
      dc.send(`during ${i}`);
      await new Promise((r) => setTimeout(r, 4));
    }
    await until(() => a.signalingState === "stable" && b.signalingState === "stable");
    expect(ufragOf(b)).not.toBe(before[1]);
    await until(() => a.sctp!.transport.iceTransport.getRemoteParameters()?.usernameFragment === ufragOf(b));
    await until(() => got.length === 50);
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => `during ${i}`));
    await until(() => a.iceConnectionState === "completed" || a.iceConnectionState === "connected");
    await echoCheck(dc, remote, "after restart");
    expect(dc.readyState).toBe("open");
    expect(a.connectionState).toBe("connected");
    expect(s.errors).toEqual([]);
  });

  it("fails the connection when the answer's fingerprint does not match the certificate", async () => {
    const [a, b] = pcs();
    a.createDataChannel("x");
    const s = new Signaling(a, b);
    trickle(s);
    s.onMessage = async (to, _from, m) => {
      if ("description" in m) {
        let sdp = m.description.sdp!;
        if (m.description.type === "answer") sdp = sdp.replace(/(a=fingerprint:sha-256 )([0-9A-F]{2})/, (_x, p, h) => p + (h === "00" ? "01" : "00"));
        await to.setRemoteDescription({ type: m.description.type as "offer" | "answer", sdp });
        if (m.description.type === "offer") {
          await to.setLocalDescription();
          s.post(to, { description: to.localDescription!.toJSON() as { type: "answer"; sdp: string } });
        }
      } else await to.addIceCandidate(m.candidate ?? undefined);
    };
    const dtlsError = new Promise<Event>((r) => a.sctp === null && a.addEventListener("signalingstatechange", () => a.sctp?.transport.addEventListener("error", r, { once: true })));
    await a.setLocalDescription();
    s.post(a, { description: a.localDescription!.toJSON() as { type: "offer"; sdp: string } });
    await until(() => a.connectionState === "failed", 15_000, "failed");
    const err = (await dtlsError) as Event & { error: { errorDetail: string; name: string } };
    expect(err.error.name).toBe("OperationError");
    expect(err.error.errorDetail).toBe("fingerprint-failure");
    expect(a.sctp!.transport.state).toBe("failed");
    const stats = await a.getStats();
    expect(stats.get("T01")!.dtlsState).toBe("failed");
  });

  it("renegotiates in both directions without restart and keeps the channel and DTLS roles", async () => {
    const [a, b] = pcs();
    const dc = a.createDataChannel("stay");
    const ch = once<RTCDataChannelEvent>(b, "datachannel");
    const s = await connect(a, b);
    await once(dc, "open");
    const remote = (await ch).channel;
    const ufrag = /a=ice-ufrag:(\S+)/.exec(a.localDescription!.sdp)![1];
    // b offers this time
    await b.setLocalDescription();
    expect(b.localDescription!.sdp).toContain("a=setup:actpass");
    s.post(b, { description: b.localDescription!.toJSON() as { type: "offer"; sdp: string } });
    await until(() => a.signalingState === "stable" && b.signalingState === "stable" && a.currentLocalDescription?.type === "answer");
    // a answers "passive": it stays the DTLS server it already is (RFC 8842 §5.5)
    expect(a.currentLocalDescription!.sdp).toContain("a=setup:passive");
    // and a offers again
    await a.setLocalDescription();
    s.post(a, { description: a.localDescription!.toJSON() as { type: "offer"; sdp: string } });
    await until(() => a.signalingState === "stable" && a.currentLocalDescription?.type === "offer");
    expect(/a=ice-ufrag:(\S+)/.exec(a.localDescription!.sdp)![1]).toBe(ufrag);
    expect(b.currentLocalDescription!.sdp).toContain("a=setup:active");
    await echoCheck(dc, remote, "after two renegotiations");
    await echoCheck(remote, dc, "and back");
    expect(s.errors).toEqual([]);
  });

  it("iceTransportPolicy relay without a TURN server gathers nothing, not even a host candidate", async () => {
    const [a] = pcs({ iceTransportPolicy: "relay" });
    const seen: unknown[] = [];
    a.onicecandidate = (e) => seen.push(e.candidate);
    a.createDataChannel("x");
    await a.setLocalDescription();
    await until(() => a.iceGatheringState === "complete");
    await until(() => seen.length === 1);
    expect(seen).toEqual([null]);
    expect(a.localDescription!.sdp).not.toContain("a=candidate");
  });

  it("goes through pranswer on both sides before the final answer", async () => {
    const [a, b] = pcs();
    const dc = a.createDataChannel("pr");
    const ch = once<RTCDataChannelEvent>(b, "datachannel");
    await a.setLocalDescription();
    await until(() => a.iceGatheringState === "complete");
    await b.setRemoteDescription(a.localDescription!);
    const answer = await b.createAnswer();
    await b.setLocalDescription({ type: "pranswer", sdp: answer.sdp });
    expect(b.signalingState).toBe("have-local-pranswer");
    await until(() => b.iceGatheringState === "complete");
    await a.setRemoteDescription({ type: "pranswer", sdp: b.localDescription!.sdp });
    expect(a.signalingState).toBe("have-remote-pranswer");
    expect(a.pendingRemoteDescription?.type).toBe("pranswer");
    await b.setLocalDescription({ type: "answer", sdp: answer.sdp });
    expect(b.signalingState).toBe("stable");
    await a.setRemoteDescription({ type: "answer", sdp: b.localDescription!.sdp });
    expect(a.signalingState).toBe("stable");
    expect(a.currentRemoteDescription?.type).toBe("answer");
    await once(dc, "open");
    await echoCheck(dc, (await ch).channel, "after pranswer");
  });
});
