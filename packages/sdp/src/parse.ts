import { TYPED_ATTRIBUTES } from "./attributes/registry.js";
import { SdpParseError } from "./errors.js";
import {
  ORIGIN_GRAMMAR,
  parseBandwidth,
  parseConnection,
  parseMediaLine,
  parseOrigin,
  parseTime,
} from "./fields.js";
import { MediaSection } from "./media-section.js";
import type { SdpSection } from "./section.js";
import { SessionDescription } from "./session-description.js";

export interface ParseOptions {
  /**
   * Also check the syntax of every attribute that has a typed accessor (rtpmap, fmtp, extmap,
   * fingerprint, ...), so a malformed one fails here rather than when it is first read.
   */
  validate?: boolean;
}

const LINE_GRAMMAR = '"<type>=<value>"';
const CH_A = 97;
const CH_EQ = 61;
const CH_CR = 13;
const CH_LF = 10;

/**
 * Parse a session description (RFC 8866 §5, §9) in one pass. Lines end in CRLF or LF (the first
 * line's ending is remembered for serializeSdp); a missing final line ending and trailing empty
 * lines are accepted. `v=`, `o=`, `s=` must come first, in that order; the other session lines may
 * come in any order, as parsers in browsers allow. Unknown line types are kept in order. Attribute
 * values are kept as text and parsed when a typed accessor asks (or now, with `validate`).
 * Throws SdpParseError naming the 1-based line and what was expected there.
 */
export function parseSdp(text: string, options?: ParseOptions): SessionDescription {
  const desc = new SessionDescription();
  desc.times = [];
  const len = text.length;
  let pos = 0;
  let lineNo = 0;
  let stage = 0; // 0: want v=, 1: want o=, 2: want s=, 3: session body, 4: media
  let section: SdpSection = desc;
  let media: MediaSection | undefined;
  while (pos < len) {
    let nl = text.indexOf("\n", pos);
    if (nl < 0) nl = len;
    let end = nl;
    if (end > pos && text.charCodeAt(end - 1) === CH_CR) end--;
    lineNo++;
    if (lineNo === 1) desc.lineEnding = end < nl ? "\r\n" : "\n";
    if (end === pos) {
      // An empty line: accepted only as trailing padding.
      if (onlyLineBreaks(text, nl)) break;
      throw new SdpParseError(lineNo, LINE_GRAMMAR, "", "bad-line");
    }
    if (end - pos < 2 || text.charCodeAt(pos + 1) !== CH_EQ) {
      throw new SdpParseError(lineNo, LINE_GRAMMAR, text.slice(pos, end), "bad-line");
    }
    const type = text.charCodeAt(pos);
    if (type === CH_A && stage >= 3) {
      // a=<name>[:<value>] — the hot path: a short scan for ':' inside this line, two slices.
      let colon = pos + 2;
      while (colon < end && text.charCodeAt(colon) !== 58) colon++;
      section.attributes.push(
        colon < end
          ? { name: text.slice(pos + 2, colon), value: text.slice(colon + 1, end), line: lineNo }
          : { name: text.slice(pos + 2, end), value: undefined, line: lineNo },
      );
    } else {
      const value = text.slice(pos + 2, end);
      switch (stage) {
        case 0:
          if (type !== 118 /* v */ || !isDigits(value)) {
            throw new SdpParseError(lineNo, '"v=0"', text.slice(pos, end), "missing-version");
          }
          desc.version = Number(value);
          stage = 1;
          break;
        case 1:
          if (type !== 111 /* o */) throw new SdpParseError(lineNo, ORIGIN_GRAMMAR, text.slice(pos, end), "missing-origin");
          desc.origin = parseOrigin(value, lineNo);
          stage = 2;
          break;
        case 2:
          if (type !== 115 /* s */) {
            throw new SdpParseError(lineNo, '"s=<session name>"', text.slice(pos, end), "missing-session-name");
          }
          desc.sessionName = value;
          stage = 3;
          break;
        case 3:
          if (type === 109 /* m */) {
            media = newMedia(value, lineNo);
            desc.media.push(media);
            section = media;
            stage = 4;
          } else sessionLine(desc, type, value, lineNo);
          break;
        default:
          if (type === 109 /* m */) {
            media = newMedia(value, lineNo);
            desc.media.push(media);
            section = media;
          } else mediaLine(media!, type, value, lineNo);
      }
    }
    pos = nl + 1;
  }
  if (stage < 3) {
    const want = ['"v=0"', ORIGIN_GRAMMAR, '"s=<session name>"'][stage];
    throw new SdpParseError(lineNo + 1, want, undefined, "truncated");
  }
  if (options?.validate) validate(desc);
  return desc;
}

