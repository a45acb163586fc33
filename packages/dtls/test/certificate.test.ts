import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { X509Certificate } from "node:crypto";
import { SeededRandom } from "@tsrtc/base";
import { afterAll, describe, expect, it } from "vitest";
import { certificateFromPem, fingerprint, generateCertificate, matchesFingerprint } from "../src/index.js";
import { certificatePublicKey } from "../src/certificate/public-key.js";

const dir = mkdtempSync(join(tmpdir(), "tsrtc-cert-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function opensslCert(name: string, newkey: string[]): { certPem: string; keyPem: string; der: Uint8Array } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync("openssl", ["req", "-x509", ...newkey, "-nodes", "-keyout", key, "-out", cert, "-days", "30", "-subj", "/CN=t"], { stdio: "ignore" });
  const certPem = readFileSync(cert, "utf8");
  return { certPem, keyPem: readFileSync(key, "utf8"), der: new Uint8Array(new X509Certificate(certPem).raw) };
}

describe("generateCertificate", () => {
  for (const keyType of ["ecdsa-p256", "rsa-2048"] as const) {
    it(`makes a valid self-signed ${keyType} X.509 v3 certificate`, () => {
      const notBefore = Date.UTC(2026, 10, 21, 7, 0, 0);
      const c = generateCertificate({ rng: new SeededRandom(1), notBefore, keyType });
      const x = new X509Certificate(c.der);
      expect(x.verify(x.publicKey)).toBe(true); // signature over the TBSCertificate checks out
      expect(x.checkPrivateKey(c.privateKey)).toBe(true);
      expect(x.subject).toBe("CN=WebRTC");
      expect(x.issuer).toBe("CN=WebRTC");
      expect(new Date(x.validFrom).getTime()).toBe(notBefore);
      expect(new Date(x.validTo).getTime()).toBe(notBefore + 30 * 86_400_000);
      expect(c.keyKind).toBe(keyType === "rsa-2048" ? "rsa" : "ecdsa");
      // openssl agrees it is well formed
      const text = execFileSync("openssl", ["x509", "-inform", "DER", "-noout", "-text"], { input: c.der }).toString();
      expect(text).toContain("Version: 3 (0x2)");
      expect(text).toContain(keyType === "rsa-2048" ? "sha256WithRSAEncryption" : "ecdsa-with-SHA256");
    });
  }

  it("uses GeneralizedTime from 2050 on (RFC 5280 §4.1.2.5)", () => {
    const c = generateCertificate({ rng: new SeededRandom(2), notBefore: Date.UTC(2049, 11, 20), validityDays: 30 });
    const x = new X509Certificate(c.der);
    expect(new Date(x.validTo).getUTCFullYear()).toBe(2050);
  });
});

describe("fingerprints (RFC 8122 §5)", () => {
  it("match openssl x509 -fingerprint for every hash", () => {
    const c = generateCertificate({ rng: new SeededRandom(3), notBefore: Date.UTC(2026, 0, 1) });
    for (const [alg, flag] of [["sha-1", "-sha1"], ["sha-256", "-sha256"], ["sha-384", "-sha384"], ["sha-512", "-sha512"]] as const) {
      const out = execFileSync("openssl", ["x509", "-inform", "DER", "-noout", "-fingerprint", flag], { input: c.der }).toString();
      expect(fingerprint(c.der, alg).value).toBe(out.trim().split("=")[1]);
    }
  });

  it("compare case-insensitively and skip unknown algorithms", () => {
    const c = generateCertificate({ rng: new SeededRandom(4), notBefore: Date.UTC(2026, 0, 1) });
    const f = fingerprint(c.der);
    expect(matchesFingerprint(c.der, [{ algorithm: "SHA-256", value: f.value.toLowerCase() }])).toBe(true);
    expect(matchesFingerprint(c.der, [{ algorithm: "md5", value: f.value }])).toBe(false);
    const wrong = (f.value.startsWith("00") ? "01" : "00") + f.value.slice(2);
    expect(matchesFingerprint(c.der, [{ algorithm: "sha-256", value: wrong }])).toBe(false);
  });
});

describe("peer public key extraction", () => {
  const cases: [string, string[]][] = [
    ["p256", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]],
    ["p384", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp384r1"]],
    ["rsa", ["-newkey", "rsa:2048"]],
    ["ed25519", ["-newkey", "ed25519"]], // not one we speak: falls back to node's parser
  ];
  for (const [name, args] of cases) {
    it(`equals node's X509Certificate.publicKey for ${name}`, () => {
      const c = opensslCert(name, args);
      const ours = certificatePublicKey(c.der).export({ format: "jwk" });
      const ref = new X509Certificate(c.der).publicKey.export({ format: "jwk" });
      expect(ours).toEqual(ref);
      if (name !== "ed25519") expect(certificateFromPem(c.certPem, c.keyPem).der).toEqual(c.der);
    });
  }

  it("a P-384 certificate (ecdsa_secp384r1_sha384) works end to end", async () => {
    const { makePair, connect } = await import("./helpers.js");
    const c = opensslCert("p384-e2e", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp384r1"]);
    const p384 = certificateFromPem(c.certPem, c.keyPem);
    const other = generateCertificate({ rng: new SeededRandom(9), notBefore: Date.UTC(2026, 0, 1) });
    const p = makePair(p384, other);
    connect(p);
    expect(p.client.state).toBe("connected");
    const q = makePair(other, p384);
    connect(q);
    expect(q.client.state).toBe("connected");
  });

  it("throws on garbage (the endpoint turns that into bad_certificate)", () => {
    expect(() => certificatePublicKey(new Uint8Array([0x30, 0x03, 1, 2, 3]))).toThrow();
  });
});
