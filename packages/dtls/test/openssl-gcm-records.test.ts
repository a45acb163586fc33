/**
 * AES-GCM records with OpenSSL 3 (`openssl s_server -dtls1_2`) past the point where AesGcm
 * leaves node:crypto for its own GHASH and keystream (64 records per key by default), and with
 * the tables from the first record ("tables" as the process default): 100 records each way,
 * every one delivered intact and none dropped as a bad MAC.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { X509Certificate } from "node:crypto";
import { cryptoRandom, defaultGcmMode, type GcmMode, setDefaultGcmMode } from "@tsrtc/base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DtlsEndpoint, fingerprint, generateCertificate, type DtlsEvent } from "../src/index.js";
import { freeUdpPort, Proc, UdpDriver } from "./udp-driver.js";

let dir: string;
let cert: { cert: string; key: string; der: Uint8Array };
const ours = generateCertificate({ rng: cryptoRandom, notBefore: Date.now() - 3_600_000 });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tsrtc-dtls-gcm-"));
  const c = join(dir, "ec.crt");
  const k = join(dir, "ec.key");
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", k, "-out", c, "-days", "30", "-subj", "/CN=openssl"], { stdio: "ignore" });
  cert = { cert: c, key: k, der: new Uint8Array(new X509Certificate(readFileSync(c)).raw) };
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const RECORDS = 100;
const dataOf = (ev: DtlsEvent[]) =>
  ev.filter((e) => e.type === "data").map((e) => new TextDecoder().decode((e as { data: Uint8Array }).data)).join("");

describe("OpenSSL s_server, our client, 100 AES-GCM records each way", () => {
  const cases: { cipher: string; mode: GcmMode }[] = [
    { cipher: "ECDHE-ECDSA-AES128-GCM-SHA256", mode: "tables" },
    { cipher: "ECDHE-ECDSA-AES256-GCM-SHA384", mode: "auto" },
  ];
  for (const c of cases) {
    it(`${c.cipher}, gcm mode "${c.mode}"`, async () => {
      const before = defaultGcmMode();
      setDefaultGcmMode(c.mode);
      const port = await freeUdpPort();
      const srv = new Proc("openssl", [
        "s_server", "-dtls1_2", "-accept", `127.0.0.1:${port}`, "-cert", cert.cert, "-key", cert.key,
        "-cipher", c.cipher, "-use_srtp", "SRTP_AEAD_AES_128_GCM", "-verify", "1", "-naccept", "1",
      ]);
      const ep = new DtlsEndpoint({ role: "client", certificate: ours, remoteFingerprints: [fingerprint(cert.der)], rng: cryptoRandom });
      const drv = new UdpDriver(ep, { address: "127.0.0.1", port });
      try {
        await srv.waitFor(/ACCEPT/);
        await drv.bind();
        ep.start(drv.now());
        drv.flush();
        await drv.until((ev) => ev.some((e) => e.type === "connected"), 10_000, "connected");
        // Ours to OpenSSL: one record per line, sizes 20..1000 bytes.
        const lines: string[] = [];
        for (let i = 0; i < RECORDS; i++) {
          const line = `tsrtc ${i} ${"x".repeat((i * 37) % 980)}\n`;
          lines.push(line);
          ep.send(new TextEncoder().encode(line));
          drv.flush();
        }
        await srv.waitFor(new RegExp(`tsrtc ${RECORDS - 1} `));
        for (const line of lines) expect(srv.out).toContain(line);
        // OpenSSL to ours: one line at a time, so that each goes in a record of its own.
        for (let i = 0; i < RECORDS; i++) {
          srv.write(`openssl ${i} ${"y".repeat((i * 53) % 700)}\n`);
          await new Promise((r) => setTimeout(r, 3));
        }
        await drv.until((ev) => dataOf(ev).includes(`openssl ${RECORDS - 1} `), 10_000, "data from openssl");
        const got = dataOf(drv.events);
        for (let i = 0; i < RECORDS; i++) expect(got).toContain(`openssl ${i} ${"y".repeat((i * 53) % 700)}\n`);
        expect(drv.events.filter((e) => e.type === "data").length).toBeGreaterThan(64);
        expect(srv.out).toContain(`CIPHER is ${c.cipher}`);
        expect(ep.stats.dropped.badMac).toBe(0);
      } finally {
        setDefaultGcmMode(before);
        drv.close();
        srv.kill();
      }
    });
  }
});
