import { describe, expect, it } from "vitest";
import { type Address, address } from "@tsrtc/base";
import { StunBuilder, StunClass, StunMessage, StunMethod } from "../src/index.js";

const TXID = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

function roundTrip(a: Address): Address | undefined {
  const data = new StunBuilder().begin(StunMethod.Binding, StunClass.SuccessResponse, TXID).xorMappedAddress(a).finish();
  return StunMessage.decode(data).xorMappedAddress();
}

describe("address writing (RFC 8489 §14.1, §14.2)", () => {
  it("writes the same bytes for a host seen before, after many others, in both families", () => {
    const first = [address("198.51.100.7", 3478), address("2001:db8::7", 3478)];
    for (const a of first) expect(roundTrip(a)).toEqual(a);
    // More distinct hosts than any cache holds: the first ones must still come out right.
    for (let i = 0; i < 600; i++) {
      const a = address(`10.${i >> 8}.${i & 255}.1`, 1000 + i);
      expect(roundTrip(a)).toEqual(a);
    }
    for (const a of first) expect(roundTrip(a)).toEqual(a);
    expect(roundTrip({ family: 4, host: "198.51.100.7", port: 9 })).toEqual({ family: 4, host: "198.51.100.7", port: 9 });
  });

  it("refuses an Address whose family does not match its host instead of overrunning the value", () => {
    const b = new StunBuilder().begin(StunMethod.Binding, StunClass.SuccessResponse, TXID);
    expect(() => b.xorMappedAddress({ family: 4, host: "2001:db8::1", port: 1 })).toThrow(TypeError);
    const b2 = new StunBuilder().begin(StunMethod.Binding, StunClass.SuccessResponse, TXID);
    expect(() => b2.mappedAddress({ family: 6, host: "192.0.2.1", port: 1 })).toThrow(TypeError);
    expect(() => b2.mappedAddress({ family: 4, host: "not-an-ip", port: 1 })).toThrow(TypeError);
  });
});

describe("beginResponse (RFC 8489 §6.3)", () => {
  it("copies the request's method and transaction id, with the class asked for", () => {
    const req = StunMessage.decode(
      new StunBuilder().begin(StunMethod.Allocate, StunClass.Request, TXID).software("x").finish(),
    );
    for (const cls of [StunClass.SuccessResponse, StunClass.ErrorResponse]) {
      const resp = StunMessage.decode(new StunBuilder().beginResponse(req, cls).finish());
      expect(resp.method).toBe(StunMethod.Allocate);
      expect(resp.cls).toBe(cls);
      expect(Array.from(resp.transactionId)).toEqual(Array.from(TXID));
      expect(resp.length).toBe(0);
    }
  });
});
