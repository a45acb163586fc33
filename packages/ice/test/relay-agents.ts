/**
 * Two UdpIceAgents on loopback with iceTransportPolicy "relay" and the given TURN servers, for
 * tests against a real TURN server (coturn or our own runner): agent a controlling (seed `seed`),
 * b controlled (seed `seed + 1`), their events, signalled candidates and received data recorded.
 */
import { SeededRandom } from "@tsrtc/base";
import type { Candidate } from "../src/candidate.js";
import type { IceTurnServer } from "../src/types.js";
import { UdpIceAgent, type UdpIceAgentOptions } from "../src/node/udp-agent.js";
import type { IceAgentEvent } from "../src/types.js";

export type Side = "a" | "b";

export interface RelayAgents {
  a: UdpIceAgent;
  b: UdpIceAgent;
  events: Record<Side, IceAgentEvent[]>;
  candidates: Record<Side, Candidate[]>;
  got: Record<Side, { data: number[]; from: string }[]>;
}

export async function relayAgents(servers: IceTurnServer[], extra: Partial<UdpIceAgentOptions> = {}, seed = 1): Promise<RelayAgents> {
  const events: RelayAgents["events"] = { a: [], b: [] };
  const candidates: RelayAgents["candidates"] = { a: [], b: [] };
  const got: RelayAgents["got"] = { a: [], b: [] };
  const make = (name: Side, controlling: boolean, s: number): Promise<UdpIceAgent> =>
    UdpIceAgent.create({
      controlling,
      hosts: ["127.0.0.1"],
      mdns: false,
      rng: new SeededRandom(s),
      turnServers: servers,
      iceTransportPolicy: "relay",
      onEvent: (e) => {
        events[name].push(e);
        if (e.type === "candidate") candidates[name].push(e.candidate);
      },
      onData: (d, from) => got[name].push({ data: Array.from(d), from: `${from.host}:${from.port}` }),
      ...extra,
    });
  return { a: await make("a", true, seed), b: await make("b", false, seed + 1), events, candidates, got };
}

/** Whether side `n` has finished gathering. */
export const gathered = (p: RelayAgents, n: Side): boolean =>
  p.events[n].some((e) => e.type === "gathering-state" && e.state === "complete");
