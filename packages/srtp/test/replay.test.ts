/** Replay protection (RFC 3711 §3.3.2): checked before, updated only after authentication. */
import { describe, expect, it } from "vitest";
import { SrtpProfileId } from "../src/index.js";
import { hex, pair, rtcpRr, rtp } from "./helpers.js";

const profiles = [SrtpProfileId.AES128_CM_HMAC_SHA1_80, SrtpProfileId.AEAD_AES_128_GCM, SrtpProfileId.NULL_HMAC_SHA1_80];

describe.each(profiles.map((p) => [p] as const))("profile 0x%i", (profile) => {
  it("refuses a duplicate and counts it", () => {
    const { client, server } = pair(profile);
    const wire = client.local.protectRtp(rtp(10, 1))!;
    expect(server.remote.unprotectRtp(wire)).toBeDefined();
    expect(server.remote.unprotectRtp(wire)).toBeUndefined();
    expect(server.remote.lastError).toBe("replay");
    expect(server.remote.stats.failures.replay).toBe(1);
    expect(server.remote.stats.rtpUnprotected).toBe(1);
  });

  it("with the default window of 64 accepts 63 behind the top and refuses 64 behind", () => {
    const { client, server } = pair(profile);
    const wires = new Map<number, Uint8Array>();
    for (let s = 1000; s <= 1100; s++) wires.set(s, client.local.protectRtp(rtp(s, 5))!);
    expect(server.remote.unprotectRtp(wires.get(1100)!)).toBeDefined();
    expect(server.remote.unprotectRtp(wires.get(1100 - 63)!)).toBeDefined();
    expect(server.remote.unprotectRtp(wires.get(1100 - 64)!)).toBeUndefined();
    expect(server.remote.lastError).toBe("replay");
  });

  it("a larger window (1024) lets a video burst arrive far out of order", () => {
    const { client, server } = pair(profile, { replayWindow: 1024 });
    const wires: Uint8Array[] = [];
    for (let s = 0; s < 1000; s++) wires.push(client.local.protectRtp(rtp(s, 6))!);
    // Newest first: every one is within 1024 of the top.
    for (let s = 999; s >= 0; s--) expect(server.remote.unprotectRtp(wires[s]), `seq ${s}`).toBeDefined();
    expect(server.remote.stats.rtpUnprotected).toBe(1000);
  });

  it("a forged packet far ahead does not move the window", () => {
    const { client, server } = pair(profile);
    for (let s = 0; s < 10; s++) expect(server.remote.unprotectRtp(client.local.protectRtp(rtp(s, 8))!)).toBeDefined();
    const genuineAhead = client.local.protectRtp(rtp(5000, 8))!;
    const forged = genuineAhead.slice();
    forged[forged.length - 1] ^= 0xff;
    expect(server.remote.unprotectRtp(forged)).toBeUndefined();
    expect(server.remote.lastError).toBe("auth");
    // Had it moved the window, seq 10 (4990 behind) would now be "too old".
    const next = rtp(10, 8);
    expect(hex(server.remote.unprotectRtp(client.local.protectRtp(next)!))).toBe(hex(next));
    // And the genuine seq 5000 is still new.
    expect(server.remote.unprotectRtp(genuineAhead)).toBeDefined();
  });

  it("a forged first packet of an unknown SSRC creates no state", () => {
    const { client, server } = pair(profile);
    const forged = client.local.protectRtp(rtp(1, 0x4242))!.slice();
    forged[20] ^= 1;
    expect(server.remote.unprotectRtp(forged)).toBeUndefined();
    expect(server.remote.ssrcCount.rtp).toBe(0);
  });

  it("refuses a replayed SRTCP packet, by SRTCP index", () => {
    const { client, server } = pair(profile);
    const first = client.local.protectRtcp(rtcpRr(77))!;
    const second = client.local.protectRtcp(rtcpRr(77, 0x33))!;
    expect(hex(server.remote.unprotectRtcp(second))).toBe(hex(rtcpRr(77, 0x33)));
    expect(hex(server.remote.unprotectRtcp(first))).toBe(hex(rtcpRr(77))); // older but new
    expect(server.remote.unprotectRtcp(first)).toBeUndefined();
    expect(server.remote.lastError).toBe("replay");
    expect(server.remote.stats.rtcpUnprotected).toBe(2);
  });
});
