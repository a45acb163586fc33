/**
 * icecandidateerror (W3C §4.8.4) from the wire: Binding requests we send to a configured STUN
 * server are remembered by transaction id; an error response (RFC 8489 §5: type 0x0111) yields
 * its ERROR-CODE (§14.8), and a request still unanswered when gathering completes yields 701
 * (the W3C code for "no response from the server"). Bounded to MAX_PENDING requests.
 */
import { type Address, addressKey, utf8DecodeLenient } from "@tsrtc/base";
import type { EngineEvent } from "./types.js";

const MAX_PENDING = 64;
const HEADER = 20;

export interface StunServerError {
  /** Our local address the request left from. */
  local: Address | undefined;
  server: Address;
  errorCode: number;
  errorText: string;
}

function txKey(d: Uint8Array): string {
  let s = "";
  for (let i = 8; i < HEADER; i++) s += String.fromCharCode(d[i]);
  return s;
}

/** The ERROR-CODE attribute of a STUN message, if any (RFC 8489 §14.8). */
function errorCodeOf(d: Uint8Array): { code: number; reason: string } | undefined {
  const len = (d[2] << 8) | d[3];
  const end = Math.min(d.length, HEADER + len);
  for (let at = HEADER; at + 4 <= end; ) {
    const type = (d[at] << 8) | d[at + 1];
    const l = (d[at + 2] << 8) | d[at + 3];
    const v = at + 4;
    if (v + l > end) return undefined;
    if (type === 0x0009 && l >= 4) {
      return { code: (d[v + 2] & 0x07) * 100 + d[v + 3], reason: utf8DecodeLenient(d.subarray(v + 4, v + l)) };
    }
    at = v + ((l + 3) & ~3);
  }
  return undefined;
}

export class StunServerWatch {
  private servers = new Set<string>();
  private readonly pending = new Map<string, { local: Address | undefined; server: Address }>();

  setServers(servers: readonly Address[]): void {
    this.servers = new Set(servers.map(addressKey));
  }

  sent(d: Uint8Array, from: Address | undefined, to: Address): void {
    if (this.servers.size === 0 || d.length < HEADER || d[0] !== 0x00 || d[1] !== 0x01) return;
    if (!this.servers.has(addressKey(to))) return;
    if (this.pending.size >= MAX_PENDING) return;
    this.pending.set(txKey(d), { local: from, server: to });
  }

  /** A STUN datagram arrived: a response settles its request; an error one is reported. */
  received(d: Uint8Array): StunServerError | undefined {
    if (this.pending.size === 0 || d.length < HEADER || d[0] !== 0x01 || (d[1] !== 0x01 && d[1] !== 0x11)) return undefined;
    const key = txKey(d);
    const p = this.pending.get(key);
    if (!p) return undefined;
    this.pending.delete(key);
    if (d[1] === 0x01) return undefined;
    const e = errorCodeOf(d);
    return { local: p.local, server: p.server, errorCode: e?.code ?? 400, errorText: e?.reason ?? "error response" };
  }

  /** Gathering is complete: whatever is still unanswered timed out (701). */
  timedOut(): StunServerError[] {
    const out: StunServerError[] = [];
    for (const p of this.pending.values()) {
      out.push({ local: p.local, server: p.server, errorCode: 701, errorText: "STUN binding request timed out" });
    }
    this.pending.clear();
    return out;
  }
}

/** The icecandidateerror event (W3C §4.8.4) of a STUN server's error or silence. */
export function stunErrorEvent(e: StunServerError): EngineEvent {
  return {
    type: "icecandidateerror",
    address: e.local?.host ?? null,
    port: e.local?.port ?? null,
    url: `stun:${e.server.family === 6 ? `[${e.server.host}]` : e.server.host}:${e.server.port}`,
    errorCode: e.errorCode,
    errorText: e.errorText,
  };
}
