import {
  formatBandwidth,
  formatConnection,
  formatMediaLine,
  formatOrigin,
} from "./fields.js";
import type { MediaSection } from "./media-section.js";
import type { SdpSection } from "./section.js";
import type { SessionDescription } from "./session-description.js";

/**
 * Write a description in the order of RFC 8866 §5: v o s i u e p c b t r z k a, then for each
 * media section m i c b k a. Lines of unknown type go back among the attributes where they were.
 * A description parsed from a browser's SDP comes back byte for byte.
 */
export function serializeSdp(desc: SessionDescription): string {
  const eol = desc.lineEnding;
  let out = `v=${desc.version}${eol}o=${formatOrigin(desc.origin)}${eol}s=${desc.sessionName}${eol}`;
  if (desc.info !== undefined) out += `i=${desc.info}${eol}`;
  if (desc.uri !== undefined) out += `u=${desc.uri}${eol}`;
  for (const e of desc.emails) out += `e=${e}${eol}`;
  for (const p of desc.phones) out += `p=${p}${eol}`;
  if (desc.connection !== undefined) out += `c=${formatConnection(desc.connection)}${eol}`;
  for (const b of desc.bandwidths) out += `b=${formatBandwidth(b)}${eol}`;
  for (const t of desc.times) {
    out += `t=${t.start} ${t.stop}${eol}`;
    for (const r of t.repeats) out += `r=${r}${eol}`;
  }
  if (desc.timeZones !== undefined) out += `z=${desc.timeZones}${eol}`;
  if (desc.key !== undefined) out += `k=${desc.key}${eol}`;
  out += attributeLines(desc, eol);
  for (const m of desc.media) out += mediaSection(m, eol);
  return out;
}

function mediaSection(m: MediaSection, eol: string): string {
  let out = `m=${formatMediaLine(m)}${eol}`;
  if (m.info !== undefined) out += `i=${m.info}${eol}`;
  if (m.connection !== undefined) out += `c=${formatConnection(m.connection)}${eol}`;
  for (const b of m.bandwidths) out += `b=${formatBandwidth(b)}${eol}`;
  if (m.key !== undefined) out += `k=${m.key}${eol}`;
  return out + attributeLines(m, eol);
}

function attributeLines(s: SdpSection, eol: string): string {
  const attrs = s.attributes;
  const extras = s.extraLines;
  let out = "";
  let x = 0;
  for (let i = 0; i < attrs.length; i++) {
    while (x < extras.length && extras[x].beforeAttribute <= i) {
      out += `${extras[x].type}=${extras[x].value}${eol}`;
      x++;
    }
    const a = attrs[i];
    out += a.value === undefined ? `a=${a.name}${eol}` : `a=${a.name}:${a.value}${eol}`;
  }
  for (; x < extras.length; x++) out += `${extras[x].type}=${extras[x].value}${eol}`;
  return out;
}
