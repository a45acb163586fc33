/**
 * ICE candidates (RFC 8445 §5.1): their types, priority (§5.1.2) and foundation (§5.1.1.3).
 * A candidate is a plain value; the agent keeps its own bookkeeping (base socket, server) beside it.
 */
import { crc32, utf8Encode } from "@tsrtc/base";

export const CandidateType = {
  host: "host",
  srflx: "srflx",
  prflx: "prflx",
  relay: "relay",
} as const;
export type CandidateType = (typeof CandidateType)[keyof typeof CandidateType];

export type TcpType = "active" | "passive" | "so";

/**
 * RFC 8445 §5.1.2.2 recommended type preferences: host 126, peer-reflexive 110,
 * server-reflexive 100, relayed 0.
 */
export const TYPE_PREFERENCE: Readonly<Record<CandidateType, number>> = {
  host: 126,
  prflx: 110,
  srflx: 100,
  relay: 0,
};

export interface Candidate {
  /** 1..32 ice-chars (RFC 8839 §5.1). */
  foundation: string;
  /** 1 = RTP (the only one with rtcp-mux and BUNDLE), 2 = RTCP. */
  component: number;
  /** "udp" or "tcp", as written (Firefox writes "UDP"): compare with isUdp(). */
  transport: string;
  /** 1..2^31-1 (RFC 8445 §5.1.2). */
  priority: number;
  /** An IP literal or, for obfuscated host candidates, an mDNS name ending in ".local". */
  address: string;
  port: number;
  type: CandidateType;
  relatedAddress?: string;
  relatedPort?: number;
  /** RFC 6544 §4.5: TCP candidates only. */
  tcpType?: TcpType;
  /** Browser extensions (RFC 8839 §5.1 extension-att-name/value). */
  generation?: number;
  ufrag?: string;
  networkId?: number;
  networkCost?: number;
  /** Extensions we do not interpret, in the order they came, kept for round trips. */
  extensions: [name: string, value: string][];
}

/** RFC 8445 §5.1.2.1: local preference for a single-homed host and the default. */
export const MAX_LOCAL_PREFERENCE = 65535;

/**
 * RFC 8445 §5.1.2.1:
 *   priority = 2^24 * type preference + 2^8 * local preference + (256 - component ID)
 */
export function computePriority(
  type: CandidateType,
  localPreference = MAX_LOCAL_PREFERENCE,
  component = 1,
  typePreference = TYPE_PREFERENCE[type],
): number {
  if (!Number.isInteger(typePreference) || typePreference < 0 || typePreference > 126) {
    throw new RangeError(`type preference must be 0..126, got ${typePreference}`);
  }
  if (!Number.isInteger(localPreference) || localPreference < 0 || localPreference > 65535) {
    throw new RangeError(`local preference must be 0..65535, got ${localPreference}`);
  }
  if (!Number.isInteger(component) || component < 1 || component > 256) {
    throw new RangeError(`component must be 1..256, got ${component}`);
  }
  return typePreference * 0x1000000 + localPreference * 0x100 + (256 - component);
}

/**
 * Local preference for a multihomed, dual-stack host (RFC 8445 §5.1.2.1 and RFC 8421 §4):
 * each interface a distinct value, IPv6 ahead of IPv4 but interleaved, so that neither family
 * starves the other. `index` is the interface's rank within its family (0 = preferred).
 */
export function localPreferenceFor(family: 4 | 6, index: number, networkCost = 0): number {
  // 2 slots per rank: IPv6 gets the upper one. A costly network (cellular, VPN) sinks lower.
  const rank = Math.min(index, 200) * 2 + (family === 6 ? 0 : 1);
  const costPenalty = Math.min(networkCost, 999) * 32;
  return Math.max(0, MAX_LOCAL_PREFERENCE - rank * 64 - costPenalty);
}

/**
 * RFC 8445 §5.1.1.3: two candidates share a foundation when they have the same type, the same
 * base IP address, the same STUN/TURN server IP (for reflexive/relayed ones) and the same
 * transport. We derive the foundation from those four facts, so it is stable across restarts and
 * identical on every call, as a short decimal string (browsers send decimal foundations too).
 */
export function computeFoundation(
  type: CandidateType,
  baseIp: string,
  transport = "udp",
  serverIp = "",
): string {
  const key = utf8Encode(`${type}|${baseIp}|${transport.toLowerCase()}|${serverIp}`);
  return String(crc32(key) >>> 0);
}

/** True for an mDNS-obfuscated host candidate address (RFC 8445 §5.1.1.1 via draft-ietf-mmusic-mdns-ice-candidates). */
export function isMdnsName(address: string): boolean {
  return address.length > 6 && address.toLowerCase().endsWith(".local");
}

/** Same transport address and transport (the identity checks look at). */
export function sameTransportAddress(a: Candidate, b: Candidate): boolean {
  return a.port === b.port && a.address === b.address && a.transport.toLowerCase() === b.transport.toLowerCase();
}

export function isUdp(c: Candidate): boolean {
  return c.transport === "udp" || c.transport.toLowerCase() === "udp";
}

/** A candidate value with defaults filled in, for code that builds them by hand. */
export function candidate(
  fields: Pick<Candidate, "address" | "port" | "type"> & Partial<Candidate>,
): Candidate {
  const transport = fields.transport ?? "udp";
  const component = fields.component ?? 1;
  return {
    foundation: fields.foundation ?? computeFoundation(fields.type, fields.relatedAddress ?? fields.address, transport),
    component,
    transport,
    priority: fields.priority ?? computePriority(fields.type, MAX_LOCAL_PREFERENCE, component),
    address: fields.address,
    port: fields.port,
    type: fields.type,
    relatedAddress: fields.relatedAddress,
    relatedPort: fields.relatedPort,
    tcpType: fields.tcpType,
    generation: fields.generation,
    ufrag: fields.ufrag,
    networkId: fields.networkId,
    networkCost: fields.networkCost,
    extensions: fields.extensions ?? [],
  };
}
