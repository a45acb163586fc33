/**
 * RTCConfiguration.iceCandidatePoolSize (W3C §4.4.1.6): with a pool, candidates are gathered
 * before setLocalDescription but surface (icecandidate events, iceGatheringState) only at it.
 */
import { createSocket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import type { RTCConfiguration, RTCDataChannelEvent, RTCPeerConnection, RTCPeerConnectionIceEvent } from "../src/index.js";
import { Signaling, closeAll, makePc, once, trickle, until } from "./helpers.js";

const open: RTCPeerConnection[] = [];
afterEach(() => closeAll(...open.splice(0)));

function pc(extra: RTCConfiguration = {}): RTCPeerConnection {
  const p = makePc(extra);
  open.push(p);
  return p;
}

/** The local-candidate reports of getStats (what the engine's ICE agent has gathered). */
async function localCandidates(p: RTCPeerConnection): Promise<{ address?: string; port?: number; candidateType?: string }[]> {
  const report = await p.getStats();
  const out: { address?: string; port?: number; candidateType?: string }[] = [];
  report.forEach((s: { type: string; address?: string; port?: number; candidateType?: string }) => {
    if (s.type === "local-candidate") out.push(s);
  });
  return out;
}

async function waitForPool(p: RTCPeerConnection): Promise<void> {
  const end = Date.now() + 5000;
  while ((await localCandidates(p)).length === 0) {
    if (Date.now() > end) throw new Error("the pool gathered nothing");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Every icecandidate event of `p` ("null" for end-of-candidates), and the gathering states shown. */
function record(p: RTCPeerConnection): { candidates: (RTCPeerConnectionIceEvent["candidate"] | null)[]; states: string[] } {
  const r = { candidates: [] as (RTCPeerConnectionIceEvent["candidate"] | null)[], states: [] as string[] };
  p.addEventListener("icecandidate", (e) => r.candidates.push((e as RTCPeerConnectionIceEvent).candidate));
  p.addEventListener("icegatheringstatechange", () => r.states.push(p.iceGatheringState));
  return r;
}

/** A candidate as the helpers' signaling carries it. */
type SignaledCandidate = Extract<Parameters<Signaling["post"]>[1], { candidate: unknown }>["candidate"];

const settle = () => new Promise((r) => setTimeout(r, 50));

describe("iceCandidatePoolSize", () => {
  it("pre-gathers silently, surfaces the candidates at setLocalDescription and connects; pool size 0 gathers nothing early", async () => {
    const a = pc({ iceCandidatePoolSize: 1 });
    const none = pc({ iceCandidatePoolSize: 0 });
    const b = pc();
    const seen = record(a);
    const seenNone = record(none);
    await waitForPool(a);
    await settle();
    // Gathered in the engine, but nothing shown to the application before setLocalDescription.
    const pooled = await localCandidates(a);
    expect(pooled.some((c) => c.address === "127.0.0.1" && c.candidateType === "host")).toBe(true);
    expect(seen.candidates).toEqual([]);
    expect(seen.states).toEqual([]);
    expect(a.iceGatheringState).toBe("new");
    // Pool size 0: as before, nothing is gathered until setLocalDescription.
    expect(await localCandidates(none)).toEqual([]);
    expect(seenNone.candidates).toEqual([]);
    expect(none.iceGatheringState).toBe("new");

    const dc = a.createDataChannel("pool");
    // The offer may already carry the pooled candidates (gathering is complete on loopback).
    const offer = await a.createOffer();
    expect(offer.sdp).toContain(`a=candidate:`);
    expect(offer.sdp).toContain(` ${pooled[0].port} typ host`);
    expect(offer.sdp).toContain("a=end-of-candidates");

    // a's candidates go in its description (sent once gathering is over); b trickles.
    const s = new Signaling(a, b);
    b.addEventListener("icecandidate", (e) => {
      const c = (e as RTCPeerConnectionIceEvent).candidate;
      s.post(b, { candidate: (c ? c.toJSON() : null) as SignaledCandidate });
    });
    const ended = until(() => seen.candidates.includes(null), 5000, "end-of-candidates");
    await a.setLocalDescription(offer);
    await ended;
    // Surfaced as if gathered now: the pooled host candidate, for mid "0", then null.
    expect(seen.candidates.at(-1)).toBeNull();
    const lines = seen.candidates.filter((c) => c !== null);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some((c) => c!.candidate.includes(` ${pooled[0].port} typ host`))).toBe(true);
    for (const c of lines) {
      expect(c!.sdpMid).toBe("0");
      expect(c!.sdpMLineIndex).toBe(0);
    }
    expect(seen.states).toEqual(["gathering", "complete"]);
    expect(a.iceGatheringState).toBe("complete");

    const gotChannel = once<RTCDataChannelEvent>(b, "datachannel");
    s.post(a, { description: a.localDescription!.toJSON() as { type: "offer"; sdp: string } });
    await once(dc, "open");
    const remote = (await gotChannel).channel;
    const got = once<MessageEvent>(remote, "message");
    dc.send("pooled");
    expect((await got).data).toBe("pooled");
    expect(a.sctp?.transport.iceTransport.role).toBe("controlling");
    expect(s.errors).toEqual([]);
  });

  it("a remote offer arriving first makes the pooled agent controlled, and still connects", async () => {
    const a = pc();
    const b = pc({ iceCandidatePoolSize: 1 });
    const seenB = record(b);
    await waitForPool(b);
    await settle();
    expect(seenB.candidates).toEqual([]);
    const pooled = await localCandidates(b);

    const dc = a.createDataChannel("first");
    const gotChannel = once<RTCDataChannelEvent>(b, "datachannel");
    const s = new Signaling(a, b);
    trickle(s);
    await a.setLocalDescription();
    s.post(a, { description: a.localDescription!.toJSON() as { type: "offer"; sdp: string } });
    await once(dc, "open");
    const remote = (await gotChannel).channel;
    expect(b.sctp?.transport.iceTransport.role).toBe("controlled");
    expect(a.sctp?.transport.iceTransport.role).toBe("controlling");
    // b's pooled candidates surfaced at its setLocalDescription(answer), ending with null.
    await until(() => seenB.candidates.includes(null), 5000, "b's end-of-candidates");
    expect(seenB.candidates.some((c) => c !== null && c.candidate.includes(` ${pooled[0].port} typ host`))).toBe(true);
    const got = once<MessageEvent>(dc, "message");
    remote.send("back");
    expect((await got).data).toBe("back");
    expect(s.errors).toEqual([]);
  });

  it("setConfiguration starts the pool when the size goes from 0 to 1, and cannot change it after setLocalDescription", async () => {
    const a = pc();
    const seen = record(a);
    await a.getStats();
    a.setConfiguration({ iceCandidatePoolSize: 1 });
    expect(a.getConfiguration().iceCandidatePoolSize).toBe(1);
    await waitForPool(a);
    await settle();
    expect(seen.candidates).toEqual([]);
    expect(a.iceGatheringState).toBe("new");

    a.createDataChannel("x");
    await a.setLocalDescription();
    expect(a.signalingState).toBe("have-local-offer");
    let err: unknown;
    try {
      a.setConfiguration({ iceCandidatePoolSize: 2 });
    } catch (e) {
      err = e;
    }
    expect((err as DOMException | undefined)?.name).toBe("InvalidModificationError");
    expect(a.getConfiguration().iceCandidatePoolSize).toBe(1);
    // The same size is no change: allowed.
    expect(() => a.setConfiguration({ iceCandidatePoolSize: 1 })).not.toThrow();
    await until(() => seen.candidates.includes(null), 5000, "end-of-candidates");
  });

  it("setting the pool size back to 0 before setLocalDescription discards the pool", async () => {
    const a = pc({ iceCandidatePoolSize: 1 });
    await waitForPool(a);
    a.setConfiguration({ iceCandidatePoolSize: 0 });
    expect(await localCandidates(a)).toEqual([]);
    // Gathering then happens as without a pool, at setLocalDescription.
    const seen = record(a);
    a.createDataChannel("x");
    await a.setLocalDescription();
    await until(() => seen.candidates.includes(null), 5000, "end-of-candidates");
    expect(seen.candidates.filter((c) => c !== null).length).toBeGreaterThan(0);
  });
  it("after a rollback (glare) the pool gathers again, and the remote offer uses it", async () => {
    const a = pc({ iceCandidatePoolSize: 1 });
    const b = pc();
    const seen = record(a);
    await waitForPool(a);
    a.createDataChannel("glare");
    await a.setLocalDescription();
    await until(() => seen.candidates.includes(null), 5000, "a's end-of-candidates");
    const gotChannel = once<RTCDataChannelEvent>(a, "datachannel");
    const dc = b.createDataChannel("b");
    await b.setLocalDescription();
    await until(() => b.iceGatheringState === "complete", 5000, "b's gathering");
    // b's offer rolls a's back (W3C §4.4.1.5); a's new agent comes from the pool, already gathered.
    await a.setRemoteDescription(b.localDescription!);
    expect(a.signalingState).toBe("have-remote-offer");
    expect((await localCandidates(a)).length).toBeGreaterThan(0);
    const nullsBefore = seen.candidates.filter((c) => c === null).length;
    await a.setLocalDescription();
    await until(() => seen.candidates.filter((c) => c === null).length > nullsBefore, 5000, "a's second end-of-candidates");
    expect(a.localDescription!.sdp).toContain("a=candidate:");
    await b.setRemoteDescription(a.localDescription!);
    await once(dc, "open");
    expect((await gotChannel).channel.label).toBe("b");
    expect(a.sctp?.transport.iceTransport.role).toBe("controlled");
  });
  it("new ICE servers renew an unused pool: it contacts the new STUN server before setLocalDescription", async () => {
    const sock = createSocket("udp4");
    const got: Buffer[] = [];
    sock.on("message", (m) => got.push(m));
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
    try {
      const a = pc({ iceCandidatePoolSize: 1 });
      const seen = record(a);
      await waitForPool(a);
      a.setConfiguration({ iceCandidatePoolSize: 1, iceServers: [{ urls: `stun:127.0.0.1:${sock.address().port}` }] });
      await until(() => got.length > 0, 5000, "a Binding request from the renewed pool");
      expect(got[0].readUInt16BE(0)).toBe(0x0001); // Binding request (RFC 8489 §5)
      expect(got[0].readUInt32BE(4)).toBe(0x2112a442);
      expect(a.signalingState).toBe("stable");
      expect(seen.candidates).toEqual([]);
      expect((await localCandidates(a)).some((c) => c.candidateType === "host")).toBe(true);
    } finally {
      sock.close();
    }
  });
});
