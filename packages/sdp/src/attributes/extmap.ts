import type { Direction } from "../types.js";
import { type AttributeCodec, bad, need, parseUint } from "./codec.js";
import { isDirection } from "./direction.js";

/** `a=extmap:<id>[/<direction>] <URI> [<extension attributes>]` (RFC 8285 §5). */
export interface Extmap {
  id: number;
  direction?: Direction;
  uri: string;
  /** Everything after the URI, as written. */
  attributes?: string;
}

const GRAMMAR = "a=extmap:<id>[/<direction>] <URI> [<extension attributes>]";

export function parseExtmap(value: string | undefined, line?: number): Extmap {
  const v = need(value, line, GRAMMAR, "extmap");
  const sp = v.indexOf(" ");
  if (sp <= 0 || sp === v.length - 1) bad(line, GRAMMAR, v);
  const slash = v.indexOf("/");
  const idEnd = slash >= 0 && slash < sp ? slash : sp;
  const id = parseUint(v.slice(0, idEnd), 65535);
  if (id < 0) bad(line, GRAMMAR, v);
  const r: Extmap = { id, uri: "" };
  if (idEnd === slash) {
    const dir = v.slice(slash + 1, sp);
    if (!isDirection(dir)) bad(line, GRAMMAR, v);
    r.direction = dir;
  }
  const sp2 = v.indexOf(" ", sp + 1);
  if (sp2 === sp + 1) bad(line, GRAMMAR, v);
  if (sp2 < 0) r.uri = v.slice(sp + 1);
  else {
    r.uri = v.slice(sp + 1, sp2);
    r.attributes = v.slice(sp2 + 1);
  }
  return r;
}

export function formatExtmap(e: Extmap): string {
  let s = e.direction === undefined ? `${e.id} ${e.uri}` : `${e.id}/${e.direction} ${e.uri}`;
  if (e.attributes !== undefined) s += ` ${e.attributes}`;
  return s;
}

export const extmap: AttributeCodec<Extmap> = { name: "extmap", parse: parseExtmap, format: formatExtmap };
