import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SHA1_INIT, sha1Compress, toHex } from "../src/index.js";

/** A whole SHA-1 (FIPS 180-4 §5.1.1 padding) built on the compression function. */
function sha1(msg: Uint8Array): string {
  const blocks = Math.ceil((msg.length + 9) / 64);
  const padded = new Uint8Array(blocks * 64);
  padded.set(msg);
  padded[msg.length] = 0x80;
  const bits = msg.length * 8;
  const v = new DataView(padded.buffer);
  v.setUint32(padded.length - 8, Math.floor(bits / 2 ** 32));
  v.setUint32(padded.length - 4, bits >>> 0);
  const state = Int32Array.from(SHA1_INIT);
  const w = new Int32Array(16);
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < 16; i++) w[i] = v.getInt32(64 * b + 4 * i);
    const copy = Int32Array.from(w);
    sha1Compress(state, w);
    expect(w).toEqual(copy); // the message words are left as they were
  }
  const out = new Uint8Array(20);
  const o = new DataView(out.buffer);
  for (let i = 0; i < 5; i++) o.setInt32(4 * i, state[i]);
  return toHex(out);
}

describe("sha1Compress (FIPS 180-4 §6.1.2)", () => {
  it("gives the FIPS 180-2 appendix A digests", () => {
    expect(sha1(new TextEncoder().encode("abc"))).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
    expect(sha1(new TextEncoder().encode("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))).toBe(
      "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
    );
  });

  it("agrees with node:crypto on random messages of every padding shape", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (m) => {
        expect(sha1(m)).toBe(createHash("sha1").update(m).digest("hex"));
      }),
      { numRuns: 300, seed: 3 },
    );
  });
});
