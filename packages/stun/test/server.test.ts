import { describe, expect, it } from "vitest";
import type { Address } from "@tsrtc/base";
import {
  AttrType,
  ErrorCode,
  StunBindingServer,
  StunBuilder,
  StunClass,
  StunMessage,
  StunMethod,
  buildErrorResponse,
  buildUnknownAttributesResponse,
  shortTermKey,
} from "../src/index.js";

const TXID = Uint8Array.from([9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2]);
const FROM4: Address = { family: 4, host: "198.51.100.20", port: 61000 };
const FROM6: Address = { family: 6, host: "2001:db8:aa::5", port: 1 };

function binding(add?: (b: StunBuilder) => void, cls: number = StunClass.Request, method: number = StunMethod.Binding): Uint8Array {
  const b = new StunBuilder().begin(method, cls, TXID);
  add?.(b);
  return b.finish();
}

describe("StunBindingServer", () => {
  it("never answers a datagram from source port 0 (Node's send would throw on it)", () => {
    const s = new StunBindingServer();
    expect(s.handlePacket(binding(), { ...FROM4, port: 0 }, 0)).toBeUndefined();
    expect(s.stats.badSource).toBe(1);
    expect(s.stats.success).toBe(0);
    expect(s.handlePacket(binding(), FROM4, 0)!.to).toEqual(FROM4);
  });

  it("answers a Binding request with XOR-MAPPED-ADDRESS, SOFTWARE and FINGERPRINT", () => {
    const s = new StunBindingServer({ software: "tsrtc-test" });
    for (const from of [FROM4, FROM6]) {
      const t = s.handlePacket(binding(), from, 0)!;
      expect(t.to).toEqual(from);
      const m = StunMessage.decode(t.data);
      expect(m.cls).toBe(StunClass.SuccessResponse);
      expect(m.method).toBe(StunMethod.Binding);
      expect(Array.from(m.transactionId)).toEqual(Array.from(TXID));
      expect(m.xorMappedAddress()).toEqual(from);
      expect(m.software()).toBe("tsrtc-test");
      expect(m.checkFingerprint()).toBe(true);
      expect(m.attributeType(m.count - 1)).toBe(AttrType.Fingerprint);
    }
    expect(s.stats).toMatchObject({ received: 2, success: 2 });
  });

  it("answers requests carrying integrity, ICE attributes and a good FINGERPRINT", () => {
    const s = new StunBindingServer({ fingerprint: false });
    const req = binding((b) =>
      b.username("a:b").priority(5).iceControlling(1n).useCandidate().messageIntegrity(shortTermKey("x")).fingerprint(),
    );
    const m = StunMessage.decode(s.handlePacket(req, FROM4, 0)!.data);
    expect(m.cls).toBe(StunClass.SuccessResponse);
    expect(m.fingerprintAt).toBe(-1);
    expect(m.software()).toBeUndefined();
  });

  it("420 with UNKNOWN-ATTRIBUTES for unknown comprehension-required attributes only", () => {
    const s = new StunBindingServer();
    const req = binding((b) => b.bytes(0x7001, new Uint8Array(3)).bytes(0xbeef, new Uint8Array(2)).bytes(0x0042, new Uint8Array(0)));
    const m = StunMessage.decode(s.handlePacket(req, FROM4, 0)!.data);
    expect(m.cls).toBe(StunClass.ErrorResponse);
    expect(m.errorCode()).toEqual({ code: 420, reason: "Unknown Attribute" });
    expect(m.unknownAttributes()).toEqual([0x7001, 0x0042]);
    expect(m.checkFingerprint()).toBe(true);
    // An unknown comprehension-optional attribute alone is fine.
    const ok = StunMessage.decode(s.handlePacket(binding((b) => b.bytes(0xbeef, new Uint8Array(2))), FROM4, 0)!.data);
    expect(ok.cls).toBe(StunClass.SuccessResponse);
    expect(s.stats).toMatchObject({ unknownAttribute: 1, success: 1 });
  });

  it("400 for a request whose header parses but whose body does not", () => {
    const s = new StunBindingServer();
    const cases = [
      binding((b) => b.bytes(AttrType.Priority, new Uint8Array(3))), // bad value length
      binding((b) => b.bytes(AttrType.Username, Uint8Array.from([0xc3, 0x28]))), // bad UTF-8
      (() => {
        const d = binding((b) => b.software("abcd"));
        d[23] = 40; // SOFTWARE length runs past the end
        return d;
      })(),
    ];
    for (const req of cases) {
      const t = s.handlePacket(req, FROM4, 0)!;
      const m = StunMessage.decode(t.data);
      expect(m.cls).toBe(StunClass.ErrorResponse);
      expect(m.errorCode()?.code).toBe(ErrorCode.BadRequest);
      expect(Array.from(m.transactionId)).toEqual(Array.from(TXID));
    }
    expect(s.stats.badRequest).toBe(3);
  });

  it("ignores indications, responses, other methods, bad fingerprints and non-STUN", () => {
    const s = new StunBindingServer();
    const badFp = binding((b) => b.fingerprint());
    badFp[badFp.length - 1] ^= 1;
    const inputs = [
      binding(undefined, StunClass.Indication),
      binding(undefined, StunClass.SuccessResponse),
      binding(undefined, StunClass.ErrorResponse),
      binding(undefined, StunClass.Request, StunMethod.Allocate),
      badFp,
      Uint8Array.from([0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
      new Uint8Array(5),
    ];
    for (const d of inputs) expect(s.handlePacket(d, FROM4, 0)).toBeUndefined();
    expect(s.stats).toEqual({
      received: 7,
      success: 0,
      badRequest: 0,
      unknownAttribute: 0,
      notStun: 2,
      ignored: 4,
      badFingerprint: 1,
      badSource: 0,
    });
  });
});

describe("response helpers", () => {
  it("buildErrorResponse and buildUnknownAttributesResponse", () => {
    const req = StunMessage.decode(binding((b) => b.bytes(0x0031, new Uint8Array(4)).username("u")));
    const e = StunMessage.decode(buildErrorResponse(req, 401, undefined, { software: "s", integrity: shortTermKey("k"), fingerprint: true }));
    expect(e.errorCode()).toEqual({ code: 401, reason: "Unauthenticated" });
    expect(e.software()).toBe("s");
    expect(e.checkIntegrity(shortTermKey("k"))).toBe(true);
    expect(e.checkFingerprint()).toBe(true);
    const u = StunMessage.decode(buildUnknownAttributesResponse(req)!);
    expect(u.unknownAttributes()).toEqual([0x0031]);
    expect(u.errorCode()?.code).toBe(420);
    expect(buildUnknownAttributesResponse(StunMessage.decode(binding()))).toBeUndefined();
  });
});
