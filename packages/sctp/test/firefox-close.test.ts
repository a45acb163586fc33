/**
 * How Firefox closes (browsers-on-the-wire §4): a RE-CONFIG with an Outgoing SSN Reset Request
 * for its channels' streams, then ABORT, either in separate packets or bundled in one.
 */
import { SeededRandom } from "@tsrtc/base";
import { describe, expect, it } from "vitest";
import { SctpAssociation } from "../src/association.js";
import { ChunkType, Ppid } from "../src/constants.js";
import { encodeAbort, causeUserAbort } from "../src/chunks/control.js";
import { ChannelType, encodeOpen } from "../src/datachannel/dcep.js";
import type { DataChannel } from "../src/datachannel/channel.js";
import { DataChannelTable } from "../src/datachannel/table.js";
import { splitChunks, writeChecksum } from "../src/packet.js";
import { crc32c } from "@tsrtc/base";

function setup() {
  const assoc = new SctpAssociation({ rng: new SeededRandom(1) });
  const table = new DataChannelTable();
  table.setRole("client");
  table.attach(assoc);
  const ours = { association: assoc, table };
  const firefox = new SctpAssociation({ rng: new SeededRandom(2), iData: true });
  const incoming: DataChannel[] = [];
  let now = 0;
  const got: (string | Uint8Array)[] = [];
  const log: string[] = [];
  const drainOurs = (): void => {
    for (let ev = assoc.pollEvent(); ev; ev = assoc.pollEvent()) table.handleEvent(ev);
    for (let e = table.pollEvent(); e; e = table.pollEvent()) {
      if (e.type === "datachannel") incoming.push(e.channel);
      else if (e.type === "message") got.push(e.data);
      else if (e.type === "close" || e.type === "error") log.push(e.type);
    }
  };
  const pump = (): void => {
    for (let i = 0; i < 50; i++) {
      let moved = false;
      for (let p = ours.association.pollTransmit(now); p; p = ours.association.pollTransmit(now)) {
        firefox.handlePacket(p, now);
        moved = true;
      }
      for (let p = firefox.pollTransmit(now); p; p = firefox.pollTransmit(now)) {
        ours.association.handlePacket(p, now);
        moved = true;
      }
      drainOurs();
      while (firefox.pollEvent());
      if (!moved) {
        now += 50;
        ours.association.handleTimeout(now);
        firefox.handleTimeout(now);
      }
    }
  };
  ours.association.connect(0);
  firefox.connect(0);
  pump();
  expect(ours.association.negotiated?.iData).toBe(true);
  // Firefox (DTLS server: odd ids) opens channel 1
  firefox.send(1, Ppid.DCEP, encodeOpen({ channelType: ChannelType.RELIABLE, priority: 256, reliability: 0, label: "ff", protocol: "" }));
  pump();
  expect(incoming).toHaveLength(1);
  const ch = incoming[0];
  firefox.send(1, Ppid.STRING, new TextEncoder().encode("hi"));
  pump();
  return { ours, firefox, ch, got, log, drainOurs, nowRef: () => now };
}

/** The packets Firefox sends for resetStreams([1]) followed by abort(). */
function firefoxClose(firefox: SctpAssociation, now: number): { reconfig: Uint8Array; abort: Uint8Array } {
  expect(firefox.resetStreams([1])).toBe(true);
  const reconfig = firefox.pollTransmit(now)!;
  expect(splitChunks(reconfig)!.map((c) => c.type)).toContain(ChunkType.RE_CONFIG);
  firefox.abort("close", now);
  const abort = firefox.pollTransmit(now)!;
  expect(splitChunks(abort)!.map((c) => c.type)).toEqual([ChunkType.ABORT]);
  return { reconfig, abort };
}

describe("Firefox's close: RE-CONFIG (outgoing reset), then ABORT", () => {
  it("in two packets: the channel closes, then the association, nothing thrown or miscounted", () => {
    const { ours, firefox, ch, got, log, drainOurs, nowRef } = setup();
    expect(got).toEqual(["hi"]);
    const { reconfig, abort } = firefoxClose(firefox, nowRef());
    ours.association.handlePacket(reconfig, nowRef());
    drainOurs();
    // the peer reset its side: we answer and reset ours (RFC 8831 §6.7)
    expect(ch.state).toBe("closing");
    const answer = ours.association.pollTransmit(nowRef());
    expect(answer && splitChunks(answer)!.some((c) => c.type === ChunkType.RE_CONFIG)).toBe(true);
    ours.association.handlePacket(abort, nowRef());
    drainOurs();
    expect(ch.state).toBe("closed");
    // closed cleanly by the peer's reset: no error event for it
    expect(log).toEqual(["close"]);
    expect(ours.association.stats).toMatchObject({ abortsReceived: 1, internalErrors: 0, malformed: 0, badTag: 0 });
    expect(ours.association.pollTransmit(nowRef())).toBeUndefined();
    expect(ours.association.pollTimeout()).toBeUndefined();
  });

  it("bundled in one packet: the same outcome", () => {
    const { ours, firefox, ch, log, drainOurs, nowRef } = setup();
    const { reconfig } = firefoxClose(firefox, nowRef());
    const abortChunk = encodeAbort([causeUserAbort("close")]);
    const both = new Uint8Array(reconfig.length + abortChunk.length);
    both.set(reconfig);
    both.set(abortChunk, reconfig.length);
    writeChecksum(both, 0);
    writeChecksum(both, crc32c(both));
    ours.association.handlePacket(both, nowRef());
    drainOurs();
    expect(ch.state).toBe("closed");
    expect(log).toEqual(["close"]);
    expect(ours.association.stats).toMatchObject({ abortsReceived: 1, internalErrors: 0, malformed: 0, badTag: 0, badChecksum: 0 });
    expect(ours.association.pollTimeout()).toBeUndefined();
  });
});
