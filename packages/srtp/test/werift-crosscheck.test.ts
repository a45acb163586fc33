/**
 * Cross-check with an independent implementation: werift-rtp's SrtpSession/SrtcpSession, for the
 * profiles it supports (AES128_CM_HMAC_SHA1_80 and AEAD_AES_128_GCM). Packets we protect are
 * unprotected by werift and the reverse, over the same DTLS-SRTP keying material.
 */
import { describe, expect, it } from "vitest";
import { RtpPacket, SrtcpSession, SrtpSession } from "werift-rtp";
import { splitKeyingMaterial, type SrtpProfileId } from "../src/index.js";
import { hex, pair, rtcpRr, rtp } from "./helpers.js";

const PROFILES: readonly SrtpProfileId[] = [0x0001, 0x0007];

/** werift sessions playing the server side of the material (we are the client). */
function weriftServer(profile: SrtpProfileId, material: Uint8Array) {
  const m = splitKeyingMaterial(profile, material);
  const config = {
    profile,
    keys: {
      localMasterKey: Buffer.from(m.serverKey),
      localMasterSalt: Buffer.from(m.serverSalt),
      remoteMasterKey: Buffer.from(m.clientKey),
      remoteMasterSalt: Buffer.from(m.clientSalt),
    },
  };
  return { srtp: new SrtpSession(config), srtcp: new SrtcpSession(config) };
}

describe.each(PROFILES.map((p) => [`0x${p.toString(16).padStart(4, "0")}`, p] as const))("werift-rtp, profile %s", (_n, profile) => {
  it("werift unprotects what we protect, across payload sizes and header shapes", () => {
    const { client, material } = pair(profile);
    const w = weriftServer(profile, material);
    let seq = 1000;
    for (const size of [0, 1, 15, 16, 17, 160, 1200]) {
      for (const shape of [{}, { ext: true }, { csrcs: 2 }, { ext: true, csrcs: 1 }]) {
        const plain = rtp(seq++, 0x11223344, size, shape);
        const wire = client.local.protectRtp(plain)!;
        expect(hex(w.srtp.decrypt(Buffer.from(wire)))).toBe(hex(plain));
      }
    }
  });

  it("we unprotect what werift protects", () => {
    const { client, material } = pair(profile);
    const w = weriftServer(profile, material);
    let seq = 2000;
    for (const size of [0, 1, 17, 160, 1200]) {
      for (const shape of [{}, { ext: true }, { csrcs: 3 }]) {
        const plain = rtp(seq++, 0x55667788, size, shape);
        const parsed = RtpPacket.deSerialize(Buffer.from(plain));
        const wire = w.srtp.encrypt(parsed.payload, parsed.header);
        const got = client.remote.unprotectRtp(wire);
        expect(got, `${client.remote.lastError}`).toBeDefined();
        expect(hex(got)).toBe(hex(plain));
      }
    }
  });

  it("agrees with werift across the sequence number wrap, both ways", () => {
    const { client, material } = pair(profile);
    const w = weriftServer(profile, material);
    for (let i = 0; i < 200; i++) {
      const seq = (65450 + i) & 0xffff;
      const ours = rtp(seq, 0xabc, 100);
      expect(hex(w.srtp.decrypt(Buffer.from(client.local.protectRtp(ours)!)))).toBe(hex(ours));
      const theirs = rtp(seq, 0xdef, 100);
      const parsed = RtpPacket.deSerialize(Buffer.from(theirs));
      expect(hex(client.remote.unprotectRtp(w.srtp.encrypt(parsed.payload, parsed.header)))).toBe(hex(theirs));
    }
    expect(client.local.rolloverCounter(0xabc)).toBe(1);
    expect(client.remote.rolloverCounter(0xdef)).toBe(1);
  });

  it("SRTCP both ways", () => {
    const { client, material } = pair(profile);
    const w = weriftServer(profile, material);
    for (let i = 0; i < 5; i++) {
      const ours = rtcpRr(0x0a0b0c0d, i);
      expect(hex(w.srtcp.decrypt(Buffer.from(client.local.protectRtcp(ours)!)))).toBe(hex(ours));
      const theirs = rtcpRr(0x01020304, 0x40 + i);
      const got = client.remote.unprotectRtcp(w.srtcp.encrypt(Buffer.from(theirs)));
      expect(got, `${client.remote.lastError}`).toBeDefined();
      expect(hex(got)).toBe(hex(theirs));
    }
  });

  it("a packet werift protected and then tampered with is refused by us", () => {
    const { client, material } = pair(profile);
    const w = weriftServer(profile, material);
    const parsed = RtpPacket.deSerialize(Buffer.from(rtp(7, 0x999, 64)));
    const wire = Buffer.from(w.srtp.encrypt(parsed.payload, parsed.header));
    wire[30] ^= 4;
    expect(client.remote.unprotectRtp(wire)).toBeUndefined();
    expect(client.remote.lastError).toBe("auth");
  });
});
