import { parseFmtp } from "./attributes/fmtp.js";
import { type RtcpFeedback, parseRtcpFeedback } from "./attributes/rtcp-fb.js";
import { parseRtpmap } from "./attributes/rtpmap.js";
import { parseUint } from "./attributes/codec.js";
import type { SdpAttribute } from "./types.js";

/** One payload type of an RTP media section: its rtpmap, fmtp and rtcp-fb lines joined. */
export interface Codec {
  payloadType: number;
  /** Encoding name as written (`opus`, `VP8`, `H264`, `rtx`). */
  name: string;
  clockRate: number;
  channels?: number;
  /** The fmtp parameter text, when there is an `a=fmtp` for this payload type. */
  fmtp?: string;
  /** `a=rtcp-fb` lines for this payload type and for `*`, in order. */
  feedback: RtcpFeedback[];
}

/**
 * Static payload types usable without an rtpmap (RFC 3551 §6, Tables 4 and 5); channels only where
 * the table says more than one, as an rtpmap without encoding parameters would read.
 */
const STATIC: Record<number, [string, number, number?]> = {
  0: ["PCMU", 8000],
  3: ["GSM", 8000],
  4: ["G723", 8000],
  5: ["DVI4", 8000],
  6: ["DVI4", 16000],
  7: ["LPC", 8000],
  8: ["PCMA", 8000],
  9: ["G722", 8000],
  10: ["L16", 44100, 2],
  11: ["L16", 44100],
  12: ["QCELP", 8000],
  13: ["CN", 8000],
  14: ["MPA", 90000],
  15: ["G728", 8000],
  16: ["DVI4", 11025],
  17: ["DVI4", 22050],
  18: ["G729", 8000],
  25: ["CelB", 90000],
  26: ["JPEG", 90000],
  28: ["nv", 90000],
  31: ["H261", 90000],
  32: ["MPV", 90000],
  33: ["MP2T", 90000],
  34: ["H263", 90000],
};

/**
 * Join rtpmap + fmtp + rtcp-fb per payload type, in the order of the m= line's formats. Formats
 * that are not payload types, or dynamic ones without an rtpmap, are left out. One pass over the
 * attributes; malformed lines throw SdpParseError with their line number.
 */
export function joinCodecs(formats: readonly string[], attributes: readonly SdpAttribute[]): Codec[] {
  const byPt = new Map<number, Codec>();
  const fmtps: { pt: number; params: string }[] = [];
  const feedback: RtcpFeedback[] = [];
  for (let i = 0; i < attributes.length; i++) {
    const a = attributes[i];
    const n = a.name;
    if (n === "rtpmap") {
      const r = parseRtpmap(a.value, a.line);
      const c: Codec = { payloadType: r.payloadType, name: r.encodingName, clockRate: r.clockRate, feedback: [] };
      if (r.channels !== undefined) c.channels = r.channels;
      if (!byPt.has(r.payloadType)) byPt.set(r.payloadType, c);
    } else if (n === "fmtp") {
      const f = parseFmtp(a.value, a.line);
      fmtps.push({ pt: f.payloadType, params: f.parameters });
    } else if (n === "rtcp-fb") {
      feedback.push(parseRtcpFeedback(a.value, a.line));
    }
  }
  const out: Codec[] = [];
  for (const f of formats) {
    const pt = parseUint(f, 127);
    if (pt < 0) continue;
    let c = byPt.get(pt);
    if (c === undefined) {
      const s = STATIC[pt];
      if (s === undefined) continue;
      c = { payloadType: pt, name: s[0], clockRate: s[1], feedback: [] };
      if (s[2] !== undefined) c.channels = s[2];
      byPt.set(pt, c);
    }
    out.push(c);
  }
  for (const f of fmtps) {
    const c = byPt.get(f.pt);
    if (c !== undefined && c.fmtp === undefined) c.fmtp = f.params;
  }
  for (const fb of feedback) {
    if (fb.payloadType === "*") for (const c of out) c.feedback.push(fb);
    else byPt.get(fb.payloadType)?.feedback.push(fb);
  }
  return out;
}
