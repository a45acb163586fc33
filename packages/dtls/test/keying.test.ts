import { fromHex, toHex, utf8Encode } from "@tsrtc/base";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { cipherSuiteByName } from "../src/cipher-suites.js";
import { exportKeyingMaterial, keyBlock, prf, splitSrtpKeyingMaterial } from "../src/keying.js";

describe("TLS 1.2 PRF (RFC 5246 §5)", () => {
  it("matches the published P_SHA256 test vector", () => {
    // The widely used TLS 1.2 PRF vector (secret/seed/label "test label", 100 bytes).
    const out = prf("sha256", fromHex("9bbe436ba940f017b17652849a71db35"), "test label", fromHex("a0ba9f936cda311827a6f796ffd5198c"), 100);
    expect(toHex(out)).toBe(
      "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab" +
        "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66",
    );
  });

  it("matches OpenSSL's TLS1-PRF for SHA-384 and odd lengths", () => {
    const secret = fromHex("b80b733d6ceefcdc71566ea48e5567df");
    const seed = fromHex("cd665cf6a8447dd6ff8b27555edb7465");
    for (const [hash, len] of [["sha384", 148], ["sha256", 37]] as const) {
      const hexSeed = toHex(utf8Encode("test label")) + toHex(seed);
      const ref = execFileSync("openssl", [
        "kdf", "-keylen", String(len), "-kdfopt", `digest:${hash.toUpperCase()}`,
        "-kdfopt", `hexsecret:${toHex(secret)}`, "-kdfopt", `hexseed:${hexSeed}`, "TLS1-PRF",
      ]).toString().trim().replace(/:/g, "").toLowerCase();
      expect(toHex(prf(hash, secret, "test label", seed, len))).toBe(ref);
    }
  });
});

describe("key block and exporter", () => {
  const master = new Uint8Array(48).fill(7);
  const cr = new Uint8Array(32).fill(1);
  const sr = new Uint8Array(32).fill(2);

  it("splits the key block per RFC 5246 §6.3 (GCM: 4-byte salts; ChaCha: 12-byte IVs)", () => {
    const gcm = cipherSuiteByName("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    const kb = keyBlock(gcm, master, cr, sr);
    const whole = prf("sha256", master, "key expansion", new Uint8Array([...sr, ...cr]), 40);
    expect(toHex(kb.client.key)).toBe(toHex(whole.subarray(0, 16)));
    expect(toHex(kb.server.key)).toBe(toHex(whole.subarray(16, 32)));
    expect(toHex(kb.client.iv)).toBe(toHex(whole.subarray(32, 36)));
    expect(toHex(kb.server.iv)).toBe(toHex(whole.subarray(36, 40)));
    const cc = keyBlock(cipherSuiteByName("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"), master, cr, sr);
    expect(cc.client.key.length).toBe(32);
    expect(cc.server.iv.length).toBe(12);
  });

  it("exports per RFC 5705 §4, with and without context, and refuses reserved labels", () => {
    const a = exportKeyingMaterial("sha256", master, cr, sr, "EXTRACTOR-dtls_srtp", undefined, 60);
    expect(toHex(a)).toBe(toHex(prf("sha256", master, "EXTRACTOR-dtls_srtp", new Uint8Array([...cr, ...sr]), 60)));
    const b = exportKeyingMaterial("sha256", master, cr, sr, "EXPERIMENTAL x", new Uint8Array([9]), 20);
    expect(toHex(b)).toBe(toHex(prf("sha256", master, "EXPERIMENTAL x", new Uint8Array([...cr, ...sr, 0, 1, 9]), 20)));
    expect(() => exportKeyingMaterial("sha256", master, cr, sr, "master secret", undefined, 10)).toThrow();
  });

  it("splits SRTP keying material as RFC 5764 §4.2 lays it out", () => {
    const raw = Uint8Array.from({ length: 60 }, (_, i) => i);
    const k = splitSrtpKeyingMaterial("SRTP_AES128_CM_HMAC_SHA1_80", raw);
    expect(k.clientKey[0]).toBe(0);
    expect(k.serverKey[0]).toBe(16);
    expect(k.clientSalt[0]).toBe(32);
    expect(k.serverSalt[0]).toBe(46);
    expect(k.serverSalt.length).toBe(14);
    const g = splitSrtpKeyingMaterial("SRTP_AEAD_AES_256_GCM", Uint8Array.from({ length: 88 }, (_, i) => i));
    expect(g.serverKey[0]).toBe(32);
    expect(g.clientSalt[0]).toBe(64);
    expect(g.serverSalt[0]).toBe(76);
  });
});
