/**
 * The GCM specification's test cases 1-18 (McGrew and Viega, "The Galois/Counter Mode of
 * Operation (GCM)", appendix B; the same cases NIST's SP 800-38D validation started from),
 * typed in from the published text: AES-128 (1-6), AES-192 (7-12), AES-256 (13-18).
 *
 * Cases with a 96-bit IV run through AesGcm (tables and node paths). The others (5, 6, 11, 12,
 * 17, 18: 64- and 480-bit IVs, which RFC 7714 and RFC 5288 never use and AesGcm does not take)
 * check our GHASH: Y0 = GHASH(H, {}, IV), the published GHASH(H, A, C), and the tag and cipher
 * text rebuilt from them with AES-ECB.
 */
import { createCipheriv } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AesGcm, fromHex, toHex } from "../src/index.js";
import { GhashKey } from "../src/gcm/ghash.js";

const P64 =
  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
const P60 = P64.slice(0, 120);
const A20 = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
const K1 = "feffe9928665731c6d6a8f9467308308";
const IV96 = "cafebabefacedbaddecaf888";
const IV64 = "cafebabefacedbad";
const IV480 =
  "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b";

interface Case {
  n: number;
  k: string;
  p: string;
  a: string;
  iv: string;
  h: string;
  /** GHASH(H, A, C) */
  g: string;
  c: string;
  t: string;
  /** For IVs other than 96 bits: Y0 = GHASH(H, {}, IV) and E(K, Y0). */
  y0?: string;
  ey0?: string;
}

