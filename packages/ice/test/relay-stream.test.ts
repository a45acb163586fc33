/**
 * Relayed candidates through a TURN server reached over TCP (RFC 8656 §3.1), sans-IO: two relay-
 * only agents and our TurnServer core, the client-server legs being byte streams cut into random
 * chunks and rebuilt by TurnStreamFramer (as the Node layer's TurnStreams does). Transmits for a
 * stream are told apart by IceAgent.relayStream; nothing goes over UDP; a lost connection loses
 * the allocation, which is made again over a new connection and signaled as a new candidate.
 */
import { type Address, type Millis, SeededRandom, concat } from "@tsrtc/base";
import { TurnStreamFramer } from "@tsrtc/turn";
import { describe, expect, it } from "vitest";
import { IceAgent } from "../src/agent.js";
import { type Candidate, computePriority, localPreferenceFor } from "../src/candidate.js";
import type { IceAgentEvent, IceRelayStream, IceTurnServer } from "../src/types.js";
import { A, B, SERVER, newTurn } from "./relay-harness.js";

const TCP_SERVER: IceTurnServer = { ...SERVER, transport: "tcp", url: "turn:192.0.2.1:3478?transport=tcp" };

interface Side {
  agent: IceAgent;
  host: Address;
  events: IceAgentEvent[];
  candidates: Candidate[];
  got: number[][];
  /** The connection as the server sees it (a new port per connection). */
  tcp: Address;
  stream?: IceRelayStream;
  up: TurnStreamFramer;
  down: TurnStreamFramer;
  udpOut: number;
}

function side(host: Address, controlling: boolean, seed: number, tcpPort: number, servers = [TCP_SERVER]): Side {
  return {
    agent: new IceAgent({ controlling, turnServers: servers, iceTransportPolicy: "relay" }, new SeededRandom(seed)),
    host,
    events: [],
    candidates: [],
    got: [],
    tcp: { family: 4, host: host.host, port: tcpPort },
    up: new TurnStreamFramer(),
    down: new TurnStreamFramer(),
    udpOut: 0,
  };
}

function world(seed: number) {
  const turn = newTurn();
  const server = turn.server;
  const rng = new SeededRandom(seed);
  const a = side(A, true, seed + 1, 40001);
  const b = side(B, false, seed + 2, 40002);
  let now: Millis = 0;
  const cut = (bytes: Uint8Array, max: number): Uint8Array[] => {
    const out: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; ) {
      const n = 1 + (rng.nextU32() % max);
      out.push(bytes.subarray(at, Math.min(bytes.length, at + n)));
      at += n;
    }
    return out;
  };
  function pump(): void {
    for (let round = 0; round < 50; round++) {
      let moved = false;
      for (const s of [a, b]) {
        const up: Uint8Array[] = [];
        for (let t = s.agent.pollTransmit(); t; t = s.agent.pollTransmit()) {
          const st = s.agent.relayStream(t);
          if (!st) {
            s.udpOut++;
            continue;
          }
          expect(st.transport).toBe("tcp");
          expect(st.local.port).toBe(0);
          s.stream = st;
          up.push(t.data);
        }
        for (let e = s.agent.pollEvent(); e; e = s.agent.pollEvent()) {
          s.events.push(e);
          if (e.type === "candidate") s.candidates.push(e.candidate);
        }
        if (up.length === 0) continue;
        moved = true;
        for (const c of cut(concat(...up), 17)) {
          s.up.push(c);
          for (let m = s.up.next(); m; m = s.up.next()) server.handlePacket(m.slice(), s.tcp, now);
        }
      }
      for (let t = server.pollTransmit(); t; t = server.pollTransmit()) {
        moved = true;
        if (t.via === "relay") {
          server.handleRelayed(t.data, t.to, t.from, now);
          continue;
        }
        const s = [a, b].find((x) => x.tcp.port === t.to.port && x.tcp.host === t.to.host);
        if (!s || !s.stream) continue; // to a connection that is gone
        const d = t.data[0] >= 0x40 && t.data.length % 4 !== 0 ? concat(t.data, new Uint8Array(4 - (t.data.length % 4))) : t.data;
        for (const c of cut(d, 9)) {
          s.down.push(c);
          for (let m = s.down.next(); m; m = s.down.next()) {
            if (s.agent.handlePacket(m, s.stream.server, s.stream.local, now) === "relayed") s.got.push(Array.from(s.agent.relayedPayload!));
          }
        }
      }
      if (!moved) return;
    }
  }
  function run(ms: Millis): void {
    const end = now + ms;
    while (now < end) {
      now += 10;
      for (const s of [a, b]) if ((s.agent.pollTimeout() ?? Infinity) <= now) s.agent.handleTimeout(now);
      if ((server.pollTimeout() ?? Infinity) <= now) server.handleTimeout(now);
      pump();
    }
  }
  return { a, b, server, pump, run, now: () => now };
}

