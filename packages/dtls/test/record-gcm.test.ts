/**
 * AES-GCM record protection through AesGcm's table path against its node:crypto path: the same
 * records byte for byte, records from a peer whose explicit nonce is not epoch||seq (RFC 5288
 * lets it choose), and tampered records refused.
 */
import { createCipheriv } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cipherSuiteByName } from "../src/cipher-suites.js";
import { ContentType, DTLS_1_2 } from "../src/constants.js";
import { AeadProtection } from "../src/record/protection.js";

const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex");

for (const name of ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"] as const) {
  describe(`${name} through the GHASH tables`, () => {
    const s = cipherSuiteByName(name);
    const keys = { key: Uint8Array.from({ length: s.keyLength }, (_, i) => i * 7), iv: Uint8Array.from([9, 8, 7, 6]) };

    it("seals the same records as node:crypto and opens them, for 200 records of random sizes", () => {
      fc.assert(
        fc.property(fc.array(fc.nat({ max: 1500 }), { minLength: 200, maxLength: 200 }), (sizes) => {
          const t = new AeadProtection(s, keys, "tables");
          const n = new AeadProtection(s, keys, "node");
          const rx = new AeadProtection(s, keys, "tables");
          sizes.forEach((size, seq) => {
            const pt = Uint8Array.from({ length: size }, (_, i) => (i + seq) & 0xff);
            const a = t.seal(ContentType.applicationData, DTLS_1_2, 1, seq, pt);
            expect(toHex(a)).toBe(toHex(n.seal(ContentType.applicationData, DTLS_1_2, 1, seq, pt)));
            const back = rx.open(ContentType.applicationData, DTLS_1_2, 1, seq, a, 13, a.length - 13);
            expect(back && toHex(back)).toBe(toHex(pt));
          });
        }),
        { numRuns: 3 },
      );
    });

    it("opens records whose explicit nonce the peer chose freely, and refuses tampered ones", () => {
      const rx = new AeadProtection(s, keys, "tables");
      for (let seq = 0; seq < 80; seq++) {
        const pt = Uint8Array.from({ length: 10 + seq * 13 }, (_, i) => i ^ seq);
        const explicit = Uint8Array.from({ length: 8 }, (_, i) => (seq * 31 + i * 101) & 0xff);
        const header = Uint8Array.from([23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, seq, 0, 0]);
        const frag = 8 + pt.length + 16;
        header[11] = frag >>> 8;
        header[12] = frag & 0xff;
        const aad = Uint8Array.from([...header.subarray(3, 11), 23, 0xfe, 0xfd, pt.length >>> 8, pt.length & 0xff]);
        const c = createCipheriv(`aes-${s.keyLength * 8}-gcm` as "aes-128-gcm", keys.key, Uint8Array.from([...keys.iv, ...explicit]));
        c.setAAD(aad);
        const ct = c.update(pt);
        c.final();
        const record = Uint8Array.from([...header, ...explicit, ...ct, ...c.getAuthTag()]);
        const got = rx.open(23, DTLS_1_2, 1, seq, record, 13, frag);
        expect(got && toHex(got)).toBe(toHex(pt));
        const bad = record.slice();
        bad[13 + (seq % frag)] ^= 0x20;
        expect(rx.open(23, DTLS_1_2, 1, seq, bad, 13, frag)).toBeUndefined();
      }
    });
  });
}
