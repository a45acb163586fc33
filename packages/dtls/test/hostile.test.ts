/**
 * Bad input: each case ends in the right alert, drop or error, is counted, and nothing ever
 * throws out of the core.
 */
import { SeededRandom } from "@tsrtc/base";
import { dtlsHandshakes } from "@tsrtc/testkit";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DtlsEndpoint, fingerprint, type DtlsEvent } from "../src/index.js";
import { ContentType, HandshakeType } from "../src/constants.js";
import { encodeClientHello } from "../src/handshake/messages/client-hello.js";
import { encodeWholeMessage } from "../src/handshake/header.js";
import { connect, makeCert, makePair, pump, type Pair } from "./helpers.js";

const ecA = makeCert(21);
const ecB = makeCert(22);

function alertsSent(ev: DtlsEvent[]): number[] {
  return ev.filter((e) => e.type === "alert" && e.direction === "sent").map((e) => (e as { description: number }).description);
}

/** Capture the datagrams a pair exchanges while connecting. */
function connectCapturing(p: Pair): { from: "client" | "server"; d: Uint8Array }[] {
  const seen: { from: "client" | "server"; d: Uint8Array }[] = [];
  p.client.start(0);
  pump(p, 0, (from, d) => {
    seen.push({ from, d: Uint8Array.from(d) });
    return true;
  });
  return seen;
}

function appRecord(p: Pair, text: string): Uint8Array {
  p.client.send(new TextEncoder().encode(text));
  return p.client.pollTransmit()!;
}

describe("record layer input", () => {
  it("drops truncated records and records with wrong lengths, counted", () => {
    const p = makePair(ecA, ecB);
    connect(p);
    const r = appRecord(p, "hello");
    p.server.handlePacket(r.subarray(0, 10), 1); // header cut short
    p.server.handlePacket(r.subarray(0, r.length - 1), 1); // length runs past the datagram
    const long = Uint8Array.from(r);
    long[11] = 0xff; // announced length far beyond the datagram
    p.server.handlePacket(long, 1);
    expect(p.server.stats.dropped.truncated).toBe(3);
    const short = Uint8Array.from(r);
    short[12] = 4; // shorter than the AEAD overhead: cannot authenticate
    p.server.handlePacket(short.subarray(0, 17), 1);
    expect(p.server.stats.dropped.badMac).toBe(1);
    p.server.handlePacket(r, 1);
    expect(p.server.pollEvent()).toMatchObject({ type: "data" });
    expect(p.server.state).toBe("connected");
  });

  it("drops a record with a bad MAC (default) and sends bad_record_mac when configured fatal", () => {
    const p = makePair(ecA, ecB);
    connect(p);
    const bad = appRecord(p, "x");
    bad[bad.length - 3] ^= 0x40;
    p.server.handlePacket(bad, 1);
    expect(p.server.stats.dropped.badMac).toBe(1);
    expect(p.server.pollEvent()).toBeUndefined();
    expect(p.server.state).toBe("connected");

    const q = makePair(ecA, ecB, { server: { badRecordMac: "fatal" } });
    connect(q);
    const bad2 = appRecord(q, "x");
    bad2[20] ^= 1;
    q.server.handlePacket(bad2, 1);
    pump(q, 1);
    expect(alertsSent(q.serverEvents)).toEqual([20]);
    expect(q.serverEvents.at(-1)).toEqual({ type: "closed", reason: "fatal_alert_sent" });
    expect(q.clientEvents.at(-1)).toEqual({ type: "closed", reason: "fatal_alert_received" });
  });

  it("drops a replayed record (RFC 6347 §4.1.2.6)", () => {
    const p = makePair(ecA, ecB);
    connect(p);
    const r = appRecord(p, "once");
    p.server.handlePacket(r, 1);
    p.server.handlePacket(r, 2);
    const data: DtlsEvent[] = [];
    let e;
    while ((e = p.server.pollEvent())) data.push(e);
    expect(data.filter((x) => x.type === "data")).toHaveLength(1);
    expect(p.server.stats.dropped.replay).toBe(1);
  });

  it("drops unknown content types, wrong versions and application data in epoch 0", () => {
    const p = makePair(ecA, ecB);
    connect(p);
    const r = appRecord(p, "x");
    const t = Uint8Array.from(r);
    t[0] = 99;
    const v = Uint8Array.from(r);
    v[2] = 0xfc;
    const plain = new Uint8Array([ContentType.applicationData, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 50, 0, 1, 7]);
    for (const d of [t, v, plain]) p.server.handlePacket(d, 1);
    expect(p.server.stats.dropped.unknownContentType).toBe(1);
    expect(p.server.stats.dropped.badVersion).toBe(1);
    expect(p.server.stats.dropped.unexpected).toBe(1);
    expect(p.server.state).toBe("connected");
  });

  it("counts a well-formed epoch-0 ChangeCipherSpec after the handshake as unexpected, a broken one as malformed", () => {
    const p = makePair(ecA, ecB);
    connect(p);
    // The handshake's own CCS records were used, not counted.
    expect(p.server.stats.dropped.unexpected).toBe(0);
    expect(p.client.stats.dropped.unexpected).toBe(0);
    const ccs = (seq: number, body: number[]) =>
      new Uint8Array([ContentType.changeCipherSpec, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, seq, 0, body.length, ...body]);
    const before = { ...p.server.stats.dropped };
    p.server.handlePacket(ccs(90, [1]), 1);
    p.server.handlePacket(ccs(91, [2]), 1);
    expect(p.server.stats.dropped.unexpected).toBe(before.unexpected + 1);
    expect(p.server.stats.dropped.malformed).toBe(before.malformed + 1);
    expect(p.server.state).toBe("connected");
    expect(p.server.pollEvent()).toBeUndefined();
  });
});

