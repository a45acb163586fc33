/**
 * Byte sniffers for filters: recognise STUN and SCTP datagrams without importing the protocol
 * packages (testkit sits beside them, not above them). Each reads defensively and returns
 * false on anything short or malformed.
 */

const MAGIC_COOKIE = 0x2112a442;

/**
 * A STUN message (RFC 8489 §5): first byte in [0, 3] as RFC 7983 §7 demultiplexes it (top two
 * bits zero, methods below 0x400), length a multiple of 4 that matches, the magic cookie.
 */
export function isStun(data: Uint8Array): boolean {
  if (data.length < 20 || data[0] > 3) return false;
  const len = (data[2] << 8) | data[3];
  if ((len & 3) !== 0 || 20 + len !== data.length) return false;
  const cookie = ((data[4] << 24) | (data[5] << 16) | (data[6] << 8) | data[7]) >>> 0;
  return cookie === MAGIC_COOKIE;
}

/** STUN classes (RFC 8489 §5). */
export const StunClass = { request: 0, indication: 1, success: 2, error: 3 } as const;
export type StunClass = (typeof StunClass)[keyof typeof StunClass];

/** The 12-bit method of a STUN message (RFC 8489 §5, Figure 3), or undefined if not STUN. */
export function stunMethod(data: Uint8Array): number | undefined {
  if (!isStun(data)) return undefined;
  const t = (data[0] << 8) | data[1];
  return (t & 0x000f) | ((t & 0x00e0) >> 1) | ((t & 0x3e00) >> 2);
}

/** The class of a STUN message (0 request, 1 indication, 2 success, 3 error), or undefined. */
export function stunClass(data: Uint8Array): StunClass | undefined {
  if (!isStun(data)) return undefined;
  const t = (data[0] << 8) | data[1];
  return (((t >> 7) & 2) | ((t >> 4) & 1)) as StunClass;
}

/**
 * A predicate: a STUN message of `method` (Binding = 1, Allocate = 3, Refresh = 4, Send = 6,
 * Data = 7, CreatePermission = 8, ChannelBind = 9) and, if given, of class `cls`.
 */
export function isStunMethod(method: number, cls?: StunClass): (data: Uint8Array) => boolean {
  return (data) => stunMethod(data) === method && (cls === undefined || stunClass(data) === cls);
}

/** SCTP chunk types the sniffers know (RFC 9260 §3.2, RFC 8260 for I-DATA). */
export const SctpChunkType = {
  DATA: 0,
  INIT: 1,
  INIT_ACK: 2,
  SACK: 3,
  HEARTBEAT: 4,
  HEARTBEAT_ACK: 5,
  ABORT: 6,
  SHUTDOWN: 7,
  SHUTDOWN_ACK: 8,
  ERROR: 9,
  COOKIE_ECHO: 10,
  COOKIE_ACK: 11,
  SHUTDOWN_COMPLETE: 14,
  I_DATA: 64,
  RE_CONFIG: 130,
  FORWARD_TSN: 192,
  I_FORWARD_TSN: 194,
} as const;

/** One chunk header of a plain SCTP packet, with its offset in the packet. */
export interface SctpChunkView {
  type: number;
  flags: number;
  /** Chunk length from the header (without padding). */
  length: number;
  offset: number;
}

/**
 * The chunks of a plain SCTP packet (RFC 9260 §3: 12-byte common header, then chunks padded to
 * 4 bytes). Returns [] if the bytes do not parse as one.
 */
export function sctpChunks(data: Uint8Array): SctpChunkView[] {
  const out: SctpChunkView[] = [];
  if (data.length < 16) return out;
  let at = 12;
  while (at + 4 <= data.length) {
    const length = (data[at + 2] << 8) | data[at + 3];
    if (length < 4 || at + length > data.length) return [];
    out.push({ type: data[at], flags: data[at + 1], length, offset: at });
    at += (length + 3) & ~3;
  }
  return out;
}

/** The TSNs of DATA and I-DATA chunks in a plain SCTP packet (TSN at chunk offset 4). */
export function sctpDataTsns(data: Uint8Array): number[] {
  const out: number[] = [];
  for (const c of sctpChunks(data)) {
    if ((c.type === SctpChunkType.DATA || c.type === SctpChunkType.I_DATA) && c.length >= 8) {
      const o = c.offset + 4;
      out.push(((data[o] << 24) | (data[o + 1] << 16) | (data[o + 2] << 8) | data[o + 3]) >>> 0);
    }
  }
  return out;
}

/** A predicate: the plain SCTP packet carries a DATA or I-DATA chunk with TSN `tsn`. */
export function sctpHasDataTsn(tsn: number): (data: Uint8Array) => boolean {
  const want = tsn >>> 0;
  return (data) => sctpDataTsns(data).includes(want);
}

/** A predicate: the plain SCTP packet carries a chunk of type `type` (see `SctpChunkType`). */
export function sctpHasChunk(type: number): (data: Uint8Array) => boolean {
  return (data) => sctpChunks(data).some((c) => c.type === type);
}
