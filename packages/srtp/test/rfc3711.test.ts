/**
 * RFC 3711 Appendix B test vectors (B.2 AES-CM keystream, B.3 key derivation), plus the
 * AES_CM_128_HMAC_SHA1_80 packet vectors of libsrtp's srtp_driver built from the B.3 master key
 * (an RTP packet, the same with a header extension left in the clear, and an SRTCP packet).
 */
import { createHmac } from "node:crypto";
import { fromHex, KeystreamRuns, toHex } from "@tsrtc/base";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CounterKeystream, xorKeystream } from "../src/ciphers/keystream.js";
import { aesCmPrf, deriveSessionKeys, KdfLabel, SrtpContext, SrtpProfileId } from "../src/index.js";

const B2_KEY = fromHex("2B7E151628AED2A6ABF7158809CF4F3C");
const B2_SALT = fromHex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD");

/** The first `n` keystream bytes of packet (ssrc, index) made on its own by a fresh CounterKeystream. */
function alone(ssrc: number, index: number, n: number): string {
  const w = new CounterKeystream(B2_KEY, B2_SALT).run(ssrc, index, 1, (n + 15) >>> 4);
  return toHex(new Uint8Array(w.buffer, w.byteOffset, n));
}

/** dst[at, at + n) ^= packet (ssrc, index)'s keystream through the runs, as the AES-CM transform does. */
function xorThrough(runs: KeystreamRuns, ssrc: number, index: number, dst: Uint8Array, dst32: Int32Array, at: number, n: number): void {
  if (n === 0) return;
  runs.find(ssrc, index, (n + 15) >>> 4, true);
  xorKeystream(runs.ks32, runs.at, dst, dst32, at, n);
}

describe("RFC 3711 B.2 AES-CM keystream", () => {
  const blocks: Array<[number, string]> = [
    [0x0000, "E03EAD0935C95E80E166B16DD92B4EB4"],
    [0x0001, "D23513162B02D0F72A43A2FE4A5F97AB"],
    [0x0002, "41E95B3BB0A2E8DD477901E4FCA894C0"],
    [0xfeff, "EC8CDF7398607CB0F2D21675EA9EA1E4"],
    [0xff00, "362B7C3C6773516318A077D7FC5073AE"],
    [0xff01, "6A2CC3787889374FBEB4C81B17BA6C44"],
  ];

  it("produces every listed keystream block (SSRC 0, ROC 0, SEQ 0)", () => {
    const w = new CounterKeystream(B2_KEY, B2_SALT).run(0, 0, 1, 0xff02);
    const ks = new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
    for (const [block, hex] of blocks) {
      expect(toHex(ks.subarray(block * 16, block * 16 + 16))).toBe(hex.toLowerCase());
    }
  });

  it("encrypts a zero payload into the keystream through protectRtp", () => {
    const keys = {
      rtpKey: B2_KEY,
      rtpSalt: B2_SALT,
      rtpAuthKey: new Uint8Array(20),
      rtcpKey: B2_KEY,
      rtcpSalt: B2_SALT,
      rtcpAuthKey: new Uint8Array(20),
    };
    const ctx = new SrtpContext(SrtpProfileId.AES128_CM_HMAC_SHA1_80, { sessionKeys: keys });
    const packet = new Uint8Array(12 + 48);
    packet[0] = 0x80; // V=2, seq 0, SSRC 0
    const out = ctx.protectRtp(packet);
    expect(out).toBeDefined();
    expect(out!.length).toBe(12 + 48 + 10);
    expect(toHex(out!.subarray(12, 60))).toBe(blocks.slice(0, 3).map(([, h]) => h.toLowerCase()).join(""));
  });
});