describe("handshake input", () => {
  it("a Finished with the wrong verify_data ends in decrypt_error", () => {
    // Tamper with the (unsigned) CertificateRequest in flight 4: the transcripts differ, so the
    // server finds the client's Finished wrong.
    const p = makePair(ecA, ecB);
    p.client.start(0);
    pump(p, 0, (from, d) => {
      for (const h of dtlsHandshakes(d)) {
        if (from === "server" && h.type === HandshakeType.certificateRequest && h.fragmentOffset === 0) {
          // certificate_types [ecdsa_sign, rsa_sign] → [rsa_sign, ecdsa_sign]
          const a = d[h.bodyOffset + 1];
          d[h.bodyOffset + 1] = d[h.bodyOffset + 2];
          d[h.bodyOffset + 2] = a;
        }
      }
      return true;
    });
    expect(alertsSent(p.serverEvents)).toEqual([51]);
    expect(p.serverEvents.find((e) => e.type === "error")).toMatchObject({ alert: 51 });
    expect(p.clientEvents.at(-1)).toEqual({ type: "closed", reason: "fatal_alert_received" });
    expect(p.client.state).toBe("closed");
  });

  it("a certificate that does not match the fingerprint is a fatal bad_certificate, both roles", () => {
    const other = makeCert(23);
    const p = makePair(ecA, ecB, { client: { remoteFingerprints: [fingerprint(other.der)] } });
    connect(p);
    expect(alertsSent(p.clientEvents)).toEqual([42]);
    expect(p.serverEvents.at(-1)).toEqual({ type: "closed", reason: "fatal_alert_received" });
    const q = makePair(ecA, ecB, { server: { remoteFingerprints: [fingerprint(other.der, "sha-512")] } });
    connect(q);
    expect(alertsSent(q.serverEvents)).toEqual([42]);
    expect(q.client.state).toBe("closed");
    // sha-1 / sha-384 / sha-512 fingerprints of the right certificate are accepted (RFC 8122).
    for (const alg of ["sha-1", "sha-384", "sha-512"] as const) {
      const ok = makePair(ecA, ecB, { client: { remoteFingerprints: [fingerprint(ecB.der, alg)] } });
      connect(ok);
      expect(ok.client.state).toBe("connected");
    }
  });

  it("a peer showing the signaled certificate without its private key never connects, both roles", () => {
    // The impostor has the genuine certificate (it is public: it crossed the wire) and signs
    // with its own key. Only the signatures (CertificateVerify, ServerKeyExchange) bind the
    // certificate that matched the fingerprint to the peer we talk to.
    const mallory = makeCert(29);
    const fakeA = { ...ecA, privateKey: mallory.privateKey };
    const p = makePair(fakeA, ecB);
    connect(p);
    expect(alertsSent(p.serverEvents)).toEqual([51]); // decrypt_error: CertificateVerify does not verify
    expect(p.server.state).toBe("closed");
    expect(p.client.state).toBe("closed");
    expect(p.serverEvents.some((e) => e.type === "connected")).toBe(false);
    const fakeB = { ...ecB, privateKey: mallory.privateKey };
    const q = makePair(ecA, fakeB);
    connect(q);
    expect(alertsSent(q.clientEvents)).toEqual([51]); // ServerKeyExchange signature does not verify
    expect(q.client.state).toBe("closed");
    expect(q.clientEvents.some((e) => e.type === "connected")).toBe(false);
  });

  it("a verify callback can refuse the certificate", () => {
    const p = makePair(ecA, ecB, { server: { remoteFingerprints: undefined, verifyRemoteCertificate: () => false } });
    connect(p);
    expect(alertsSent(p.serverEvents)).toEqual([42]);
  });

  it("an unexpected handshake message ends in unexpected_message", () => {
    const p = makePair(ecA, ecB);
    p.client.start(0);
    const hello = p.client.pollTransmit()!;
    const other = makePair(ecA, ecB, {}, 9);
    other.client.start(0);
    other.client.pollTransmit();
    other.client.handlePacket(hello, 1); // a ClientHello sent to a client
    const ev: DtlsEvent[] = [];
    let e;
    while ((e = other.client.pollEvent())) ev.push(e);
    expect(alertsSent(ev)).toEqual([10]);
    expect(other.client.state).toBe("closed");
  });

  it("a malformed ServerHello body ends in decode_error", () => {
    const p = makePair(ecA, ecB);
    p.client.start(0);
    pump(p, 0, (from, d) => {
      for (const h of dtlsHandshakes(d)) {
        if (from === "server" && h.type === HandshakeType.serverHello && h.fragmentOffset === 0) d[h.bodyOffset + 34] = 200; // session_id length
      }
      return true;
    });
    expect(alertsSent(p.clientEvents)).toEqual([50]);
  });

  it("keeps no state for a flood of ClientHellos without cookies, and still serves a real client", () => {
    const rng = new SeededRandom(5);
    const server = new DtlsEndpoint({ role: "server", certificate: ecB, remoteFingerprints: [fingerprint(ecA.der)], rng: new SeededRandom(6) });
    for (let i = 0; i < 2000; i++) {
      const body = encodeClientHello({
        version: 0xfefd,
        random: rng.fill(new Uint8Array(32)),
        sessionId: new Uint8Array(0),
        cookie: i % 2 ? rng.fill(new Uint8Array(20)) : new Uint8Array(0), // none, or a forged one
        cipherSuites: [0xc02b],
        compressionMethods: Uint8Array.of(0),
        extensions: [],
      });
      const msg = encodeWholeMessage(HandshakeType.clientHello, i % 3, body);
      const rec = new Uint8Array(13 + msg.length);
      rec.set([22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, i >> 8, i & 255, msg.length >> 8, msg.length & 255]);
      rec.set(msg, 13);
      server.handlePacket(rec, i);
      const hvr = server.pollTransmit()!;
      expect(hvr[13]).toBe(HandshakeType.helloVerifyRequest);
      expect(hvr.subarray(5, 11)).toEqual(rec.subarray(5, 11)); // record number echoed (RFC 6347 §4.2.1)
      expect(server.pollTransmit()).toBeUndefined();
    }
    expect(server.stats.helloVerifyRequestsSent).toBe(2000);
    expect(server.bufferedHandshakeState).toBe(0);
    expect(server.pollTimeout()).toBeUndefined();
    // Partial fragments are bounded by the reassembly window.
    for (let i = 0; i < 500; i++) {
      server.handlePacket(new Uint8Array([22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 13, 1, 0, 16, 0, i & 255, 0, 0, 0, 0, 0, 0, 1, 0]), 1);
    }
    expect(server.bufferedHandshakeState).toBeLessThanOrEqual(16);
    // A fragment claiming a huge ClientHello is refused before any buffer is allocated.
    const before = server.stats.dropped.handshakeRejected;
    server.handlePacket(new Uint8Array([22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 13, 1, 0, 0xff, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0]), 2);
    expect(server.stats.dropped.handshakeRejected).toBe(before + 1);
    // A real client still gets through.
    const client = new DtlsEndpoint({ role: "client", certificate: ecA, remoteFingerprints: [fingerprint(ecB.der)], rng: new SeededRandom(7) });
    const p: Pair = { client, server, clientEvents: [], serverEvents: [] };
    connect(p, 3000);
    expect(server.state).toBe("connected");
  });
});

