/**
 * The AEAD profiles over whole streams: a context in "auto" mode (node:crypto for the first
 * packets, then the JS GHASH tables with keystream computed ahead) must produce the same bytes
 * as one in "node" mode, packet for packet, across SSRCs, rollovers, RTCP with and without
 * encryption, a caller's output buffer and in-place unprotect; forged packets must fail in both.
 */
import { toHex } from "@tsrtc/base";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SrtpContext, SrtpProfileId, type SessionKeys } from "../src/index.js";

function keys(len: number, seed: number): SessionKeys {
  const b = (n: number, s: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + s) & 0xff);
  return { rtpKey: b(len, seed), rtpSalt: b(12, seed + 1), rtpAuthKey: new Uint8Array(0), rtcpKey: b(len, seed + 2), rtcpSalt: b(12, seed + 3), rtcpAuthKey: new Uint8Array(0) };
}

function rtp(ssrc: number, seq: number, payload: number, csrcs = 0): Uint8Array {
  const p = new Uint8Array(12 + 4 * csrcs + payload);
  p[0] = 0x80 | csrcs;
  p[1] = 96;
  p[2] = (seq >>> 8) & 0xff;
  p[3] = seq & 0xff;
  new DataView(p.buffer).setUint32(8, ssrc);
  for (let i = 12; i < p.length; i++) p[i] = (i * 13 + seq) & 0xff;
  return p;
}

function rtcp(ssrc: number, words: number): Uint8Array {
  const p = new Uint8Array(8 + 4 * words);
  p[0] = 0x80;
  p[1] = 200;
  new DataView(p.buffer).setUint16(2, 1 + words);
  new DataView(p.buffer).setUint32(4, ssrc);
  for (let i = 8; i < p.length; i++) p[i] = i & 0xff;
  return p;
}

for (const [profile, keyLen] of [
  [SrtpProfileId.AEAD_AES_128_GCM, 16],
  [SrtpProfileId.AEAD_AES_256_GCM, 32],
] as const) {
  describe(`AEAD profile 0x000${profile}: auto mode equals node mode`, () => {
    it("packet for packet over interleaved SSRCs, random sizes and a rollover", () => {
      fc.assert(
        fc.property(
          fc.array(fc.record({ s: fc.nat({ max: 2 }), len: fc.nat({ max: 1400 }), csrcs: fc.nat({ max: 3 }) }), { minLength: 100, maxLength: 300 }),
          (steps) => {
            const k = keys(keyLen, 7);
            const txA = new SrtpContext(profile, { sessionKeys: k }, { gcm: "auto" });
            const txN = new SrtpContext(profile, { sessionKeys: k }, { gcm: "node" });
            const rxA = new SrtpContext(profile, { sessionKeys: k }, { gcm: "auto", replayWindow: 1024 });
            const ssrcs = [0x11111111, 0x22222222, 0xcafebabe];
            const seqs = [0xffc0, 10, 30000];
            const out = new Uint8Array(2000);
            for (const st of steps) {
              const seq = seqs[st.s]++ & 0xffff;
              const p = rtp(ssrcs[st.s], seq, st.len, st.csrcs);
              const a = txA.protectRtp(p);
              const n = txN.protectRtp(p);
              expect(a && toHex(a)).toBe(n && toHex(n));
              // Unprotect alternately into a fresh buffer, the caller's buffer and in place.
              const mode = seq % 3;
              const own = a!.slice();
              const got = mode === 0 ? rxA.unprotectRtp(a!) : mode === 1 ? rxA.unprotectRtp(a!, out) : rxA.unprotectRtp(own, own);
              expect(got && toHex(got)).toBe(toHex(p));
            }
            expect(rxA.stats.failures.auth).toBe(0);
          },
        ),
        { numRuns: 8 },
      );
    });

    it("in-place unprotect after the switch, and forged packets fail without touching the output", () => {
      const k = keys(keyLen, 3);
      const tx = new SrtpContext(profile, { sessionKeys: k });
      const rx = new SrtpContext(profile, { sessionKeys: k });
      for (let i = 0; i < 200; i++) {
        const p = rtp(0x5501a0b2, i, 1200);
        const w = tx.protectRtp(p)!;
        if (i % 7 === 3) {
          const bad = w.slice();
          bad[20 + (i % 1000)] ^= 0x10;
          const out = new Uint8Array(1300).fill(0x5a);
          expect(rx.unprotectRtp(bad, out)).toBeUndefined();
          expect(rx.lastError).toBe("auth");
          expect(out.every((b) => b === 0x5a)).toBe(true);
        }
        const buf = w.slice();
        const got = rx.unprotectRtp(buf, buf);
        expect(got && toHex(got)).toBe(toHex(p));
      }
      expect(rx.stats.rtpUnprotected).toBe(200);
    });

    it("SRTCP with and without encryption over 150 packets", () => {
      for (const encryptRtcp of [true, false]) {
        const k = keys(keyLen, 9);
        const txA = new SrtpContext(profile, { sessionKeys: k }, { encryptRtcp });
        const txN = new SrtpContext(profile, { sessionKeys: k }, { encryptRtcp, gcm: "node" });
        const rx = new SrtpContext(profile, { sessionKeys: k });
        for (let i = 0; i < 150; i++) {
          const p = rtcp(0x4d617273 + (i % 2), 1 + (i % 40));
          const a = txA.protectRtcp(p)!;
          expect(toHex(a)).toBe(toHex(txN.protectRtcp(p)!));
          expect(toHex(rx.unprotectRtcp(a)!)).toBe(toHex(p));
          const bad = a.slice();
          bad[i % bad.length] ^= 0x04;
          expect(rx.unprotectRtcp(bad)).toBeUndefined();
        }
      }
    });
  });
}
