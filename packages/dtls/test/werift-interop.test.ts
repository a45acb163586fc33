/**
 * Interop with werift's DTLS (the pure-TypeScript stack known to work with browsers), in
 * memory, both roles: handshake, identical DTLS-SRTP keys, application data both ways.
 */
import { cryptoRandom, toHex } from "@tsrtc/base";
import { X509Certificate } from "node:crypto";
import { CipherContext, DtlsClient, DtlsServer, HashAlgorithm, NamedCurveAlgorithm, SignatureAlgorithm } from "werift";
import { describe, expect, it } from "vitest";
import { DtlsEndpoint, fingerprint, generateCertificate, type DtlsEvent } from "../src/index.js";

const addr = { address: "127.0.0.1", port: 1 };

async function weriftCert() {
  return CipherContext.createSelfSignedCertificateWithKey(
    { hash: HashAlgorithm.sha256_4, signature: SignatureAlgorithm.ecdsa_3 },
    NamedCurveAlgorithm.secp256r1_23,
  );
}

/** Wire one of our endpoints to a werift socket through its Transport interface. */
function wire(ours: DtlsEndpoint) {
  const events: DtlsEvent[] = [];
  const transport = {
    type: "udp",
    address: addr,
    closed: false,
    onData: (_d: Buffer, _a: unknown) => {},
    send: (d: Buffer) => {
      const copy = new Uint8Array(d);
      queueMicrotask(() => {
        ours.handlePacket(copy, performance.now());
        flush();
      });
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  const flush = () => {
    let d: Uint8Array | undefined;
    while ((d = ours.pollTransmit())) {
      const b = Buffer.from(d);
      queueMicrotask(() => transport.onData(b, addr));
    }
    let e: DtlsEvent | undefined;
    while ((e = ours.pollEvent())) events.push(e);
  };
  return { transport, events, flush };
}

async function until(pred: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const text = (ev: DtlsEvent[]) => ev.filter((e) => e.type === "data").map((e) => new TextDecoder().decode((e as { data: Uint8Array }).data)).join("");

describe("werift interop (in memory)", () => {
  it("our client, werift server", async () => {
    const wc = await weriftCert();
    const ours = generateCertificate({ rng: cryptoRandom, notBefore: Date.now() - 60_000 });
    const ep = new DtlsEndpoint({
      role: "client",
      certificate: ours,
      remoteFingerprints: [fingerprint(new Uint8Array(new X509Certificate(wc.certPem).raw))],
      rng: cryptoRandom,
    });
    const w = wire(ep);
    const server = new DtlsServer({
      cert: wc.certPem, key: wc.keyPem, signatureHash: wc.signatureHash,
      transport: w.transport as never, srtpProfiles: [7, 1], extendedMasterSecret: true, certificateRequest: true,
    });
    let weriftUp = false;
    const got: string[] = [];
    server.onConnect.subscribe(() => (weriftUp = true));
    server.onData.subscribe((b) => got.push(b.toString()));
    ep.start(performance.now());
    w.flush();
    await until(() => weriftUp && ep.state === "connected", "handshake");
    const conn = w.events.find((e) => e.type === "connected") as Extract<DtlsEvent, { type: "connected" }>;
    expect(conn.cipherSuite).toBe("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    expect(conn.srtpProfile).toBe("SRTP_AEAD_AES_128_GCM");
    const km = ep.srtpKeyingMaterial()!;
    const wk = server.srtp.srtpProfile === 7 ? server.extractSessionKeys(16, 12) : undefined;
    expect(wk).toBeDefined();
    // werift's "local" is the server's key: ours are client-first (RFC 5764 §4.2).
    expect(toHex(km.serverKey)).toBe(toHex(wk!.localKey));
    expect(toHex(km.clientKey)).toBe(toHex(wk!.remoteKey));
    expect(toHex(km.clientSalt)).toBe(toHex(wk!.remoteSalt));
    ep.send(new TextEncoder().encode("to werift"));
    w.flush();
    await server.send(Buffer.from("to tsrtc"));
    await until(() => got.join("") === "to werift" && text(w.events) === "to tsrtc", "data both ways");
    server.close();
  });

  it("werift client, our server", async () => {
    const wc = await weriftCert();
    const ours = generateCertificate({ rng: cryptoRandom, notBefore: Date.now() - 60_000 });
    const ep = new DtlsEndpoint({
      role: "server",
      certificate: ours,
      remoteFingerprints: [fingerprint(new Uint8Array(new X509Certificate(wc.certPem).raw))],
      rng: cryptoRandom,
    });
    const w = wire(ep);
    const client = new DtlsClient({
      cert: wc.certPem, key: wc.keyPem, signatureHash: wc.signatureHash,
      transport: w.transport as never, srtpProfiles: [1], extendedMasterSecret: true,
    });
    let weriftUp = false;
    const got: string[] = [];
    client.onConnect.subscribe(() => (weriftUp = true));
    client.onData.subscribe((b) => got.push(b.toString()));
    void client.connect();
    await until(() => weriftUp && ep.state === "connected", "handshake");
    expect(ep.stats.helloVerifyRequestsSent).toBe(1);
    const km = ep.srtpKeyingMaterial()!;
    expect(km.profile).toBe("SRTP_AES128_CM_HMAC_SHA1_80");
    const wk = client.extractSessionKeys(16, 14);
    expect(toHex(km.clientKey)).toBe(toHex(wk.localKey));
    expect(toHex(km.serverSalt)).toBe(toHex(wk.remoteSalt));
    ep.send(new TextEncoder().encode("to werift"));
    w.flush();
    await client.send(Buffer.from("to tsrtc"));
    await until(() => got.join("") === "to werift" && text(w.events) === "to tsrtc", "data both ways");
    client.close();
  });
});
