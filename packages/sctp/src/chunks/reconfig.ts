/** RE-CONFIG chunk and its parameters (RFC 6525 §3.1, §4.1-4.6). */
import { ParseError } from "@tsrtc/base";
import { ChunkType, ParamType } from "../constants.js";
import { encodeChunk, readU16, readU32, writeU16, writeU32 } from "../packet.js";
import { type Param, decodeParams, encodeParams } from "../params/param.js";

export type ReconfigParam =
  | { kind: "outgoing-reset"; reqSeq: number; respSeq: number; lastTsn: number; streams: number[] }
  | { kind: "incoming-reset"; reqSeq: number; streams: number[] }
  | { kind: "ssn-tsn-reset"; reqSeq: number }
  | { kind: "response"; respSeq: number; result: number; senderNextTsn?: number; receiverNextTsn?: number }
  | { kind: "add-streams"; outgoing: boolean; reqSeq: number; count: number };

function streamsAt(v: Uint8Array, at: number): number[] {
  const out: number[] = [];
  for (; at + 2 <= v.length; at += 2) out.push(readU16(v, at));
  return out;
}

export function decodeReconfigParam(p: Param): ReconfigParam | undefined {
  const v = p.value;
  const need = (n: number): void => {
    if (v.length < n) throw new ParseError("sctp", "truncated", `RE-CONFIG parameter ${p.type}`, 0);
  };
  switch (p.type) {
    case ParamType.OUTGOING_SSN_RESET:
      need(12);
      return { kind: "outgoing-reset", reqSeq: readU32(v, 0), respSeq: readU32(v, 4), lastTsn: readU32(v, 8), streams: streamsAt(v, 12) };
    case ParamType.INCOMING_SSN_RESET:
      need(4);
      return { kind: "incoming-reset", reqSeq: readU32(v, 0), streams: streamsAt(v, 4) };
    case ParamType.SSN_TSN_RESET:
      need(4);
      return { kind: "ssn-tsn-reset", reqSeq: readU32(v, 0) };
    case ParamType.RECONFIG_RESPONSE:
      need(8);
      return v.length >= 16
        ? { kind: "response", respSeq: readU32(v, 0), result: readU32(v, 4), senderNextTsn: readU32(v, 8), receiverNextTsn: readU32(v, 12) }
        : { kind: "response", respSeq: readU32(v, 0), result: readU32(v, 4) };
    case ParamType.ADD_OUTGOING_STREAMS:
    case ParamType.ADD_INCOMING_STREAMS:
      need(8);
      return { kind: "add-streams", outgoing: p.type === ParamType.ADD_OUTGOING_STREAMS, reqSeq: readU32(v, 0), count: readU16(v, 4) };
    default:
      return undefined;
  }
}

export function decodeReconfig(value: Uint8Array): ReconfigParam[] {
  const out: ReconfigParam[] = [];
  for (const p of decodeParams(value, 0, value.length)) {
    const r = decodeReconfigParam(p);
    if (r) out.push(r);
  }
  return out;
}

export function reconfigParamToTlv(r: ReconfigParam): Param {
  switch (r.kind) {
    case "outgoing-reset": {
      const v = new Uint8Array(12 + 2 * r.streams.length);
      writeU32(v, 0, r.reqSeq);
      writeU32(v, 4, r.respSeq);
      writeU32(v, 8, r.lastTsn);
      r.streams.forEach((s, i) => writeU16(v, 12 + 2 * i, s));
      return { type: ParamType.OUTGOING_SSN_RESET, value: v };
    }
    case "incoming-reset": {
      const v = new Uint8Array(4 + 2 * r.streams.length);
      writeU32(v, 0, r.reqSeq);
      r.streams.forEach((s, i) => writeU16(v, 4 + 2 * i, s));
      return { type: ParamType.INCOMING_SSN_RESET, value: v };
    }
    case "ssn-tsn-reset": {
      const v = new Uint8Array(4);
      writeU32(v, 0, r.reqSeq);
      return { type: ParamType.SSN_TSN_RESET, value: v };
    }
    case "response": {
      const full = r.senderNextTsn !== undefined && r.receiverNextTsn !== undefined;
      const v = new Uint8Array(full ? 16 : 8);
      writeU32(v, 0, r.respSeq);
      writeU32(v, 4, r.result);
      if (full) {
        writeU32(v, 8, r.senderNextTsn ?? 0);
        writeU32(v, 12, r.receiverNextTsn ?? 0);
      }
      return { type: ParamType.RECONFIG_RESPONSE, value: v };
    }
    case "add-streams": {
      const v = new Uint8Array(8);
      writeU32(v, 0, r.reqSeq);
      writeU16(v, 4, r.count);
      return { type: r.outgoing ? ParamType.ADD_OUTGOING_STREAMS : ParamType.ADD_INCOMING_STREAMS, value: v };
    }
  }
}

export function encodeReconfig(params: readonly ReconfigParam[]): Uint8Array {
  return encodeChunk(ChunkType.RE_CONFIG, 0, encodeParams(params.map(reconfigParamToTlv)));
}
