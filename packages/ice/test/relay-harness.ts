/**
 * Shared by the relay tests: @tsrtc/turn's TurnServer core as a node of testkit's virtual
 * network, and ICE agents on it whose events, candidates and received data are recorded.
 */
import { type Address, SeededRandom, sameAddress } from "@tsrtc/base";
import { StunClass, StunMessage } from "@tsrtc/stun";
import { type Nat, type Simulation, simNode } from "@tsrtc/testkit";
import { TurnServer } from "@tsrtc/turn";
import { expect } from "vitest";
import { IceAgent } from "../src/agent.js";
import type { Candidate } from "../src/candidate.js";
import type { IceAgentConfig, IceAgentEvent, IceTurnServer } from "../src/types.js";

export const TURN: Address = { family: 4, host: "192.0.2.1", port: 3478 };
export const A: Address = { family: 4, host: "10.0.0.1", port: 5000 };
export const B: Address = { family: 4, host: "10.0.0.2", port: 6000 };
export const SERVER: IceTurnServer = { address: TURN, username: "user", credential: "pass", url: "turn:192.0.2.1:3478" };

export interface RelayPeer {
  agent: IceAgent;
  events: IceAgentEvent[];
  candidates: Candidate[];
  gathered: boolean;
  /** Application data handed back ("data" or "relayed"), with its sender. */
  received: { data: Uint8Array; from: Address; verdict: string }[];
  /** Sources of every datagram that reached this peer. */
  sources: Address[];
}

/** Our TURN server core and every request it was sent (decoded copies). */
export interface Turn {
  server: TurnServer;
  requests: StunMessage[];
}

const RELAY_PORTS = 20;

/**
 * A TurnServer on TURN, relaying on ports 50000.. of its IP. The peers here live on 10.x
 * (private) addresses of the virtual network, so the test allows private peers, which a real
 * deployment refuses (RFC 8656 §21.3).
 */
export function newTurn(): Turn {
  let port = 50000;
  const server = new TurnServer({
    listening: TURN,
    realm: "example.org",
    users: { user: "pass" },
    rng: new SeededRandom(1234),
    allowPrivatePeers: true,
    allocateRelay: () => (port < 50000 + RELAY_PORTS ? { family: 4, host: TURN.host, port: port++ } : undefined),
  });
  return { server, requests: [] };
}

export function turnNode(sim: Simulation, turn: Turn): void {
  const { server } = turn;
  const relayPorts: Address[] = [];
  for (let i = 0; i < RELAY_PORTS; i++) relayPorts.push({ family: 4, host: TURN.host, port: 50000 + i });
  sim.addNode(
    simNode({
      name: "turn",
      address: [TURN, ...relayPorts],
      receive: (data, from, to, now) => {
        if (sameAddress(to, TURN)) {
          if (data.length >= 20 && data[0] < 4) {
            try {
              const m = StunMessage.decode(data.slice());
              if (m.cls === StunClass.Request) turn.requests.push(m);
            } catch {
              // not ours to judge: the server counts it
            }
          }
          server.handlePacket(data, from, now);
        } else {
          server.handleRelayed(data, to, from, now);
        }
      },
      poll: () => server.pollTransmit(),
      timeout: () => server.pollTimeout(),
      tick: (now) => server.handleTimeout(now),
      afterInput: () => {
        while (server.pollEvent());
      },
    }),
  );
}

export function relayPeer(sim: Simulation, name: string, addr: Address, config: IceAgentConfig, seed: number, behind?: Nat): RelayPeer {
  const agent = new IceAgent(config, new SeededRandom(seed));
  const p: RelayPeer = { agent, events: [], candidates: [], gathered: false, received: [], sources: [] };
  sim.addNode(
    simNode({
      name,
      address: addr,
      receive: (d, from, to, now) => {
        p.sources.push(from);
        const v = agent.handlePacket(d, from, to, now);
        if (v === "data") p.received.push({ data: d.slice(), from, verdict: v });
        if (v === "relayed") p.received.push({ data: agent.relayedPayload!.slice(), from: agent.relayedFrom!, verdict: v });
      },
      poll: () => agent.pollTransmit(),
      timeout: () => agent.pollTimeout(),
      tick: (now) => agent.handleTimeout(now),
      afterInput: () => drainPeer(p),
    }),
    { behind },
  );
  return p;
}

export function drainPeer(p: RelayPeer): void {
  for (let e = p.agent.pollEvent(); e; e = p.agent.pollEvent()) {
    p.events.push(e);
    if (e.type === "candidate") p.candidates.push(e.candidate);
    if (e.type === "gathering-state" && e.state === "complete") p.gathered = true;
  }
}

/** Gather on both, wait for gathering to complete, then signal credentials and every candidate. */
export function gatherAndSignal(sim: Simulation, a: RelayPeer, b: RelayPeer, hostA = A, hostB = B): void {
  a.agent.gather([{ address: hostA }], sim.now);
  b.agent.gather([{ address: hostB }], sim.now);
  drainPeer(a);
  drainPeer(b);
  expect(sim.runUntil(() => a.gathered && b.gathered, { maxTime: 10_000 })).toBe(true);
  a.agent.setRemoteCredentials(b.agent.localCredentials, sim.now);
  b.agent.setRemoteCredentials(a.agent.localCredentials, sim.now);
  for (const c of a.candidates) b.agent.addRemoteCandidate(c, sim.now);
  for (const c of b.candidates) a.agent.addRemoteCandidate(c, sim.now);
  b.agent.addRemoteCandidate(null, sim.now);
  a.agent.addRemoteCandidate(null, sim.now);
  drainPeer(a);
  drainPeer(b);
}

export const connected = (a: RelayPeer, b: RelayPeer) => (): boolean =>
  a.agent.selectedPair !== undefined &&
  b.agent.selectedPair !== undefined &&
  ["connected", "completed"].includes(a.agent.connectionState) &&
  ["connected", "completed"].includes(b.agent.connectionState);

export function requestsOf(turn: Turn, method: number): StunMessage[] {
  return turn.requests.filter((m) => m.method === method && m.cls === StunClass.Request);
}