const Z16 = "00000000000000000000000000000000";
const CASES: Case[] = [
  { n: 1, k: Z16, p: "", a: "", iv: "000000000000000000000000", h: "66e94bd4ef8a2c3b884cfa59ca342b2e", g: Z16, c: "", t: "58e2fccefa7e3061367f1d57a4e7455a" },
  {
    n: 2, k: Z16, p: Z16, a: "", iv: "000000000000000000000000", h: "66e94bd4ef8a2c3b884cfa59ca342b2e",
    g: "f38cbb1ad69223dcc3457ae5b6b0f885", c: "0388dace60b6a392f328c2b971b2fe78", t: "ab6e47d42cec13bdf53a67b21257bddf",
  },
  {
    n: 3, k: K1, p: P64, a: "", iv: IV96, h: "b83b533708bf535d0aa6e52980d53b78", g: "7f1b32b81b820d02614f8895ac1d4eac",
    c: "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
    t: "4d5c2af327cd64a62cf35abd2ba6fab4",
  },
  {
    n: 4, k: K1, p: P60, a: A20, iv: IV96, h: "b83b533708bf535d0aa6e52980d53b78", g: "698e57f70e6ecc7fd9463b7260a9ae5f",
    c: "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
    t: "5bc94fbc3221a5db94fae95ae7121a47",
  },
  {
    n: 5, k: K1, p: P60, a: A20, iv: IV64, h: "b83b533708bf535d0aa6e52980d53b78", g: "df586bb4c249b92cb6922877e444d37b",
    c: "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c742373806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598",
    t: "3612d2e79e3b0785561be14aaca2fccb", y0: "c43a83c4c4badec4354ca984db252f7d", ey0: "e94ab9535c72bea9e089c93d48e62fb0",
  },
  {
    n: 6, k: K1, p: P60, a: A20, iv: IV480, h: "b83b533708bf535d0aa6e52980d53b78", g: "1c5afe9760d3932f3c9a878aac3dc3de",
    c: "8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca701e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5",
    t: "619cc5aefffe0bfa462af43c1699d050", y0: "3bab75780a31c059f83d2a44752f9864", ey0: "7dc63b399f2d98d57ab073b6baa4138e",
  },
  { n: 7, k: Z16 + "0000000000000000", p: "", a: "", iv: "000000000000000000000000", h: "aae06992acbf52a3e8f4a96ec9300bd7", g: Z16, c: "", t: "cd33b28ac773f74ba00ed1f312572435" },
  {
    n: 8, k: Z16 + "0000000000000000", p: Z16, a: "", iv: "000000000000000000000000", h: "aae06992acbf52a3e8f4a96ec9300bd7",
    g: "e2c63f0ac44ad0e02efa05ab6743d4ce", c: "98e7247c07f0fe411c267e4384b0f600", t: "2ff58d80033927ab8ef4d4587514f0fb",
  },
  {
    n: 9, k: K1 + "feffe9928665731c", p: P64, a: "", iv: IV96, h: "466923ec9ae682214f2c082badb39249", g: "51110d40f6c8fff0eb1ae33445a889f0",
    c: "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710acade256",
    t: "9924a7c8587336bfb118024db8674a14",
  },
  {
    n: 10, k: K1 + "feffe9928665731c", p: P60, a: A20, iv: IV96, h: "466923ec9ae682214f2c082badb39249", g: "ed2ce3062e4a8ec06db8b4c490e8a268",
    c: "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710",
    t: "2519498e80f1478f37ba55bd6d27618c",
  },
  {
    n: 11, k: K1 + "feffe9928665731c", p: P60, a: A20, iv: IV64, h: "466923ec9ae682214f2c082badb39249", g: "1e6a133806607858ee80eaf237064089",
    c: "0f10f599ae14a154ed24b36e25324db8c566632ef2bbb34f8347280fc4507057fddc29df9a471f75c66541d4d4dad1c9e93a19a58e8b473fa0f062f7",
    t: "65dcc57fcf623a24094fcca40d3533f8", y0: "a14378078d27258a6292737e1802ada5", ey0: "7bb6d647c902427ce7cf26563a337371",
  },
  {
    n: 12, k: K1 + "feffe9928665731c", p: P60, a: A20, iv: IV480, h: "466923ec9ae682214f2c082badb39249", g: "82567fb0b4cc371801eadec005968e94",
    c: "d27e88681ce3243c4830165a8fdcf9ff1de9a1d8e6b447ef6ef7b79828666e4581e79012af34ddd9e2f037589b292db3e67c036745fa22e7e9b7373b",
    t: "dcf566ff291c25bbb8568fc3d376a6d9", y0: "4505cdc367a054c5002820e96aebef27", ey0: "5ea3194f9dd012a3b9bc5103d6e0284d",
  },
  { n: 13, k: Z16 + Z16, p: "", a: "", iv: "000000000000000000000000", h: "dc95c078a2408989ad48a21492842087", g: Z16, c: "", t: "530f8afbc74536b9a963b4f1c4cb738b" },
  {
    n: 14, k: Z16 + Z16, p: Z16, a: "", iv: "000000000000000000000000", h: "dc95c078a2408989ad48a21492842087",
    g: "83de425c5edc5d498f382c441041ca92", c: "cea7403d4d606b6e074ec5d3baf39d18", t: "d0d1c8a799996bf0265b98b5d48ab919",
  },
  {
    n: 15, k: K1 + K1, p: P64, a: "", iv: IV96, h: "acbef20579b4b8ebce889bac8732dad7", g: "4db870d37cb75fcb46097c36230d1612",
    c: "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
    t: "b094dac5d93471bdec1a502270e3cc6c",
  },
  {
    n: 16, k: K1 + K1, p: P60, a: A20, iv: IV96, h: "acbef20579b4b8ebce889bac8732dad7", g: "8bd0c4d8aacd391e67cca447e8c38f65",
    c: "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
    t: "76fc6ece0f4e1768cddf8853bb2d551b",
  },
  {
    n: 17, k: K1 + K1, p: P60, a: A20, iv: IV64, h: "acbef20579b4b8ebce889bac8732dad7", g: "75a34288b8c68f811c52b2e9a2f97f63",
    c: "c3762df1ca787d32ae47c13bf19844cbaf1ae14d0b976afac52ff7d79bba9de0feb582d33934a4f0954cc2363bc73f7862ac430e64abe499f47c9b1f",
    t: "3a337dbf46a792c45e454913fe2ea8f2", y0: "0095df49dd90abe3e4d252475748f5d4", ey0: "4f903f37fe611d454217fbfa5cd7d791",
  },
  {
    n: 18, k: K1 + K1, p: P60, a: A20, iv: IV480, h: "acbef20579b4b8ebce889bac8732dad7", g: "d5ffcf6fc5ac4d69722187421a7f170b",
    c: "5a8def2f0c9e53f1f75d7853659e2a20eeb2b22aafde6419a058ab4f6f746bf40fc0c3b780f244452da3ebf1c5d82cdea2418997200ef82e44ae7e3f",
    t: "a44a8266ee1c8eb0c8b5d4cf5ae9f19a", y0: "0cd953e2140a5976079f8e2406bc8eb4", ey0: "71b54d092bb0c3d9ba94538d4096e691",
  },
];

/** GHASH_H(A, C) of SP 800-38D §7.1 step 5, through our tables. */
function ghash(h: Uint8Array, a: Uint8Array, c: Uint8Array): string {
  const pad = (n: number) => (n + 15) & ~15;
  const buf = new Uint8Array(pad(a.length) + pad(c.length) + 16);
  buf.set(a, 0);
  buf.set(c, pad(a.length));
  const v = new DataView(buf.buffer);
  const end = buf.length - 16;
  v.setUint32(end + 4, a.length * 8);
  v.setUint32(end + 12, c.length * 8);
  const state = new Int32Array(4);
  const key = GhashKey.create(h, {})!;
  key.update(state, new Int32Array(buf.buffer), 0, buf.length / 16);
  key.release();
  return toHex(new Uint8Array(state.buffer));
}

