/**
 * The fixed-form lines (RFC 8866 §5): `o=`, `c=`, `b=`, `t=`, `m=`. Each parser takes the text
 * after `<type>=` and its line number, and throws SdpParseError saying what was expected.
 */
import { parseUint } from "./attributes/codec.js";
import { SdpParseError } from "./errors.js";
import type { SdpBandwidth, SdpConnection, SdpMediaLine, SdpOrigin, SdpTime } from "./types.js";

export const ORIGIN_GRAMMAR =
  '"o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>"';
export const CONNECTION_GRAMMAR = '"c=<nettype> <addrtype> <connection-address>"';
export const BANDWIDTH_GRAMMAR = '"b=<bwtype>:<bandwidth>"';
export const TIME_GRAMMAR = '"t=<start-time> <stop-time>"';
export const MEDIA_GRAMMAR = '"m=<media> <port>[/<number of ports>] <proto> <fmt> ..."';

function fail(line: number, grammar: string, type: string, value: string, code: string): never {
  throw new SdpParseError(line, grammar, `${type}=${value}`, code);
}

/** Split on single spaces into exactly `n` non-empty fields, or undefined. */
function fields(value: string, n: number): string[] | undefined {
  const parts = value.split(" ");
  if (parts.length !== n) return undefined;
  for (let i = 0; i < n; i++) if (parts[i].length === 0) return undefined;
  return parts;
}

/** RFC 8866 §5.2. */
export function parseOrigin(value: string, line: number): SdpOrigin {
  const p = fields(value, 6);
  if (p === undefined) fail(line, ORIGIN_GRAMMAR, "o", value, "bad-origin");
  return { username: p[0], sessionId: p[1], sessionVersion: p[2], netType: p[3], addrType: p[4], address: p[5] };
}

export function formatOrigin(o: SdpOrigin): string {
  return `${o.username} ${o.sessionId} ${o.sessionVersion} ${o.netType} ${o.addrType} ${o.address}`;
}

/** RFC 8866 §5.7. */
export function parseConnection(value: string, line: number): SdpConnection {
  const p = fields(value, 3);
  if (p === undefined) fail(line, CONNECTION_GRAMMAR, "c", value, "bad-connection");
  return { netType: p[0], addrType: p[1], address: p[2] };
}

export function formatConnection(c: SdpConnection): string {
  return `${c.netType} ${c.addrType} ${c.address}`;
}

/** RFC 8866 §5.8: bwtype is a token, bandwidth 1*DIGIT (kilobits/s for AS and CT, bits/s for TIAS). */
export function parseBandwidth(value: string, line: number): SdpBandwidth {
  const colon = value.indexOf(":");
  const bandwidth = colon > 0 ? parseUint(value.slice(colon + 1), Number.MAX_SAFE_INTEGER) : -1;
  if (bandwidth < 0) fail(line, BANDWIDTH_GRAMMAR, "b", value, "bad-bandwidth");
  return { type: value.slice(0, colon), bandwidth };
}

export function formatBandwidth(b: SdpBandwidth): string {
  return `${b.type}:${b.bandwidth}`;
}

/** RFC 8866 §5.9. */
export function parseTime(value: string, line: number): SdpTime {
  const p = fields(value, 2);
  const start = p === undefined ? -1 : parseUint(p[0], Number.MAX_SAFE_INTEGER);
  const stop = p === undefined ? -1 : parseUint(p[1], Number.MAX_SAFE_INTEGER);
  if (start < 0 || stop < 0) fail(line, TIME_GRAMMAR, "t", value, "bad-time");
  return { start, stop, repeats: [] };
}

/** RFC 8866 §5.14. Zero formats are accepted (some stacks write them for rejected sections). */
export function parseMediaLine(value: string, line: number): SdpMediaLine {
  const parts = value.split(" ");
  if (parts.length < 3) fail(line, MEDIA_GRAMMAR, "m", value, "bad-media");
  for (let i = 0; i < parts.length; i++) {
    if (parts[i].length === 0) fail(line, MEDIA_GRAMMAR, "m", value, "bad-media");
  }
  const portText = parts[1];
  const slash = portText.indexOf("/");
  const port = parseUint(slash < 0 ? portText : portText.slice(0, slash), 65535);
  const portCount = slash < 0 ? undefined : parseUint(portText.slice(slash + 1), 65535);
  if (port < 0 || (portCount !== undefined && portCount < 0)) fail(line, MEDIA_GRAMMAR, "m", value, "bad-media");
  return { kind: parts[0], port, portCount, protocol: parts[2], formats: parts.slice(3) };
}

export function formatMediaLine(m: SdpMediaLine): string {
  let s = m.portCount === undefined ? `${m.kind} ${m.port} ${m.protocol}` : `${m.kind} ${m.port}/${m.portCount} ${m.protocol}`;
  for (let i = 0; i < m.formats.length; i++) s += ` ${m.formats[i]}`;
  return s;
}