describe("property: random and mutated datagrams never throw", () => {
  const datagram = fc.uint8Array({ minLength: 0, maxLength: 300 });
  /** Random bytes shaped like DTLS records so they get past the first checks. */
  const recordish = fc
    .tuple(fc.constantFrom(20, 21, 22, 23), fc.constantFrom(0, 1, 2), fc.nat(70), fc.uint8Array({ maxLength: 200 }))
    .map(([type, epoch, seq, body]) => {
      const r = new Uint8Array(13 + body.length);
      r.set([type, 0xfe, 0xfd, 0, epoch, 0, 0, 0, 0, 0, seq, body.length >> 8, body.length & 255]);
      r.set(body, 13);
      return r;
    });
  const input = fc.array(fc.oneof(datagram, recordish), { maxLength: 20 });

  it("into a fresh server, a started client, and a connected pair", () => {
    const connected = makePair(ecA, ecB);
    connect(connected);
    fc.assert(
      fc.property(input, (ds) => {
        const server = new DtlsEndpoint({ role: "server", certificate: ecB, remoteFingerprints: [fingerprint(ecA.der)], rng: new SeededRandom(1) });
        const client = new DtlsEndpoint({ role: "client", certificate: ecA, remoteFingerprints: [fingerprint(ecB.der)], rng: new SeededRandom(2) });
        client.start(0);
        for (const d of ds) {
          for (const ep of [server, client, connected.client, connected.server]) {
            ep.handlePacket(d, 1);
            ep.handleTimeout(2);
            while (ep.pollTransmit());
            while (ep.pollEvent());
          }
        }
        // Unauthenticated input can never take down an established session.
        expect(connected.client.state).toBe("connected");
        expect(connected.server.state).toBe("connected");
        expect(server.stats.internalErrors + client.stats.internalErrors).toBe(0);
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it("mutated handshake datagrams end connected, closed with an alert, or still handshaking", () => {
    const base = connectCapturing(makePair(ecA, ecB));
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.array(fc.tuple(fc.nat(2000), fc.nat(255)), { minLength: 1, maxLength: 4 }), (which, flips) => {
        const p = makePair(ecA, ecB);
        p.client.start(0);
        let index = 0;
        pump(p, 0, (_from, d) => {
          if (index++ === which) for (const [at, v] of flips) if (at < d.length) d[at] = v;
          return true;
        });
        for (const ep of [p.client, p.server]) {
          expect(["connected", "closed", "handshaking"]).toContain(ep.state);
          expect(ep.stats.internalErrors).toBe(0);
        }
        // No fatal error without an alert telling the peer.
        for (const ev of [p.clientEvents, p.serverEvents]) {
          if (ev.some((e) => e.type === "error")) expect(alertsSent(ev).length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
