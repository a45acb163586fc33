import { type AttributeCodec, bad, need } from "./codec.js";

/**
 * ICE attribute syntax only (RFC 8839 §5): the values are opaque here; the ice package gives
 * them meaning. Candidates stay strings (see MediaSection.candidates()).
 */
/** ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.1). */
function isIceChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
}

/** RFC 8839 §5.4: ice-ufrag = 4*256ice-char, ice-pwd = 22*256ice-char. */
function parseIceChars(name: string, min: number) {
  return (value: string | undefined, line?: number): string => {
    const grammar = `a=${name}:<${min} to 256 ice-chars>`;
    const v = need(value, line, grammar, name);
    if (v.length < min || v.length > 256) bad(line, grammar, v);
    for (let i = 0; i < v.length; i++) if (!isIceChar(v.charCodeAt(i))) bad(line, grammar, v);
    return v;
  };
}

export const parseIceUfrag = parseIceChars("ice-ufrag", 4);
export const parseIcePwd = parseIceChars("ice-pwd", 22);

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
