import { toHex } from "@tsrtc/base";
import { describe, expect, it } from "vitest";
import { fingerprint, type CipherSuiteName, type DtlsEvent } from "../src/index.js";
import { connect, makeCert, makePair, pump } from "./helpers.js";

const ecA = makeCert(1);
const ecB = makeCert(2);

function connected(ev: DtlsEvent[]) {
  return ev.find((e) => e.type === "connected") as Extract<DtlsEvent, { type: "connected" }> | undefined;
}

describe("our client against our server, in memory", () => {
  it("completes the full handshake with HelloVerifyRequest and agrees on keys", () => {
    const p = makePair(ecA, ecB);
    connect(p);
    expect(p.client.state).toBe("connected");
    expect(p.server.state).toBe("connected");
    const c = connected(p.clientEvents)!;
    const s = connected(p.serverEvents)!;
    expect(c.cipherSuite).toBe("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    expect(s.cipherSuite).toBe(c.cipherSuite);
    expect(c.srtpProfile).toBe("SRTP_AEAD_AES_128_GCM");
    expect(c.extendedMasterSecret).toBe(true);
    expect(toHex(c.remoteCertificate)).toBe(toHex(ecB.der));
    expect(toHex(s.remoteCertificate)).toBe(toHex(ecA.der));
    expect(p.server.stats.helloVerifyRequestsSent).toBe(1);
    const kc = p.client.srtpKeyingMaterial()!;
    const ks = p.server.srtpKeyingMaterial()!;
    expect(toHex(kc.raw)).toBe(toHex(ks.raw));
    expect(kc.raw.length).toBe(56);
    expect(toHex(p.client.exportKeyingMaterial("EXPERIMENTAL test", new Uint8Array([1]), 32))).toBe(
      toHex(p.server.exportKeyingMaterial("EXPERIMENTAL test", new Uint8Array([1]), 32)),
    );
  });

  it("carries application data both ways and closes with close_notify", () => {
    const p = makePair(ecA, ecB);
    connect(p);
    const full = new Uint8Array(p.client.maxApplicationData);
    p.client.send(full);
    expect(p.client.pollTransmit()!.length).toBe(1200); // exactly one MTU-sized datagram
    p.client.send(new TextEncoder().encode("ping"));
    p.server.send(new TextEncoder().encode("pong"));
    pump(p, 10);
    const sd = p.serverEvents.filter((e) => e.type === "data").map((e) => new TextDecoder().decode((e as { data: Uint8Array }).data));
    const cd = p.clientEvents.filter((e) => e.type === "data").map((e) => new TextDecoder().decode((e as { data: Uint8Array }).data));
    expect(sd).toEqual(["ping"]);
    expect(cd).toEqual(["pong"]);
    p.client.close();
    pump(p, 20);
    expect(p.clientEvents.at(-1)).toEqual({ type: "closed", reason: "local" });
    expect(p.serverEvents.at(-1)).toEqual({ type: "closed", reason: "close_notify" });
    expect(p.server.state).toBe("closed");
  });

  const suites: [CipherSuiteName, "ecdsa-p256" | "rsa-2048"][] = [
    ["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ecdsa-p256"],
    ["TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ecdsa-p256"],
    ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "rsa-2048"],
  ];
  const rsa = makeCert(3, "rsa-2048");
  for (const [suite, kind] of suites) {
    it(`negotiates ${suite}`, () => {
      const serverCert = kind === "rsa-2048" ? rsa : ecB;
      const p = makePair(ecA, serverCert, { client: { cipherSuites: [suite] } });
      connect(p);
      expect(connected(p.clientEvents)?.cipherSuite).toBe(suite);
      p.server.send(new Uint8Array([1, 2, 3]));
      pump(p, 1);
      expect(p.clientEvents.some((e) => e.type === "data")).toBe(true);
    });
  }

  for (const g of ["x25519", "P-256", "P-384"] as const) {
    it(`uses group ${g}`, () => {
      const p = makePair(ecA, ecB, { client: { groups: [g] } });
      connect(p);
      expect(p.client.state).toBe("connected");
      expect(p.client.session?.group).toBe({ x25519: 29, "P-256": 23, "P-384": 24 }[g]);
    });
  }

  it("works with an RSA client certificate (rsa_pss_rsae_sha256 CertificateVerify) and without cookies", () => {
    const p = makePair(rsa, ecB, { server: { helloVerifyRequest: false } });
    connect(p);
    expect(p.server.state).toBe("connected");
    expect(p.server.stats.helloVerifyRequestsSent).toBe(0);
  });

  it("server picks the SRTP profile in its own order; no common profile means none", () => {
    const p = makePair(ecA, ecB, {
      client: { srtpProfiles: ["SRTP_AEAD_AES_128_GCM", "SRTP_AES128_CM_HMAC_SHA1_80"] },
      server: { srtpProfiles: ["SRTP_AES128_CM_HMAC_SHA1_80", "SRTP_AEAD_AES_128_GCM"] },
    });
    connect(p);
    expect(connected(p.clientEvents)?.srtpProfile).toBe("SRTP_AES128_CM_HMAC_SHA1_80");
    expect(p.client.srtpKeyingMaterial()?.raw.length).toBe(60);
    const q = makePair(ecA, ecB, { client: { srtpProfiles: ["SRTP_AEAD_AES_256_GCM"] }, server: { srtpProfiles: ["SRTP_AES128_CM_HMAC_SHA1_32"] } });
    connect(q);
    expect(q.client.state).toBe("connected");
    expect(connected(q.clientEvents)?.srtpProfile).toBeUndefined();
    expect(q.client.srtpKeyingMaterial()).toBeUndefined();
  });

  it("an offerer can learn the fingerprint after the handshake (awaitRemoteFingerprints)", () => {
    const p = makePair(ecA, ecB, { server: { remoteFingerprints: undefined, awaitRemoteFingerprints: true } });
    connect(p);
    expect(p.client.state).toBe("connected");
    expect(p.server.state).toBe("handshaking"); // done, but not trusted yet
    expect(p.serverEvents.some((e) => e.type === "connected")).toBe(false);
    p.client.send(new TextEncoder().encode("early"));
    pump(p, 1);
    expect(p.serverEvents.some((e) => e.type === "data")).toBe(false);
    p.server.setRemoteFingerprints([fingerprint(ecA.der)]);
    pump(p, 2);
    expect(p.serverEvents.map((e) => e.type)).toEqual(["connected", "data"]);
    expect(() => p.server.setRemoteFingerprints([])).toThrow(/InvalidStateError/);

    const q = makePair(ecA, ecB, { server: { remoteFingerprints: undefined, awaitRemoteFingerprints: true } });
    connect(q);
    q.server.setRemoteFingerprints([fingerprint(ecB.der)]); // the wrong one
    pump(q, 1);
    expect(q.serverEvents.find((e) => e.type === "alert")).toMatchObject({ direction: "sent", description: 42 });
    expect(q.clientEvents.at(-1)).toEqual({ type: "closed", reason: "fatal_alert_received" }); // it was authenticated
  });

  it("fragments the handshake at a small MTU and still connects", () => {
    const p = makePair(ecA, rsa, { client: { mtu: 200 }, server: { mtu: 200 } });
    const sizes: number[] = [];
    p.client.start(0);
    pump(p, 0, (_f, d) => {
      sizes.push(d.length);
      return true;
    });
    expect(p.client.state).toBe("connected");
    expect(Math.max(...sizes)).toBeLessThanOrEqual(200);
  });
});
