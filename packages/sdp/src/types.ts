/**
 * The plain data shapes of a session description (RFC 8866 §5). The classes that hold them are in
 * session-description.ts and media-section.ts.
 */

/** One `a=` line: `a=<name>` (a flag, value undefined) or `a=<name>:<value>` (value may be ""). */
export interface SdpAttribute {
  name: string;
  value: string | undefined;
  /** 1-based line number in the parsed text; undefined for attributes added by code. */
  line: number | undefined;
}

/** A line whose type letter we do not model (RFC 8866 §5: parsers ignore unknown types). */
export interface SdpExtraLine {
  /** The type letter (the text before `=`). */
  type: string;
  value: string;
  line: number | undefined;
  /** Written just before attributes[beforeAttribute] of its section (clamped to the end). */
  beforeAttribute: number;
}

/** `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>` (RFC 8866 §5.2). */
export interface SdpOrigin {
  username: string;
  /** Kept as text: browsers write 64-bit values beyond Number's exact range. */
  sessionId: string;
  sessionVersion: string;
  netType: string;
  addrType: string;
  address: string;
}

/** `c=<nettype> <addrtype> <connection-address>` (RFC 8866 §5.7). */
export interface SdpConnection {
  netType: string;
  addrType: string;
  /** The address as written, with any `/ttl/count` multicast suffix. */
  address: string;
}

/** `b=<bwtype>:<bandwidth>` (RFC 8866 §5.8). */
export interface SdpBandwidth {
  type: string;
  bandwidth: number;
}

/** `t=<start-time> <stop-time>` and the `r=` lines that follow it (RFC 8866 §5.9, §5.10). */
export interface SdpTime {
  start: number;
  stop: number;
  /** Raw `r=` values, in order. */
  repeats: string[];
}

/** `m=<media> <port>[/<number of ports>] <proto> <fmt> ...` (RFC 8866 §5.14). */
export interface SdpMediaLine {
  kind: string;
  port: number;
  portCount: number | undefined;
  protocol: string;
  formats: string[];
}

/** Media direction attributes (RFC 8866 §6.7). */
export type Direction = "sendrecv" | "sendonly" | "recvonly" | "inactive";

export const DIRECTIONS: readonly Direction[] = ["sendrecv", "sendonly", "recvonly", "inactive"];
