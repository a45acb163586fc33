import { type AttributeCodec, bad, need } from "./codec.js";

/** `a=setup:<role>` (RFC 4145 §4, used by RFC 8842 for DTLS). */
export type SetupRole = "actpass" | "active" | "passive" | "holdconn";

const ROLES: readonly string[] = ["actpass", "active", "passive", "holdconn"];
const GRAMMAR = "a=setup:actpass|active|passive|holdconn";

export function parseSetup(value: string | undefined, line?: number): SetupRole {
  const v = need(value, line, GRAMMAR, "setup");
  if (!ROLES.includes(v)) bad(line, GRAMMAR, v);
  return v as SetupRole;
}

export const setup: AttributeCodec<SetupRole> = { name: "setup", parse: parseSetup, format: (r) => r };
