import { describe, expect, it } from "vitest";
import { TurnClient } from "../src/client.js";
import { turnSettings } from "../src/settings.js";

const server = { family: 4 as const, host: "192.0.2.1", port: 3478 };

describe("TurnClient configuration", () => {
  it("fills in the RFC 8656 defaults", () => {
    expect(turnSettings({ server, username: "u", password: "p" })).toEqual({
      lifetime: 600,
      rto: 500,
      rc: 7,
      permissionRefresh: 240_000,
      channelRefresh: 300_000,
      maxQueued: 32,
      maxPermissions: 256,
      followAlternate: true,
      stream: false,
      rm: 16,
    });
  });

  it("over TCP/TLS: one send per request and a timeout of Ti = 39.5 s (RFC 8489 §6.2.2)", () => {
    for (const transport of ["tcp", "tls"] as const) {
      const s = turnSettings({ server, username: "u", password: "p", transport, requestSends: 7 });
      expect(s.stream).toBe(true);
      expect(s.rc).toBe(1);
      expect(s.rto * s.rm).toBe(39_500);
    }
    expect(() => turnSettings({ server, username: "u", password: "p", transport: "sctp" as "tcp" })).toThrow(TypeError);
  });

  it("refuses what no client can run with", () => {
    expect(() => new TurnClient({ server: { ...server, port: 0 }, username: "u", password: "p" })).toThrow(TypeError);
    expect(() => new TurnClient({ server, username: "u", password: undefined as unknown as string })).toThrow(TypeError);
    // Refreshing at or after the lifetime would let permissions (300 s, §9) and channels (10 min, §12) lapse.
    expect(() => new TurnClient({ server, username: "u", password: "p", permissionRefresh: 300_000 })).toThrow(RangeError);
    expect(() => new TurnClient({ server, username: "u", password: "p", channelRefresh: 600_000 })).toThrow(RangeError);
  });
});
