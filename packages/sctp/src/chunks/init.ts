/** INIT and INIT-ACK (RFC 9260 §3.3.2, §3.3.3). */
import { ParseError } from "@tsrtc/base";
import { ChunkType } from "../constants.js";
import { encodeChunk, readU16, readU32, writeU16, writeU32 } from "../packet.js";
import { type Param, decodeParams, paramsLength, writeParams } from "../params/param.js";

export interface InitChunk {
  type: typeof ChunkType.INIT | typeof ChunkType.INIT_ACK;
  initiateTag: number;
  aRwnd: number;
  outStreams: number;
  inStreams: number;
  initialTsn: number;
  params: Param[];
}

export function decodeInit(type: number, value: Uint8Array): InitChunk {
  if (value.length < 16) throw new ParseError("sctp", "truncated", "INIT shorter than 20 bytes", 0);
  if (type !== ChunkType.INIT && type !== ChunkType.INIT_ACK) {
    throw new ParseError("sctp", "bad-type", `not an INIT: ${type}`, 0);
  }
  return {
    type,
    initiateTag: readU32(value, 0),
    aRwnd: readU32(value, 4),
    outStreams: readU16(value, 8),
    inStreams: readU16(value, 10),
    initialTsn: readU32(value, 12),
    params: decodeParams(value, 16, value.length),
  };
}

export function encodeInit(c: InitChunk): Uint8Array {
  const v = new Uint8Array(16 + paramsLength(c.params));
  writeU32(v, 0, c.initiateTag);
  writeU32(v, 4, c.aRwnd);
  writeU16(v, 8, c.outStreams);
  writeU16(v, 10, c.inStreams);
  writeU32(v, 12, c.initialTsn);
  writeParams(v, 16, c.params);
  // The last parameter's padding is not part of the chunk length (§3.2).
  let len = v.length;
  if (c.params.length > 0) {
    const last = c.params[c.params.length - 1];
    len -= ((4 + last.value.length + 3) & ~3) - (4 + last.value.length);
  }
  return encodeChunk(c.type, 0, v.subarray(0, len));
}
