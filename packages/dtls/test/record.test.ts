import { describe, expect, it } from "vitest";
import { cipherSuiteByName, type CipherSuiteName } from "../src/cipher-suites.js";
import { ContentType, DTLS_1_2 } from "../src/constants.js";
import { emptyRecordHeader, readRecordHeader } from "../src/record/header.js";
import { DatagramPacker, RecordLayer } from "../src/record/layer.js";
import { AeadProtection } from "../src/record/protection.js";
import { createCipheriv } from "node:crypto";

function pair(name: CipherSuiteName) {
  const s = cipherSuiteByName(name);
  const keys = { key: new Uint8Array(s.keyLength).fill(3), iv: new Uint8Array(s.fixedIvLength).fill(5) };
  const a = new RecordLayer();
  const b = new RecordLayer();
  a.installWrite(1, new AeadProtection(s, keys));
  b.installRead(1, new AeadProtection(s, keys));
  return { a, b, s, keys };
}

function openAll(b: RecordLayer, d: Uint8Array) {
  const h = emptyRecordHeader();
  const out: (Uint8Array | string)[] = [];
  let at = 0;
  while (readRecordHeader(d, at, h)) {
    out.push(b.open(h.type, h.version, h.epoch, h.seq, d, h.fragmentOffset, h.length));
    at = h.fragmentOffset + h.length;
  }
  return out;
}

describe("record header (RFC 6347 §4.1)", () => {
  it("round-trips epoch, 48-bit sequence and length", () => {
    const l = new RecordLayer();
    for (let i = 0; i < 3; i++) l.seal(ContentType.handshake, 0, new Uint8Array(1));
    const r = l.seal(ContentType.handshake, 0, new Uint8Array([1, 2, 3]));
    const h = emptyRecordHeader();
    expect(readRecordHeader(r, 0, h)).toBe(true);
    expect(h).toMatchObject({ type: 22, version: DTLS_1_2, epoch: 0, seq: 3, length: 3, fragmentOffset: 13 });
    expect(readRecordHeader(r.subarray(0, 15), 0, h)).toBe(false);
    const big = new Uint8Array(13);
    big.set([23, 0xfe, 0xfd, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0, 0]);
    expect(readRecordHeader(big, 0, h)).toBe(true);
    expect(h.seq).toBe(2 ** 48 - 2);
  });
});

describe("AEAD protection", () => {
  for (const name of [
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
  ] as const) {
    it(`${name}: seals, opens, rejects tampering and replays`, () => {
      const { a, b } = pair(name);
      const msg = new TextEncoder().encode("hello dtls");
      const r1 = a.seal(ContentType.applicationData, 1, msg);
      const r2 = a.seal(ContentType.applicationData, 1, msg);
      expect(new TextDecoder().decode(openAll(b, r2)[0] as Uint8Array)).toBe("hello dtls");
      expect(new TextDecoder().decode(openAll(b, r1)[0] as Uint8Array)).toBe("hello dtls"); // reordered is fine
      expect(openAll(b, r1)[0]).toBe("replay");
      const r3 = a.seal(ContentType.applicationData, 1, msg);
      const bad = Uint8Array.from(r3);
      bad[bad.length - 1] ^= 1;
      expect(openAll(b, bad)[0]).toBe("bad-mac");
      const badHdr = Uint8Array.from(r3);
      badHdr[0] = ContentType.handshake; // type is authenticated
      expect(openAll(b, badHdr)[0]).toBe("bad-mac");
      expect(openAll(b, r3)[0]).toBeInstanceOf(Uint8Array); // a forgery did not move the window
      const short = a.seal(ContentType.applicationData, 1, new Uint8Array(0)).subarray(0, 20);
      short[12] = 7;
      expect(openAll(b, short)[0]).toBe("bad-mac");
    });
  }

  it("GCM records match an independent node:crypto construction (RFC 5288 nonce, RFC 5246 AAD)", () => {
    const { a, keys } = pair("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    const pt = new Uint8Array([1, 2, 3, 4]);
    const r = a.seal(ContentType.applicationData, 1, pt);
    const nonce = Buffer.concat([Buffer.from(keys.iv), Buffer.from([0, 1, 0, 0, 0, 0, 0, 0])]);
    const c = createCipheriv("aes-128-gcm", keys.key, nonce);
    c.setAAD(Buffer.from([0, 1, 0, 0, 0, 0, 0, 0, 23, 0xfe, 0xfd, 0, 4]));
    const ct = Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
    expect(Buffer.from(r.subarray(13)).toString("hex")).toBe(Buffer.concat([nonce.subarray(4), ct]).toString("hex"));
  });
});

describe("datagram packing", () => {
  it("puts several records in one datagram up to the MTU", () => {
    const p = new DatagramPacker(100);
    p.push(new Uint8Array(40));
    p.push(new Uint8Array(40));
    p.push(new Uint8Array(40));
    p.push(new Uint8Array(150));
    p.flush();
    expect(p.out.map((d) => d.length)).toEqual([80, 40, 150]);
  });
});
