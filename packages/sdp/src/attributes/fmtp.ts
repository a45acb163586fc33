import { type AttributeCodec, bad, need, parseUint } from "./codec.js";

/** `a=fmtp:<format> <format specific parameters>` (RFC 8866 §6.15), for an RTP payload type. */
export interface Fmtp {
  payloadType: number;
  /** The parameter text as written (`minptime=10;useinbandfec=1`, `0-15`, `111/111`). */
  parameters: string;
}

const GRAMMAR = "a=fmtp:<payload type> <format specific parameters>";

export function parseFmtp(value: string | undefined, line?: number): Fmtp {
  const v = need(value, line, GRAMMAR, "fmtp");
  const sp = v.indexOf(" ");
  const payloadType = parseUint(sp < 0 ? v : v.slice(0, sp), 127);
  if (payloadType < 0) bad(line, GRAMMAR, v);
  return { payloadType, parameters: sp < 0 ? "" : v.slice(sp + 1) };
}

export function formatFmtp(f: Fmtp): string {
  return f.parameters === "" ? `${f.payloadType}` : `${f.payloadType} ${f.parameters}`;
}

/**
 * Split `key=value;key2=value2` into an ordered map. A part without `=` (`0-15`, `111/111`) maps
 * to undefined. Spaces around parts are dropped (some stacks write `a=1; b=2`).
 */
export function parseFmtpParameters(parameters: string): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  if (parameters.length === 0) return out;
  for (const raw of parameters.split(";")) {
    const part = raw.trim();
    if (part.length === 0) continue;
    const eq = part.indexOf("=");
    if (eq < 0) out.set(part, undefined);
    else out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

export function formatFmtpParameters(params: ReadonlyMap<string, string | undefined>): string {
  let s = "";
  for (const [k, v] of params) {
    if (s.length > 0) s += ";";
    s += v === undefined ? k : `${k}=${v}`;
  }
  return s;
}

export const fmtp: AttributeCodec<Fmtp> = { name: "fmtp", parse: parseFmtp, format: formatFmtp };
