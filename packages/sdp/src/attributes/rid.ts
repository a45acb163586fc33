import { type AttributeCodec, bad, need, parseUint } from "./codec.js";

/**
 * `a=rid:<rid-id> <send|recv> [pt=<fmt>,...;][<restriction>[=<value>];...]` (RFC 8851 §10).
 */
export interface Rid {
  id: string;
  direction: "send" | "recv";
  /** The `pt=` list, when present. */
  payloadTypes?: number[];
  /** Restrictions in order: `max-width`, `max-fps`, `depend`, ...; a bare name maps to undefined. */
  restrictions: Map<string, string | undefined>;
}

const GRAMMAR = "a=rid:<rid-id> send|recv [pt=<fmt>,...;][<restriction>=<value>;...]";

/** rid-id = 1*(alpha-numeric / "-" / "_") (RFC 8851 §10). */
export function isRidId(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95;
    if (!ok) return false;
  }
  return true;
}

export function parseRid(value: string | undefined, line?: number): Rid {
  const v = need(value, line, GRAMMAR, "rid");
  const sp = v.indexOf(" ");
  if (sp <= 0) bad(line, GRAMMAR, v);
  const id = v.slice(0, sp);
  if (!isRidId(id)) bad(line, GRAMMAR, v);
  const sp2 = v.indexOf(" ", sp + 1);
  const dir = v.slice(sp + 1, sp2 < 0 ? v.length : sp2);
  if (dir !== "send" && dir !== "recv") bad(line, GRAMMAR, v);
  const rid: Rid = { id, direction: dir, restrictions: new Map() };
  if (sp2 < 0) return rid;
  const parts = v.slice(sp2 + 1).split(";");
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    const eq = p.indexOf("=");
    const key = eq < 0 ? p : p.slice(0, eq);
    if (key.length === 0) bad(line, GRAMMAR, v);
    if (i === 0 && key === "pt") {
      const pts = p.slice(eq + 1).split(",");
      rid.payloadTypes = pts.map((t) => {
        const n = parseUint(t, 127);
        if (n < 0) bad(line, GRAMMAR, v);
        return n;
      });
    } else {
      rid.restrictions.set(key, eq < 0 ? undefined : p.slice(eq + 1));
    }
  }
  return rid;
}

export function formatRid(r: Rid): string {
  const params: string[] = [];
  if (r.payloadTypes !== undefined) params.push(`pt=${r.payloadTypes.join(",")}`);
  for (const [k, val] of r.restrictions) params.push(val === undefined ? k : `${k}=${val}`);
  const base = `${r.id} ${r.direction}`;
  return params.length === 0 ? base : `${base} ${params.join(";")}`;
}

export const rid: AttributeCodec<Rid> = { name: "rid", parse: parseRid, format: formatRid };
