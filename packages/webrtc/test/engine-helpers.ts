/** Two PeerEngines on testkit's virtual network, signaling by hand (no sockets, no timers). */
import { type Address, SeededRandom, address } from "@tsrtc/base";
import { generateCertificate } from "@tsrtc/dtls";
import { type LinkConditions, type Nat, Simulation, transmitNode } from "@tsrtc/testkit";
import type { ChannelRecord } from "../src/engine/channels.js";
import { PeerEngine } from "../src/engine/engine.js";
import type { EngineConfig, EngineEvent } from "../src/engine/types.js";

export interface SimPeer {
  engine: PeerEngine;
  addr: Address;
  events: EngineEvent[];
  /** Messages received, by channel label. */
  messages: Map<string, (string | Uint8Array)[]>;
  channels: ChannelRecord[];
  drain(): void;
}

export function makeEngine(seed: number, extra: Partial<EngineConfig> = {}): PeerEngine {
  const rng = new SeededRandom(seed);
  const cert = generateCertificate({ rng, notBefore: Date.UTC(2026, 0, 1) });
  return new PeerEngine({ certificates: [cert], rng, ...extra });
}

export interface SimPeersOptions {
  seed?: number;
  conditions?: Partial<LinkConditions>;
  config?: Partial<EngineConfig>;
  addressA?: Address;
  addressB?: Address;
  /** Put peer a behind this NAT (made with sim.addNat in `setup`). */
  natA?: (sim: Simulation) => Nat;
}

export function simPeers(opts: SimPeersOptions = {}) {
  const sim = new Simulation({ seed: opts.seed ?? 1, conditions: opts.conditions });
  const natA = opts.natA?.(sim);
  const mk = (n: number): SimPeer => {
    const engine = makeEngine(100 + n + (opts.seed ?? 0), opts.config);
    const addr = (n === 1 ? opts.addressA : opts.addressB) ?? address(`10.0.0.${n}`, 5000);
    engine.setHosts([{ address: addr }]);
    const p: SimPeer = { engine, addr, events: [], messages: new Map(), channels: [], drain: () => undefined };
    p.drain = () => {
      for (let e = p.engine.pollEvent(); e; e = p.engine.pollEvent()) {
        p.events.push(e);
        if (e.type === "datachannel") p.channels.push(e.channel);
        if (e.type === "message") {
          const l = p.messages.get(e.channel.label) ?? [];
          l.push(e.data);
          p.messages.set(e.channel.label, l);
        }
      }
    };
    return p;
  };
  const a = mk(1);
  const b = mk(2);
  for (const p of [a, b]) {
    const drain = () => p.drain();
    sim.addNode(
      transmitNode(p.engine, p.addr, {
        name: p === a ? "a" : "b",
        receive: (d, from, to, now, core) => core.handlePacket(d, from, to, now),
        afterInput: drain,
      }),
      { behind: p === a ? natA : undefined },
    );
  }
  return { sim, a, b };
}

/** Full offer/answer with candidates inside the SDP (non-trickle). */
export function negotiate(sim: Simulation, offerer: SimPeer, answerer: SimPeer): void {
  const now = sim.now;
  const offer = offerer.engine.createOffer();
  offerer.engine.setLocalDescription(offer, now);
  answerer.engine.setRemoteDescription(offerer.engine.currentLocalDescription ?? offerer.engine.pendingLocalDescription!, now);
  const answer = answerer.engine.createAnswer();
  answerer.engine.setLocalDescription(answer, now);
  offerer.engine.setRemoteDescription(answerer.engine.currentLocalDescription!, now);
  // Candidates gathered after the descriptions were written travel by trickle.
  for (const [from, to] of [[offerer, answerer], [answerer, offerer]] as const) {
    for (const c of from.engine.localCandidates) to.engine.addIceCandidate({ candidate: c, sdpMid: "0" }, now);
  }
  offerer.drain();
  answerer.drain();
}
