import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HmacSha1Key } from "../src/index.js";

describe("HmacSha1Key (precomputed pad states) agrees with node:crypto", () => {
  it("RFC 2202 test case 2 (key 'Jefe')", () => {
    const k = new HmacSha1Key(new TextEncoder().encode("Jefe"));
    const msg = new TextEncoder().encode("what do ya want for nothing?");
    const out = new Uint8Array(20);
    k.mac(msg, 0, msg.length, out, 0);
    expect(Buffer.from(out).toString("hex")).toBe("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  });

  it("for random keys (including > 64 bytes) and messages of every length around block edges", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 300 }), fc.nat(8), (key, data, skip) => {
        const start = Math.min(skip, data.length);
        const k = new HmacSha1Key(key);
        const out = new Uint8Array(24);
        k.mac(data, start, data.length, out, 2);
        const want = createHmac("sha1", key).update(data.subarray(start)).digest();
        expect(Buffer.from(out.subarray(2, 22)).equals(want)).toBe(true);
        expect(k.verify(data, start, data.length, out, 2)).toBe(true);
        out[5] ^= 0x80;
        expect(k.verify(data, start, data.length, out, 2)).toBe(false);
      }),
      { numRuns: 400 },
    );
  });
});
