import { describe, expect, it } from "vitest";
import { advertisedWindow } from "../src/engine/sctp-options.js";
import { UdpBundle } from "../src/io/udp.js";

describe("SCTP window sized to the socket receive buffer", () => {
  it("advertises a share of the buffer, never below 1 MiB, and the full window when unknown", () => {
    expect(advertisedWindow(undefined)).toBeUndefined();
    expect(advertisedWindow(8 * 1024 * 1024)).toBe(Math.floor(8 * 1024 * 1024 * 0.3));
    expect(advertisedWindow(425_984)).toBe(1024 * 1024);
    // A bigger buffer never yields a smaller window.
    expect(advertisedWindow(16 << 20)!).toBeGreaterThan(advertisedWindow(8 << 20)!);
  });

  it("the UDP bundle reports the receive buffer the OS granted", async () => {
    const bundle = new UdpBundle({ hosts: ["127.0.0.1"] }, () => undefined);
    expect(bundle.recvBufferSize).toBe(0);
    await bundle.bind();
    try {
      expect(bundle.recvBufferSize).toBeGreaterThan(0);
    } finally {
      bundle.close();
    }
  });
});