describe("RFC 3711 B.3 key derivation", () => {
  const masterKey = fromHex("E1F97A0D3E018BE0D64FA32C06DE4139");
  const masterSalt = fromHex("0EC675AD498AFEEBB6960B3AABE6");

  it("derives the cipher key, cipher salt and the 94-byte auth key of the example", () => {
    expect(toHex(aesCmPrf(masterKey, masterSalt, KdfLabel.RTP_ENCRYPTION, 16))).toBe(
      "c61e7a93744f39ee10734afe3ff7a087",
    );
    expect(toHex(aesCmPrf(masterKey, masterSalt, KdfLabel.RTP_SALT, 14))).toBe("30cbbc08863d8c85d49db34a9ae1");
    expect(toHex(aesCmPrf(masterKey, masterSalt, KdfLabel.RTP_AUTH, 94))).toBe(
      (
        "CEBE321F6FF7716B6FD4AB49AF256A15" +
        "6D38BAA48F0A0ACF3C34E2359E6CDBCE" +
        "E049646C43D9327AD175578EF7227098" +
        "6371C10C9A369AC2F94A8C5FBCDDDC25" +
        "6D6E919A48B610EF17C2041E47403576" +
        "6B68642C59BBFC2F34DB60DBDFB2"
      ).toLowerCase(),
    );
  });

  it("deriveSessionKeys gives the same RTP keys and a 20-byte auth key prefix", () => {
    const k = deriveSessionKeys(SrtpProfileId.AES128_CM_HMAC_SHA1_80, masterKey, masterSalt);
    expect(toHex(k.rtpKey)).toBe("c61e7a93744f39ee10734afe3ff7a087");
    expect(toHex(k.rtpSalt)).toBe("30cbbc08863d8c85d49db34a9ae1");
    expect(toHex(k.rtpAuthKey)).toBe("cebe321f6ff7716b6fd4ab49af256a156d38baa4");
    expect(k.rtcpKey.length).toBe(16);
    expect(toHex(k.rtcpKey)).not.toBe(toHex(k.rtpKey));
  });

  it("rejects master keys and salts of the wrong length", () => {
    expect(() => deriveSessionKeys(SrtpProfileId.AES128_CM_HMAC_SHA1_80, masterKey, masterSalt.subarray(0, 12))).toThrow(
      RangeError,
    );
    expect(() => deriveSessionKeys(SrtpProfileId.AEAD_AES_256_GCM, masterKey, masterSalt.subarray(0, 12))).toThrow(
      RangeError,
    );
  });
});

describe("AES_CM_128_HMAC_SHA1_80 packets (libsrtp srtp_driver vectors, B.3 master key)", () => {
  const master = { masterKey: fromHex("e1f97a0d3e018be0d64fa32c06de4139"), masterSalt: fromHex("0ec675ad498afeebb6960b3aabe6") };
  const rtp = fromHex("800f1234decafbadcafebabe" + "ab".repeat(16));
  const srtp = fromHex("800f1234decafbadcafebabe" + "4e55dc4ce79978d88ca4d215949d2402" + "b78d6acc99ea179b8dbb");

  it("protects and unprotects the RTP packet", () => {
    const tx = new SrtpContext(SrtpProfileId.AES128_CM_HMAC_SHA1_80, master);
    expect(toHex(tx.protectRtp(rtp)!)).toBe(toHex(srtp));
    const rx = new SrtpContext(SrtpProfileId.AES128_CM_HMAC_SHA1_80, master);
    expect(toHex(rx.unprotectRtp(srtp)!)).toBe(toHex(rtp));
  });

  it("keeps the header extension in the clear, encrypts the payload as without it, authenticates both", () => {
    const ext = "bede0006" + "17414273a475262748220000c8308e4655996386b395fb00";
    const plain = fromHex("900f1234decafbadcafebabe" + ext + "ab".repeat(16));
    const tx = new SrtpContext(SrtpProfileId.AES128_CM_HMAC_SHA1_80, master);
    const wire = tx.protectRtp(plain)!;
    expect(wire.length).toBe(plain.length + 10);
    expect(toHex(wire.subarray(0, 40))).toBe(toHex(plain.subarray(0, 40)));
    // Same SSRC and index as the vector above, so the same keystream over the payload.
    expect(toHex(wire.subarray(40, 56))).toBe("4e55dc4ce79978d88ca4d215949d2402");
    const rx = new SrtpContext(SrtpProfileId.AES128_CM_HMAC_SHA1_80, master);
    expect(toHex(rx.unprotectRtp(wire)!)).toBe(toHex(plain));
    const tampered = wire.slice();
    tampered[20] ^= 1; // inside the extension: in the clear, but authenticated
    const rx2 = new SrtpContext(SrtpProfileId.AES128_CM_HMAC_SHA1_80, master);
    expect(rx2.unprotectRtp(tampered)).toBeUndefined();
    expect(rx2.lastError).toBe("auth");
  });

  it("protects and unprotects the SRTCP packet (E-flag set, index 1)", () => {
    const rtcp = fromHex("81c8000bcafebabe" + "ab".repeat(16));
    const srtcp = fromHex("81c8000bcafebabe" + "7128035be487b9bdbef89041f977a5a8" + "80000001" + "993e08cd54d6c1230798");
    const tx = new SrtpContext(SrtpProfileId.AES128_CM_HMAC_SHA1_80, master);
    tx.setRtcpIndex(0xcafebabe, 1);
    expect(toHex(tx.protectRtcp(rtcp)!)).toBe(toHex(srtcp));
    const rx = new SrtpContext(SrtpProfileId.AES128_CM_HMAC_SHA1_80, master);
    expect(toHex(rx.unprotectRtcp(srtcp)!)).toBe(toHex(rtcp));
  });

  it("the _32 profile uses a 4-byte RTP tag (the 80-bit tag's prefix) and keeps 10 bytes for SRTCP", () => {
    const tx = new SrtpContext(SrtpProfileId.AES128_CM_HMAC_SHA1_32, master);
    expect(toHex(tx.protectRtp(rtp)!)).toBe(toHex(srtp.subarray(0, srtp.length - 6)));
    tx.setRtcpIndex(0xcafebabe, 1);
    const srtcp = tx.protectRtcp(fromHex("81c8000bcafebabe" + "ab".repeat(16)))!;
    expect(toHex(srtcp.subarray(srtcp.length - 10))).toBe("993e08cd54d6c1230798");
  });
});

