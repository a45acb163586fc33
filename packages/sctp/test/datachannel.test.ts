import { SeededRandom, address } from "@tsrtc/base";
import { Simulation, pointToPoint } from "@tsrtc/testkit";
import { describe, expect, it } from "vitest";
import { SctpAssociation } from "../src/association.js";
import { ChunkType, Ppid } from "../src/constants.js";
import { decodeData } from "../src/chunks/data.js";
import { splitChunks } from "../src/packet.js";
import type { DataChannel } from "../src/datachannel/channel.js";
import { ChannelType, decodeOpen, encodeOpen } from "../src/datachannel/dcep.js";
import { DataChannelManager } from "../src/datachannel/manager.js";

interface Side {
  mgr: DataChannelManager;
  incoming: DataChannel[];
  log: string[];
}

function watch(ch: DataChannel, log: string[], name: string, received: (string | Uint8Array)[] = []): (string | Uint8Array)[] {
  ch.on("open", () => log.push(`${name}:open`));
  ch.on("closing", () => log.push(`${name}:closing`));
  ch.on("close", () => log.push(`${name}:close`));
  ch.on("message", (m) => received.push(m));
  return received;
}

function setup(opts: { loss?: number; iData?: boolean } = {}) {
  const sim = new Simulation({ seed: 5, conditions: { delay: 10, loss: opts.loss ?? 0 } });
  const wire: { ppid: number; stream: number; flags: number }[] = [];
  const make = (seed: number, role: "client" | "server"): Side => {
    const assoc = new SctpAssociation({ rng: new SeededRandom(seed), iData: opts.iData ?? false });
    return { mgr: new DataChannelManager(assoc, role), incoming: [], log: [] };
  };
  const a = make(1, "client");
  const b = make(2, "server");
  const pump = (s: Side) => () => {
    s.mgr.drain();
    for (let e = s.mgr.pollEvent(); e; e = s.mgr.pollEvent()) if (e.type === "datachannel") s.incoming.push(e.channel);
  };
  const sniff = (data: Uint8Array): void => {
    for (const c of splitChunks(data) ?? []) {
      if (c.type === ChunkType.DATA || c.type === ChunkType.I_DATA) {
        const d = decodeData(c.type, c.flags, c.value);
        if (d.fsn === 0) wire.push({ ppid: d.ppid, stream: d.stream, flags: d.flags });
      }
    }
  };
  const A = address("10.0.0.1", 5000);
  const B = address("10.0.0.2", 5000);
  sim.addNode(pointToPoint(a.mgr.association, A, B, { afterInput: pump(a), poll: (c) => { const d = c.pollTransmit(sim.now); if (d) sniff(d); return d; } }));
  sim.addNode(pointToPoint(b.mgr.association, B, A, { afterInput: pump(b), poll: (c) => { const d = c.pollTransmit(sim.now); if (d) sniff(d); return d; } }));
  a.mgr.association.connect(0);
  b.mgr.association.connect(0);
  const settle = (ms = 2000): void => {
    sim.runFor(ms);
    pump(a)();
    pump(b)();
  };
  return { sim, a, b, wire, settle, pumpA: pump(a), pumpB: pump(b) };
}

describe("DCEP codec (RFC 8832 §5)", () => {
  it("encodes DATA_CHANNEL_OPEN byte-exact and decodes it back", () => {
    const bytes = encodeOpen({ channelType: ChannelType.PARTIAL_RELIABLE_REXMIT_UNORDERED, priority: 256, reliability: 3, label: "chat", protocol: "x" });
    expect(Array.from(bytes)).toEqual([0x03, 0x81, 0x01, 0x00, 0, 0, 0, 3, 0, 4, 0, 1, 0x63, 0x68, 0x61, 0x74, 0x78]);
    expect(decodeOpen(bytes)).toEqual({ channelType: 0x81, priority: 256, reliability: 3, label: "chat", protocol: "x" });
    expect(() => decodeOpen(bytes.subarray(0, 14))).toThrow();
  });
});

