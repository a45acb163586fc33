import { type AttributeCodec, bad, need, parseUint } from "./codec.js";

/** `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]` (RFC 8866 §6.6). */
export interface Rtpmap {
  payloadType: number;
  encodingName: string;
  clockRate: number;
  /** Audio: the channel count, when written. */
  channels?: number;
}

const GRAMMAR = "a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]";

export function parseRtpmap(value: string | undefined, line?: number): Rtpmap {
  const v = need(value, line, GRAMMAR, "rtpmap");
  const sp = v.indexOf(" ");
  if (sp <= 0) bad(line, GRAMMAR, v);
  const payloadType = parseUint(v.slice(0, sp), 127);
  if (payloadType < 0) bad(line, GRAMMAR, v);
  const s1 = v.indexOf("/", sp + 1);
  if (s1 <= sp + 1) bad(line, GRAMMAR, v);
  const s2 = v.indexOf("/", s1 + 1);
  const clockRate = parseUint(v.slice(s1 + 1, s2 < 0 ? v.length : s2), Number.MAX_SAFE_INTEGER);
  if (clockRate < 0) bad(line, GRAMMAR, v);
  const r: Rtpmap = { payloadType, encodingName: v.slice(sp + 1, s1), clockRate };
  if (s2 >= 0) {
    const channels = parseUint(v.slice(s2 + 1), 255);
    if (channels < 0) bad(line, GRAMMAR, v);
    r.channels = channels;
  }
  return r;
}

export function formatRtpmap(r: Rtpmap): string {
  const base = `${r.payloadType} ${r.encodingName}/${r.clockRate}`;
  return r.channels === undefined ? base : `${base}/${r.channels}`;
}

export const rtpmap: AttributeCodec<Rtpmap> = { name: "rtpmap", parse: parseRtpmap, format: formatRtpmap };
