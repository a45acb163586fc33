/** Shared test helpers: RTP/RTCP packet builders and paired contexts for every profile. */
import { randomBytes } from "node:crypto";
import { createSrtpSessionFromKeyingMaterial, keyingMaterialLength, type SrtpContextOptions, type SrtpProfileId, type SrtpSession } from "../src/index.js";

export const ALL_PROFILES: readonly SrtpProfileId[] = [0x0001, 0x0002, 0x0005, 0x0006, 0x0007, 0x0008];

/** An RTP packet: V=2, PT 96, the given seq/SSRC, optional one-byte-header extension, payload bytes. */
export function rtp(seq: number, ssrc: number, payloadLength = 160, opts: { ext?: boolean; csrcs?: number } = {}): Uint8Array {
  const csrcs = opts.csrcs ?? 0;
  const extLen = opts.ext ? 4 + 8 : 0;
  const h = 12 + csrcs * 4 + extLen;
  const p = new Uint8Array(h + payloadLength);
  p[0] = 0x80 | (opts.ext ? 0x10 : 0) | csrcs;
  p[1] = 96;
  p[2] = (seq >>> 8) & 0xff;
  p[3] = seq & 0xff;
  p[4] = 0x11;
  p[8] = ssrc >>> 24;
  p[9] = (ssrc >>> 16) & 0xff;
  p[10] = (ssrc >>> 8) & 0xff;
  p[11] = ssrc & 0xff;
  for (let i = 0; i < csrcs; i++) p[12 + i * 4 + 3] = i + 1;
  if (opts.ext) {
    const at = 12 + csrcs * 4;
    p.set([0xbe, 0xde, 0x00, 0x02, 0x10, 0xaa, 0x21, 0xbb, 0xcc, 0x00, 0x00, 0x00], at);
  }
  for (let i = h; i < p.length; i++) p[i] = (i * 31 + seq) & 0xff;
  return p;
}

/** A receiver report (PT 201) from `ssrc` with one report block. */
export function rtcpRr(ssrc: number, fill = 0x5a): Uint8Array {
  const p = new Uint8Array(32);
  p[0] = 0x81;
  p[1] = 201;
  p[3] = 7;
  p[4] = ssrc >>> 24;
  p[5] = (ssrc >>> 16) & 0xff;
  p[6] = (ssrc >>> 8) & 0xff;
  p[7] = ssrc & 0xff;
  p.fill(fill, 8);
  return p;
}

/** Client and server sessions over the same random keying material. */
export function pair(profile: SrtpProfileId, options: SrtpContextOptions = {}): { client: SrtpSession; server: SrtpSession; material: Uint8Array } {
  const material = randomBytes(keyingMaterialLength(profile));
  return {
    client: createSrtpSessionFromKeyingMaterial(profile, material, "client", options),
    server: createSrtpSessionFromKeyingMaterial(profile, material, "server", options),
    material,
  };
}

export function hex(b: Uint8Array | undefined): string {
  return b === undefined ? "undefined" : Buffer.from(b.buffer, b.byteOffset, b.length).toString("hex");
}
