import { SeededRandom } from "@tsrtc/base";
import { describe, expect, it } from "vitest";
import { SctpAssociation } from "../src/association.js";
import { ChunkType, ParamType } from "../src/constants.js";
import { decodeInit, encodeInit } from "../src/chunks/init.js";
import { PacketBuilder, splitChunks, storedChecksum } from "../src/packet.js";
import { summarizeInitParams } from "../src/params/init-params.js";
import type { Param } from "../src/params/param.js";
import { connectBoth, pair, payload } from "./helpers.js";

function initPacket(params: Param[], aRwnd: number): Uint8Array {
  const pb = new PacketBuilder(512);
  pb.begin(5000, 5000, 0);
  pb.append(encodeInit({ type: ChunkType.INIT, initiateTag: 0x11223344, aRwnd, outStreams: 65535, inStreams: 65535, initialTsn: 1000, params }));
  return pb.finish(false);
}

const chromiumParams: Param[] = [
  { type: ParamType.FORWARD_TSN_SUPPORTED, value: new Uint8Array(0) },
  { type: ParamType.SUPPORTED_EXTENSIONS, value: Uint8Array.of(ChunkType.RE_CONFIG, ChunkType.FORWARD_TSN) },
];
const firefoxParams: Param[] = [
  { type: ParamType.SUPPORTED_EXTENSIONS, value: Uint8Array.of(ChunkType.RE_CONFIG, ChunkType.FORWARD_TSN, ChunkType.I_DATA, ChunkType.I_FORWARD_TSN) },
];

describe("negotiation with browser-shaped INITs (browsers-on-the-wire §4)", () => {
  it("answers Chromium's INIT with a cookie and our extensions; DATA (no I-DATA) is used", () => {
    const ours = new SctpAssociation({ rng: new SeededRandom(1) });
    ours.handlePacket(initPacket(chromiumParams, 5242880), 0);
    const reply = splitChunks(ours.pollTransmit()!)!;
    expect(reply).toHaveLength(1);
    const ack = decodeInit(reply[0].type, reply[0].value);
    expect(ack.type).toBe(ChunkType.INIT_ACK);
    const s = summarizeInitParams(ack.params);
    expect(s.cookie).toBeDefined();
    expect(s).toMatchObject({ forwardTsn: true, reconfig: true, iData: true });
    // establish with the cookie and check the negotiated result
    const pb = new PacketBuilder(256);
    pb.begin(5000, 5000, ack.initiateTag);
    pb.append(Uint8Array.from([10, 0, 0, 4 + s.cookie!.length, ...s.cookie!]));
    ours.handlePacket(pb.finish(false), 10);
    expect(ours.pollEvent()).toEqual({ type: "connected" });
    expect(ours.negotiated).toMatchObject({ iData: false, forwardTsn: true, reconfig: true, zeroChecksum: false, peerRwnd: 5242880, peerTag: 0x11223344 });
  });

  it("uses I-DATA with Firefox's INIT", () => {
    const ours = new SctpAssociation({ rng: new SeededRandom(1) });
    ours.handlePacket(initPacket(firefoxParams, 16777216), 0);
    const ack = decodeInit(ChunkType.INIT_ACK, splitChunks(ours.pollTransmit()!)![0].value);
    const cookie = summarizeInitParams(ack.params).cookie!;
    const pb = new PacketBuilder(256);
    pb.begin(5000, 5000, ack.initiateTag);
    pb.append(Uint8Array.from([10, 0, 0, 4 + cookie.length, ...cookie]));
    ours.handlePacket(pb.finish(false), 10);
    expect(ours.negotiated?.iData).toBe(true);
  });
});

describe("zero checksum (RFC 9653)", () => {
  it("is used only when both sides offer it, and never on INIT", () => {
    const { sim, a, b } = pair({ delay: 5 }, { a: { zeroChecksum: true }, b: { zeroChecksum: true } });
    const sums: number[] = [];
    const inits: number[] = [];
    sim.network.trace = (e) => {
      if (e.type !== "send") return;
      if (e.data[12] === ChunkType.INIT) inits.push(storedChecksum(e.data));
      else if (e.data[12] === ChunkType.DATA || e.data[12] === ChunkType.I_DATA) sums.push(storedChecksum(e.data));
    };
    expect(connectBoth(sim, a, b)).toBe(true);
    expect(a.assoc.negotiated?.zeroChecksum).toBe(true);
    a.assoc.send(1, 53, payload(1, 5000));
    sim.runFor(1000);
    expect(b.messages).toHaveLength(1);
    expect(sums.length).toBeGreaterThan(0);
    expect(sums.every((s) => s === 0)).toBe(true);
    expect(inits.every((s) => s !== 0)).toBe(true);
  });

  it("falls back to CRC-32C when only one side offers it", () => {
    const { sim, a, b } = pair({ delay: 5 }, { a: { zeroChecksum: true } });
    const sums: number[] = [];
    sim.network.trace = (e) => {
      if (e.type === "send" && (e.data[12] === ChunkType.DATA || e.data[12] === ChunkType.I_DATA)) sums.push(storedChecksum(e.data));
    };
    expect(connectBoth(sim, a, b)).toBe(true);
    expect(a.assoc.negotiated?.zeroChecksum).toBe(false);
    a.assoc.send(1, 53, payload(1, 5000));
    sim.runFor(1000);
    expect(b.messages).toHaveLength(1);
    expect(sums.every((s) => s !== 0)).toBe(true);
  });
});

describe("large messages", () => {
  it("delivers a 4 MiB message when both sides allow it", () => {
    const { sim, a, b } = pair({ delay: 5 }, { a: { maxMessageSize: 8 << 20 } });
    expect(connectBoth(sim, a, b)).toBe(true);
    const big = payload(5, 4 << 20);
    a.assoc.send(1, 53, big);
    expect(sim.runUntil(() => b.messages.length === 1, { maxTime: 60_000 })).toBe(true);
    expect(Buffer.compare(Buffer.from(b.messages[0].data), Buffer.from(big))).toBe(0);
  });

  it("refuses to send beyond max-message-size (default 256 KiB)", () => {
    const { a } = pair();
    expect(() => a.assoc.send(1, 53, new Uint8Array(262145))).toThrow(RangeError);
    a.assoc.send(1, 53, new Uint8Array(262144));
  });
});
