import { type AttributeCodec, bad, need } from "./codec.js";

/**
 * ICE attribute syntax only (RFC 8839 §5): the values are opaque here; the ice package gives
 * them meaning. Candidates stay strings (see MediaSection.candidates()).
 */
function parseToken(name: string) {
  return (value: string | undefined, line?: number): string => {
    const grammar = `a=${name}:<value>`;
    const v = need(value, line, grammar, name);
    if (v.length === 0 || v.includes(" ")) bad(line, grammar, v);
    return v;
  };
}

export const parseIceUfrag = parseToken("ice-ufrag");
export const parseIcePwd = parseToken("ice-pwd");

/** `a=ice-options:<tag> ...` (RFC 8839 §5.6). */
export function parseIceOptions(value: string | undefined, line?: number): string[] {
  const grammar = "a=ice-options:<ice-option-tag> ...";
  const v = need(value, line, grammar, "ice-options");
  const tags = v.split(" ");
  for (const t of tags) if (t.length === 0) bad(line, grammar, v);
  return tags;
}

export const iceUfrag: AttributeCodec<string> = { name: "ice-ufrag", parse: parseIceUfrag, format: (v) => v };
export const icePwd: AttributeCodec<string> = { name: "ice-pwd", parse: parseIcePwd, format: (v) => v };
export const iceOptions: AttributeCodec<string[]> = {
  name: "ice-options",
  parse: parseIceOptions,
  format: (v) => v.join(" "),
};
