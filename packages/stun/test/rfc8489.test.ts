import { describe, expect, it } from "vitest";
import { toHex } from "@tsrtc/base";
import {
  AttrType,
  IntegrityKey,
  PasswordAlgorithm,
  StunBuilder,
  StunClass,
  StunMessage,
  StunMethod,
  longTermKey,
  userhash,
} from "../src/index.js";
import { LONG_TERM_PASSWORD, LONG_TERM_REALM, LONG_TERM_USERNAME, SAMPLE_SHA256_REQUEST } from "./vectors.js";

const NONCE = "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA";

describe("RFC 8489 Appendix B.1: long-term authentication with MESSAGE-INTEGRITY-SHA256 and USERHASH", () => {
  const msg = StunMessage.decode(SAMPLE_SHA256_REQUEST);
  const sha256Key = longTermKey(LONG_TERM_USERNAME, LONG_TERM_REALM, LONG_TERM_PASSWORD, PasswordAlgorithm.SHA256);

  it("decodes USERHASH, NONCE, REALM and PASSWORD-ALGORITHM", () => {
    expect(msg.method).toBe(StunMethod.Binding);
    expect(msg.cls).toBe(StunClass.Request);
    expect(toHex(msg.userhash()!)).toBe(toHex(userhash(LONG_TERM_USERNAME, LONG_TERM_REALM)));
    expect(msg.nonce()).toBe(NONCE);
    expect(msg.realm()).toBe("example.org");
    const alg = msg.passwordAlgorithm()!;
    expect(alg.algorithm).toBe(PasswordAlgorithm.SHA256);
    expect(alg.parameters.length).toBe(0);
    expect(msg.integrityAt).toBe(-1);
    // The last attribute: a 4-byte header and a 32-byte value.
    expect(msg.integritySha256At).toBe(SAMPLE_SHA256_REQUEST.length - 36);
  });

  it("verifies MESSAGE-INTEGRITY-SHA256 with key = SHA-256(username:realm:password)", () => {
    expect(sha256Key.length).toBe(32);
    expect(msg.checkIntegritySha256(sha256Key)).toBe(true);
    // The MD5 key of the same credentials must not verify, nor a wrong password.
    expect(msg.checkIntegritySha256(longTermKey(LONG_TERM_USERNAME, LONG_TERM_REALM, LONG_TERM_PASSWORD))).toBe(false);
    expect(
      msg.checkIntegritySha256(longTermKey(LONG_TERM_USERNAME, LONG_TERM_REALM, "TheMatrix", PasswordAlgorithm.SHA256)),
    ).toBe(false);
    // No MESSAGE-INTEGRITY (SHA-1) in this message.
    expect(msg.checkIntegrity(sha256Key)).toBe(false);
  });

  it("re-encodes byte for byte", () => {
    const out = new StunBuilder()
      .begin(StunMethod.Binding, StunClass.Request, msg.transactionId)
      .userhash(userhash(LONG_TERM_USERNAME, LONG_TERM_REALM))
      .nonce(NONCE)
      .realm(LONG_TERM_REALM)
      .passwordAlgorithm({ algorithm: PasswordAlgorithm.SHA256, parameters: new Uint8Array(0) })
      .messageIntegritySha256(new IntegrityKey(sha256Key))
      .finish();
    expect(toHex(out)).toBe(toHex(SAMPLE_SHA256_REQUEST));
  });
});

describe("RFC 8489 §14.5-14.7 ordering of the integrity and fingerprint trailers", () => {
  const key = new IntegrityKey(new TextEncoder().encode("secret"));
  const txid = new Uint8Array(12).fill(7);

  /** Append a raw attribute after whatever is in `msg` and fix the header length. */
  function append(msg: Uint8Array, type: number, value: Uint8Array): Uint8Array {
    const padded = (value.length + 3) & ~3;
    const out = new Uint8Array(msg.length + 4 + padded);
    out.set(msg);
    out[msg.length] = type >> 8;
    out[msg.length + 1] = type;
    out[msg.length + 3] = value.length;
    out.set(value, msg.length + 4);
    const len = out.length - 20;
    out[2] = len >> 8;
    out[3] = len;
    return out;
  }

  it("ignores attributes after MESSAGE-INTEGRITY, but keeps MI-SHA256 and FINGERPRINT", () => {
    const b = new StunBuilder().begin(StunMethod.Binding, StunClass.Request, txid).username("a:b").messageIntegrity(key);
    const withExtra = append(b.finish(), AttrType.Software, new TextEncoder().encode("late"));
    const m = StunMessage.decode(withExtra);
    expect(m.software()).toBeUndefined();
    expect(m.ignored).toBe(1);
    expect(m.checkIntegrity(key)).toBe(true);

    const full = new StunBuilder()
      .begin(StunMethod.Binding, StunClass.Request, txid)
      .username("a:b")
      .messageIntegrity(key)
      .messageIntegritySha256(key)
      .fingerprint()
      .finish();
    const m2 = StunMessage.decode(full);
    expect(m2.ignored).toBe(0);
    expect(m2.checkIntegrity(key)).toBe(true);
    expect(m2.checkIntegritySha256(key)).toBe(true);
    expect(m2.checkFingerprint()).toBe(true);
  });

  it("ignores MESSAGE-INTEGRITY after MESSAGE-INTEGRITY-SHA256, and everything after FINGERPRINT", () => {
    const b = new StunBuilder().begin(StunMethod.Binding, StunClass.Request, txid).messageIntegritySha256(key, 16);
    const m = StunMessage.decode(append(b.finish(), AttrType.MessageIntegrity, new Uint8Array(20)));
    expect(m.integrityAt).toBe(-1);
    expect(m.checkIntegritySha256(key)).toBe(true);
    const f = new StunBuilder().begin(StunMethod.Binding, StunClass.Request, txid).fingerprint().finish();
    const m2 = StunMessage.decode(append(f, AttrType.Priority, new Uint8Array(4)));
    expect(m2.priority()).toBeUndefined();
    expect(m2.ignored).toBe(1);
    expect(m2.count).toBe(1);
  });

  it("checks a truncated (16-byte) MESSAGE-INTEGRITY-SHA256", () => {
    const out = new StunBuilder().begin(StunMethod.Binding, StunClass.Request, txid).messageIntegritySha256(key, 16).finish();
    expect(out.length).toBe(20 + 4 + 16);
    const m = StunMessage.decode(out);
    expect(m.checkIntegritySha256(key)).toBe(true);
    out[out.length - 1] ^= 1;
    expect(StunMessage.decode(out).checkIntegritySha256(key)).toBe(false);
  });

  it("computes FINGERPRINT with the length covering it after MESSAGE-INTEGRITY", () => {
    const out = new StunBuilder().begin(StunMethod.Binding, StunClass.Request, txid).messageIntegrity(key).fingerprint().finish();
    const m = StunMessage.decode(out);
    expect(m.checkFingerprint()).toBe(true);
    expect(m.checkIntegrity(key)).toBe(true);
  });
});
