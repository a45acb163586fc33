import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  FEATURE_PASSWORD_ALGORITHMS,
  channelDataLength,
  channelOf,
  encodeChannelData,
  isChannelData,
  parseTurnUrl,
  securityFeatures,
} from "../src/index.js";

describe("ChannelData framing (RFC 8656 §12.4-12.6)", () => {
  it("encodes the channel number, the length and the data, unpadded over UDP", () => {
    expect(Array.from(encodeChannelData(0x4001, new Uint8Array([0xaa, 0xbb, 0xcc])))).toEqual([0x40, 0x01, 0x00, 0x03, 0xaa, 0xbb, 0xcc]);
    expect(Array.from(encodeChannelData(0x4fff, new Uint8Array([1]), true))).toEqual([0x4f, 0xff, 0x00, 0x01, 1, 0, 0, 0]);
    expect(encodeChannelData(0x4000, new Uint8Array(0)).length).toBe(4);
  });

  it("refuses channel numbers outside 0x4000-0x4FFF", () => {
    expect(() => encodeChannelData(0x3fff, new Uint8Array(1))).toThrow(RangeError);
    expect(() => encodeChannelData(0x5000, new Uint8Array(1))).toThrow(RangeError);
  });

  it("accepts exact and padded lengths, refuses truncated or over-long datagrams", () => {
    expect(channelDataLength(new Uint8Array([0x40, 0, 0, 3, 1, 2, 3]))).toBe(3);
    expect(channelDataLength(new Uint8Array([0x40, 0, 0, 3, 1, 2, 3, 0]))).toBe(3);
    expect(channelDataLength(new Uint8Array([0x40, 0, 0, 3, 1, 2]))).toBe(-1);
    expect(channelDataLength(new Uint8Array([0x40, 0, 0, 3, 1, 2, 3, 0, 0]))).toBe(-1);
    expect(channelDataLength(new Uint8Array([0x40, 0, 0]))).toBe(-1);
    expect(isChannelData(new Uint8Array([0x4f]))).toBe(true);
    expect(isChannelData(new Uint8Array([0x50]))).toBe(false);
    expect(isChannelData(new Uint8Array([0x00]))).toBe(false);
  });
});

describe("turn: URIs (RFC 7065)", () => {
  it("parses host, port, transport and the secure scheme with their defaults", () => {
    expect(parseTurnUrl("turn:example.org")).toEqual({ url: "turn:example.org", secure: false, host: "example.org", port: 3478, transport: "udp" });
    expect(parseTurnUrl("turn:127.0.0.1:19302?transport=tcp")).toMatchObject({ host: "127.0.0.1", port: 19302, transport: "tcp" });
    expect(parseTurnUrl("turns:example.org")).toMatchObject({ secure: true, port: 5349, transport: "tcp" });
    expect(parseTurnUrl("turn:[2001:db8::1]:3479")).toMatchObject({ host: "2001:db8::1", port: 3479, transport: "udp" });
  });

  it("refuses what is not a turn URI", () => {
    expect(parseTurnUrl("stun:example.org")).toBeUndefined();
    expect(parseTurnUrl("turn:")).toBeUndefined();
    expect(parseTurnUrl("turn:host:0")).toBeUndefined();
    expect(parseTurnUrl("turn:host:70000")).toBeUndefined();
    expect(parseTurnUrl("turn:host?transport=sctp")).toBeUndefined();
  });
});

describe("nonce cookie (RFC 8489 §9.2)", () => {
  it("reads the security feature set after obMatJos2", () => {
    expect(securityFeatures("obMatJos2gAAAxyz") & FEATURE_PASSWORD_ALGORITHMS).toBe(FEATURE_PASSWORD_ALGORITHMS);
    expect(securityFeatures("obMatJos2QAAAxyz")).toBe(0x400000); // username anonymity only
    expect(securityFeatures("plainnonce")).toBe(0);
    expect(securityFeatures("obMatJos2**")).toBe(0);
  });
});

describe("ChannelData properties (fast-check)", () => {
  it("round-trips any payload on any valid channel, padded or not", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0x4000, max: 0x4fff }), fc.uint8Array({ maxLength: 1500 }), fc.boolean(), (ch, payload, pad) => {
        const d = encodeChannelData(ch, payload, pad);
        expect(isChannelData(d)).toBe(true);
        expect(channelOf(d)).toBe(ch);
        expect(channelDataLength(d)).toBe(payload.length);
        expect(d.subarray(4, 4 + payload.length)).toEqual(payload);
        expect(d.length % 4 === 0 || !pad).toBe(true);
      }),
    );
  });

  it("never reads past the datagram: a claimed length is either within it or refused", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (d) => {
        const n = channelDataLength(d);
        expect(n === -1 || (n >= 0 && 4 + n <= d.length && d.length - (4 + n) < 4)).toBe(true);
      }),
    );
  });
});
