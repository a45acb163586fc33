import { type AttributeCodec, bad, need } from "./codec.js";

/** `a=mid:<identification-tag>` (RFC 5888 §4; RFC 9143 limits it to 16 token characters). */
export function parseMid(value: string | undefined, line?: number): string {
  const grammar = "a=mid:<identification-tag>";
  const v = need(value, line, grammar, "mid");
  if (v.length === 0 || v.includes(" ")) bad(line, grammar, v);
  return v;
}

export const mid: AttributeCodec<string> = { name: "mid", parse: parseMid, format: (v) => v };
