/**
 * The TURN allocations of an ICE agent the engine drops before close() (agent-release.ts), on a
 * virtual clock against our TurnServer core, with the exchange under the test's control: an
 * Allocate in flight when the agent is dropped is released once answered, and a release lost or
 * answered 438 is sent again; the successor allocates from the same 5-tuple.
 */
import { type Address, type Millis, SeededRandom, type Transmit, address, sameAddress } from "@tsrtc/base";
import type { IceAgent } from "@tsrtc/ice";
import { StunBuilder, StunClass, StunMessage, StunMethod, newTransactionId } from "@tsrtc/stun";
import { TurnServer, type TurnServerOptions, encodeChannelData } from "@tsrtc/turn";
import { describe, expect, it } from "vitest";
import { closeAfterGoodbyes } from "../src/engine/agent-release.js";
import { makeEngine, negotiate, simPeers } from "./engine-helpers.js";

const SERVER: Address = address("192.0.2.1", 3478);
const HOST: Address = address("10.0.0.1", 5000);

function rig(opts: Partial<TurnServerOptions> = {}) {
  let port = 50000;
  const server = new TurnServer({
    listening: SERVER,
    realm: "tsrtc.test",
    users: { user: "pass" },
    rng: new SeededRandom(7),
    allocateRelay: () => ({ family: 4, host: SERVER.host, port: port++ }),
    nonceLifetime: 86_400_000,
    ...opts,
  });
  const engine = makeEngine(1);
  engine.setHosts([{ address: HOST }]);
  engine.setTurnServers([{ address: SERVER, username: "user", credential: "pass" }]);
  const r = {
    server,
    engine,
    now: 0 as Millis,
    /** The server's answers not yet handed to the engine. */
    answers: [] as Uint8Array[],
    /** Requests the engine sent the server: [method, LIFETIME]. */
    requests: [] as [number, number | undefined][],
    /** The engine's datagrams to the server (those `lose` says are lost go nowhere). */
    out(lose?: (m: StunMessage) => boolean): void {
      for (let t = engine.pollTransmit(); t; t = engine.pollTransmit()) {
        if (!sameAddress(t.to, SERVER)) continue;
        const m = StunMessage.decode(t.data.slice());
        if (m.cls === StunClass.Request) r.requests.push([m.method, m.method === StunMethod.Refresh ? m.lifetime() : undefined]);
        if (lose?.(m)) continue;
        server.handlePacket(t.data, t.from ?? HOST, r.now);
        for (let o = server.pollTransmit(); o; o = server.pollTransmit()) if (o.via === "listening") r.answers.push(o.data);
      }
    },
    deliver(): void {
      for (const d of r.answers.splice(0)) engine.handlePacket(d, SERVER, HOST, r.now);
    },
    /** Exchange until both sides are quiet. */
    settle(): void {
      for (let i = 0; i < 50; i++) {
        r.out();
        if (r.answers.length === 0) return;
        r.deliver();
      }
    },
    /** Advance the virtual clock to `until`, firing the engine's timers on the way. */
    advance(until: Millis): void {
      for (let i = 0; i < 1000; i++) {
        const t = engine.pollTimeout();
        if (t === undefined || t > until) break;
        r.now = Math.max(r.now, t);
        engine.handleTimeout(r.now);
        r.settle();
      }
      r.now = until;
    },
    relayState(): string | undefined {
      return engine.iceAgent?.relays[0]?.state;
    },
    releases(): number {
      return r.requests.filter(([method, lifetime]) => method === StunMethod.Refresh && lifetime === 0).length;
    },
  };
  return r;
}

/** The pool's agent has sent its authenticated Allocate; the server made the allocation; the answer is held. */
function allocateInFlight(r: ReturnType<typeof rig>): Uint8Array {
  r.engine.setCandidatePoolSize(1, 0);
  r.out(); // the unauthenticated Allocate: 401
  r.deliver();
  r.out(); // the authenticated one: made
  expect(r.server.allocationCount).toBe(1);
  expect(r.answers).toHaveLength(1);
  return r.answers.pop()!;
}

describe("an ICE agent dropped while its Allocate is in flight (RFC 8656 §7.2, §8)", () => {
  it("the answer, reaching the successor's socket, goes to the dropped agent, which releases the allocation; the successor allocates", () => {
    const r = rig();
    const success = allocateInFlight(r);
    // A new policy renews the pool: the agent is dropped with its Allocate unanswered.
    r.engine.setIceTransportPolicy("relay", 1);
    r.now = 2;
    r.engine.handlePacket(success, SERVER, HOST, r.now);
    r.settle();
    expect(r.releases()).toBe(1);
    expect(r.server.stats.allocations).toBe(2);
    expect(r.server.allocationCount).toBe(1);
    expect(r.server.stats.responses[437] ?? 0).toBe(0);
    expect(r.relayState()).toBe("allocated");
    // Nothing is left waiting: close() releases the successor's allocation, the last one.
    r.advance(10_000);
    r.engine.close(r.now);
    const last = r.engine.finishClose(r.now);
    for (const t of last) r.server.handlePacket(t.data, t.from ?? HOST, r.now);
    expect(r.server.allocationCount).toBe(0);
  });

  it("a successor answered 437 (the old allocation not yet released) allocates again once it is gone", () => {
    const r = rig();
    const success = allocateInFlight(r);
    r.engine.setIceTransportPolicy("relay", 1);
    r.settle(); // the successor's Allocate reaches the server first: 401, then 437
    expect(r.server.stats.responses[437]).toBe(1);
    expect(r.relayState()).toBe("allocating");
    r.engine.handlePacket(success, SERVER, HOST, r.now);
    r.settle();
    expect(r.server.allocationCount).toBe(0);
    r.advance(5_000);
    expect(r.relayState()).toBe("allocated");
    expect(r.server.allocationCount).toBe(1);
    expect(r.server.stats.responses[437]).toBe(1);
  });
});

