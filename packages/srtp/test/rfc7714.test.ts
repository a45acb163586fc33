/**
 * RFC 7714 §16 (SRTP) and §17 (SRTCP) AEAD test vectors. The RFC gives session keys directly
 * (no KDF), the same key and salt for RTP and RTCP.
 */
import { fromHex, toHex } from "@tsrtc/base";
import { describe, expect, it } from "vitest";
import { SrtpContext, SrtpProfileId, type SessionKeys } from "../src/index.js";

const KEY_128 = fromHex("000102030405060708090a0b0c0d0e0f");
const KEY_256 = fromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
const SALT = fromHex("517569642070726f2071756f"); // "Quid pro quo"

const RTP = fromHex(
  "8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070 61727465 73207472 6573",
);
const RTCP = fromHex(
  "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef",
);
const RTCP_SSRC = 0x4d617273; // "Mars"
const RTCP_INDEX = 0x5d4;

function keys(key: Uint8Array): SessionKeys {
  const none = new Uint8Array(0);
  return { rtpKey: key, rtpSalt: SALT, rtpAuthKey: none, rtcpKey: key, rtcpSalt: SALT, rtcpAuthKey: none };
}

const cases = [
  {
    name: "AEAD_AES_128_GCM",
    profile: SrtpProfileId.AEAD_AES_128_GCM,
    key: KEY_128,
    srtp: "8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5 0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1 6a9152cf 765ee439 0cce",
    srtcp:
      "81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b c84aa458 96cf4d2f c5abf872 45d9eade 800005d4",
    srtcpTagOnly:
      "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef 841dd968 3dd78ec9 2ae58790 125f62b3 000005d4",
  },
  {
    name: "AEAD_AES_256_GCM",
    profile: SrtpProfileId.AEAD_AES_256_GCM,
    key: KEY_256,
    srtp: "8040f17b 8041f8d3 5501a0b2 32b1de78 a822fe12 ef9f78fa 332e33aa b1801238 9a58e2f3 b50b2a02 76ffae0f 1ba63799 b87b7aa3 db36dfff d6b0f9bb 7878d7a7 6c13",
    srtcp:
      "81c8000d 4d617273 d50ae4d1 f5ce5d30 4ba297e4 7d470c28 2c3ece5d bffe0a50 a2eaa5c1 110555be 8415f658 c61de047 6f1b6fad 1d1eb30c 4446839f 57ff6f6c b26ac3be 800005d4",
    srtcpTagOnly:
      "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef 91db4afb feee5a97 8fab4393 ed2615fe 000005d4",
  },
] as const;

// Each vector through node:crypto ("node", and "auto" before it switches) and the JS tables.
for (const [c, gcm] of cases.flatMap((c) => (["auto", "tables", "node"] as const).map((g) => [c, g] as const))) {
  describe(`RFC 7714 ${c.name} (gcm: ${gcm})`, () => {
    it("§16: encrypts and tags the RTP packet (SSRC 0x5501a0b2, ROC 0, SEQ 0xf17b)", () => {
      const ctx = new SrtpContext(c.profile, { sessionKeys: keys(c.key) }, { gcm });
      expect(toHex(ctx.protectRtp(RTP)!)).toBe(toHex(fromHex(c.srtp)));
    });

    it("§16: verifies and decrypts it, and refuses any flipped bit", () => {
      const wire = fromHex(c.srtp);
      expect(toHex(new SrtpContext(c.profile, { sessionKeys: keys(c.key) }, { gcm }).unprotectRtp(wire)!)).toBe(toHex(RTP));
      for (const at of [1, 5, 11, 12, 30, wire.length - 1]) {
        const bad = wire.slice();
        bad[at] ^= 0x01;
        const ctx = new SrtpContext(c.profile, { sessionKeys: keys(c.key) }, { gcm });
        expect(ctx.unprotectRtp(bad)).toBeUndefined();
        expect(ctx.lastError).toBe("auth");
      }
    });

    it("§17: encrypts and tags the RTCP packet (SRTCP index 0x5d4, E=1)", () => {
      const ctx = new SrtpContext(c.profile, { sessionKeys: keys(c.key) }, { gcm });
      ctx.setRtcpIndex(RTCP_SSRC, RTCP_INDEX);
      expect(toHex(ctx.protectRtcp(RTCP)!)).toBe(toHex(fromHex(c.srtcp)));
      const rx = new SrtpContext(c.profile, { sessionKeys: keys(c.key) }, { gcm });
      expect(toHex(rx.unprotectRtcp(fromHex(c.srtcp))!)).toBe(toHex(RTCP));
    });

    it("§17: tags the RTCP packet without encrypting it (E=0) and verifies it", () => {
      const ctx = new SrtpContext(c.profile, { sessionKeys: keys(c.key) }, { encryptRtcp: false, gcm });
      ctx.setRtcpIndex(RTCP_SSRC, RTCP_INDEX);
      expect(toHex(ctx.protectRtcp(RTCP)!)).toBe(toHex(fromHex(c.srtcpTagOnly)));
      const rx = new SrtpContext(c.profile, { sessionKeys: keys(c.key) }, { gcm });
      expect(toHex(rx.unprotectRtcp(fromHex(c.srtcpTagOnly))!)).toBe(toHex(RTCP));
      // Setting the E-flag on an authenticated-only packet breaks its tag (the trailer is AAD).
      const flipped = fromHex(c.srtcpTagOnly);
      flipped[flipped.length - 4] |= 0x80;
      expect(new SrtpContext(c.profile, { sessionKeys: keys(c.key) }, { gcm }).unprotectRtcp(flipped)).toBeUndefined();
    });
  });
}
