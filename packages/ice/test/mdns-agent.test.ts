import { describe, expect, it } from "vitest";
import { address } from "@tsrtc/base";
import { Simulation } from "@tsrtc/testkit";
import { isMdnsName } from "../src/candidate.js";
import { bothConnected, deliverCandidates, drain, exchangeCredentials, gatherAll, makePeer } from "./peers.js";

function setup(seed: number) {
  const sim = new Simulation({ seed, conditions: { delay: 10 } });
  // A hides its host candidates behind mDNS names, as Chromium does without media permission.
  const a = makePeer(sim, "A", [address("10.0.0.1", 5000)], { controlling: true, mdnsHostCandidates: true }, 1);
  const b = makePeer(sim, "B", [address("10.0.0.2", 6000)], { controlling: false, mdnsTimeout: 3000 }, 2);
  gatherAll(a, 0);
  gatherAll(b, 0);
  return { sim, a, b };
}

describe("mDNS host candidates", () => {
  it("publishes our host candidates as <uuid>.local and asks the Node layer to answer for them", () => {
    const { a } = setup(1);
    const reg = a.events.find((e) => e.type === "mdns-register");
    expect(reg).toMatchObject({ type: "mdns-register", address: "10.0.0.1" });
    const host = a.agent.localCandidates.find((c) => c.type === "host")!;
    expect(isMdnsName(host.address)).toBe(true);
    expect(host.address).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.local$/);
    expect((reg as { name: string }).name).toBe(host.address);
  });

  it("resolves a remote .local name through resolvedMdns() and checks the resolved address", () => {
    const { sim, a, b } = setup(2);
    exchangeCredentials(a, b, 0);
    // Only B learns candidates (A's are mDNS names); A does not learn B's, so A can only reach B
    // after B's checks... unless the name resolves. Withhold B's candidates from A too.
    deliverCandidates(a, b, 0);
    const q = b.events.find((e) => e.type === "mdns-query") as { name: string } | undefined;
    expect(q?.name).toBe(a.agent.localCandidates.find((c) => c.type === "host")!.address);
    expect(b.agent.pairs).toHaveLength(0); // nothing to check before the answer
    b.agent.resolvedMdns(q!.name, "10.0.0.1", sim.now);
    drain(b, sim.now);
    expect(b.agent.pairs).toHaveLength(1);
    expect(b.agent.pairs[0].remote.address.host).toBe("10.0.0.1");
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 10_000 })).toBe(true);
    // The pair's remote candidate keeps the name the peer signaled.
    expect(b.agent.selectedPair!.remote.address).toBe(b.agent.pairs[0].remote.candidate.address);
  });

  it("falls back to peer-reflexive discovery when no answer comes before the timeout", () => {
    const { sim, a, b } = setup(3);
    exchangeCredentials(a, b, 0);
    deliverCandidates(a, b, 0); // B cannot resolve A's name and never gets an answer
    deliverCandidates(b, a, 0);
    expect(b.events.some((e) => e.type === "mdns-query")).toBe(true);
    expect(sim.runUntil(bothConnected(a, b), { maxTime: 10_000 })).toBe(true);
    // B found A as peer-reflexive from A's checks.
    expect(b.agent.selectedPair!.remote.type).toBe("prflx");
    sim.runFor(4000);
    expect(b.agent.stats.droppedCandidates).toBe(1); // the unresolved candidate, after the timeout
    expect(b.agent.connectionState === "connected" || b.agent.connectionState === "completed").toBe(true);
  });

  it("does not fail while a name is still being resolved", () => {
    const { sim, b } = setup(4);
    b.agent.setRemoteCredentials({ ufrag: "xxxx", pwd: "xxxxxxxxxxxxxxxxxxxxxxxx" }, 0);
    b.agent.addRemoteCandidate("candidate:1 1 udp 2122260223 0b0c0d0e-0000-4000-8000-000000000000.local 5000 typ host", 0);
    b.agent.addRemoteCandidate(null, 0);
    drain(b, 0);
    sim.runFor(1000);
    expect(b.agent.connectionState).not.toBe("failed");
    expect(b.agent.pollTimeout()).toBeLessThanOrEqual(3000);
  });
});
