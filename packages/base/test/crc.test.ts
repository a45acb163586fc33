import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32, crc32c, utf8Encode } from "@tsrtc/base";

// Check values from the CRC catalogue ("123456789") and RFC 3720 §B.4 (iSCSI CRC-32C vectors).
describe("crc32", () => {
  it("matches the catalogue check value", () => {
    expect(crc32(utf8Encode("123456789"))).toBe(0xcbf43926);
  });
  it("the word-at-a-time path agrees with a bytewise reference on random, unaligned slices", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(7), fc.nat(40), (bytes, shift, cut) => {
        const buf = new Uint8Array(bytes.length + shift).subarray(shift);
        buf.set(bytes);
        const start = Math.min(cut, bytes.length);
        expect(crc32(buf, start)).toBe(bytewise(bytes.subarray(start), 0xedb88320));
        expect(crc32c(buf, start)).toBe(bytewise(bytes.subarray(start), 0x82f63b78));
      }),
      { numRuns: 300 },
    );
  });
  it("is 0 for empty input", () => {
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
  it("honours start/end and agrees with a bytewise reference at every length", () => {
    const ref = (b: Uint8Array): number => {
      let c = 0xffffffff;
      for (const x of b) {
        c ^= x;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
      }
      return (c ^ 0xffffffff) >>> 0;
    };
    const data = new Uint8Array(100).map((_, i) => (i * 37 + 11) & 0xff);
    for (let n = 0; n <= 40; n++) expect(crc32(data, 3, 3 + n)).toBe(ref(data.subarray(3, 3 + n)));
  });
});

describe("crc32c", () => {
  it("matches the catalogue check value", () => {
    expect(crc32c(utf8Encode("123456789"))).toBe(0xe3069283);
  });
  it("matches RFC 3720 B.4 vectors", () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(new Uint8Array(32).map((_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(new Uint8Array(32).map((_, i) => 31 - i))).toBe(0x113fdb5c);
  });
});

function bytewise(b: Uint8Array, poly: number): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
