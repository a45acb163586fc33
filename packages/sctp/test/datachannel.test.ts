import { SeededRandom, address } from "@tsrtc/base";
import { Simulation, pointToPoint } from "@tsrtc/testkit";
import { describe, expect, it } from "vitest";
import { SctpAssociation } from "../src/association.js";
import { ChunkType, Ppid } from "../src/constants.js";
import { decodeData } from "../src/chunks/data.js";
import { splitChunks } from "../src/packet.js";
import { type DataChannel, DataChannelError, type DataChannelEvent } from "../src/datachannel/channel.js";
import { ChannelType, decodeOpen, encodeOpen } from "../src/datachannel/dcep.js";
import { DataChannelTable } from "../src/datachannel/table.js";

interface Side {
  table: DataChannelTable;
  assoc: SctpAssociation;
  incoming: DataChannel[];
  log: string[];
  /** Who hears each channel's events (from the moment they are set, as listeners would). */
  listeners: Map<DataChannel, (e: DataChannelEvent) => void>;
}

function watch(side: Side, ch: DataChannel, name: string, received: (string | Uint8Array)[] = []): (string | Uint8Array)[] {
  side.listeners.set(ch, (e) => {
    if (e.type === "open" || e.type === "closing" || e.type === "close") side.log.push(`${name}:${e.type}`);
    else if (e.type === "message") received.push(e.data);
  });
  return received;
}

function setup(opts: { loss?: number; iData?: boolean } = {}) {
  const sim = new Simulation({ seed: 5, conditions: { delay: 10, loss: opts.loss ?? 0 } });
  const wire: { ppid: number; stream: number; flags: number }[] = [];
  const make = (seed: number, role: "client" | "server"): Side => {
    const assoc = new SctpAssociation({ rng: new SeededRandom(seed), iData: opts.iData ?? false });
    const table = new DataChannelTable();
    table.setRole(role);
    table.attach(assoc);
    return { table, assoc, incoming: [], log: [], listeners: new Map() };
  };
  const a = make(1, "client");
  const b = make(2, "server");
  const pump = (s: Side) => () => {
    for (let ev = s.assoc.pollEvent(); ev; ev = s.assoc.pollEvent()) s.table.handleEvent(ev);
    for (let e = s.table.pollEvent(); e; e = s.table.pollEvent()) {
      if (e.type === "datachannel") s.incoming.push(e.channel);
      s.listeners.get(e.channel)?.(e);
    }
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
  sim.addNode(pointToPoint(a.assoc, A, B, { afterInput: pump(a), poll: (c) => { const d = c.pollTransmit(sim.now); if (d) sniff(d); return d; } }));
  sim.addNode(pointToPoint(b.assoc, B, A, { afterInput: pump(b), poll: (c) => { const d = c.pollTransmit(sim.now); if (d) sniff(d); return d; } }));
  a.assoc.connect(0);
  b.assoc.connect(0);
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

describe("the channel table alone", () => {
  const codeOf = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      return e instanceof DataChannelError ? e.code : (e as Error).name;
    }
    return "none";
  };

  it("hands out ids once the DTLS role is known, skipping negotiated ones, and refuses misuse by code", () => {
    const table = new DataChannelTable();
    const early = table.create("early");
    expect(early.id).toBeNull();
    const neg = table.create("neg", { negotiated: true, id: 0 });
    table.setRole("client");
    expect(early.id).toBe(2);
    expect(table.create("next").id).toBe(4);
    expect(table.all().map((c) => c.label)).toEqual(["neg", "early", "next"]);
    expect(codeOf(() => table.create("dup", { negotiated: true, id: 0 }))).toBe("id-in-use");
    expect(codeOf(() => table.create("far", { negotiated: true, id: 65535 }))).toBe("TypeError");
    expect(codeOf(() => table.create("both", { maxRetransmits: 1, maxPacketLifeTime: 1 }))).toBe("TypeError");
    expect(codeOf(() => table.send(neg, "x"))).toBe("invalid-state");
    // Closed before the association: at once, with its close event.
    table.close(early);
    expect(early.state).toBe("closed");
    expect(table.pollEvent()).toEqual({ type: "close", channel: early });
    table.closeAll(false, "gone");
    expect([table.pollEvent()?.type, table.pollEvent()?.type, table.pollEvent()?.type]).toEqual(["error", "close", "error"]);
    expect(codeOf(() => table.create("late"))).toBe("invalid-state");
  });
});