describe("the release of a dropped agent's allocation is kept going until answered (RFC 8656 §8)", () => {
  it("a lost release is sent again", () => {
    const r = rig();
    r.engine.setCandidatePoolSize(1, 0);
    r.settle();
    expect(r.server.allocationCount).toBe(1);
    r.engine.setCandidatePoolSize(0, 10);
    r.now = 10;
    r.out((m) => m.method === StunMethod.Refresh);
    expect(r.releases()).toBe(1);
    expect(r.server.allocationCount).toBe(1);
    r.advance(3_000);
    expect(r.releases()).toBe(2);
    expect(r.server.allocationCount).toBe(0);
    // Released: the dropped agent is let go (no more timers for it).
    expect(r.engine.pollTimeout()).toBeUndefined();
  });

  it("a release answered 438 (Stale Nonce) is sent again with the new nonce", () => {
    const r = rig({ nonceLifetime: 1_000 });
    r.engine.setCandidatePoolSize(1, 0);
    r.settle();
    expect(r.server.allocationCount).toBe(1);
    r.now = 2_000;
    r.engine.setCandidatePoolSize(0, r.now);
    r.settle();
    expect(r.server.stats.responses[438]).toBe(1);
    expect(r.releases()).toBe(2);
    expect(r.server.allocationCount).toBe(0);
  });
});

describe("close(): the goodbyes go, the STUN stays, also through a TURN relay (closeAfterGoodbyes)", () => {
  it("keeps DTLS wrapped in a Send indication or ChannelData, drops STUN wrapped in ChannelData or a Send indication", () => {
    const rng = new SeededRandom(3);
    const peer = address("198.51.100.7", 6000);
    const dtls = (n: number) => new Uint8Array([21, 0xfe, 0xfd, n, 0, 0, 0, 0]); // an alert record
    const sendIndication = (payload: Uint8Array) =>
      new StunBuilder().begin(StunMethod.Send, StunClass.Indication, newTransactionId(rng)).xorPeerAddress(peer).data(payload).finish();
    const binding = new StunBuilder().begin(StunMethod.Binding, StunClass.Request, newTransactionId(rng)).fingerprint().finish();
    const at = (data: Uint8Array): Transmit => ({ to: SERVER, from: HOST, data });
    const leftover = at(encodeChannelData(0x4000, dtls(0)));
    const goodbyes = [
      at(sendIndication(dtls(1))), // through the relay before the channel is bound
      at(encodeChannelData(0x4000, dtls(2))), // through the channel
      at(dtls(3)), // on a host path
    ];
    const stun = [at(encodeChannelData(0x4000, binding)), at(sendIndication(binding)), at(binding)];
    const release = at(new StunBuilder().begin(StunMethod.Refresh, StunClass.Request, newTransactionId(rng)).lifetime(0).finish());
    // The agent's queue at close(), goodbyes and STUN interleaved; close() queues the release.
    const queue = [goodbyes[0], stun[0], goodbyes[1], stun[1], stun[2], goodbyes[2]];
    const agent = {
      pollTransmit: () => queue.shift(),
      close: () => void queue.push(release),
    } as unknown as IceAgent;
    const out: Transmit[] = [];
    closeAfterGoodbyes(agent, leftover, 0, out);
    expect(out).toEqual([leftover, ...goodbyes, release]);
  });
});

describe("dropping an agent discards what coalescing took from its queue", () => {
  it("the datagram left over by pollTransmit does not leave after the agent is dropped, and is not counted as sent", () => {
    const { sim, a, b } = simPeers();
    const ch = a.engine.channels.create("x", {});
    negotiate(sim, a, b);
    expect(sim.runUntil(() => ch.state === "open" && b.channels.length === 1, { maxTime: 10_000 })).toBe(true);
    sim.runFor(100);
    // A small DTLS datagram, then one too big to share it: the second is kept for the next poll.
    a.engine.channels.send(ch, "x");
    a.engine.pump(sim.now);
    a.engine.channels.send(ch, new Uint8Array(1000));
    a.engine.pump(sim.now);
    const sent = a.engine.counters.datagramsSent;
    const first = a.engine.pollTransmit()!;
    expect(first.data.length).toBeLessThan(600);
    // The engine drops its agent (as it does for a discarded pool or a rolled-back first offer).
    (a.engine as unknown as { dropAgent(now: Millis): void }).dropAgent(sim.now);
    expect(a.engine.pollTransmit()).toBeUndefined();
    expect(a.engine.counters.datagramsSent).toBe(sent + 1);
  });
});