describe("counter keystream state", () => {
  it("gives the same keystream whatever was generated before (growth, SSRC and ROC changes)", () => {
    const reused = new CounterKeystream(B2_KEY, B2_SALT);
    const steps: Array<[number, number, number, number]> = [
      [1, 0, 5, 100],
      [1, 0, 6, 3000], // grows the counter buffer with the same SSRC and ROC
      [1, 0, 7, 1200],
      [2, 0, 7, 1200], // another SSRC
      [2, 1, 0, 5000], // another ROC, and growth
      [2, 1, 1, 16],
      [0, 0, 0, 48],
    ];
    for (const [ssrc, hi, lo, n] of steps) {
      const w = reused.run(ssrc, hi * 65536 + lo, 1, (n + 15) >>> 4);
      expect(toHex(new Uint8Array(w.buffer, w.byteOffset, n))).toBe(alone(ssrc, hi * 65536 + lo, n));
    }
  });
});

describe("authentication-only modes", () => {
  const master = { masterKey: fromHex("e1f97a0d3e018be0d64fa32c06de4139"), masterSalt: fromHex("0ec675ad498afeebb6960b3aabe6") };
  const rtcp = fromHex("81c8000bcafebabe" + "ab".repeat(16));

  it("SRTCP with the E-flag clear leaves the RTCP in the clear and still authenticates it (§3.4)", () => {
    const tx = new SrtpContext(SrtpProfileId.AES128_CM_HMAC_SHA1_80, master, { encryptRtcp: false });
    tx.setRtcpIndex(0xcafebabe, 7);
    const wire = tx.protectRtcp(rtcp)!;
    expect(wire.length).toBe(rtcp.length + 4 + 10);
    expect(toHex(wire.subarray(0, rtcp.length))).toBe(toHex(rtcp));
    expect(toHex(wire.subarray(rtcp.length, rtcp.length + 4))).toBe("00000007");
    const rx = new SrtpContext(SrtpProfileId.AES128_CM_HMAC_SHA1_80, master);
    expect(toHex(rx.unprotectRtcp(wire)!)).toBe(toHex(rtcp));
    const flagged = wire.slice();
    flagged[rtcp.length] |= 0x80; // claim it is encrypted: the tag covers the E-flag
    expect(new SrtpContext(SrtpProfileId.AES128_CM_HMAC_SHA1_80, master).unprotectRtcp(flagged)).toBeUndefined();
  });

  it("the NULL cipher profiles leave payloads in the clear, with the same tags as AES-CM's auth key", () => {
    const rtp = fromHex("800f1234decafbadcafebabe" + "ab".repeat(16));
    const tx = new SrtpContext(SrtpProfileId.NULL_HMAC_SHA1_80, master);
    const wire = tx.protectRtp(rtp)!;
    expect(toHex(wire.subarray(0, rtp.length))).toBe(toHex(rtp));
    // The tag is HMAC-SHA1(auth key, packet || ROC): check it independently with node:crypto.
    const authKey = aesCmPrf(master.masterKey, master.masterSalt, KdfLabel.RTP_AUTH, 20);
    const expected = createHmac("sha1", authKey).update(rtp).update(new Uint8Array(4)).digest().subarray(0, 10);
    expect(toHex(wire.subarray(rtp.length))).toBe(toHex(expected));
    const rx = new SrtpContext(SrtpProfileId.NULL_HMAC_SHA1_32, master);
    const short = new SrtpContext(SrtpProfileId.NULL_HMAC_SHA1_32, master).protectRtp(rtp)!;
    expect(toHex(short)).toBe(toHex(wire.subarray(0, rtp.length + 4)));
    expect(toHex(rx.unprotectRtp(short)!)).toBe(toHex(rtp));
    const srtcp = tx.protectRtcp(rtcp)!;
    expect(toHex(srtcp.subarray(0, rtcp.length + 4))).toBe(toHex(rtcp) + "00000000");
    expect(toHex(new SrtpContext(SrtpProfileId.NULL_HMAC_SHA1_80, master).unprotectRtcp(srtcp)!)).toBe(toHex(rtcp));
  });

  it("the AES-CM tag is HMAC-SHA1 over the authenticated portion and the ROC (checked with node:crypto)", () => {
    const tx = new SrtpContext(SrtpProfileId.AES128_CM_HMAC_SHA1_80, master);
    const authKey = aesCmPrf(master.masterKey, master.masterSalt, KdfLabel.RTP_AUTH, 20);
    // Push the ROC to 1 so the ROC bytes matter, with a payload long enough for many blocks.
    let last: Uint8Array | undefined;
    for (const seq of [65534, 65535, 0, 1]) {
      const p = new Uint8Array(12 + 1000);
      p[0] = 0x80;
      p[2] = seq >> 8;
      p[3] = seq & 0xff;
      p[11] = 9;
      last = tx.protectRtp(p)!;
    }
    const body = last!.subarray(0, last!.length - 10);
    const expected = createHmac("sha1", authKey).update(body).update(Uint8Array.of(0, 0, 0, 1)).digest().subarray(0, 10);
    expect(toHex(last!.subarray(last!.length - 10))).toBe(toHex(expected));
  });
});

