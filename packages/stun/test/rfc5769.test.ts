import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "@tsrtc/base";
import {
  AttrType,
  IntegrityKey,
  StunBuilder,
  StunClass,
  StunMessage,
  StunMethod,
  longTermKey,
  shortTermKey,
} from "../src/index.js";
import {
  LONG_TERM_PASSWORD,
  LONG_TERM_REALM,
  LONG_TERM_USERNAME,
  SAMPLE_IPV4_RESPONSE,
  SAMPLE_IPV6_RESPONSE,
  SAMPLE_LONG_TERM_REQUEST,
  SAMPLE_REQUEST,
  SHORT_TERM_PASSWORD,
} from "./vectors.js";

const TXID = fromHex("b7 e7 a7 01 bc 34 d6 86 fa 87 df ae");
const key = shortTermKey(SHORT_TERM_PASSWORD);

describe("RFC 5769 §2.1 sample request", () => {
  const msg = StunMessage.decode(SAMPLE_REQUEST);

  it("decodes header and every attribute", () => {
    expect(msg.method).toBe(StunMethod.Binding);
    expect(msg.cls).toBe(StunClass.Request);
    expect(toHex(msg.transactionId)).toBe(toHex(TXID));
    expect(msg.software()).toBe("STUN test client");
    expect(msg.priority()).toBe(0x6e0001ff);
    expect(msg.iceControlled()).toBe(0x932ff9b151263b36n);
    expect(msg.username()).toBe("evtj:h6vY");
    expect(msg.count).toBe(6);
    expect(msg.unknownTypes()).toEqual([]);
  });

  it("verifies MESSAGE-INTEGRITY with the short-term password and FINGERPRINT", () => {
    expect(msg.checkIntegrity(key)).toBe(true);
    expect(msg.checkIntegrity(new IntegrityKey(key))).toBe(true);
    expect(msg.checkIntegrity(shortTermKey("VOkJxbRl1RmTxUk/WvJxBT"))).toBe(false);
    expect(msg.checkFingerprint()).toBe(true);
    expect(msg.fingerprint()).toBe(0xe57a3bcf);
  });

  it("leaves the buffer untouched after checking", () => {
    const copy = SAMPLE_REQUEST.slice();
    msg.checkIntegrity(key);
    msg.checkFingerprint();
    expect(toHex(SAMPLE_REQUEST)).toBe(toHex(copy));
  });

  it("re-encodes to the same bytes apart from the RFC's 0x20 padding", () => {
    const b = new StunBuilder()
      .begin(StunMethod.Binding, StunClass.Request, TXID)
      .software("STUN test client")
      .priority(0x6e0001ff)
      .iceControlled(0x932ff9b151263b36n)
      .username("evtj:h6vY");
    // The RFC pads USERNAME with three 0x20 bytes; MESSAGE-INTEGRITY covers them, so copy them in.
    const out = b.view();
    out.set([0x20, 0x20, 0x20], out.length - 3);
    b.messageIntegrity(key).fingerprint();
    expect(toHex(b.view())).toBe(toHex(SAMPLE_REQUEST));
  });

  it("detects a flipped bit with both checks", () => {
    const bad = SAMPLE_REQUEST.slice();
    bad[30] ^= 0x01; // inside SOFTWARE
    const m = StunMessage.decode(bad);
    expect(m.checkIntegrity(key)).toBe(false);
    expect(m.checkFingerprint()).toBe(false);
  });
});

describe("RFC 5769 §2.2 sample IPv4 response", () => {
  const msg = StunMessage.decode(SAMPLE_IPV4_RESPONSE);

  it("decodes XOR-MAPPED-ADDRESS 192.0.2.1:32853 and SOFTWARE", () => {
    expect(msg.cls).toBe(StunClass.SuccessResponse);
    expect(msg.software()).toBe("test vector");
    expect(msg.xorMappedAddress()).toEqual({ family: 4, host: "192.0.2.1", port: 32853 });
  });

  it("verifies MESSAGE-INTEGRITY and FINGERPRINT", () => {
    expect(msg.checkIntegrity(key)).toBe(true);
    expect(msg.checkFingerprint()).toBe(true);
  });

  it("re-encodes byte for byte", () => {
    const b = new StunBuilder()
      .begin(StunMethod.Binding, StunClass.SuccessResponse, TXID)
      .software("test vector");
    b.view()[b.length - 1] = 0x20; // the RFC's padding byte
    b.xorMappedAddress({ family: 4, host: "192.0.2.1", port: 32853 }).messageIntegrity(key).fingerprint();
    expect(toHex(b.view())).toBe(toHex(SAMPLE_IPV4_RESPONSE));
  });
});

describe("RFC 5769 §2.3 sample IPv6 response", () => {
  const msg = StunMessage.decode(SAMPLE_IPV6_RESPONSE);
  const addr = { family: 6 as const, host: "2001:db8:1234:5678:11:2233:4455:6677", port: 32853 };

  it("decodes XOR-MAPPED-ADDRESS for IPv6", () => {
    expect(msg.xorMappedAddress()).toEqual(addr);
  });

  it("verifies MESSAGE-INTEGRITY and FINGERPRINT", () => {
    expect(msg.checkIntegrity(key)).toBe(true);
    expect(msg.checkFingerprint()).toBe(true);
  });

  it("re-encodes byte for byte", () => {
    const b = new StunBuilder().begin(StunMethod.Binding, StunClass.SuccessResponse, TXID).software("test vector");
    b.view()[b.length - 1] = 0x20;
    b.xorMappedAddress(addr).messageIntegrity(key).fingerprint();
    expect(toHex(b.view())).toBe(toHex(SAMPLE_IPV6_RESPONSE));
  });
});

describe("RFC 5769 §2.4 sample request with long-term authentication", () => {
  const msg = StunMessage.decode(SAMPLE_LONG_TERM_REQUEST);
  const ltKey = longTermKey(LONG_TERM_USERNAME, LONG_TERM_REALM, LONG_TERM_PASSWORD);

  it("decodes USERNAME, NONCE and REALM", () => {
    expect(msg.username()).toBe(LONG_TERM_USERNAME);
    expect(msg.nonce()).toBe("f//499k954d6OL34oL9FSTvy64sA");
    expect(msg.realm()).toBe("example.org");
    expect(msg.fingerprintAt).toBe(-1);
    expect(msg.checkFingerprint()).toBe(false);
  });

  it("derives key = MD5(username:realm:password) and verifies MESSAGE-INTEGRITY", () => {
    expect(toHex(ltKey)).toHaveLength(32);
    expect(msg.checkIntegrity(ltKey)).toBe(true);
    expect(msg.checkIntegrity(longTermKey(LONG_TERM_USERNAME, LONG_TERM_REALM, "thematrix"))).toBe(false);
  });

  it("re-encodes byte for byte", () => {
    const out = new StunBuilder()
      .begin(StunMethod.Binding, StunClass.Request, msg.transactionId)
      .username(LONG_TERM_USERNAME)
      .nonce("f//499k954d6OL34oL9FSTvy64sA")
      .realm("example.org")
      .messageIntegrity(new IntegrityKey(ltKey))
      .finish();
    expect(toHex(out)).toBe(toHex(SAMPLE_LONG_TERM_REQUEST));
    expect(AttrType.Nonce).toBe(0x0015);
  });
});
