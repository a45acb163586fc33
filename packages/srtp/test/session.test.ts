/** DTLS-SRTP keying material (RFC 5764 §4.2) and the profile table. */
import { describe, expect, it } from "vitest";
import {
  createSrtpSessionFromKeyingMaterial,
  findSrtpProfile,
  keyingMaterialLength,
  SrtpContext,
  SrtpProfileId,
  splitKeyingMaterial,
} from "../src/index.js";
import { hex, rtp } from "./helpers.js";

describe("profiles", () => {
  it("have the RFC 5764 / RFC 7714 ids, lengths and keying material sizes", () => {
    const rows = [
      [0x0001, 16, 14, 10, 10, 60],
      [0x0002, 16, 14, 4, 10, 60],
      [0x0005, 16, 14, 10, 10, 60],
      [0x0006, 16, 14, 4, 10, 60],
      [0x0007, 16, 12, 16, 16, 56],
      [0x0008, 32, 12, 16, 16, 88],
    ] as const;
    for (const [id, key, salt, rtpTag, rtcpTag, material] of rows) {
      const p = findSrtpProfile(id)!;
      expect([p.keyLength, p.saltLength, p.rtpTagLength, p.rtcpTagLength]).toEqual([key, salt, rtpTag, rtcpTag]);
      expect(keyingMaterialLength(id)).toBe(material);
    }
    expect(findSrtpProfile(0x0003)).toBeUndefined();
    expect(() => keyingMaterialLength(0x0003 as SrtpProfileId)).toThrow(RangeError);
  });
});

describe("keying material", () => {
  const material = Uint8Array.from({ length: 56 }, (_, i) => i);

  it("splits client key | server key | client salt | server salt", () => {
    const m = splitKeyingMaterial(SrtpProfileId.AEAD_AES_128_GCM, material);
    expect(m.clientKey).toEqual(material.subarray(0, 16));
    expect(m.serverKey).toEqual(material.subarray(16, 32));
    expect(m.clientSalt).toEqual(material.subarray(32, 44));
    expect(m.serverSalt).toEqual(material.subarray(44, 56));
    expect(() => splitKeyingMaterial(SrtpProfileId.AEAD_AES_128_GCM, material.subarray(0, 55))).toThrow(RangeError);
  });

  it("the client's local context pairs with the server's remote one, and vice versa", () => {
    const client = createSrtpSessionFromKeyingMaterial(SrtpProfileId.AEAD_AES_128_GCM, material, "client");
    const server = createSrtpSessionFromKeyingMaterial(SrtpProfileId.AEAD_AES_128_GCM, material, "server");
    const a = rtp(1, 1);
    const b = rtp(1, 2);
    expect(hex(server.remote.unprotectRtp(client.local.protectRtp(a)!))).toBe(hex(a));
    expect(hex(client.remote.unprotectRtp(server.local.protectRtp(b)!))).toBe(hex(b));
    // Our own packets do not verify under the peer's key.
    expect(client.remote.unprotectRtp(client.local.protectRtp(rtp(2, 3))!)).toBeUndefined();
    expect(client.remote.lastError).toBe("auth");
  });

  it("the local context is keyed with the role's own master key (checked against a direct context)", () => {
    const m = splitKeyingMaterial(SrtpProfileId.AEAD_AES_128_GCM, material);
    const direct = new SrtpContext(SrtpProfileId.AEAD_AES_128_GCM, { masterKey: m.serverKey, masterSalt: m.serverSalt });
    const server = createSrtpSessionFromKeyingMaterial(SrtpProfileId.AEAD_AES_128_GCM, material, "server");
    const p = rtp(42, 4242, 33);
    expect(hex(server.local.protectRtp(p))).toBe(hex(direct.protectRtp(p)));
  });

  it("validates options", () => {
    expect(() => createSrtpSessionFromKeyingMaterial(0x0001, new Uint8Array(60), "client", { replayWindow: 0 })).toThrow(RangeError);
    expect(() => createSrtpSessionFromKeyingMaterial(0x0001, new Uint8Array(60), "client", { maxSsrcs: 0 })).toThrow(RangeError);
  });
});
