import { type AttributeCodec, bad, MAX_U32, need, parseUint } from "./codec.js";

/** `a=ssrc:<ssrc-id> <attribute>[:<value>]` (RFC 5576 §4.1). */
export interface SsrcAttribute {
  ssrc: number;
  /** `cname`, `msid`, ... */
  attribute: string;
  value?: string;
}

/** `a=ssrc-group:<semantics> <ssrc-id> ...` (RFC 5576 §4.2). */
export interface SsrcGroup {
  /** `FID`, `FEC-FR`, `SIM`, ... */
  semantics: string;
  ssrcs: number[];
}

const SSRC = "a=ssrc:<ssrc-id> <attribute>[:<value>]";
const GROUP = "a=ssrc-group:<semantics> <ssrc-id> ...";

export function parseSsrc(value: string | undefined, line?: number): SsrcAttribute {
  const v = need(value, line, SSRC, "ssrc");
  const sp = v.indexOf(" ");
  if (sp <= 0 || sp === v.length - 1) bad(line, SSRC, v);
  const ssrc = parseUint(v.slice(0, sp), MAX_U32);
  if (ssrc < 0) bad(line, SSRC, v);
  const colon = v.indexOf(":", sp + 1);
  if (colon === sp + 1) bad(line, SSRC, v);
  if (colon < 0) return { ssrc, attribute: v.slice(sp + 1) };
  return { ssrc, attribute: v.slice(sp + 1, colon), value: v.slice(colon + 1) };
}

export function formatSsrc(s: SsrcAttribute): string {
  const base = `${s.ssrc} ${s.attribute}`;
  return s.value === undefined ? base : `${base}:${s.value}`;
}

export function parseSsrcGroup(value: string | undefined, line?: number): SsrcGroup {
  const v = need(value, line, GROUP, "ssrc-group");
  const parts = v.split(" ");
  if (parts[0].length === 0) bad(line, GROUP, v);
  const ssrcs: number[] = [];
  for (let i = 1; i < parts.length; i++) {
    const n = parseUint(parts[i], MAX_U32);
    if (n < 0) bad(line, GROUP, v);
    ssrcs.push(n);
  }
  return { semantics: parts[0], ssrcs };
}

export function formatSsrcGroup(g: SsrcGroup): string {
  return g.ssrcs.length === 0 ? g.semantics : `${g.semantics} ${g.ssrcs.join(" ")}`;
}

export const ssrc: AttributeCodec<SsrcAttribute> = { name: "ssrc", parse: parseSsrc, format: formatSsrc };
export const ssrcGroup: AttributeCodec<SsrcGroup> = {
  name: "ssrc-group",
  parse: parseSsrcGroup,
  format: formatSsrcGroup,
};
