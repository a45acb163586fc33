import { type AttributeCodec, bad, need } from "./codec.js";
import { isRidId } from "./rid.js";

/** One rid in a simulcast list; `paused` is the `~` prefix (RFC 8853 §5.1). */
export interface SimulcastRid {
  rid: string;
  paused: boolean;
}

/** One simulcast stream: its alternative rids (`a,b`), in preference order. */
export type SimulcastStream = SimulcastRid[];

/** `a=simulcast:send <streams> [recv <streams>]` or the reverse (RFC 8853 §5.1). */
export interface Simulcast {
  send?: SimulcastStream[];
  recv?: SimulcastStream[];
}

const GRAMMAR = "a=simulcast:<send|recv> <rid>[,<alt>];... [<recv|send> <rid>;...]";

function parseList(text: string, line: number | undefined, whole: string): SimulcastStream[] {
  const streams: SimulcastStream[] = [];
  for (const alt of text.split(";")) {
    const stream: SimulcastStream = [];
    for (const id of alt.split(",")) {
      const paused = id.charCodeAt(0) === 126; // "~"
      const rid = paused ? id.slice(1) : id;
      if (!isRidId(rid)) bad(line, GRAMMAR, whole);
      stream.push({ rid, paused });
    }
    streams.push(stream);
  }
  return streams;
}

export function parseSimulcast(value: string | undefined, line?: number): Simulcast {
  const v = need(value, line, GRAMMAR, "simulcast");
  const parts = v.split(" ");
  if (parts.length !== 2 && parts.length !== 4) bad(line, GRAMMAR, v);
  const out: Simulcast = {};
  for (let i = 0; i < parts.length; i += 2) {
    const dir = parts[i];
    if ((dir !== "send" && dir !== "recv") || out[dir] !== undefined) bad(line, GRAMMAR, v);
    out[dir] = parseList(parts[i + 1], line, v);
  }
  return out;
}

function formatList(streams: SimulcastStream[]): string {
  return streams.map((alts) => alts.map((a) => (a.paused ? `~${a.rid}` : a.rid)).join(",")).join(";");
}

export function formatSimulcast(s: Simulcast): string {
  const parts: string[] = [];
  if (s.send !== undefined) parts.push(`send ${formatList(s.send)}`);
  if (s.recv !== undefined) parts.push(`recv ${formatList(s.recv)}`);
  return parts.join(" ");
}

export const simulcast: AttributeCodec<Simulcast> = {
  name: "simulcast",
  parse: parseSimulcast,
  format: formatSimulcast,
};