function isDigits(s: string): boolean {
  if (s.length === 0 || s.length > 9) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function onlyLineBreaks(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== CH_CR && c !== CH_LF) return false;
  }
  return true;
}

function newMedia(value: string, line: number): MediaSection {
  const m = parseMediaLine(value, line);
  return new MediaSection(m.kind, m.port, m.protocol, m.formats, m.portCount);
}

function once(present: boolean, line: number, type: string, value: string, where: string): void {
  if (present) {
    throw new SdpParseError(line, `at most one "${type}=" line ${where}`, `${type}=${value}`, "duplicate-line");
  }
}

function extra(section: SdpSection, type: number, value: string, line: number): void {
  section.extraLines.push({
    type: String.fromCharCode(type),
    value,
    line,
    beforeAttribute: section.attributes.length,
  });
}

/** A session-level line after `s=` (RFC 8866 §5.4-§5.13). */
function sessionLine(desc: SessionDescription, type: number, value: string, line: number): void {
  switch (type) {
    case 105 /* i */:
      once(desc.info !== undefined, line, "i", value, "in the session");
      desc.info = value;
      return;
    case 117 /* u */:
      once(desc.uri !== undefined, line, "u", value, "in the session");
      desc.uri = value;
      return;
    case 101 /* e */:
      desc.emails.push(value);
      return;
    case 112 /* p */:
      desc.phones.push(value);
      return;
    case 99 /* c */:
      once(desc.connection !== undefined, line, "c", value, "in the session");
      desc.connection = parseConnection(value, line);
      return;
    case 98 /* b */:
      desc.bandwidths.push(parseBandwidth(value, line));
      return;
    case 116 /* t */:
      desc.times.push(parseTime(value, line));
      return;
    case 114 /* r */:
      if (desc.times.length === 0) throw new SdpParseError(line, '"t=" before "r="', `r=${value}`, "unexpected-line");
      desc.times[desc.times.length - 1].repeats.push(value);
      return;
    case 122 /* z */:
      once(desc.timeZones !== undefined, line, "z", value, "in the session");
      desc.timeZones = value;
      return;
    case 107 /* k */:
      once(desc.key !== undefined, line, "k", value, "in the session");
      desc.key = value;
      return;
    case 118 /* v */:
    case 111 /* o */:
    case 115 /* s */:
      throw new SdpParseError(line, "a session-level line", `${String.fromCharCode(type)}=${value}`, "unexpected-line");
    default:
      extra(desc, type, value, line);
  }
}

/** A line inside a media section (RFC 8866 §5.14: i=, c=, b=, k=, a=). */
function mediaLine(m: MediaSection, type: number, value: string, line: number): void {
  switch (type) {
    case 105 /* i */:
      once(m.info !== undefined, line, "i", value, "per media section");
      m.info = value;
      return;
    case 99 /* c */:
      once(m.connection !== undefined, line, "c", value, "per media section");
      m.connection = parseConnection(value, line);
      return;
    case 98 /* b */:
      m.bandwidths.push(parseBandwidth(value, line));
      return;
    case 107 /* k */:
      once(m.key !== undefined, line, "k", value, "per media section");
      m.key = value;
      return;
    case 118 /* v */:
    case 111 /* o */:
    case 115 /* s */:
    case 117 /* u */:
    case 101 /* e */:
    case 112 /* p */:
    case 116 /* t */:
    case 114 /* r */:
    case 122 /* z */:
      throw new SdpParseError(
        line,
        "a media-level line (i=, c=, b=, k=, a=) or m=",
        `${String.fromCharCode(type)}=${value}`,
        "unexpected-line",
      );
    default:
      extra(m, type, value, line);
  }
}

/** Run every typed attribute parser once (ParseOptions.validate). */
function validate(desc: SessionDescription): void {
  const sections: SdpSection[] = [desc, ...desc.media];
  for (const s of sections) {
    for (const a of s.attributes) {
      const codec = TYPED_ATTRIBUTES.get(a.name);
      if (codec !== undefined) codec.parse(a.value, a.line);
      else if (a.name === "candidate" && (a.value === undefined || a.value.length === 0)) {
        throw new SdpParseError(a.line, '"a=candidate:<candidate-attribute>"', `a=${a.name}`, "bad-attribute");
      }
    }
  }
}
