/**
 * Flight retransmission rules of RFC 6347 §4.2.4, stepped by hand in memory: a peer's
 * retransmitted flight makes us retransmit ours at once and reset our timer.
 */
import { describe, expect, it } from "vitest";
import type { DtlsEndpoint } from "../src/index.js";
import { makeCert, makePair } from "./helpers.js";

const ecA = makeCert(41);
const ecB = makeCert(42);

function drain(e: DtlsEndpoint): Uint8Array[] {
  const out: Uint8Array[] = [];
  let d: Uint8Array | undefined;
  while ((d = e.pollTransmit())) out.push(d);
  return out;
}

describe("retransmission (RFC 6347 §4.2.4)", () => {
  it("a retransmitted flight 4 draws flight 5 at once and resets the client's timer", () => {
    // The server waits 500 ms before retransmitting, the client 1000 ms.
    const p = makePair(ecA, ecB, { server: { retransmitInitial: 500 } });
    p.client.start(0);
    for (const d of drain(p.client)) p.server.handlePacket(d, 0); // ClientHello
    for (const d of drain(p.server)) p.client.handlePacket(d, 0); // HelloVerifyRequest
    for (const d of drain(p.client)) p.server.handlePacket(d, 0); // ClientHello with cookie
    for (const d of drain(p.server)) p.client.handlePacket(d, 0); // flight 4
    const flight5 = drain(p.client); // lost
    expect(flight5.length).toBeGreaterThan(0);
    expect(p.client.pollTimeout()).toBe(1000);

    p.server.handleTimeout(500); // the server's flight 4 again (fresh record numbers)
    const again = drain(p.server);
    expect(again.length).toBeGreaterThan(0);
    for (const d of again) p.client.handlePacket(d, 500);
    expect(drain(p.client).length).toBe(flight5.length); // flight 5 at once
    expect(p.client.stats.retransmits).toBe(1);
    expect(p.client.pollTimeout()).toBe(1500); // reset from now, the same 1 s wait

    p.client.handleTimeout(1000); // the old deadline: nothing
    expect(drain(p.client)).toEqual([]);
    p.client.handleTimeout(1500);
    expect(drain(p.client).length).toBe(flight5.length);
    expect(p.client.stats.retransmits).toBe(2);
    expect(p.client.pollTimeout()).toBe(3500); // then the backoff doubles (§4.2.4.1)
  });

  it("the last flight keeps no timer when it answers a retransmission", () => {
    const p = makePair(ecA, ecB);
    p.client.start(0);
    let flight5: Uint8Array[] = [];
    for (let i = 0; i < 4; i++) {
      for (const d of drain(p.client)) p.server.handlePacket(d, 0);
      flight5 = drain(p.server);
      if (p.server.state === "connected") break;
      for (const d of flight5) p.client.handlePacket(d, 0);
    }
    expect(p.server.state).toBe("connected");
    expect(p.server.pollTimeout()).toBeUndefined();
    // Flight 6 lost: the client's timer fires and flight 5 comes again.
    p.client.handleTimeout(1000);
    for (const d of drain(p.client)) p.server.handlePacket(d, 1000);
    expect(drain(p.server).length).toBeGreaterThan(0); // flight 6 again
    expect(p.server.stats.retransmits).toBe(1);
    expect(p.server.pollTimeout()).toBeUndefined();
  });
});
