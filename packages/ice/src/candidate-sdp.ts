/**
 * The a=candidate attribute (RFC 8839 §5.1), with the extensions browsers send: tcptype
 * (RFC 6544 §4.5), generation, ufrag, network-id and network-cost. Unknown extensions are kept
 * in order and written back.
 *
 *   candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type>
 *             [raddr <address>] [rport <port>] *(<ext-name> <ext-value>)
 */
import { ParseError } from "@tsrtc/base";
import type { Candidate, CandidateType, TcpType } from "./candidate.js";

const TYPES: ReadonlySet<string> = new Set(["host", "srflx", "prflx", "relay"]);
const ICE_CHARS = /^[A-Za-z0-9+/]{1,32}$/;
const DIGITS = /^\d+$/;

function fail(code: string, message: string, offset: number): never {
  throw new ParseError("ice", code, message, offset);
}

function num(tok: string, max: number, what: string, at: number): number {
  if (!DIGITS.test(tok) || tok.length > 10) fail("bad-number", `${what} is not a number: ${tok}`, at);
  const v = Number(tok);
  if (v > max) fail("out-of-range", `${what} out of range: ${tok}`, at);
  return v;
}

/**
 * Parse a candidate from any of its usual spellings: "a=candidate:...", "candidate:..." (the
 * RTCIceCandidate.candidate form), or the bare value. Throws ParseError("ice", ...) on bad input.
 */
export function parseCandidate(line: string): Candidate {
  let s = line.trim();
  if (s.startsWith("a=")) s = s.slice(2);
  if (s.toLowerCase().startsWith("candidate:")) s = s.slice(10);
  const tok = s.split(/\s+/);
  if (tok.length < 8) fail("truncated", `a candidate needs 8 fields, got ${tok.length}`, 0);
  const [foundation, comp, transport, prio, addr, port, typ, type] = tok;
  if (!ICE_CHARS.test(foundation)) fail("bad-foundation", `bad foundation: ${foundation}`, 0);
  if (typ !== "typ") fail("bad-syntax", `expected "typ", got ${typ}`, 6);
  if (!TYPES.has(type)) fail("bad-type", `unknown candidate type: ${type}`, 7);
  if (addr.length === 0 || addr.length > 255) fail("bad-address", "bad connection address", 4);
  const c: Candidate = {
    foundation,
    component: num(comp, 256, "component", 1),
    transport,
    priority: num(prio, 0xffffffff, "priority", 3),
    address: addr,
    port: num(port, 65535, "port", 5),
    type: type as CandidateType,
    extensions: [],
  };
  if (c.component < 1) fail("out-of-range", "component must be at least 1", 1);
  for (let i = 8; i < tok.length; i += 2) {
    const name = tok[i];
    const value = tok[i + 1];
    if (value === undefined) fail("truncated", `extension ${name} has no value`, i);
    switch (name) {
      case "raddr":
        c.relatedAddress = value;
        break;
      case "rport":
        c.relatedPort = num(value, 65535, "rport", i + 1);
        break;
      case "tcptype":
        if (value !== "active" && value !== "passive" && value !== "so") fail("bad-tcptype", `bad tcptype: ${value}`, i + 1);
        c.tcpType = value as TcpType;
        break;
      case "generation":
        c.generation = num(value, 0xffffffff, "generation", i + 1);
        break;
      case "ufrag":
        c.ufrag = value;
        break;
      case "network-id":
        c.networkId = num(value, 0xffffffff, "network-id", i + 1);
        break;
      case "network-cost":
        c.networkCost = num(value, 0xffffffff, "network-cost", i + 1);
        break;
      default:
        c.extensions.push([name, value]);
    }
  }
  return c;
}

/** Like parseCandidate, but undefined instead of an exception. */
export function tryParseCandidate(line: string): Candidate | undefined {
  try {
    return parseCandidate(line);
  } catch {
    return undefined;
  }
}

/** True for an RFC 8840 end-of-candidates line in any of its spellings. */
export function isEndOfCandidates(line: string): boolean {
  const s = line.trim();
  return s === "a=end-of-candidates" || s === "end-of-candidates";
}

/**
 * The attribute value after "a=" ("candidate:..."), which is also RTCIceCandidate.candidate.
 * Extensions come in the order Chromium writes them, so browser lines round-trip byte for byte.
 */
export function formatCandidate(c: Candidate): string {
  let s = `candidate:${c.foundation} ${c.component} ${c.transport} ${c.priority} ${c.address} ${c.port} typ ${c.type}`;
  if (c.relatedAddress !== undefined) s += ` raddr ${c.relatedAddress}`;
  if (c.relatedPort !== undefined) s += ` rport ${c.relatedPort}`;
  if (c.tcpType !== undefined) s += ` tcptype ${c.tcpType}`;
  if (c.generation !== undefined) s += ` generation ${c.generation}`;
  if (c.ufrag !== undefined) s += ` ufrag ${c.ufrag}`;
  if (c.networkId !== undefined) s += ` network-id ${c.networkId}`;
  if (c.networkCost !== undefined) s += ` network-cost ${c.networkCost}`;
  for (const [name, value] of c.extensions) s += ` ${name} ${value}`;
  return s;
}
