/**
 * The optional parameters of INIT / INIT-ACK that WebRTC uses: Forward-TSN-Supported
 * (RFC 3758 §3.1), Supported Extensions (RFC 5061 §4.2.7), Zero Checksum Acceptable
 * (RFC 9653 §4), State Cookie (RFC 9260 §3.3.3), Cookie Preservative (§3.3.2.1), and the
 * unrecognized-parameter rule (§3.2.1).
 */
import { ChunkType, ParamType } from "../constants.js";
import { readU32 } from "../packet.js";
import { type Param, u32Value } from "./param.js";

export interface Capabilities {
  forwardTsn: boolean;
  reconfig: boolean;
  iData: boolean;
  /** The peer's accepted error detection method for zero checksum, or undefined. */
  zeroChecksumEdmid: number | undefined;
}

export interface InitParamsSummary extends Capabilities {
  cookie: Uint8Array | undefined;
  /** The Suggested Cookie Life-Span Increment (ms) of a Cookie Preservative, if any (§3.3.2.1). */
  cookiePreservative: number | undefined;
  /** Parameters to report back in Unrecognized Parameter (type bits 01 and 11). */
  unrecognized: Param[];
}

const KNOWN = new Set<number>([
  ParamType.STATE_COOKIE,
  ParamType.COOKIE_PRESERVATIVE,
  ParamType.SUPPORTED_ADDRESS_TYPES,
  ParamType.UNRECOGNIZED_PARAMETER,
  ParamType.ZERO_CHECKSUM_ACCEPTABLE,
  ParamType.SUPPORTED_EXTENSIONS,
  ParamType.FORWARD_TSN_SUPPORTED,
  5, // IPv4 address
  6, // IPv6 address
  11, // host name (deprecated)
]);

export function summarizeInitParams(params: readonly Param[]): InitParamsSummary {
  const s: InitParamsSummary = {
    forwardTsn: false,
    reconfig: false,
    iData: false,
    zeroChecksumEdmid: undefined,
    cookie: undefined,
    cookiePreservative: undefined,
    unrecognized: [],
  };
  for (const p of params) {
    switch (p.type) {
      case ParamType.FORWARD_TSN_SUPPORTED:
        s.forwardTsn = true;
        break;
      case ParamType.SUPPORTED_EXTENSIONS:
        for (const t of p.value) {
          if (t === ChunkType.FORWARD_TSN) s.forwardTsn = true;
          else if (t === ChunkType.RE_CONFIG) s.reconfig = true;
          else if (t === ChunkType.I_DATA) s.iData = true;
        }
        break;
      case ParamType.ZERO_CHECKSUM_ACCEPTABLE:
        if (p.value.length >= 4) s.zeroChecksumEdmid = readU32(p.value, 0);
        break;
      case ParamType.STATE_COOKIE:
        s.cookie = p.value;
        break;
      case ParamType.COOKIE_PRESERVATIVE:
        // A value shorter than its 4 bytes says nothing: ignored, as the receiver may ignore it anyway.
        if (p.value.length >= 4) s.cookiePreservative = readU32(p.value, 0);
        break;
      default:
        if (!KNOWN.has(p.type)) {
          // §3.2.1: the two high bits say whether to stop (0x) or skip (1x) and report (x1).
          const action = p.type >>> 14;
          if (action & 1) s.unrecognized.push(p);
          if ((action & 2) === 0) return s;
        }
    }
  }
  return s;
}

export interface LocalCapabilities {
  forwardTsn: boolean;
  reconfig: boolean;
  iData: boolean;
  zeroChecksum: boolean;
}

/** The parameters we put in INIT and INIT-ACK to announce our extensions. */
export function capabilityParams(c: LocalCapabilities): Param[] {
  const out: Param[] = [];
  const ext: number[] = [];
  if (c.reconfig) ext.push(ChunkType.RE_CONFIG);
  if (c.forwardTsn) ext.push(ChunkType.FORWARD_TSN);
  if (c.iData) ext.push(ChunkType.I_DATA, ChunkType.I_FORWARD_TSN);
  if (c.forwardTsn) out.push({ type: ParamType.FORWARD_TSN_SUPPORTED, value: new Uint8Array(0) });
  if (ext.length > 0) out.push({ type: ParamType.SUPPORTED_EXTENSIONS, value: Uint8Array.from(ext) });
  if (c.zeroChecksum) out.push({ type: ParamType.ZERO_CHECKSUM_ACCEPTABLE, value: u32Value(1) });
  return out;
}
