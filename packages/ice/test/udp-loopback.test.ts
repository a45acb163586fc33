import { describe, expect, it } from "vitest";
import { SeededRandom } from "@tsrtc/base";
import { formatCandidate } from "../src/candidate-sdp.js";
import { UdpIceAgent } from "../src/node/udp-agent.js";
import { waitFor } from "./wait.js";
import { listHostAddresses } from "../src/node/gather.js";
import type { IceAgentEvent } from "../src/types.js";


describe("two agents over real loopback UDP", () => {
  it("gather, trickle, connect and carry data both ways", async () => {
    const eventsA: IceAgentEvent[] = [];
    const eventsB: IceAgentEvent[] = [];
    const gotA: Uint8Array[] = [];
    const gotB: Uint8Array[] = [];
    let b: UdpIceAgent | undefined;
    let a: UdpIceAgent | undefined;
    const pendingToB: string[] = [];
    const pendingToA: string[] = [];
    const toB = (c: string): void => void (b ? b.addRemoteCandidate(c) : pendingToB.push(c));
    const toA = (c: string): void => void (a ? a.addRemoteCandidate(c) : pendingToA.push(c));
    a = await UdpIceAgent.create({
      controlling: true,
      hosts: ["127.0.0.1"],
      rng: new SeededRandom(1),
      onEvent: (e) => {
        eventsA.push(e);
        // Trickle each candidate as an a=candidate line, held until the peer exists.
        if (e.type === "candidate") toB(formatCandidate(e.candidate));
      },
      onData: (d) => gotA.push(d.slice()),
    });
    b = await UdpIceAgent.create({
      controlling: false,
      hosts: ["127.0.0.1"],
      rng: new SeededRandom(2),
      onEvent: (e) => {
        eventsB.push(e);
        if (e.type === "candidate") toA(formatCandidate(e.candidate));
      },
      onData: (d) => gotB.push(d.slice()),
    });
    try {
      for (const c of pendingToB.splice(0)) b.addRemoteCandidate(c);
      expect(pendingToA).toHaveLength(0); // b was created after a: its candidates went straight to a
      a.setRemoteCredentials(b.agent.localCredentials);
      b.setRemoteCredentials(a.agent.localCredentials);
      a.addRemoteCandidate(null);
      b.addRemoteCandidate(null);
      await waitFor(() => a!.agent.selectedPair !== undefined && b!.agent.selectedPair !== undefined);
      expect(a.agent.selectedPair!.remoteAddress).toEqual(b.localAddresses[0]);
      expect(b.agent.selectedPair!.remoteAddress).toEqual(a.localAddresses[0]);
      expect(eventsA.some((e) => e.type === "connection-state" && e.state === "connected")).toBe(true);
      // DTLS-looking bytes (RFC 7983: first byte 20..63) come out as data on the other side.
      expect(a.send(new Uint8Array([22, 254, 253, 1]))).toBe(true);
      expect(b.send(new Uint8Array([23, 254, 253, 2]))).toBe(true);
      await waitFor(() => gotA.length > 0 && gotB.length > 0);
      expect(Array.from(gotB[0])).toEqual([22, 254, 253, 1]);
      expect(Array.from(gotA[0])).toEqual([23, 254, 253, 2]);
      expect(eventsB.some((e) => e.type === "gathering-state" && e.state === "complete")).toBe(true);
    } finally {
      a.close();
      b.close();
    }
    expect(a.agent.connectionState).toBe("closed");
  });

  it("connects over IPv6 loopback too", async () => {
    let b: UdpIceAgent | undefined;
    const early: string[] = [];
    const a = await UdpIceAgent.create({
      controlling: true,
      hosts: ["::1"],
      onEvent: (e) => {
        if (e.type === "candidate") (b ? b.addRemoteCandidate(formatCandidate(e.candidate)) : early.push(formatCandidate(e.candidate)));
      },
    });
    b = await UdpIceAgent.create({
      controlling: false,
      hosts: ["::1"],
      onEvent: (e) => {
        if (e.type === "candidate") a.addRemoteCandidate(formatCandidate(e.candidate));
      },
    });
    try {
      for (const c of early) b.addRemoteCandidate(c);
      a.setRemoteCredentials(b.agent.localCredentials);
      b.setRemoteCredentials(a.agent.localCredentials);
      await waitFor(() => a.agent.selectedPair !== undefined && b!.agent.selectedPair !== undefined);
      expect(a.agent.selectedPair!.remoteAddress).toMatchObject({ family: 6, host: "::1" });
    } finally {
      a.close();
      b.close();
    }
  });

  it("lists host addresses without loopback unless asked, never link-local", () => {
    const all = listHostAddresses({ includeLoopback: true });
    expect(all.some((h) => h.host === "127.0.0.1")).toBe(true);
    const def = listHostAddresses();
    expect(def.some((h) => h.host === "127.0.0.1" || h.host === "::1")).toBe(false);
    expect(all.some((h) => h.host.toLowerCase().startsWith("fe80:"))).toBe(false);
    expect(all.every((h) => h.networkId >= 1)).toBe(true);
  });
});
