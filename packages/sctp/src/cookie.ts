/**
 * The state cookie (RFC 9260 §5.1.3): everything needed to build the association, signed with
 * an HMAC so that answering an INIT keeps no state (§5.1, the INIT-flood defence) and a forged
 * or stale cookie is refused (§5.1.5).
 */
import { createHmac } from "node:crypto";
import { constantTimeEqual } from "@tsrtc/base";
import type { Negotiated } from "./handshake.js";
import { readU16, readU32, writeU16, writeU32 } from "./packet.js";

/** The negotiated association, plus when the cookie was made, how long it lives and the tie-tags (§5.2.2). */
export interface CookieState extends Negotiated {
  /** The monotonic time the cookie was made (ms). */
  createdAt: number;
  /** Milliseconds added to the configured lifetime at the peer's request (Cookie Preservative, §3.3.2.1). */
  lifeExtension: number;
  localTieTag: number;
  peerTieTag: number;
}

const BODY = 8 + 4 * 5 + 2 * 2 + 4 + 4 * 2 + 4;
const MAC = 16;
export const COOKIE_SIZE = BODY + MAC;

function mac(key: Uint8Array, body: Uint8Array): Uint8Array {
  return createHmac("sha256", key).update(body).digest().subarray(0, MAC);
}

export function encodeCookie(key: Uint8Array, s: CookieState): Uint8Array {
  const out = new Uint8Array(COOKIE_SIZE);
  const dv = new DataView(out.buffer);
  dv.setFloat64(0, s.createdAt);
  writeU32(out, 8, s.localTag);
  writeU32(out, 12, s.peerTag);
  writeU32(out, 16, s.localInitialTsn);
  writeU32(out, 20, s.peerInitialTsn);
  writeU32(out, 24, s.peerRwnd);
  writeU16(out, 28, s.outStreams);
  writeU16(out, 30, s.inStreams);
  out[32] = (s.forwardTsn ? 1 : 0) | (s.reconfig ? 2 : 0) | (s.iData ? 4 : 0) | (s.zeroChecksum ? 8 : 0);
  writeU32(out, 36, s.localTieTag);
  writeU32(out, 40, s.peerTieTag);
  writeU32(out, 44, s.lifeExtension);
  out.set(mac(key, out.subarray(0, BODY)), BODY);
  return out;
}

/**
 * The Tie-Tags for an association with these verification tags (RFC 9260 §1.3: a 64-bit nonce
 * that links a restarting peer's cookie to the association "and yet not reveal the true
 * Verification Tags"). A keyed hash of the tags: it changes whenever they do (a restart, a new
 * peer tag), needs no state, and tells the peer nothing. Never 0 (0 means "no Tie-Tags").
 */
export function tieTagsFor(key: Uint8Array, localTag: number, peerTag: number): [number, number] {
  const m = new Uint8Array(12);
  m.set([0x74, 0x69, 0x65, 0x2d]); // "tie-"
  writeU32(m, 4, localTag);
  writeU32(m, 8, peerTag);
  const h = createHmac("sha256", key).update(m).digest();
  return [readU32(h, 0) || 1, readU32(h, 4) || 1];
}

/** The cookie's state when its MAC verifies, else undefined. Staleness is the caller's check. */
export function decodeCookie(key: Uint8Array, cookie: Uint8Array): CookieState | undefined {
  if (cookie.length !== COOKIE_SIZE) return undefined;
  if (!constantTimeEqual(mac(key, cookie.subarray(0, BODY)), cookie.subarray(BODY))) return undefined;
  const dv = new DataView(cookie.buffer, cookie.byteOffset, cookie.byteLength);
  const f = cookie[32];
  return {
    createdAt: dv.getFloat64(0),
    localTag: readU32(cookie, 8),
    peerTag: readU32(cookie, 12),
    localInitialTsn: readU32(cookie, 16),
    peerInitialTsn: readU32(cookie, 20),
    peerRwnd: readU32(cookie, 24),
    outStreams: readU16(cookie, 28),
    inStreams: readU16(cookie, 30),
    forwardTsn: (f & 1) !== 0,
    reconfig: (f & 2) !== 0,
    iData: (f & 4) !== 0,
    zeroChecksum: (f & 8) !== 0,
    localTieTag: readU32(cookie, 36),
    peerTieTag: readU32(cookie, 40),
    lifeExtension: readU32(cookie, 44),
  };
}
