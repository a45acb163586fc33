import { describe, expect, it } from "vitest";
import { crc32, crc32c, utf8Encode } from "@tsrtc/base";

// Check values from the CRC catalogue ("123456789") and RFC 3720 §B.4 (iSCSI CRC-32C vectors).
describe("crc32", () => {
  it("matches the catalogue check value", () => {
    expect(crc32(utf8Encode("123456789"))).toBe(0xcbf43926);
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
