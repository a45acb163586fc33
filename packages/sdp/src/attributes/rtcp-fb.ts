import { type AttributeCodec, bad, need, parseUint } from "./codec.js";

/** `a=rtcp-fb:<pt|*> <type> [<parameter>]` (RFC 4585 §4.2). */
export interface RtcpFeedback {
  payloadType: number | "*";
  /** `nack`, `ccm`, `goog-remb`, `transport-cc`, `trr-int`, ... */
  type: string;
  /** The rest after the type: `pli`, `fir`, `tmmbr smaxpr=120`; undefined when none. */
  parameter?: string;
}

const GRAMMAR = "a=rtcp-fb:<payload type> <feedback type> [<parameter>]";

export function parseRtcpFeedback(value: string | undefined, line?: number): RtcpFeedback {
  const v = need(value, line, GRAMMAR, "rtcp-fb");
  const sp = v.indexOf(" ");
  if (sp <= 0 || sp === v.length - 1) bad(line, GRAMMAR, v);
  const ptText = v.slice(0, sp);
  let payloadType: number | "*";
  if (ptText === "*") payloadType = "*";
  else {
    payloadType = parseUint(ptText, 127);
    if (payloadType < 0) bad(line, GRAMMAR, v);
  }
  const sp2 = v.indexOf(" ", sp + 1);
  if (sp2 < 0) return { payloadType, type: v.slice(sp + 1) };
  if (sp2 === sp + 1) bad(line, GRAMMAR, v);
  return { payloadType, type: v.slice(sp + 1, sp2), parameter: v.slice(sp2 + 1) };
}

export function formatRtcpFeedback(f: RtcpFeedback): string {
  const base = `${f.payloadType} ${f.type}`;
  return f.parameter === undefined ? base : `${base} ${f.parameter}`;
}

export const rtcpFb: AttributeCodec<RtcpFeedback> = {
  name: "rtcp-fb",
  parse: parseRtcpFeedback,
  format: formatRtcpFeedback,
};
