import { createSocket } from "node:dgram";
import { describe, expect, it } from "vitest";
import { UdpBundle } from "../src/io/udp.js";

describe("UdpBundle", () => {
  it("never throws for a destination Node refuses (port 0, out of range): counted, and the socket keeps working", async () => {
    const got: Uint8Array[] = [];
    const bundle = new UdpBundle({ hosts: ["127.0.0.1"] }, (data) => got.push(data.slice()));
    const [host] = await bundle.bind();
    const peer = createSocket("udp4");
    await new Promise<void>((r) => peer.bind(0, "127.0.0.1", () => r()));
    const echo = new Promise<Buffer>((r) => peer.once("message", (m) => r(m)));
    try {
      expect(() => bundle.send(Uint8Array.of(1), { family: 4, host: "127.0.0.1", port: 0 }, host.address)).not.toThrow();
      expect(() => bundle.send(Uint8Array.of(2), { family: 4, host: "127.0.0.1", port: 70000 }, host.address)).not.toThrow();
      expect(bundle.sendErrors).toBe(2);
      bundle.send(Uint8Array.of(3), { family: 4, host: "127.0.0.1", port: (peer.address()).port }, host.address);
      expect([...(await echo)]).toEqual([3]);
      peer.send(Uint8Array.of(4), host.address.port, "127.0.0.1");
      await new Promise<void>((r) => {
        const t = setInterval(() => got.length > 0 && (clearInterval(t), r()), 5);
      });
      expect([...got[0]]).toEqual([4]);
    } finally {
      peer.close();
      bundle.close();
    }
  });
});