describe("relay candidates over a TCP connection to the TURN server (sans-IO)", () => {
  it("gathers, connects relay to relay and carries data both ways; nothing leaves over UDP", () => {
    const w = world(3);
    const { a, b } = w;
    a.agent.gather([{ address: A }], 0);
    b.agent.gather([{ address: B }], 0);
    w.run(200);
    for (const s of [a, b]) {
      expect(s.candidates.map((c) => c.type)).toEqual(["relay"]);
      // RFC 8445 §5.1.2.1: a TCP relay ranks below a UDP one from the same interface.
      const hostPreference = localPreferenceFor(4, 0);
      expect(s.candidates[0].priority).toBe(computePriority("relay", hostPreference >> 2, 1));
      expect(s.candidates[0].priority).toBeLessThan(computePriority("relay", hostPreference, 1));
      expect(s.agent.relays.map((r) => [r.transport, r.state])).toEqual([["tcp", "allocated"]]);
      // W3C RTCIceCandidateStats.relayProtocol.
      expect(s.agent.localCandidateRelayProtocol(s.candidates[0])).toBe("tcp");
    }
    a.agent.setRemoteCredentials(b.agent.localCredentials, w.now());
    b.agent.setRemoteCredentials(a.agent.localCredentials, w.now());
    for (const c of b.candidates) a.agent.addRemoteCandidate(c, w.now());
    for (const c of a.candidates) b.agent.addRemoteCandidate(c, w.now());
    w.run(3000);
    expect(a.agent.connectionState).toMatch(/connected|completed/);
    expect(b.agent.connectionState).toMatch(/connected|completed/);
    for (let i = 0; i < 4; i++) {
      a.agent.send(new Uint8Array([23, 1, i]), w.now());
      b.agent.send(new Uint8Array([23, 2, i, 9]), w.now());
    }
    w.run(500);
    expect(b.got).toEqual([0, 1, 2, 3].map((i) => [23, 1, i]));
    expect(a.got).toEqual([0, 1, 2, 3].map((i) => [23, 2, i, 9]));
    // Ten minutes: the allocation, permissions and channels are refreshed over the stream.
    w.run(600_000);
    expect(a.agent.relays[0].state).toBe("allocated");
    a.agent.send(new Uint8Array([23, 7]), w.now());
    w.run(100);
    expect(b.got.at(-1)).toEqual([23, 7]);
    // Application data made channels: ChannelData (padded on the stream) both ways.
    expect(a.agent.relays[0].stats.channelDataOut).toBeGreaterThan(0);
    expect(b.agent.relays[0].stats.channelDataIn).toBeGreaterThan(0);
    for (const s of [a, b]) {
      expect(s.udpOut).toBe(0);
      expect(s.up.error ?? s.down.error).toBeUndefined();
      expect(s.agent.relays[0].stats.requestsSent).toBe(s.agent.relays[0].stats.responsesIn);
    }
  });

  it("a lost connection loses the allocation: allocated again over a new connection, a new candidate signaled", () => {
    const w = world(5);
    const { a, b } = w;
    a.agent.gather([{ address: A }], 0);
    b.agent.gather([{ address: B }], 0);
    w.run(200);
    const first = a.candidates[0];
    const lostStream = a.stream!;
    // The connection drops; the Node layer reports it; the next one has another port.
    a.tcp = { ...a.tcp, port: 40011 };
    a.up = new TurnStreamFramer();
    a.down = new TurnStreamFramer();
    a.agent.relayStreamClosed(lostStream, "connection reset", w.now());
    w.run(200);
    expect(a.agent.relays.map((r) => r.state)).toEqual(["failed", "allocated"]);
    expect(a.candidates).toHaveLength(2);
    expect(a.candidates[1].type).toBe("relay");
    expect(a.candidates[1].port).not.toBe(first.port);
    expect(a.events.filter((e) => e.type === "candidate-error")).toEqual([]);
    // The new candidate works.
    a.agent.setRemoteCredentials(b.agent.localCredentials, w.now());
    b.agent.setRemoteCredentials(a.agent.localCredentials, w.now());
    for (const c of b.candidates) a.agent.addRemoteCandidate(c, w.now());
    b.agent.addRemoteCandidate(a.candidates[1], w.now());
    w.run(3000);
    expect(a.agent.connectionState).toMatch(/connected|completed/);
    expect(a.agent.selectedPair!.local.port).toBe(a.candidates[1].port);
  });

  it("a connection that fails before the allocation is a candidate error 701; gathering completes", () => {
    const w = world(7);
    const { a } = w;
    a.agent.gather([{ address: A }], 0);
    // The Allocate was written, then the connection failed (refused, TLS refused, ...).
    const st = a.agent.relayStream(a.agent.pollTransmit()!)!;
    expect(st).toMatchObject({ transport: "tcp", server: SERVER.address, url: TCP_SERVER.url });
    a.agent.relayStreamClosed(st, "connect ECONNREFUSED", 5);
    const events: IceAgentEvent[] = [];
    for (let e = a.agent.pollEvent(); e; e = a.agent.pollEvent()) events.push(e);
    expect(events).toContainEqual({ type: "candidate-error", url: TCP_SERVER.url, address: A.host, port: A.port, errorCode: 701, errorText: "connect ECONNREFUSED" });
    expect(events).toContainEqual({ type: "gathering-state", state: "complete" });
  });

  it("UDP and TCP to the same server address make two allocations; turns: uses TLS; the UDP one stays on the host socket", () => {
    const tls: IceTurnServer = { ...SERVER, transport: "tcp", secure: true, hostname: "turn.example", url: "turns:turn.example" };
    const agent = new IceAgent({ controlling: true, turnServers: [SERVER, TCP_SERVER, tls] }, new SeededRandom(1));
    agent.gather([{ address: A }], 0);
    const streams: (IceRelayStream | undefined)[] = [];
    for (let t = agent.pollTransmit(); t; t = agent.pollTransmit()) streams.push(agent.relayStream(t));
    // TCP and TLS to the same address are one stream (told apart only by addresses): UDP + one stream.
    expect(agent.relays.map((r) => r.transport)).toEqual(["udp", "tcp"]);
    expect(streams[0]).toBeUndefined();
    expect(streams[1]).toMatchObject({ transport: "tcp", local: { host: A.host, port: 0 } });
    const only = new IceAgent({ controlling: true, turnServers: [tls] }, new SeededRandom(1));
    only.gather([{ address: A }], 0);
    expect(only.relayStream(only.pollTransmit()!)).toMatchObject({ transport: "tls", hostname: "turn.example", url: "turns:turn.example" });
  });
});
