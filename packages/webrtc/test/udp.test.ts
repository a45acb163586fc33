import { createSocket } from "node:dgram";
import dns from "node:dns";
import { describe, expect, it, vi } from "vitest";
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

  it("sends to IP literals without dns.lookup (no extra tick per datagram); names still resolve", async () => {
    const bundle = new UdpBundle({ hosts: ["127.0.0.1"] }, () => undefined);
    const [host] = await bundle.bind();
    const peer = createSocket("udp4");
    await new Promise<void>((r) => peer.bind(0, "127.0.0.1", () => r()));
    const got: number[] = [];
    const both = new Promise<void>((r) => peer.on("message", (m) => got.push(m[0]) === 2 && r()));
    const spy = vi.spyOn(dns, "lookup");
    const ticks = vi.spyOn(process, "nextTick");
    try {
      bundle.send(Uint8Array.of(1), { family: 4, host: "127.0.0.1", port: peer.address().port }, host.address);
      // dns.lookup answers an IP literal through process.nextTick; the send went out at once.
      expect(ticks).not.toHaveBeenCalled();
      ticks.mockRestore();
      expect(spy).not.toHaveBeenCalled();
      bundle.send(Uint8Array.of(2), { family: 4, host: "localhost", port: peer.address().port }, host.address);
      expect(spy).toHaveBeenCalledTimes(1);
      await both;
      expect(got.sort()).toEqual([1, 2]);
    } finally {
      spy.mockRestore();
      ticks.mockRestore();
      peer.close();
      bundle.close();
    }
  });

  it("hands the same address object for datagrams from the same peer, a new one for another", async () => {
    const froms: object[] = [];
    const bundle = new UdpBundle({ hosts: ["127.0.0.1"] }, (_d, from) => froms.push(from));
    const [host] = await bundle.bind();
    const p1 = createSocket("udp4");
    const p2 = createSocket("udp4");
    await Promise.all([p1, p2].map((p) => new Promise<void>((r) => p.bind(0, "127.0.0.1", () => r()))));
    try {
      for (const [p, n] of [[p1, 1], [p1, 2], [p2, 3], [p2, 4], [p1, 5]] as const) {
        p.send(Uint8Array.of(n), host.address.port, "127.0.0.1");
        await new Promise<void>((r) => {
          const t = setInterval(() => froms.length >= n && (clearInterval(t), r()), 2);
        });
      }
      expect(froms[1]).toBe(froms[0]);
      expect(froms[2]).not.toBe(froms[1]);
      expect(froms[3]).toBe(froms[2]);
      expect(froms[4]).toEqual({ family: 4, host: "127.0.0.1", port: p1.address().port });
      expect(froms[2]).toEqual({ family: 4, host: "127.0.0.1", port: p2.address().port });
    } finally {
      p1.close();
      p2.close();
      bundle.close();
    }
  });

  it("sends each datagram from the socket of its own local address, alternating paths included", async () => {
    const bundle = new UdpBundle({ hosts: ["127.0.0.1", "127.0.0.2"] }, () => undefined);
    const hosts = await bundle.bind();
    expect(hosts).toHaveLength(2);
    const peer = createSocket("udp4");
    await new Promise<void>((r) => peer.bind(0, "127.0.0.1", () => r()));
    const sources: string[] = [];
    const all = new Promise<void>((r) => peer.on("message", (_m, rinfo) => sources.push(`${rinfo.address}:${rinfo.port}`) === 6 && r()));
    try {
      const to = { family: 4 as const, host: "127.0.0.1", port: peer.address().port };
      const order = [0, 0, 1, 0, 1, 1];
      for (const i of order) bundle.send(Uint8Array.of(i), to, hosts[i].address);
      await all;
      expect(sources).toEqual(order.map((i) => `${hosts[i].address.host}:${hosts[i].address.port}`));
    } finally {
      peer.close();
      bundle.close();
    }
  });
});
