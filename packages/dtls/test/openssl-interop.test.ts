/**
 * Interop with OpenSSL 3 (`openssl s_server` / `s_client -dtls1_2`) on loopback, both roles:
 * the handshake completes, both sides export the same DTLS-SRTP keying material, and
 * application data crosses both ways.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { X509Certificate } from "node:crypto";
import { cryptoRandom, toHex } from "@tsrtc/base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DtlsEndpoint, fingerprint, generateCertificate, type DtlsEvent, type SrtpProfileName } from "../src/index.js";
import { freeUdpPort, Proc, UdpDriver } from "./udp-driver.js";

let dir: string;
const certs: Record<"ec" | "rsa", { cert: string; key: string; der: Uint8Array }> = {} as never;
const ours = generateCertificate({ rng: cryptoRandom, notBefore: Date.now() - 3_600_000 });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tsrtc-dtls-"));
  for (const [name, newkey] of [["ec", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]], ["rsa", ["-newkey", "rsa:2048"]]] as const) {
    const cert = join(dir, `${name}.crt`);
    const key = join(dir, `${name}.key`);
    execFileSync("openssl", ["req", "-x509", ...newkey, "-nodes", "-keyout", key, "-out", cert, "-days", "30", "-subj", "/CN=openssl"], { stdio: "ignore" });
    certs[name] = { cert, key, der: new Uint8Array(new X509Certificate(readFileSync(cert)).raw) };
  }
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const OPENSSL_SRTP: Record<SrtpProfileName, string> = {
  SRTP_AES128_CM_HMAC_SHA1_80: "SRTP_AES128_CM_SHA1_80",
  SRTP_AES128_CM_HMAC_SHA1_32: "SRTP_AES128_CM_SHA1_32",
  SRTP_AEAD_AES_128_GCM: "SRTP_AEAD_AES_128_GCM",
  SRTP_AEAD_AES_256_GCM: "SRTP_AEAD_AES_256_GCM",
};

const KEYLEN: Record<SrtpProfileName, number> = {
  SRTP_AES128_CM_HMAC_SHA1_80: 60,
  SRTP_AES128_CM_HMAC_SHA1_32: 60,
  SRTP_AEAD_AES_128_GCM: 56,
  SRTP_AEAD_AES_256_GCM: 88,
};

interface Case {
  name: string;
  cert: "ec" | "rsa";
  cipher: string;
  srtp: SrtpProfileName;
  extra?: string[];
  groups?: string;
}

const dataOf = (ev: DtlsEvent[]) =>
  ev.filter((e) => e.type === "data").map((e) => new TextDecoder().decode((e as { data: Uint8Array }).data)).join("");

describe("OpenSSL s_server, our client", () => {
  const cases: Case[] = [
    { name: "ECDSA P-256, AES-128-GCM, AES_CM_80, cookie exchange (-listen), P-256", cert: "ec", cipher: "ECDHE-ECDSA-AES128-GCM-SHA256", srtp: "SRTP_AES128_CM_HMAC_SHA1_80", extra: ["-listen"], groups: "P-256" },
    { name: "ECDSA, AES-256-GCM, AEAD_AES_256_GCM, fragmented at -mtu 400, X25519", cert: "ec", cipher: "ECDHE-ECDSA-AES256-GCM-SHA384", srtp: "SRTP_AEAD_AES_256_GCM", extra: ["-listen", "-mtu", "400"] },
    { name: "RSA 2048, ECDHE-RSA-AES128-GCM, AEAD_AES_128_GCM", cert: "rsa", cipher: "ECDHE-RSA-AES128-GCM-SHA256", srtp: "SRTP_AEAD_AES_128_GCM" },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const port = await freeUdpPort();
      const srv = new Proc("openssl", [
        "s_server", "-dtls1_2", "-accept", `127.0.0.1:${port}`, "-cert", certs[c.cert].cert, "-key", certs[c.cert].key,
        "-cipher", c.cipher, ...(c.groups ? ["-groups", c.groups] : []), "-use_srtp", OPENSSL_SRTP[c.srtp],
        "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", String(KEYLEN[c.srtp]), "-verify", "1", "-naccept", "1",
        ...(c.extra ?? []),
      ]);
      const ep = new DtlsEndpoint({ role: "client", certificate: ours, remoteFingerprints: [fingerprint(certs[c.cert].der)], rng: cryptoRandom });
      const drv = new UdpDriver(ep, { address: "127.0.0.1", port });
      try {
        await srv.waitFor(/ACCEPT/);
        await drv.bind();
        ep.start(drv.now());
        drv.flush();
        await drv.until((ev) => ev.some((e) => e.type === "connected"), 10_000, "connected");
        const conn = drv.events.find((e) => e.type === "connected") as Extract<DtlsEvent, { type: "connected" }>;
        expect(conn.srtpProfile).toBe(c.srtp);
        expect(conn.extendedMasterSecret).toBe(true);
        const km = (await srv.waitFor(/Keying material: ([0-9A-F]+)/))[1].toLowerCase();
        expect(toHex(ep.srtpKeyingMaterial()!.raw)).toBe(km);
        ep.send(new TextEncoder().encode("hello from tsrtc\n"));
        drv.flush();
        await srv.waitFor(/hello from tsrtc/);
        srv.write("hello from openssl\n");
        await drv.until((ev) => dataOf(ev).includes("hello from openssl"), 10_000, "data from openssl");
        expect(srv.out).toMatch(/Client certificate/); // we answered the CertificateRequest
        expect(srv.out).toContain(`CIPHER is ${c.cipher}`);
        expect(srv.out).toContain(`SRTP Extension negotiated, profile=${OPENSSL_SRTP[c.srtp]}`);
        if (c.extra?.includes("-mtu")) expect(drv.maxReceived).toBeLessThanOrEqual(400);
        expect(ep.stats.dropped.badMac).toBe(0);
      } finally {
        drv.close();
        srv.kill();
      }
    });
  }
});

describe("OpenSSL s_client, our server", () => {
  const cases: Case[] = [
    { name: "ECDSA P-256, AES-128-GCM, AEAD_AES_128_GCM, cookie exchange", cert: "ec", cipher: "ECDHE-ECDSA-AES128-GCM-SHA256", srtp: "SRTP_AEAD_AES_128_GCM" },
    { name: "ChaCha20-Poly1305, AES_CM_32, P-256, client MTU 300", cert: "ec", cipher: "ECDHE-ECDSA-CHACHA20-POLY1305", srtp: "SRTP_AES128_CM_HMAC_SHA1_32", groups: "P-256", extra: ["-mtu", "300"] },
    { name: "RSA client certificate, AES-256-GCM, AES_CM_80", cert: "rsa", cipher: "ECDHE-ECDSA-AES256-GCM-SHA384", srtp: "SRTP_AES128_CM_HMAC_SHA1_80" },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const ep = new DtlsEndpoint({ role: "server", certificate: ours, remoteFingerprints: [fingerprint(certs[c.cert].der)], rng: cryptoRandom, mtu: 1200 });
      const drv = new UdpDriver(ep);
      const port = await drv.bind();
      const cli = new Proc("openssl", [
        "s_client", "-dtls1_2", "-noservername", "-connect", `127.0.0.1:${port}`, "-cert", certs[c.cert].cert, "-key", certs[c.cert].key,
        "-cipher", c.cipher, ...(c.groups ? ["-groups", c.groups] : []), "-use_srtp", OPENSSL_SRTP[c.srtp],
        "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", String(KEYLEN[c.srtp]), ...(c.extra ?? []),
      ]);
      try {
        await drv.until((ev) => ev.some((e) => e.type === "connected" || e.type === "closed"), 10_000, "connected");
        const conn = drv.events.find((e) => e.type === "connected") as Extract<DtlsEvent, { type: "connected" }>;
        expect(conn?.srtpProfile).toBe(c.srtp);
        expect(ep.stats.helloVerifyRequestsSent).toBeGreaterThanOrEqual(1);
        const km = (await cli.waitFor(/Keying material: ([0-9A-F]+)/))[1].toLowerCase();
        expect(toHex(ep.srtpKeyingMaterial()!.raw)).toBe(km);
        cli.write("hello from openssl\n");
        await drv.until((ev) => dataOf(ev).includes("hello from openssl"), 10_000, "data from openssl");
        ep.send(new TextEncoder().encode("hello from tsrtc\n"));
        drv.flush();
        await cli.waitFor(/hello from tsrtc/);
        expect(cli.out).toMatch(/Extended master secret: yes/i);
      } finally {
        drv.close();
        cli.kill();
      }
    });
  }
});

describe("OpenSSL s_client refused by our server", () => {
  it("a client without a certificate (empty Certificate) gets handshake_failure: WebRTC authenticates both peers", async () => {
    const ep = new DtlsEndpoint({ role: "server", certificate: ours, remoteFingerprints: [fingerprint(certs.ec.der)], rng: cryptoRandom });
    const drv = new UdpDriver(ep);
    const port = await drv.bind();
    const cli = new Proc("openssl", [
      "s_client", "-dtls1_2", "-noservername", "-connect", `127.0.0.1:${port}`, "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256",
      "-use_srtp", "SRTP_AEAD_AES_128_GCM",
    ]);
    try {
      await drv.until((ev) => ev.some((e) => e.type === "closed"), 10_000, "closed");
      expect(drv.events.some((e) => e.type === "connected")).toBe(false);
      expect(drv.events.find((e) => e.type === "error")).toMatchObject({ alert: 40 });
      await cli.waitFor(/alert handshake failure|handshake failure/i);
    } finally {
      drv.close();
      cli.kill();
    }
  });
});
