/**
 * Test helper: two IceAgents on testkit's virtual network, with a signaling channel the test
 * controls (immediate, delayed, shuffled) for credentials and trickled candidates.
 */
import { type Address, type Millis, SeededRandom } from "@tsrtc/base";
import { type SimNode, Simulation, simNode } from "@tsrtc/testkit";
import type { Candidate } from "../src/candidate.js";
import { IceAgent } from "../src/agent.js";
import type { IceAgentConfig, IceAgentEvent, IceConnectionState } from "../src/types.js";

export interface Peer {
  name: string;
  agent: IceAgent;
  node: SimNode;
  addresses: Address[];
  events: IceAgentEvent[];
  states: IceConnectionState[];
  /** Candidates gathered, in order, not yet signaled (the test decides when). */
  outbox: (Candidate | null)[];
  /** Non-STUN datagrams handed back as "data" (what DTLS would get). */
  data: Uint8Array[];
  /** Time each state was first reached. */
  reachedAt: Map<IceConnectionState, Millis>;
}

export function makePeer(
  sim: Simulation,
  name: string,
  addresses: Address[],
  config: IceAgentConfig,
  seed: number,
  opts: {
    behind?: import("@tsrtc/testkit").Nat;
    /** Called after each datagram the network delivers to this peer (fuzzers inject here). */
    afterReceive?: (data: Uint8Array, from: Address, to: Address, now: Millis) => void;
  } = {},
): Peer {
  const agent = new IceAgent(config, new SeededRandom(seed));
  const peer: Peer = {
    name,
    agent,
    addresses,
    node: undefined as unknown as SimNode,
    events: [],
    states: [],
    outbox: [],
    data: [],
    reachedAt: new Map(),
  };
  const drain = (now: Millis): void => {
    for (let e = agent.pollEvent(); e; e = agent.pollEvent()) {
      peer.events.push(e);
      if (e.type === "connection-state") {
        peer.states.push(e.state);
        if (!peer.reachedAt.has(e.state)) peer.reachedAt.set(e.state, now);
      }
      if (e.type === "candidate") peer.outbox.push(e.candidate);
      if (e.type === "gathering-state" && e.state === "complete") peer.outbox.push(null);
    }
  };
  peer.node = sim.addNode(
    simNode({
      name,
      address: addresses,
      receive: (d, from, to, now) => {
        if (agent.handlePacket(d, from, to, now) === "data") peer.data.push(d);
        opts.afterReceive?.(d, from, to, now);
      },
      poll: () => agent.pollTransmit(),
      timeout: () => agent.pollTimeout(),
      tick: (now) => agent.handleTimeout(now),
      afterInput: drain,
    }),
    opts,
  );
  (peer as { drain?: (now: Millis) => void }).drain = drain;
  return peer;
}

export function drain(p: Peer, now: Millis): void {
  (p as unknown as { drain: (now: Millis) => void }).drain(now);
}

/** Exchange credentials both ways (as the offer/answer would). */
export function exchangeCredentials(a: Peer, b: Peer, now: Millis): void {
  a.agent.setRemoteCredentials(b.agent.localCredentials, now);
  b.agent.setRemoteCredentials(a.agent.localCredentials, now);
  drain(a, now);
  drain(b, now);
}

/** Deliver everything in `from`'s outbox to `to`. */
export function deliverCandidates(from: Peer, to: Peer, now: Millis): number {
  const list = from.outbox.splice(0);
  for (const c of list) to.agent.addRemoteCandidate(c, now);
  drain(to, now);
  return list.length;
}

/** Gather on every address of the peer. */
export function gatherAll(p: Peer, now: Millis): void {
  p.agent.gather(
    p.addresses.map((address) => ({ address })),
    now,
  );
  drain(p, now);
}

/** Gather on both peers, exchange credentials, then every candidate both ways (the usual signaling). */
export function signalAll(a: Peer, b: Peer, now: Millis): void {
  gatherAll(a, now);
  gatherAll(b, now);
  exchangeCredentials(a, b, now);
  deliverCandidates(a, b, now);
  deliverCandidates(b, a, now);
}

/**
 * Gather on both peers, then deliver every signaling message (credentials included) in a shuffled
 * order, one every 0..maxGap virtual ms: trickle at its most disorderly.
 */
export function shuffledSignaling(sim: Simulation, a: Peer, b: Peer, rng: SeededRandom, maxGap: Millis): void {
  gatherAll(a, sim.now);
  gatherAll(b, sim.now);
  const msgs: (() => void)[] = [];
  for (const c of a.outbox.splice(0)) msgs.push(() => b.agent.addRemoteCandidate(c, sim.now));
  for (const c of b.outbox.splice(0)) msgs.push(() => a.agent.addRemoteCandidate(c, sim.now));
  msgs.push(() => a.agent.setRemoteCredentials(b.agent.localCredentials, sim.now));
  msgs.push(() => b.agent.setRemoteCredentials(a.agent.localCredentials, sim.now));
  for (let i = msgs.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [msgs[i], msgs[j]] = [msgs[j], msgs[i]];
  }
  for (const m of msgs) {
    m();
    drain(a, sim.now);
    drain(b, sim.now);
    sim.runFor(rng.nextInt(maxGap));
  }
}

/** Two agents, gathered, credentials and candidates exchanged, ready to run. */
export function connectedPair(
  sim: Simulation,
  cfgA: Partial<IceAgentConfig> = {},
  cfgB: Partial<IceAgentConfig> = {},
  addrs: { a?: Address[]; b?: Address[] } = {},
): [Peer, Peer] {
  const a = makePeer(sim, "A", addrs.a ?? [{ family: 4, host: "10.0.0.1", port: 5000 }], { controlling: true, ...cfgA }, 11);
  const b = makePeer(sim, "B", addrs.b ?? [{ family: 4, host: "10.0.0.2", port: 6000 }], { controlling: false, ...cfgB }, 22);
  signalAll(a, b, sim.now);
  return [a, b];
}

export const bothConnected = (a: Peer, b: Peer) => (): boolean =>
  a.agent.selectedPair !== undefined &&
  b.agent.selectedPair !== undefined &&
  (a.agent.connectionState === "connected" || a.agent.connectionState === "completed") &&
  (b.agent.connectionState === "connected" || b.agent.connectionState === "completed");
