/**
 * TURN allocations over the life of an RTCPeerConnection, against our own TurnServer (its Node
 * runner on loopback, private peers allowed), which shows the live allocations:
 * - an ICE agent dropped before close() releases its allocations (RFC 8656 §8: Refresh with
 *   LIFETIME 0): a discarded candidate pool (iceCandidatePoolSize 0, or new ICE servers making it
 *   gather again) and a rollback of the first offer;
 * - setConfiguration's iceTransportPolicy reaches the ICE agent from its next gathering phase
 *   (W3C §4.4.1.6, RFC 8829 §3.5.3): "relay" then an ICE restart gathers relay candidates only and
 *   the peers reconnect through the relay; "all" again brings the host candidates back.
 */
import { type RunningTurnServer, startTurnServer } from "@tsrtc/turn/node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RTCConfiguration, RTCDataChannel, RTCDataChannelEvent, RTCIceServer, RTCPeerConnection, RTCPeerConnectionIceEvent } from "../src/index.js";
import { closeAll, connect, makePc, once, until } from "./helpers.js";

/** A fresh server per test: what one test leaves on it cannot change what the next one counts. */
let turn: RunningTurnServer;
beforeEach(async () => {
  turn = await startTurnServer({ host: "127.0.0.1", port: 0, realm: "tsrtc.test", users: { user: "pass" }, allowPrivatePeers: true });
});
const open: RTCPeerConnection[] = [];
afterEach(async () => {
  closeAll(...open.splice(0));
  await turn?.close();
});

function pc(extra: RTCConfiguration = {}): RTCPeerConnection {
  const p = makePc(extra);
  open.push(p);
  return p;
}

function turnServer(url = `turn:127.0.0.1:${turn.address.port}`): RTCIceServer {
  return { urls: url, username: "user", credential: "pass" };
}

/** Allocations made so far, and those live now. */
const made = (): number => turn.core.stats.allocations;
const live = (): number => turn.core.allocationCount;

/** The relay candidates the engine's agent holds (getStats local-candidate). */
async function relayCandidates(p: RTCPeerConnection): Promise<number> {
  let n = 0;
  (await p.getStats()).forEach((s: { type: string; candidateType?: string }) => {
    if (s.type === "local-candidate" && s.candidateType === "relay") n++;
  });
  return n;
}

