/**
 * Data channel interop with werift's RTCSctpTransport / RTCDataChannel (its DCEP, PPIDs and
 * stream-reset close), over an in-memory stand-in for its DTLS transport. werift takes even
 * stream ids here (it is the ICE-controlled side), so our table takes the odd ones.
 */
import { SeededRandom } from "@tsrtc/base";
import { RTCDataChannel, RTCDataChannelParameters, RTCSctpTransport } from "werift";
import { afterEach, describe, expect, it } from "vitest";
import { SctpAssociation } from "../src/association.js";
import type { DataChannel, DataChannelEvent } from "../src/datachannel/channel.js";
import { DataChannelTable } from "../src/datachannel/table.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(5);
  return cond();
}

const noEvent = { subscribe: () => ({ unSubscribe: () => {} }) };

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function setup() {
  const t0 = Date.now();
  const now = () => Date.now() - t0;
  const assoc = new SctpAssociation({ rng: new SeededRandom(4), iData: false });
  const table = new DataChannelTable();
  table.setRole("server");
  table.attach(assoc);
  const incoming: DataChannel[] = [];
  const listeners = new Map<DataChannel, (e: DataChannelEvent) => void>();
  const dtls = {
    id: "stub",
    iceTransport: { role: "controlled" },
    onStateChange: noEvent,
    dataReceiver: (_b: Buffer) => {},
    sendData: async (buf: Buffer) => {
      const copy = new Uint8Array(buf);
      setImmediate(() => {
        assoc.handlePacket(copy, now());
        flush();
      });
    },
  };
  const flush = (): void => {
    for (let p = assoc.pollTransmit(now()); p; p = assoc.pollTransmit(now())) {
      const b = Buffer.from(p);
      // werift's stop() takes its receiver away; packets still queued at the end of a test are dropped
      setImmediate(() => {
        if (typeof dtls.dataReceiver === "function") dtls.dataReceiver(b);
      });
    }
    for (let ev = assoc.pollEvent(); ev; ev = assoc.pollEvent()) table.handleEvent(ev);
    for (let e = table.pollEvent(); e; e = table.pollEvent()) {
      if (e.type === "datachannel") incoming.push(e.channel);
      listeners.get(e.channel)?.(e);
    }
  };
  const timer = setInterval(() => {
    assoc.handleTimeout(now());
    flush();
  }, 5);
  const theirs = new RTCSctpTransport(5000);
  theirs.setDtlsTransport(dtls as unknown as Parameters<RTCSctpTransport["setDtlsTransport"]>[0]);
  const theirChannels: RTCDataChannel[] = [];
  theirs.onDataChannel.subscribe((ch) => theirChannels.push(ch));
  cleanup = async () => {
    clearInterval(timer);
    await theirs.stop().catch(() => {});
  };
  await theirs.start(5000);
  assoc.connect(now());
  flush();
  return { assoc, table, listeners, incoming, theirs, theirChannels, flush };
}

describe("data channels with werift's RTCDataChannel", () => {
  it("werift opens a channel with DCEP; messages both ways; we close it by stream reset", async () => {
    const { assoc, table, listeners, incoming, theirs, flush } = await setup();
    expect(await until(() => assoc.isEstablished)).toBe(true);
    const wch = new RTCDataChannel(theirs, new RTCDataChannelParameters({ label: "from-werift", protocol: "p1" }));
    const theirGot: (string | Buffer)[] = [];
    wch.onMessage.subscribe((m: string | Buffer) => theirGot.push(m));
    expect(await until(() => incoming.length === 1)).toBe(true);
    const ours = incoming[0];
    expect(ours).toMatchObject({ label: "from-werift", protocol: "p1", ordered: true });
    expect(ours.id! % 2).toBe(0);
    const got: (string | Uint8Array)[] = [];
    listeners.set(ours, (e) => void (e.type === "message" && got.push(e.data)));
    expect(await until(() => wch.readyState === "open")).toBe(true);
    wch.send("hello from werift");
    wch.send(Buffer.from([1, 2, 3]));
    table.send(ours, "hello from tsrtc");
    table.send(ours, Uint8Array.of(9, 8, 7));
    flush();
    expect(await until(() => got.length === 2 && theirGot.length === 2)).toBe(true);
    expect(got).toEqual(["hello from werift", Uint8Array.of(1, 2, 3)]);
    expect(theirGot[0]).toBe("hello from tsrtc");
    expect(Buffer.compare(theirGot[1] as Buffer, Buffer.from([9, 8, 7]))).toBe(0);
    table.close(ours);
    flush();
    expect(await until(() => wch.readyState === "closed")).toBe(true);
  });

  it("we open a channel with DCEP and werift announces it", async () => {
    const { assoc, table, theirChannels, flush } = await setup();
    expect(await until(() => assoc.isEstablished)).toBe(true);
    const ours = table.create("from-tsrtc", { ordered: false, maxRetransmits: 2 });
    flush();
    expect(await until(() => theirChannels.length === 1)).toBe(true);
    const w = theirChannels[0];
    expect(w.label).toBe("from-tsrtc");
    expect(w.ordered).toBe(false);
    expect(w.maxRetransmits).toBe(2);
    expect(w.id).toBe(ours.id);
    expect(ours.id! % 2).toBe(1);
    const theirGot: (string | Buffer)[] = [];
    w.onMessage.subscribe((m: string | Buffer) => theirGot.push(m));
    table.send(ours, "x");
    flush();
    expect(await until(() => theirGot.length === 1)).toBe(true);
    expect(theirGot[0]).toBe("x");
  });
});