describe("data channels over two associations", () => {
  it("opens with DCEP OPEN/ACK and carries strings, binaries and both empty variants with their PPIDs", () => {
    const { a, b, wire, settle } = setup();
    const ch = a.table.create("chat", { protocol: "proto" });
    const got = watch(a, ch, "a");
    settle();
    expect(ch.state).toBe("open");
    expect(ch.id).toBe(0);
    expect(b.incoming).toHaveLength(1);
    const remote = b.incoming[0];
    expect(remote).toMatchObject({ label: "chat", protocol: "proto", ordered: true, id: 0, maxRetransmits: null, maxPacketLifeTime: null, state: "open" });
    const rgot = watch(b, remote, "b");
    // DCEP on the wire: OPEN from a, ACK from b, both PPID 50 on stream 0
    expect(wire.filter((w) => w.ppid === Ppid.DCEP)).toHaveLength(2);
    a.table.send(ch, "héllo");
    a.table.send(ch, Uint8Array.of(1, 2, 3));
    a.table.send(ch, "");
    a.table.send(ch, new Uint8Array(0));
    b.table.send(remote, "back");
    settle();
    expect(rgot).toEqual(["héllo", Uint8Array.of(1, 2, 3), "", new Uint8Array(0)]);
    expect(got).toEqual(["back"]);
    const ppids = wire.filter((w) => w.ppid !== Ppid.DCEP).map((w) => w.ppid);
    expect(ppids).toEqual([Ppid.STRING, Ppid.BINARY, Ppid.STRING_EMPTY, Ppid.BINARY_EMPTY, Ppid.STRING]);
    expect(a.log).toEqual(["a:open"]);
  });

  it("send() snapshots binary data: reusing the buffer afterwards changes nothing", () => {
    const { a, b, settle } = setup();
    const ch = a.table.create("snap");
    settle();
    const got = watch(b, b.incoming[0], "b");
    const buf = Uint8Array.of(1, 2, 3);
    a.table.send(ch, buf);
    buf.fill(9);
    settle();
    expect(got).toEqual([Uint8Array.of(1, 2, 3)]);
  });

  it("takes even stream ids as DTLS client and odd ones as server", () => {
    const { a, b, settle } = setup();
    const ids = [a.table.create("1"), a.table.create("2"), b.table.create("3"), b.table.create("4"), a.table.create("5")].map((c) => c.id);
    expect(ids).toEqual([0, 2, 1, 3, 4]);
    settle();
    expect(b.incoming.map((c) => c.id)).toEqual([0, 2, 4]);
    expect(a.incoming.map((c) => c.id)).toEqual([1, 3]);
  });

  it("negotiated channels with a fixed id open without DCEP", () => {
    const { a, b, wire, settle } = setup();
    const ca = a.table.create("neg", { negotiated: true, id: 7 });
    const cb = b.table.create("neg", { negotiated: true, id: 7 });
    const gb = watch(b, cb, "b");
    watch(a, ca, "a");
    settle();
    expect(ca.state).toBe("open");
    expect(cb.state).toBe("open");
    a.table.send(ca, "x");
    settle();
    expect(gb).toEqual(["x"]);
    expect(wire.some((w) => w.ppid === Ppid.DCEP)).toBe(false);
    expect(b.incoming).toHaveLength(0);
  });

  it("announces the channel type, reliability and priority of the opener", () => {
    const { a, b, settle } = setup();
    a.table.create("rexmit", { ordered: false, maxRetransmits: 3, priority: 512 });
    a.table.create("timed", { maxPacketLifeTime: 500 });
    settle();
    expect(b.incoming[0]).toMatchObject({ label: "rexmit", ordered: false, maxRetransmits: 3, maxPacketLifeTime: null, priority: 512 });
    expect(b.incoming[1]).toMatchObject({ label: "timed", ordered: true, maxRetransmits: null, maxPacketLifeTime: 500 });
  });

  it("sends ordered until the ACK arrives, then unordered on an unordered channel", () => {
    const { a, wire, settle, sim, pumpA } = setup();
    settle();
    const ch = a.table.create("u", { ordered: false });
    pumpA();
    expect(ch.state).toBe("open");
    a.table.send(ch, "early");
    settle();
    a.table.send(ch, "late");
    sim.runFor(1000);
    const onStream = wire.filter((w) => w.stream === ch.id && w.ppid === Ppid.STRING);
    expect(onStream.map((w) => (w.flags & 4) !== 0)).toEqual([false, true]);
  });

  for (const closer of ["opener", "answerer"] as const) {
    it(`closes through stream reset when the ${closer} closes, and the id is reusable`, () => {
      const { a, b, settle } = setup({ loss: 0.05 });
      const ch = a.table.create("c");
      watch(a, ch, "a");
      settle();
      const remote = b.incoming[0];
      const rgot = watch(b, remote, "b");
      for (let i = 0; i < 50; i++) a.table.send(ch, `m${i}`);
      if (closer === "opener") a.table.close(ch);
      else b.table.close(remote);
      settle(20_000);
      expect(ch.state).toBe("closed");
      expect(remote.state).toBe("closed");
      expect(a.log).toContain("a:close");
      expect(b.log).toContain("b:close");
      if (closer === "opener") expect(rgot).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
      expect(a.table.channel(0)).toBeUndefined();
      const again = a.table.create("again");
      expect(again.id).toBe(0);
      settle();
      expect(b.incoming.at(-1)!.label).toBe("again");
    });
  }

  it("bufferedAmount drains and bufferedamountlow fires at the threshold", () => {
    const { a, b, settle } = setup();
    const ch = a.table.create("bulk");
    settle();
    a.table.setLowThreshold(ch, 65536);
    let low = 0;
    a.listeners.set(ch, (e) => void (e.type === "bufferedamountlow" && low++));
    for (let i = 0; i < 16; i++) a.table.send(ch, new Uint8Array(65536).fill(i));
    expect(a.table.bufferedAmount(ch)).toBe(16 * 65536);
    settle(10_000);
    expect(a.table.bufferedAmount(ch)).toBe(0);
    expect(low).toBe(1);
    const got = watch(b, b.incoming[0], "b");
    void got;
  });

  it("refuses messages over max-message-size with a TypeError", () => {
    const { a, settle } = setup();
    const ch = a.table.create("big");
    settle();
    a.assoc.maxMessageSize = 1000;
    expect(() => a.table.send(ch, new Uint8Array(1001))).toThrow(TypeError);
    a.assoc.maxMessageSize = 1 << 20;
    a.table.send(ch, new Uint8Array(1 << 20));
  });

  it("closes every channel when the association is aborted", () => {
    const { a, b, settle, sim } = setup();
    const ch = a.table.create("x");
    settle();
    const errors: string[] = [];
    a.listeners.set(ch, (e) => void (e.type === "error" && errors.push(`a:${e.message}`)));
    b.listeners.set(b.incoming[0], (e) => void (e.type === "error" && errors.push(`b:${e.message}`)));
    b.assoc.abort("gone", sim.now);
    settle();
    expect(ch.state).toBe("closed");
    expect(b.incoming[0].state).toBe("closed");
    // the side that received the ABORT sees an sctp-failure error first (as Chromium's channels do)
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^a:sctp-failure: peer aborted.*gone/);
  });

  it("works with I-DATA as Firefox negotiates it", () => {
    const { a, b, settle } = setup({ iData: true });
    const ch = a.table.create("ff");
    settle();
    expect(a.assoc.negotiated?.iData).toBe(true);
    const got = watch(b, b.incoming[0], "b");
    a.table.send(ch, "hi");
    settle();
    expect(got).toEqual(["hi"]);
  });
});
