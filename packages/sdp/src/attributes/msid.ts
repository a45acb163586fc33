import { type AttributeCodec, bad, need } from "./codec.js";

/** `a=msid:<stream id> [<track id>]` (RFC 8830 §2). */
export interface Msid {
  streamId: string;
  /** The "appdata" part; the track id in browsers' SDP. */
  trackId?: string;
}

/**
 * `a=msid-semantic:<semantic> <identifier> ...` (the WMS attribute browsers still write). Chromium
 * writes a space after the colon (`a=msid-semantic: WMS <id>`), Firefox does not; both parse.
 */
export interface MsidSemantic {
  semantic: string;
  /** Stream ids, or `*` for all. */
  identifiers: string[];
}

const MSID = "a=msid:<stream id> [<track id>]";
const SEMANTIC = "a=msid-semantic:<semantic> [<identifier> ...]";

export function parseMsid(value: string | undefined, line?: number): Msid {
  const v = need(value, line, MSID, "msid");
  const sp = v.indexOf(" ");
  if (sp === 0 || v.length === 0) bad(line, MSID, v);
  if (sp < 0) return { streamId: v };
  if (sp === v.length - 1 || v.indexOf(" ", sp + 1) >= 0) bad(line, MSID, v);
  return { streamId: v.slice(0, sp), trackId: v.slice(sp + 1) };
}

export function formatMsid(m: Msid): string {
  return m.trackId === undefined ? m.streamId : `${m.streamId} ${m.trackId}`;
}

export function parseMsidSemantic(value: string | undefined, line?: number): MsidSemantic {
  const v = need(value, line, SEMANTIC, "msid-semantic");
  const start = v.charCodeAt(0) === 32 ? 1 : 0;
  const parts = v.slice(start).split(" ");
  if (parts[0].length === 0) bad(line, SEMANTIC, v);
  for (let i = 1; i < parts.length; i++) if (parts[i].length === 0) bad(line, SEMANTIC, v);
  return { semantic: parts[0], identifiers: parts.slice(1) };
}

/** Written the RFC way, without Chromium's space after the colon. */
export function formatMsidSemantic(m: MsidSemantic): string {
  return m.identifiers.length === 0 ? m.semantic : `${m.semantic} ${m.identifiers.join(" ")}`;
}

export const msid: AttributeCodec<Msid> = { name: "msid", parse: parseMsid, format: formatMsid };
export const msidSemantic: AttributeCodec<MsidSemantic> = {
  name: "msid-semantic",
  parse: parseMsidSemantic,
  format: formatMsidSemantic,
};
