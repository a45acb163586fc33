/**
 * Hostile input: random, mutated, truncated and flooding packets. Unprotect must never throw,
 * must refuse with one of the documented reasons, must not let forged packets create state,
 * and must cap the number of SSRC contexts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deriveSessionKeys, type SessionKeys, SRTP_FAILURES, SrtpContext, splitKeyingMaterial } from "../src/index.js";
import { ALL_PROFILES, hex, pair, rtcpRr, rtp } from "./helpers.js";

const profileArb = fc.constantFrom(...ALL_PROFILES);

describe("hostile input", () => {
  it("random bytes never throw out of unprotectRtp/unprotectRtcp and never authenticate", () => {
    const ctxs = new Map(ALL_PROFILES.map((p) => [p, pair(p).server.remote] as const));
    fc.assert(
      fc.property(profileArb, fc.uint8Array({ minLength: 0, maxLength: 1600 }), (p, bytes) => {
        const ctx = ctxs.get(p)!;
        expect(ctx.unprotectRtp(bytes)).toBeUndefined();
        expect(SRTP_FAILURES).toContain(ctx.lastError);
        expect(ctx.unprotectRtcp(bytes)).toBeUndefined();
        expect(SRTP_FAILURES).toContain(ctx.lastError);
        expect(ctx.ssrcCount).toEqual({ rtp: 0, rtcp: 0 });
      }),
      { numRuns: 600 },
    );
  });

  it("random RTP-looking packets (version 2, plausible lengths) are refused as auth failures", () => {
    const ctx = pair(0x0001).server.remote;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 30, maxLength: 300 }), (bytes) => {
        bytes[0] = 0x80; // V=2, no CSRC, no extension: the header always parses
        expect(ctx.unprotectRtp(bytes)).toBeUndefined();
        expect(ctx.lastError).toBe("auth");
      }),
      { numRuns: 300 },
    );
  });

  it("mutated genuine packets are refused, and the genuine ones still pass afterwards", () => {
    fc.assert(
      fc.property(
        profileArb,
        fc.integer({ min: 0, max: 65535 }),
        fc.integer({ min: 0, max: 400 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (p, seq, payload, flips, ext) => {
          const { client, server } = pair(p);
          const plain = rtp(seq, 0x1234, payload, { ext });
          const wire = client.local.protectRtp(plain)!;
          const bad = wire.slice();
          for (const [at, x] of flips) bad[at % bad.length] ^= x;
          if (hex(bad) !== hex(wire)) {
            expect(server.remote.unprotectRtp(bad)).toBeUndefined();
            expect(["auth", "malformed", "truncated"]).toContain(server.remote.lastError);
          }
          expect(hex(server.remote.unprotectRtp(wire))).toBe(hex(plain));

          const rtcp = rtcpRr(0x1234);
          const swire = client.local.protectRtcp(rtcp)!;
          const sbad = swire.slice();
          for (const [at, x] of flips) sbad[at % sbad.length] ^= x;
          if (hex(sbad) !== hex(swire)) {
            expect(server.remote.unprotectRtcp(sbad)).toBeUndefined();
            expect(["auth", "malformed"]).toContain(server.remote.lastError);
          }
          expect(hex(server.remote.unprotectRtcp(swire))).toBe(hex(rtcp));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("every truncation of a genuine packet is refused without throwing", () => {
    for (const p of ALL_PROFILES) {
      const { client, server } = pair(p);
      const wire = client.local.protectRtp(rtp(1, 9, 40, { ext: true, csrcs: 2 }))!;
      const swire = client.local.protectRtcp(rtcpRr(9))!;
      for (let n = 0; n < wire.length; n++) {
        expect(server.remote.unprotectRtp(wire.subarray(0, n))).toBeUndefined();
        expect(["auth", "truncated", "malformed"]).toContain(server.remote.lastError);
      }
      for (let n = 0; n < swire.length; n++) {
        expect(server.remote.unprotectRtcp(swire.subarray(0, n))).toBeUndefined();
        expect(["auth", "truncated"]).toContain(server.remote.lastError);
      }
      expect(server.remote.unprotectRtp(wire)).toBeDefined();
      expect(server.remote.unprotectRtcp(swire)).toBeDefined();
    }
  });

  it("too-short packets get the typed 'truncated' failure", () => {
    const ctx = pair(0x0007).server.remote;
    expect(ctx.unprotectRtp(new Uint8Array([0x80, 0, 0, 1]))).toBeUndefined();
    expect(ctx.lastError).toBe("truncated");
    expect(ctx.unprotectRtcp(new Uint8Array(8).fill(0x80))).toBeUndefined();
    expect(ctx.lastError).toBe("truncated");
    expect(ctx.stats.failures.truncated).toBe(2);
  });

  it("caps the number of SSRC contexts; forged packets from new SSRCs cost no state", () => {
    const { client, server } = pair(0x0001, { maxSsrcs: 8 });
    for (let ssrc = 1; ssrc <= 20; ssrc++) {
      const wire = client.local.protectRtp(rtp(1, ssrc));
      if (ssrc <= 8) {
        expect(wire).toBeDefined();
        expect(server.remote.unprotectRtp(wire!)).toBeDefined();
      } else {
        // The sender's own cap refuses too.
        expect(wire).toBeUndefined();
        expect(client.local.lastError).toBe("too-many-ssrcs");
      }
    }
    const other = pair(0x0001);
    const receiver = new SrtpContext(0x0001, { sessionKeys: keysOf(other) }, { maxSsrcs: 4 });
    let accepted = 0;
    for (let ssrc = 100; ssrc < 110; ssrc++) {
      if (receiver.unprotectRtp(other.client.local.protectRtp(rtp(5, ssrc))!)) accepted++;
      else expect(receiver.lastError).toBe("too-many-ssrcs");
    }
    expect(accepted).toBe(4);
    expect(receiver.ssrcCount.rtp).toBe(4);
    expect(server.remote.ssrcCount.rtp).toBe(8);
    receiver.removeSsrc(100);
    expect(receiver.unprotectRtp(other.client.local.protectRtp(rtp(6, 200))!)).toBeDefined();
  });

  it("protect of garbage never throws: a malformed RTP packet is refused", () => {
    const ctx = pair(0x0002).client.local;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), (bytes) => {
        const out = ctx.protectRtp(bytes);
        if (out === undefined) expect(["malformed", "truncated", "too-many-ssrcs"]).toContain(ctx.lastError);
        else expect(out.length).toBe(bytes.length + 4);
        const r = ctx.protectRtcp(bytes);
        if (r === undefined) expect(["malformed", "truncated", "too-many-ssrcs"]).toContain(ctx.lastError);
        else expect(r.length).toBe(bytes.length + 14);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a caller buffer that is too small (programmer error)", () => {
    const ctx = pair(0x0001).client.local;
    expect(() => ctx.protectRtp(rtp(1, 1, 100), new Uint8Array(50))).toThrow(RangeError);
  });
});

/** The session keys the client side of `p` protects with (derived the way the context does). */
function keysOf(p: ReturnType<typeof pair>): SessionKeys {
  const m = splitKeyingMaterial(0x0001, p.material);
  return deriveSessionKeys(0x0001, m.clientKey, m.clientSalt);
}

