import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ByteReader, ByteWriter, ParseError, fromHex, toHex } from "@tsrtc/base";

describe("ByteWriter / ByteReader", () => {
  it("round-trips every width big-endian", () => {
    const w = new ByteWriter(4);
    w.u8(0xab).u16(0x1234).u24(0x56789a).u32(0xdeadbeef).u48(0x0102_0304_0506).u64(0x0102030405060708n);
    w.vector8(fromHex("aa")).vector16(fromHex("bbcc")).vector24(new Uint8Array(0));
    const bytes = w.finish();
    expect(toHex(bytes)).toBe(
      "ab" + "1234" + "56789a" + "deadbeef" + "010203040506" + "0102030405060708" + "01aa" + "0002bbcc" + "000000",
    );
    const r = new ByteReader(bytes);
    expect(r.u8()).toBe(0xab);
    expect(r.u16()).toBe(0x1234);
    expect(r.u24()).toBe(0x56789a);
    expect(r.u32()).toBe(0xdeadbeef);
    expect(r.u48()).toBe(0x0102_0304_0506);
    expect(r.u64()).toBe(0x0102030405060708n);
    expect(toHex(r.vector8())).toBe("aa");
    expect(toHex(r.vector16())).toBe("bbcc");
    expect(r.vector24().length).toBe(0);
    expect(r.remaining).toBe(0);
  });

  it("patches reserved lengths", () => {
    const w = new ByteWriter();
    const at = w.reserve(2);
    w.bytes(new Uint8Array(5));
    w.setU16At(at, w.offset - at - 2);
    expect(toHex(w.view().subarray(0, 2))).toBe("0005");
  });

  it("throws a ParseError naming the protocol when reading past the end", () => {
    const r = new ByteReader(fromHex("0001"), "stun");
    r.u8();
    try {
      r.u16();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError);
      expect((e as ParseError).protocol).toBe("stun");
      expect((e as ParseError).code).toBe("truncated");
      expect((e as ParseError).offset).toBe(1);
    }
  });

  it("sub-readers are bounded to their slice", () => {
    const r = new ByteReader(fromHex("0201020304"));
    const sub = r.sub(r.u8());
    expect(sub.u16()).toBe(0x0102);
    expect(() => sub.u8()).toThrow(ParseError);
    expect(r.u16()).toBe(0x0304);
  });

  it("any u32 sequence round-trips", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff })), (xs) => {
        const w = new ByteWriter(1);
        for (const x of xs) w.u32(x);
        const r = new ByteReader(w.view());
        return xs.every((x) => r.u32() === x) && r.remaining === 0;
      }),
    );
  });
});
