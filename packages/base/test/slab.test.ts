import { describe, expect, it } from "vitest";
import { allocateUninitialized, SlabAllocator } from "../src/index.js";

describe("SlabAllocator", () => {
  it("hands out disjoint, 8-byte aligned plain Uint8Array views until the slab is used up", () => {
    const a = new SlabAllocator(1024);
    const views = [a.allocate(13), a.allocate(100), a.allocate(1), a.allocate(64)];
    for (const v of views) {
      expect(Object.getPrototypeOf(v)).toBe(Uint8Array.prototype); // slice() copies, unlike Buffer's
      expect(v.byteOffset % 8).toBe(0);
    }
    expect(views.map((v) => v.length)).toEqual([13, 100, 1, 64]);
    expect(new Set(views.map((v) => v.buffer)).size).toBe(1);
    // Writing one never touches another.
    views.forEach((v, i) => v.fill(i + 1));
    views.forEach((v, i) => expect(v.every((b) => b === i + 1)).toBe(true));
  });

  it("starts a new slab when the current one cannot hold the request, and leaves old views intact", () => {
    const a = new SlabAllocator(256);
    const first = a.allocate(32).fill(7);
    const views = Array.from({ length: 10 }, () => a.allocate(32));
    expect(new Set(views.map((v) => v.buffer)).size).toBe(2); // 256 bytes hold 8 of them
    for (const v of views) v.fill(9);
    expect(first.every((b) => b === 7)).toBe(true);
  });

  it("gives requests above slabSize/8 their own zeroed buffer", () => {
    const a = new SlabAllocator(1024);
    const big = a.allocate(129);
    expect(big.byteLength).toBe(big.buffer.byteLength);
    expect(big.every((b) => b === 0)).toBe(true);
    expect(a.allocate(128).buffer.byteLength).toBe(1024);
  });

  it("refuses a nonsense slab size, and the shared allocator works", () => {
    expect(() => new SlabAllocator(10)).toThrow(RangeError);
    expect(() => new SlabAllocator(1000.5)).toThrow(RangeError);
    const v = allocateUninitialized(1200);
    expect(v.length).toBe(1200);
    expect(allocateUninitialized(5).buffer).toBe(v.buffer);
  });
});
