import { type AttributeCodec, bad, need } from "./codec.js";

/** `a=group:<semantics> <identification-tag> ...` (RFC 5888 §5), e.g. `a=group:BUNDLE 0 1 2`. */
export interface Group {
  /** `BUNDLE` (RFC 9143), `LS`, `FID`, ... */
  semantics: string;
  mids: string[];
}

const GRAMMAR = "a=group:<semantics> [<identification-tag> ...]";

export function parseGroup(value: string | undefined, line?: number): Group {
  const v = need(value, line, GRAMMAR, "group");
  const parts = v.split(" ");
  for (let i = 0; i < parts.length; i++) if (parts[i].length === 0) bad(line, GRAMMAR, v);
  return { semantics: parts[0], mids: parts.slice(1) };
}

export function formatGroup(g: Group): string {
  return g.mids.length === 0 ? g.semantics : `${g.semantics} ${g.mids.join(" ")}`;
}

export const group: AttributeCodec<Group> = { name: "group", parse: parseGroup, format: formatGroup };