describe("data channels over two associations", () => {
  it("opens with DCEP OPEN/ACK and carries strings, binaries and both empty variants with their PPIDs", () => {
    const { a, b, wire, settle } = setup();
    const ch = a.mgr.createDataChannel("chat", { protocol: "proto" });
    const got = watch(ch, a.log, "a");
    settle();
    expect(ch.readyState).toBe("open");
    expect(ch.id).toBe(0);
    expect(b.incoming).toHaveLength(1);
    const remote = b.incoming[0];
    expect(remote).toMatchObject({ label: "chat", protocol: "proto", ordered: true, id: 0, maxRetransmits: null, maxPacketLifeTime: null, readyState: "open" });
    const rgot = watch(remote, b.log, "b");
    // DCEP on the wire: OPEN from a, ACK from b, both PPID 50 on stream 0
    expect(wire.filter((w) => w.ppid === Ppid.DCEP)).toHaveLength(2);
    ch.send("héllo");
    ch.send(Uint8Array.of(1, 2, 3));
    ch.send("");
    ch.send(new Uint8Array(0));
    remote.send("back");
    settle();
    expect(rgot).toEqual(["héllo", Uint8Array.of(1, 2, 3), "", new Uint8Array(0)]);
    expect(got).toEqual(["back"]);
    const ppids = wire.filter((w) => w.ppid !== Ppid.DCEP).map((w) => w.ppid);
    expect(ppids).toEqual([Ppid.STRING, Ppid.BINARY, Ppid.STRING_EMPTY, Ppid.BINARY_EMPTY, Ppid.STRING]);
    expect(a.log).toEqual(["a:open"]);
  });

  it("send() snapshots binary data: reusing the buffer afterwards changes nothing", () => {
    const { a, b, settle } = setup();
    const ch = a.mgr.createDataChannel("snap");
    settle();
    const got = watch(b.incoming[0], b.log, "b");
    const buf = Uint8Array.of(1, 2, 3);
    ch.send(buf);
    buf.fill(9);
    settle();
    expect(got).toEqual([Uint8Array.of(1, 2, 3)]);
  });

  it("takes even stream ids as DTLS client and odd ones as server", () => {
    const { a, b, settle } = setup();
    const ids = [a.mgr.createDataChannel("1"), a.mgr.createDataChannel("2"), b.mgr.createDataChannel("3"), b.mgr.createDataChannel("4"), a.mgr.createDataChannel("5")].map((c) => c.id);
    expect(ids).toEqual([0, 2, 1, 3, 4]);
    settle();
    expect(b.incoming.map((c) => c.id)).toEqual([0, 2, 4]);
    expect(a.incoming.map((c) => c.id)).toEqual([1, 3]);
  });

  it("negotiated channels with a fixed id open without DCEP", () => {
    const { a, b, wire, settle } = setup();
    const ca = a.mgr.createDataChannel("neg", { negotiated: true, id: 7 });
    const cb = b.mgr.createDataChannel("neg", { negotiated: true, id: 7 });
    const gb = watch(cb, b.log, "b");
    watch(ca, a.log, "a");
    settle();
    expect(ca.readyState).toBe("open");
    expect(cb.readyState).toBe("open");
    ca.send("x");
    settle();
    expect(gb).toEqual(["x"]);
    expect(wire.some((w) => w.ppid === Ppid.DCEP)).toBe(false);
    expect(b.incoming).toHaveLength(0);
  });

  it("announces the channel type, reliability and priority of the opener", () => {
    const { a, b, settle } = setup();
    a.mgr.createDataChannel("rexmit", { ordered: false, maxRetransmits: 3, priority: 512 });
    a.mgr.createDataChannel("timed", { maxPacketLifeTime: 500 });
    settle();
    expect(b.incoming[0]).toMatchObject({ label: "rexmit", ordered: false, maxRetransmits: 3, maxPacketLifeTime: null, priority: 512 });
    expect(b.incoming[1]).toMatchObject({ label: "timed", ordered: true, maxRetransmits: null, maxPacketLifeTime: 500 });
  });

  it("sends ordered until the ACK arrives, then unordered on an unordered channel", () => {
    const { a, wire, settle, sim } = setup();
    settle();
    const ch = a.mgr.createDataChannel("u", { ordered: false });
    a.mgr.pollEvent();
    expect(ch.readyState).toBe("open");
    ch.send("early");
    settle();
    ch.send("late");
    sim.runFor(1000);
    const onStream = wire.filter((w) => w.stream === ch.id && w.ppid === Ppid.STRING);
    expect(onStream.map((w) => (w.flags & 4) !== 0)).toEqual([false, true]);
  });

  for (const closer of ["opener", "answerer"] as const) {
    it(`closes through stream reset when the ${closer} closes, and the id is reusable`, () => {
      const { a, b, settle } = setup({ loss: 0.05 });
      const ch = a.mgr.createDataChannel("c");
      watch(ch, a.log, "a");
      settle();
      const remote = b.incoming[0];
      const rgot = watch(remote, b.log, "b");
      for (let i = 0; i < 50; i++) ch.send(`m${i}`);
      (closer === "opener" ? ch : remote).close();
      settle(20_000);
      expect(ch.readyState).toBe("closed");
      expect(remote.readyState).toBe("closed");
      expect(a.log).toContain("a:close");
      expect(b.log).toContain("b:close");
      if (closer === "opener") expect(rgot).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
      expect(a.mgr.channel(0)).toBeUndefined();
      const again = a.mgr.createDataChannel("again");
      expect(again.id).toBe(0);
      settle();
      expect(b.incoming.at(-1)!.label).toBe("again");
    });
  }

  it("bufferedAmount drains and bufferedamountlow fires at the threshold", () => {
    const { a, b, settle } = setup();
    const ch = a.mgr.createDataChannel("bulk");
    settle();
    ch.bufferedAmountLowThreshold = 65536;
    let low = 0;
    ch.on("bufferedamountlow", () => low++);
    for (let i = 0; i < 16; i++) ch.send(new Uint8Array(65536).fill(i));
    expect(ch.bufferedAmount).toBe(16 * 65536);
    settle(10_000);
    expect(ch.bufferedAmount).toBe(0);
    expect(low).toBe(1);
    const got = watch(b.incoming[0], b.log, "b");
    void got;
  });

  it("refuses messages over max-message-size with a TypeError", () => {
    const { a, settle } = setup();
    const ch = a.mgr.createDataChannel("big");
    settle();
    a.mgr.association.maxMessageSize = 1000;
    expect(() => ch.send(new Uint8Array(1001))).toThrow(TypeError);
    a.mgr.association.maxMessageSize = 1 << 20;
    ch.send(new Uint8Array(1 << 20));
  });

  it("closes every channel when the association is aborted", () => {
    const { a, b, settle, sim } = setup();
    const ch = a.mgr.createDataChannel("x");
    settle();
    const errors: string[] = [];
    ch.on("error", (e) => errors.push(`a:${e.message}`));
    b.incoming[0].on("error", (e) => errors.push(`b:${e.message}`));
    b.mgr.association.abort("gone", sim.now);
    settle();
    expect(ch.readyState).toBe("closed");
    expect(b.incoming[0].readyState).toBe("closed");
    // the side that received the ABORT sees an sctp-failure error first (as Chromium's channels do)
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^a:sctp-failure: peer aborted.*gone/);
  });

  it("works with I-DATA as Firefox negotiates it", () => {
    const { a, b, settle } = setup({ iData: true });
    const ch = a.mgr.createDataChannel("ff");
    settle();
    expect(a.mgr.association.negotiated?.iData).toBe(true);
    const got = watch(b.incoming[0], b.log, "b");
    ch.send("hi");
    settle();
    expect(got).toEqual(["hi"]);
  });
});
