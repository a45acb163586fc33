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

  it("a forged epoch-0 record with a huge sequence number does not turn the peer's retransmitted flight into replays (RFC 6347 §4.1.2.6)", () => {
    const p = makePair(ecA, ecB);
    p.client.start(0);
    for (let i = 0; i < 4; i++) {
      for (const d of drain(p.client)) p.server.handlePacket(d, 0);
      const out = drain(p.server); // the last time round: flight 6, lost
      if (p.server.state === "connected") break;
      for (const d of out) p.client.handlePacket(d, 0);
    }
    expect(p.server.state).toBe("connected");
    expect(p.client.state).not.toBe("connected");
    // An off-path forgery: epoch 0, sequence 2^40, an old handshake fragment.
    p.server.handlePacket(forgedEpoch0(2 ** 40), 10);
    expect(drain(p.server)).toEqual([]);
    const replaysBefore = p.server.stats.dropped.replay;
    const dupBefore = p.server.stats.dropped.duplicateHandshake;
    // The client's genuine flight 5, retransmitted with its next (small) record numbers.
    p.client.handleTimeout(1000);
    for (const d of drain(p.client)) p.server.handlePacket(d, 1000);
    expect(p.server.stats.dropped.replay).toBe(replaysBefore);
    expect(p.server.stats.dropped.duplicateHandshake).toBeGreaterThan(dupBefore);
    const flight6 = drain(p.server);
    expect(flight6.length).toBeGreaterThan(0); // flight 6 again
    expect(p.server.stats.retransmits).toBe(1);
    for (const d of flight6) p.client.handlePacket(d, 1000);
    expect(p.client.state).toBe("connected");
  });

  it("during the handshake, epoch-0 junk with a huge sequence number does not block the next flight", () => {
    const p = makePair(ecA, ecB);
    p.client.start(0);
    for (const d of drain(p.client)) p.server.handlePacket(d, 0); // ClientHello
    for (const d of drain(p.server)) p.client.handlePacket(d, 0); // HelloVerifyRequest
    for (const d of drain(p.client)) p.server.handlePacket(d, 0); // ClientHello with cookie
    for (const d of drain(p.server)) p.client.handlePacket(d, 0); // flight 4
    const flight5 = drain(p.client);
    // Forgeries reach the server first: a stale fragment, a broken one, an alert, a CCS.
    p.server.handlePacket(forgedEpoch0(2 ** 40), 1);
    p.server.handlePacket(record(22, 2 ** 40 + 1, [1, 0, 0]), 1);
    p.server.handlePacket(record(21, 2 ** 40 + 2, [1, 100]), 1); // warning: no_renegotiation
    p.server.handlePacket(record(20, 2 ** 40 + 3, [1]), 1);
    const replaysBefore = p.server.stats.dropped.replay;
    for (const d of flight5) p.server.handlePacket(d, 2);
    expect(p.server.stats.dropped.replay).toBe(replaysBefore);
    expect(p.server.state).toBe("connected");
    for (const d of drain(p.server)) p.client.handlePacket(d, 2);
    expect(p.client.state).toBe("connected");
    // Genuine records are still refused the second time (the window moved for them).
    p.server.handlePacket(flight5[0], 3);
    expect(p.server.stats.dropped.replay).toBeGreaterThan(replaysBefore);
  });
});

/** An unprotected DTLS 1.2 record in epoch 0 with the given 48-bit sequence number. */
function record(type: number, seq: number, body: number[]): Uint8Array {
  const hi = Math.floor(seq / 2 ** 32);
  const lo = seq >>> 0;
  return new Uint8Array([
    type, 0xfe, 0xfd, 0, 0,
    (hi >> 8) & 0xff, hi & 0xff, lo >>> 24, (lo >> 16) & 0xff, (lo >> 8) & 0xff, lo & 0xff,
    body.length >> 8, body.length & 0xff, ...body,
  ]);
}

/** A well-formed epoch-0 handshake record: a one-byte ClientHello fragment, message_seq 0. */
function forgedEpoch0(seq: number): Uint8Array {
  return record(22, seq, [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
}
