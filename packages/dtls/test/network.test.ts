/**
 * Two endpoints over the testkit's seeded network and virtual clock: loss, reordering and
 * duplication, each flight dropped once, a small MTU, and the retransmission backoff.
 */
import { address, SeededRandom, toHex } from "@tsrtc/base";
import { dropWhere, dtlsFlight, dtlsNthFlight, dtlsHandshakes, isDtls, pointToPoint, sentFrom, Simulation, type LinkConditions } from "@tsrtc/testkit";
import { describe, expect, it } from "vitest";
import { DtlsEndpoint, fingerprint, type DtlsCertificate, type DtlsEndpointOptions } from "../src/index.js";
import { makeCert } from "./helpers.js";

const ecA = makeCert(11);
const ecB = makeCert(12);
const rsa = makeCert(13, "rsa-2048");
const A = address("10.0.0.1", 5000);
const B = address("10.0.0.2", 5000);

function setup(opts: {
  seed?: number;
  conditions?: Partial<LinkConditions>;
  clientCert?: DtlsCertificate;
  serverCert?: DtlsCertificate;
  client?: Partial<DtlsEndpointOptions>;
  server?: Partial<DtlsEndpointOptions>;
} = {}) {
  const seed = opts.seed ?? 1;
  const cc = opts.clientCert ?? ecA;
  const sc = opts.serverCert ?? ecB;
  const sim = new Simulation({ seed, conditions: opts.conditions });
  const client = new DtlsEndpoint({ role: "client", certificate: cc, remoteFingerprints: [fingerprint(sc.der)], rng: new SeededRandom(seed * 7), ...opts.client });
  const server = new DtlsEndpoint({ role: "server", certificate: sc, remoteFingerprints: [fingerprint(cc.der)], rng: new SeededRandom(seed * 13), ...opts.server });
  sim.addNode(pointToPoint(client, A, B, { name: "client" }));
  sim.addNode(pointToPoint(server, B, A, { name: "server" }));
  const both = () => client.state === "connected" && server.state === "connected";
  return { sim, client, server, both };
}

function sameKeys(c: DtlsEndpoint, s: DtlsEndpoint): void {
  expect(toHex(c.srtpKeyingMaterial()!.raw)).toBe(toHex(s.srtpKeyingMaterial()!.raw));
}