describe("caller-provided output buffers", () => {
  it("unprotect works in place for every profile, and refuses (without throwing) an output too small", () => {
    for (const p of ALL_PROFILES) {
      const { client, server } = pair(p);
      const plain = rtp(3, 77, 300, { ext: true });
      const wire = client.local.protectRtp(plain)!.slice();
      const got = server.remote.unprotectRtp(wire, wire);
      expect(hex(got)).toBe(hex(plain));
      expect(got!.buffer).toBe(wire.buffer);

      const rtcp = rtcpRr(77);
      const swire = client.local.protectRtcp(rtcp)!.slice();
      expect(hex(server.remote.unprotectRtcp(swire, swire))).toBe(hex(rtcp));

      const w2 = client.local.protectRtp(rtp(4, 77, 300))!;
      expect(server.remote.unprotectRtp(w2, new Uint8Array(100))).toBeUndefined();
      expect(server.remote.lastError).toBe("too-large");
      // Refused before anything moved: the same packet still goes through.
      expect(server.remote.unprotectRtp(w2)).toBeDefined();
    }
  });

  it("protect writes into a caller buffer that already holds the packet (zero-copy send)", () => {
    for (const p of ALL_PROFILES) {
      const { client, server } = pair(p);
      const plain = rtp(9, 5, 500, { csrcs: 1 });
      const room = new Uint8Array(plain.length + 32);
      room.set(plain);
      const wire = client.local.protectRtp(room.subarray(0, plain.length), room)!;
      expect(wire.buffer).toBe(room.buffer);
      expect(hex(server.remote.unprotectRtp(wire))).toBe(hex(plain));
      const rtcp = rtcpRr(5);
      const rroom = new Uint8Array(rtcp.length + 32);
      rroom.set(rtcp);
      const swire = client.local.protectRtcp(rroom.subarray(0, rtcp.length), rroom)!;
      expect(hex(server.remote.unprotectRtcp(swire))).toBe(hex(rtcp));
    }
  });
});
