import { describe, expect, it } from "vitest";
import { toHex } from "@tsrtc/base";
import { StunBuilder, StunClass, StunMessage, StunMethod, encodeMessage, isStunMessage, transactionKey } from "../src/index.js";
import { SAMPLE_IPV4_RESPONSE, SAMPLE_REQUEST } from "./vectors.js";

describe("StunMessage decoding in place", () => {
  it("views the caller's bytes without copying", () => {
    const data = SAMPLE_REQUEST.slice();
    const m = StunMessage.decode(data);
    expect(m.data).toBe(data);
    expect(m.transactionId.buffer).toBe(data.buffer);
    const i = m.indexOf(0x0006);
    expect(m.attributeValue(i).buffer).toBe(data.buffer);
    expect(m.attributeOffset(i)).toBe(20 + 20 + 8 + 12 + 4);
    expect(m.attributeLength(i)).toBe(9);
  });

  it("re-parses into the same object, forgetting the previous message", () => {
    const m = new StunMessage();
    m.parse(SAMPLE_REQUEST);
    expect(m.username()).toBe("evtj:h6vY");
    m.parse(SAMPLE_IPV4_RESPONSE);
    expect(m.username()).toBeUndefined();
    expect(m.cls).toBe(StunClass.SuccessResponse);
    expect(m.count).toBe(4);
    expect(() => m.parse(new Uint8Array(3))).toThrow();
    expect(m.count).toBe(0);
  });

  it("isStunMessage and transactionKey", () => {
    expect(isStunMessage(SAMPLE_REQUEST)).toBe(true);
    expect(isStunMessage(Uint8Array.from([0x80, 0x60, 0, 0]))).toBe(false); // RTP
    expect(isStunMessage(Uint8Array.from([22, 254, 253, ...new Uint8Array(20)]))).toBe(false); // DTLS
    const k = transactionKey(SAMPLE_REQUEST);
    expect(k.length).toBe(6);
    expect(k).toBe(StunMessage.decode(SAMPLE_IPV4_RESPONSE).transactionKey);
    const other = SAMPLE_REQUEST.slice();
    other[19] ^= 1;
    expect(transactionKey(other)).not.toBe(k);
  });
});

describe("StunBuilder", () => {
  it("grows its buffer and keeps view() and finish() consistent", () => {
    const b = new StunBuilder(24).begin(StunMethod.Send, StunClass.Indication, new Uint8Array(12));
    b.data(new Uint8Array(1000).fill(5));
    const v = b.view();
    expect(v.length).toBe(20 + 4 + 1000);
    expect((v[2] << 8) | v[3]).toBe(1004);
    expect(toHex(b.finish())).toBe(toHex(v));
    expect(StunMessage.decode(b.finish()).dataValue()?.length).toBe(1000);
  });

  it("encodeMessage builds from raw attributes", () => {
    const out = encodeMessage(
      { method: StunMethod.Binding, cls: StunClass.Request, transactionId: new Uint8Array(12), attributes: [{ type: 0x8022, value: Uint8Array.of(0x61) }] },
      { integrity: new Uint8Array([1, 2]), fingerprint: true },
    );
    const m = StunMessage.decode(out);
    expect(m.software()).toBe("a");
    expect(m.checkIntegrity(new Uint8Array([1, 2]))).toBe(true);
    expect(m.checkFingerprint()).toBe(true);
  });

  it("rejects misuse with clear errors", () => {
    const b = new StunBuilder();
    expect(() => b.begin(StunMethod.Binding, StunClass.Request, new Uint8Array(11))).toThrow(RangeError);
    expect(() => b.begin(0x1000, StunClass.Request, new Uint8Array(12))).toThrow(RangeError);
    expect(() => b.begin(1, 4, new Uint8Array(12))).toThrow(RangeError);
    b.begin(1, 0, new Uint8Array(12));
    expect(() => b.errorCode(200, "x")).toThrow(RangeError);
    expect(() => b.messageIntegritySha256(new Uint8Array(1), 12)).toThrow(RangeError);
    expect(() => b.data(new Uint8Array(70000))).toThrow(RangeError);
  });
});