async function untilAsync(cond: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("TURN allocations of an ICE agent dropped before close() are released (RFC 8656 §8)", () => {
  it("setConfiguration({iceCandidatePoolSize: 0}) discards the pool and releases its allocation", async () => {
    const cfg = { iceServers: [turnServer()] };
    const a = pc({ ...cfg, iceCandidatePoolSize: 1 });
    await untilAsync(async () => (await relayCandidates(a)) === 1, "the pool's relay candidate");
    expect(made()).toBe(1);
    expect(live()).toBe(1);
    a.setConfiguration({ ...cfg, iceCandidatePoolSize: 0 });
    await until(() => live() === 0, 3000, "the pool's allocation released");
    expect(await relayCandidates(a)).toBe(0);
  });

  it("new ICE servers make the pool gather again: the old allocation is released before the new Allocate (no 437)", async () => {
    const a = pc({ iceServers: [turnServer()], iceCandidatePoolSize: 1 });
    await untilAsync(async () => (await relayCandidates(a)) === 1, "the pool's relay candidate");
    const first = [...turn.core.allocations()][0].relayed;
    // The same server under another URL: new ICE servers for the pool, the same 5-tuple for TURN.
    a.setConfiguration({ iceServers: [turnServer(`turn:127.0.0.1:${turn.address.port}?transport=udp`)], iceCandidatePoolSize: 1 });
    // Without the release the server still holds the 5-tuple and answers the new Allocate 437.
    await until(() => made() === 2, 5000, "a second allocation");
    await until(() => live() === 1, 3000, "one live allocation");
    expect([...turn.core.allocations()][0].relayed).not.toEqual(first);
    await untilAsync(async () => (await relayCandidates(a)) === 1, "the new pool's relay candidate");
    expect(turn.core.stats.responses[437] ?? 0).toBe(0);
    a.close();
    await until(() => live() === 0, 3000, "released at close");
  });

  it("a rollback of the first offer releases the allocation; the next offer allocates again", async () => {
    const a = pc({ iceServers: [turnServer()] });
    a.createDataChannel("x");
    await a.setLocalDescription();
    await until(() => a.iceGatheringState === "complete", 10_000, "gathering");
    expect(made()).toBe(1);
    expect(live()).toBe(1);
    await a.setLocalDescription({ type: "rollback" });
    expect(a.signalingState).toBe("stable");
    await until(() => live() === 0, 3000, "the rolled-back agent's allocation released");
    // A new agent allocates from the same socket: the server took the release first.
    const relays: string[] = [];
    a.addEventListener("icecandidate", (e) => {
      const c = (e as RTCPeerConnectionIceEvent).candidate;
      if (c && / typ relay /.test(c.candidate)) relays.push(c.candidate);
    });
    await a.setLocalDescription();
    await until(() => relays.length === 1, 10_000, "a relay candidate of the new offer");
    expect(made()).toBe(2);
    expect(live()).toBe(1);
    expect(turn.core.stats.responses[437] ?? 0).toBe(0);
  });
});

describe("setConfiguration's iceTransportPolicy applies from the next gathering phase (RFC 8829 §3.5.3)", () => {
  it("an unused candidate pool gathers again under the new policy (its old allocation released), and the first offer has relay candidates only", async () => {
    const iceServers = [turnServer()];
    const a = pc({ iceServers, iceCandidatePoolSize: 1 });
    const types = async (): Promise<string[]> => {
      const out: string[] = [];
      (await a.getStats()).forEach((s: { type: string; candidateType?: string }) => {
        if (s.type === "local-candidate" && s.candidateType !== undefined) out.push(s.candidateType);
      });
      return out.sort();
    };
    await untilAsync(async () => (await types()).join() === "host,relay", "the pool's host and relay candidates");
    a.setConfiguration({ iceServers, iceCandidatePoolSize: 1, iceTransportPolicy: "relay" });
    await until(() => made() === 2 && live() === 1, 5000, "the pool's allocation made again, the old one released");
    await untilAsync(async () => (await types()).join() === "relay", "the new pool's relay candidate only");
    a.createDataChannel("x");
    await a.setLocalDescription();
    await until(() => a.iceGatheringState === "complete", 10_000, "gathering");
    const lines = a.localDescription!.sdp.split("\r\n").filter((l) => l.startsWith("a=candidate:"));
    expect(lines.length).toBe(1);
    expect(lines[0]).toMatch(/ typ relay raddr 0\.0\.0\.0 rport 0/);
  });

  it("relay + restartIce: the new offer has relay candidates only and the peers reconnect through the relay; all + restartIce: host candidates again", async () => {
    const iceServers = [turnServer()];
    const a = pc({ iceServers });
    const b = pc();
    const cands: string[] = [];
    a.addEventListener("icecandidate", (e) => {
      const c = (e as RTCPeerConnectionIceEvent).candidate;
      if (c && c.candidate !== "") cands.push(c.candidate);
    });
    const dc = a.createDataChannel("policy");
    const got = once<RTCDataChannelEvent>(b, "datachannel");
    const s = await connect(a, b);
    await once(dc, "open");
    const remote: RTCDataChannel = (await got).channel;
    const atB: unknown[] = [];
    remote.onmessage = (e) => atB.push(e.data);
    await until(() => a.iceGatheringState === "complete", 10_000, "first gathering");
    expect(cands.some((c) => / typ host /.test(c))).toBe(true);
    const local = () => a.sctp?.transport.iceTransport.getSelectedCandidatePair()?.local;
    expect(local()?.type).toBe("host");

    const restart = async (): Promise<void> => {
      cands.length = 0;
      a.restartIce();
      await a.setLocalDescription();
      s.post(a, { description: a.localDescription!.toJSON() as { type: "offer"; sdp: string } });
      await until(() => a.signalingState === "stable" && a.iceGatheringState === "complete", 10_000, "the restart's offer and answer");
    };

    a.setConfiguration({ iceServers, iceTransportPolicy: "relay" });
    expect(a.getConfiguration().iceTransportPolicy).toBe("relay");
    await restart();
    expect(cands.length).toBeGreaterThan(0);
    for (const c of cands) expect(c).toMatch(/ typ relay raddr 0\.0\.0\.0 rport 0/);
    expect(a.localDescription!.sdp).not.toMatch(/ typ (host|srflx)/);
    await until(() => local()?.type === "relay", 10_000, "a relayed selected pair");
    const relayedBefore = turn.core.stats.relayedToPeers;
    dc.send("through the relay");
    await until(() => atB.length === 1, 5000, "a message through the relay");
    expect(atB).toEqual(["through the relay"]);
    expect(turn.core.stats.relayedToPeers).toBeGreaterThan(relayedBefore);

    a.setConfiguration({ iceServers, iceTransportPolicy: "all" });
    await restart();
    expect(cands.some((c) => / typ host /.test(c))).toBe(true);
    expect(cands.some((c) => / typ relay /.test(c))).toBe(true);
    dc.send("after all");
    await until(() => atB.length === 2, 5000, "a message after the second restart");
    expect(atB[1]).toBe("after all");
    expect(s.errors).toEqual([]);
  });
});

describe("setConfiguration renewing the candidate pool while its Allocate is in flight", () => {
  it("new ICE servers and policy together renew the pool once (one Allocate exchange more, not two)", async () => {
    const a = pc({ iceServers: [turnServer()], iceCandidatePoolSize: 1 });
    await untilAsync(async () => (await relayCandidates(a)) === 1, "the pool's relay candidate");
    expect(turn.core.stats.responses[401]).toBe(1);
    a.setConfiguration({ iceServers: [turnServer(`turn:127.0.0.1:${turn.address.port}?transport=udp`)], iceCandidatePoolSize: 1, iceTransportPolicy: "relay" });
    await until(() => made() === 2 && live() === 1, 5000, "the pool's allocation made again, the old one released");
    await untilAsync(async () => (await relayCandidates(a)) === 1, "the new pool's relay candidate");
    // One new agent: one more unauthenticated Allocate answered 401 (a second renewal adds another).
    expect(turn.core.stats.responses[401]).toBe(2);
  });

  it("a renewal right after the first 401 (the authenticated Allocate in flight): the old allocation is released, the new agent has its relay candidate", async () => {
    const a = pc({ iceServers: [turnServer()], iceCandidatePoolSize: 1 });
    await until(() => turn.core.stats.responses[401] !== undefined, 5000, "the first 401");
    await new Promise((r) => setTimeout(r, 1));
    a.setConfiguration({ iceServers: [turnServer()], iceCandidatePoolSize: 1, iceTransportPolicy: "relay" });
    await untilAsync(async () => (await relayCandidates(a)) === 1, "the new pool's relay candidate");
    await until(() => live() === 1, 3000, "one live allocation");
    a.close();
    await until(() => live() === 0, 3000, "released at close");
  });
});