describe("handshake over the testkit network", () => {
  it("completes with 30% loss each way, for several seeds", () => {
    let retransmits = 0;
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const { sim, client, server, both } = setup({ seed, conditions: { loss: 0.3, delay: 20 } });
      expect(sim.runUntil(both, { maxTime: 600_000 })).toBe(true);
      sameKeys(client, server);
      retransmits += client.stats.retransmits + server.stats.retransmits;
    }
    expect(retransmits).toBeGreaterThan(0); // the loss was real
  });

  it("completes under 40 random mixes of loss, reordering, duplication, jitter and MTU", () => {
    const pick = new SeededRandom(99);
    for (let seed = 100; seed < 140; seed++) {
      const mtu = 220 + pick.nextInt(1000);
      const { sim, client, server, both } = setup({
        seed,
        conditions: { loss: pick.nextFloat() * 0.3, reorder: pick.nextFloat() * 0.3, duplicate: pick.nextFloat() * 0.3, delay: pick.nextInt(50), jitter: pick.nextInt(50), mtu },
        client: { mtu }, server: { mtu, helloVerifyRequest: seed % 2 === 0 },
        serverCert: seed % 3 === 0 ? rsa : ecB,
      });
      expect(sim.runUntil(both, { maxTime: 600_000 }), `seed ${seed}`).toBe(true);
      sameKeys(client, server);
      expect(client.stats.internalErrors + server.stats.internalErrors).toBe(0);
      expect(sim.network.stats.tooBig).toBe(0);
    }
  });

  it("completes with reordering, jitter and duplication", () => {
    for (const seed of [1, 2, 3, 4]) {
      const { sim, client, server, both } = setup({ seed, conditions: { delay: 10, jitter: 40, reorder: 0.3, duplicate: 0.3 }, client: { mtu: 300 }, server: { mtu: 300 }, serverCert: rsa });
      expect(sim.runUntil(both, { maxTime: 120_000 })).toBe(true);
      sameKeys(client, server);
    }
  });

  for (const flight of [1, 2, 3, 4, 5, 6]) {
    it(`recovers when every datagram of flight ${flight}'s first transmission is lost`, () => {
      const { sim, client, server, both } = setup();
      const f = sim.network.addFilter(dropWhere(dtlsFlight(flight, { transmission: 1 }), Infinity));
      expect(sim.runUntil(both, { maxTime: 30_000 })).toBe(true);
      expect(f.dropped).toBeGreaterThan(0);
      expect(client.stats.retransmits + server.stats.retransmits).toBeGreaterThan(0);
      sameKeys(client, server);
      // The last flight's loss is repaired by the server answering the client's retransmission.
      if (flight === 6) expect(server.stats.retransmits).toBeGreaterThan(0);
      // The one lost flight costs one timer period (1 s), not more.
      expect(sim.now).toBeLessThan(2_000);
    });
  }

  for (const nth of [1, 2, 3, 4]) {
    it(`without cookies (as Chromium serves), recovers when the ${nth}th flight is lost once`, () => {
      const { sim, client, server, both } = setup({ server: { helloVerifyRequest: false } });
      const f = sim.network.addFilter(dropWhere(dtlsNthFlight(nth, { transmission: 1 }), Infinity));
      expect(sim.runUntil(both, { maxTime: 30_000 })).toBe(true);
      expect(f.dropped).toBeGreaterThan(0);
      expect(server.stats.helloVerifyRequestsSent).toBe(0);
      sameKeys(client, server);
    });
  }

  it("answers a retransmitted multi-datagram flight with one retransmission, not one per datagram", () => {
    const { sim, client, server, both } = setup({ conditions: { mtu: 256 }, clientCert: rsa, client: { mtu: 256 }, server: { mtu: 256 } });
    let flight5 = 0;
    const f5 = dtlsFlight(5, { transmission: 2 });
    sim.network.addFilter({ name: "count", dropped: 0, shouldDrop: (d, i) => (f5(d, i) ? (flight5++, false) : false) });
    sim.network.addFilter(dropWhere(dtlsFlight(6, { transmission: 1 }), Infinity));
    expect(sim.runUntil(both, { maxTime: 10_000 })).toBe(true);
    expect(flight5).toBeGreaterThan(2); // the client's retransmitted flight 5 spans several datagrams
    expect(server.stats.retransmits).toBe(1);
    expect(client.stats.retransmits).toBe(1);
  });

  it("fragments handshake messages to fit a 256-byte MTU (RSA certificate)", () => {
    const { sim, client, server, both } = setup({ conditions: { mtu: 256 }, serverCert: rsa, client: { mtu: 256 }, server: { mtu: 256 } });
    let fragmented = 0;
    sim.network.addFilter({
      name: "observe",
      dropped: 0,
      shouldDrop(d) {
        if (isDtls(d)) for (const h of dtlsHandshakes(d)) if (!h.encrypted && h.fragmentOffset > 0) fragmented++;
        return false;
      },
    });
    expect(sim.runUntil(both, { maxTime: 10_000 })).toBe(true);
    expect(fragmented).toBeGreaterThan(3);
    expect(sim.network.stats.tooBig).toBe(0);
    sameKeys(client, server);
  });

  it("retransmits with a doubling backoff from 1 s, capped at 60 s (RFC 6347 §4.2.4.1)", () => {
    const { sim, client } = setup({ client: { retransmitMax: 60_000 } });
    const sends: number[] = [];
    sim.network.addFilter({
      name: "record client sends, drop server",
      dropped: 0,
      shouldDrop(_d, info) {
        if (info.from.host === A.host) sends.push(info.now);
        return sentFrom(B)(_d, info);
      },
    });
    sim.runFor(400_000);
    const gaps = sends.slice(1).map((t, i) => t - sends[i]);
    expect(gaps.slice(0, 8)).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
    expect(client.stats.retransmits).toBe(gaps.length);
    expect(client.state).toBe("handshaking");
  });

  it("gives up after handshakeTimeout with an error and a closed event", () => {
    const { sim, client } = setup({ client: { handshakeTimeout: 10_000 } });
    sim.network.addFilter(dropWhere(sentFrom(B), Infinity));
    sim.runFor(30_000);
    expect(client.state).toBe("closed");
    const ev = [];
    let e;
    while ((e = client.pollEvent())) ev.push(e);
    expect(ev.at(-1)).toEqual({ type: "closed", reason: "timeout" });
    expect(client.stats.retransmits).toBe(3); // at 1, 3 and 7 s; the 15 s one never comes
    expect(client.pollTimeout()).toBeUndefined();
  });

  it("the server answers a cookie-less ClientHello with a HelloVerifyRequest and keeps its timer idle", () => {
    const { sim, server } = setup();
    sim.network.addFilter(dropWhere(sentFrom(B), Infinity));
    sim.runFor(5_000);
    expect(server.stats.helloVerifyRequestsSent).toBeGreaterThanOrEqual(3);
    expect(server.pollTimeout()).toBeUndefined();
  });

  it("carries application data after the handshake, with loss", () => {
    const { sim, client, server, both } = setup({ conditions: { delay: 5 } });
    expect(sim.runUntil(both)).toBe(true);
    const got: string[] = [];
    for (let i = 0; i < 20; i++) client.send(new TextEncoder().encode(`m${i}`));
    sim.runFor(100);
    let e;
    while ((e = server.pollEvent())) if (e.type === "data") got.push(new TextDecoder().decode(e.data));
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
  });
});