function ecb(key: Uint8Array, block: Uint8Array): Uint8Array {
  const c = createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
  c.setAutoPadding(false);
  return new Uint8Array(c.update(block));
}

/** Counter block + j (inc32, SP 800-38D §6.2). */
function inc32(y: Uint8Array, j: number): Uint8Array {
  const out = y.slice();
  const v = new DataView(out.buffer);
  v.setUint32(12, (v.getUint32(12) + j) >>> 0);
  return out;
}

describe("GCM spec test cases 1-18", () => {
  for (const tc of CASES) {
    const k = fromHex(tc.k);
    const p = fromHex(tc.p);
    const a = fromHex(tc.a);
    const iv = fromHex(tc.iv);
    const label = `case ${tc.n} (AES-${k.length * 8}, ${iv.length * 8}-bit IV, ${p.length}-byte P, ${a.length}-byte A)`;

    it(`${label}: H and GHASH(H, A, C)`, () => {
      const h = ecb(k, new Uint8Array(16));
      expect(toHex(h)).toBe(tc.h);
      expect(ghash(h, a, fromHex(tc.c))).toBe(tc.g);
    });

    if (iv.length === 12) {
      for (const mode of ["tables", "node"] as const) {
        it(`${label}: seal and open (${mode})`, () => {
          const g = new AesGcm(k, iv, { mode });
          const out = new Uint8Array(p.length + 16);
          g.seal(0, 0, a, 0, a.length, p, 0, p.length, out, 0);
          expect(toHex(out.subarray(0, p.length))).toBe(tc.c);
          expect(toHex(out.subarray(p.length))).toBe(tc.t);
          const back = new Uint8Array(p.length);
          expect(g.open(0, 0, a, 0, a.length, out, 0, p.length, back, 0)).toBe(true);
          expect(toHex(back)).toBe(tc.p);
          expect(g.usingTables).toBe(mode === "tables");
        });
      }
    } else {
      it(`${label}: Y0 = GHASH(H, {}, IV), C and T from it`, () => {
        const h = ecb(k, new Uint8Array(16));
        const y0 = ghash(h, new Uint8Array(0), iv);
        expect(y0).toBe(tc.y0);
        const j0 = fromHex(y0);
        expect(toHex(ecb(k, j0))).toBe(tc.ey0);
        const c = new Uint8Array(p.length);
        for (let i = 0; i < p.length; i += 16) {
          const ks = ecb(k, inc32(j0, 1 + i / 16));
          for (let j = i; j < Math.min(i + 16, p.length); j++) c[j] = p[j] ^ ks[j - i];
        }
        expect(toHex(c)).toBe(tc.c);
        const t = fromHex(tc.g);
        const e = fromHex(tc.ey0!);
        for (let i = 0; i < 16; i++) t[i] ^= e[i];
        expect(toHex(t)).toBe(tc.t);
      });
    }
  }
});

/** X * Y in GF(2^128), bit by bit (SP 800-38D §6.3 Algorithm 1), on 16-byte big-endian blocks. */
function multiply(x: Uint8Array, y: Uint8Array): Uint8Array {
  const z = new Uint8Array(16);
  const v = y.slice();
  for (let i = 0; i < 128; i++) {
    if ((x[i >> 3] >> (7 - (i & 7))) & 1) for (let j = 0; j < 16; j++) z[j] ^= v[j];
    const lsb = v[15] & 1;
    for (let j = 15; j > 0; j--) v[j] = (v[j] >>> 1) | ((v[j - 1] & 1) << 7);
    v[0] >>>= 1;
    if (lsb) v[0] ^= 0xe1;
  }
  return z;
}

describe("GHASH tables", () => {
  it("multiply like SP 800-38D Algorithm 1 for random H and X, in any bank slot", () => {
    for (let n = 0; n < 40; n++) {
      const h = Uint8Array.from({ length: 16 }, (_, i) => (i * 73 + n * 151 + 11) & 0xff);
      const x = Uint8Array.from({ length: 16 }, (_, i) => (i * 29 + n * 97 + 5) & 0xff);
      if (n === 0) x.fill(0xff);
      if (n === 1) h.set([0x80, ...new Uint8Array(15)]); // H = 1
      const want = toHex(multiply(x, h));
      // Hold the first slots so that later keys land at higher bank offsets.
      const held = Array.from({ length: (n * 37) % 120 }, () => GhashKey.create(h, {})!);
      const key = GhashKey.create(h, {})!;
      const state = new Int32Array(4);
      key.update(state, new Int32Array(x.slice().buffer), 0, 1);
      key.release();
      for (const k of held) k.release();
      expect(toHex(new Uint8Array(state.buffer))).toBe(want);
    }
  });
});