describe("keystream runs computed ahead", () => {
  it("always equal the keystream computed for the packet alone (random SSRC/index/length requests)", () => {
    const cmd = fc.record({
      ssrc: fc.constantFrom(1, 2, 3, 4, 5, 6, 0xffffffff),
      step: fc.oneof(fc.constant(1), fc.constant(2), fc.integer({ min: -70, max: 70 }), fc.integer({ min: -5000, max: 5000 })),
      length: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1000, max: 1600 }), fc.integer({ min: 0, max: 3000 })),
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.array(cmd, { minLength: 1, maxLength: 120 }), (start, cmds) => {
        const runs = new KeystreamRuns(new CounterKeystream(B2_KEY, B2_SALT));
        const index = new Map<number, number>();
        for (const c of cmds) {
          const i = Math.max(0, (index.get(c.ssrc) ?? start) + c.step);
          index.set(c.ssrc, i);
          const at = 8;
          const ab = new ArrayBuffer(at + c.length + 8);
          const dst = new Uint8Array(ab);
          xorThrough(runs, c.ssrc, i, dst, new Int32Array(ab, 0, ab.byteLength >> 2), at, c.length);
          expect(toHex(dst.subarray(at, at + c.length))).toBe(alone(c.ssrc, i, c.length));
          expect(dst[at + c.length]).toBe(0); // nothing past the end
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe("keystream runs with more SSRCs than slots", () => {
  it("compute little more keystream than is used, whether 2, 8 or 20 SSRCs take turns or send in bursts", () => {
    for (const [ssrcs, burst] of [
      [2, 1],
      [8, 1],
      [20, 1],
      [8, 5],
      [20, 10],
    ] as const) {
      const runs = new KeystreamRuns(new CounterKeystream(B2_KEY, B2_SALT));
      const ab = new ArrayBuffer(1216);
      const dst = new Uint8Array(ab);
      const dst32 = new Int32Array(ab);
      const packets = 1600;
      for (let i = 0; i < packets; i++) {
        const turn = Math.floor(i / burst);
        const ssrc = 100 + (turn % ssrcs);
        const index = Math.floor(turn / ssrcs) * burst + (i % burst);
        xorThrough(runs, ssrc, index, dst, dst32, 0, 1200);
      }
      const used = packets * 75; // 1200 bytes = 75 blocks
      // A run's stride rounds 75 up to 80 blocks; runs started near the end are partly unused.
      expect(runs.blocksGenerated).toBeLessThan(used * 1.2);
    }
  });
});

describe("keystream runs across a ROC boundary", () => {
  it("a run that starts before index 2^16 * k and ends after it uses each packet's own ROC", () => {
    const runs = new KeystreamRuns(new CounterKeystream(B2_KEY, B2_SALT));
    for (let i = 3 * 65536 - 5; i < 3 * 65536 + 12; i++) {
      const ab = new ArrayBuffer(1216);
      xorThrough(runs, 42, i, new Uint8Array(ab), new Int32Array(ab), 0, 1200);
      expect(toHex(new Uint8Array(ab, 0, 1200))).toBe(alone(42, i, 1200));
    }
  });
});

describe("AES-256 PRF (RFC 6188 §7.2 key derivation vector)", () => {
  it("derives the cipher key, salt and auth key with a 256-bit master key", () => {
    const key = fromHex("F0F04914B513F2763A1B1FA130F10E2998F6F6E43E4309D1E622A0E332B9F1B6");
    const salt = fromHex("3B04803DE51EE7C96423AB5B78D2");
    expect(toHex(aesCmPrf(key, salt, KdfLabel.RTP_ENCRYPTION, 32))).toBe(
      "5ba1064e30ec51613cad926c5a28ef731ec7fb397f70a960653caf06554cd8c4",
    );
    expect(toHex(aesCmPrf(key, salt, KdfLabel.RTP_SALT, 14))).toBe("fa31791685ca444a9e07c6c64e93");
    expect(toHex(aesCmPrf(key, salt, KdfLabel.RTP_AUTH, 20))).toBe("fd9c32d39ed5fbb5a9dc96b30818454d1313dc05");
  });
});

describe("AEAD master salts of 96 bits (RFC 7714 §11: zero-padded on the right, as libsrtp)", () => {
  // Expected values computed independently with `openssl enc -aes-{128,256}-ctr` over zeros,
  // IV = (salt || 0000) with the label XORed into byte 7, then || 0000.
  const salt = fromHex("a0a1a2a3a4a5a6a7a8a9aaab");
  it("AEAD_AES_128_GCM", () => {
    const k = deriveSessionKeys(SrtpProfileId.AEAD_AES_128_GCM, fromHex("000102030405060708090a0b0c0d0e0f"), salt);
    expect(toHex(k.rtpKey)).toBe("077c6143cb221bc355ff23d5f984a16e");
    expect(toHex(k.rtpSalt)).toBe("9af3e95364ebac9c99c5a7c4");
    expect(toHex(k.rtcpKey)).toBe("615dcd9042600666f6fd4d9e4fe4519f");
    expect(toHex(k.rtcpSalt)).toBe("fcca937b9112a500dac72269");
    expect(k.rtpAuthKey.length).toBe(0);
  });
  it("AEAD_AES_256_GCM", () => {
    const k = deriveSessionKeys(
      SrtpProfileId.AEAD_AES_256_GCM,
      fromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"),
      salt,
    );
    expect(toHex(k.rtpKey)).toBe("b7a435ce454463b760dc82c838468a115c699625af4b93a0f8220a2a6119c5d0");
    expect(toHex(k.rtpSalt)).toBe("944bd21c268a962cd09c674a");
    expect(toHex(k.rtcpKey)).toBe("3c90f52a0a13ff8a853397cadc245b9eac76b36edb4a6062bf624aa1174eebf2");
    expect(toHex(k.rtcpSalt)).toBe("258c540cf38ddd40848ceaed");
  });
});
