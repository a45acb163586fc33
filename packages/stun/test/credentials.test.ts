import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toHex } from "@tsrtc/base";
import {
  ErrorCode,
  IntegrityKey,
  PasswordAlgorithm,
  StunBuilder,
  StunClass,
  StunMessage,
  StunMethod,
  beginErrorResponse,
  longTermIntegrityKey,
  longTermKey,
  shortTermIntegrityKey,
  userhash,
} from "../src/index.js";

describe("credential keys (RFC 8489 §9)", () => {
  it("long-term MD5 and SHA-256 keys hash username:realm:password", () => {
    const md5 = createHash("md5").update("user:realm:pass").digest("hex");
    const sha = createHash("sha256").update("user:realm:pass").digest("hex");
    expect(toHex(longTermKey("user", "realm", "pass"))).toBe(md5);
    expect(toHex(longTermKey("user", "realm", "pass", PasswordAlgorithm.SHA256))).toBe(sha);
    expect(toHex(longTermIntegrityKey("user", "realm", "pass").bytes)).toBe(md5);
    expect(toHex(userhash("user", "realm"))).toBe(createHash("sha256").update("user:realm").digest("hex"));
    expect(() => longTermKey("u", "r", "p", 7)).toThrow(RangeError);
    expect(new TextDecoder().decode(shortTermIntegrityKey("pwd").bytes)).toBe("pwd");
  });

  it("a long-term exchange: 401 with REALM, NONCE, PASSWORD-ALGORITHMS, then an authenticated retry", () => {
    const txid1 = new Uint8Array(12).fill(1);
    const txid2 = new Uint8Array(12).fill(2);
    // Server side: reject the first request, offering SHA-256 then MD5 (§9.2.4).
    const first = StunMessage.decode(new StunBuilder().begin(StunMethod.Allocate, StunClass.Request, txid1).requestedTransport(17).finish());
    const challenge = beginErrorResponse(new StunBuilder(), first, ErrorCode.Unauthorized)
      .realm("example.org")
      .nonce("obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA")
      .passwordAlgorithms([
        { algorithm: PasswordAlgorithm.SHA256, parameters: new Uint8Array(0) },
        { algorithm: PasswordAlgorithm.MD5, parameters: new Uint8Array(0) },
      ])
      .finish();
    // Client side: read the challenge, pick the first algorithm, sign with both MACs.
    const c = StunMessage.decode(challenge);
    expect(c.errorCode()?.code).toBe(401);
    const alg = c.passwordAlgorithms()![0];
    const key = new IntegrityKey(longTermKey("alice", c.realm()!, "s3cret", alg.algorithm));
    const retry = new StunBuilder()
      .begin(StunMethod.Allocate, StunClass.Request, txid2)
      .requestedTransport(17)
      .username("alice")
      .realm(c.realm()!)
      .nonce(c.nonce()!)
      .passwordAlgorithms(c.passwordAlgorithms()!)
      .passwordAlgorithm(alg)
      .messageIntegrity(key)
      .messageIntegritySha256(key)
      .fingerprint()
      .finish();
    // Server side: derive the key from the attributes it received and verify.
    const r = StunMessage.decode(retry);
    const serverKey = longTermKey(r.username()!, r.realm()!, "s3cret", r.passwordAlgorithm()!.algorithm);
    expect(r.checkIntegrity(serverKey)).toBe(true);
    expect(r.checkIntegritySha256(serverKey)).toBe(true);
    expect(r.checkFingerprint()).toBe(true);
    expect(r.checkIntegritySha256(longTermKey("alice", "example.org", "s3cret"))).toBe(false);
  });
});
