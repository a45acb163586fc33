/**
 * Helpers for SCTP tests that drive two associations by hand, packet by packet, with no
 * simulated network: build packets, take what an association sends, read its events, and pump
 * both ways until nothing moves.
 */
import { SeededRandom } from "@tsrtc/base";
import { SctpAssociation, type SctpOptions } from "../src/association.js";
import type { SctpEvent } from "../src/events.js";
import { PacketBuilder, type RawChunk, readU32, splitChunks } from "../src/packet.js";
import { capabilityParams } from "../src/params/init-params.js";

export const CAPS = capabilityParams({ forwardTsn: true, reconfig: true, iData: false, zeroChecksum: false });

export function make(seed: number, opts: Partial<SctpOptions> = {}): SctpAssociation {
  return new SctpAssociation({ rng: new SeededRandom(seed), ...opts });
}

export function packet(tag: number, ...chunks: Uint8Array[]): Uint8Array {
  const pb = new PacketBuilder(4096);
  pb.begin(5000, 5000, tag);
  for (const c of chunks) pb.append(c);
  return pb.finish(false);
}

export function tagOf(p: Uint8Array): number {
  return readU32(p, 4);
}

export function takeAll(x: SctpAssociation, now = 0): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let d = x.pollTransmit(now); d; d = x.pollTransmit(now)) out.push(d);
  return out;
}

export function take(x: SctpAssociation, now = 0): Uint8Array {
  const d = x.pollTransmit(now);
  if (!d) throw new Error("expected a packet");
  return d;
}

export function chunksOf(p: Uint8Array): RawChunk[] {
  return splitChunks(p) ?? [];
}

export function events(x: SctpAssociation): SctpEvent[] {
  const out: SctpEvent[] = [];
  for (let e = x.pollEvent(); e; e = x.pollEvent()) out.push(e);
  return out;
}

/** Deliver everything both ways until nothing moves. */
export function pump(x: SctpAssociation, y: SctpAssociation, now: number): void {
  for (let round = 0; round < 100; round++) {
    let moved = false;
    for (const d of takeAll(x, now)) {
      y.handlePacket(d, now);
      moved = true;
    }
    for (const d of takeAll(y, now)) {
      x.handlePacket(d, now);
      moved = true;
    }
    if (!moved) return;
  }
}
