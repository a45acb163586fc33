import { type AttributeCodec, bad, need, parseUint } from "./codec.js";

/** `a=rtcp:<port> [<nettype> <addrtype> <connection-address>]` (RFC 3605 §2.1). */
export interface RtcpAddress {
  port: number;
  netType?: string;
  addrType?: string;
  address?: string;
}

const GRAMMAR = "a=rtcp:<port> [<nettype> <addrtype> <connection-address>]";

export function parseRtcp(value: string | undefined, line?: number): RtcpAddress {
  const v = need(value, line, GRAMMAR, "rtcp");
  const parts = v.split(" ");
  const port = parseUint(parts[0], 65535);
  if (port < 0 || (parts.length !== 1 && parts.length !== 4)) bad(line, GRAMMAR, v);
  if (parts.length === 1) return { port };
  if (parts[1] === "" || parts[2] === "" || parts[3] === "") bad(line, GRAMMAR, v);
  return { port, netType: parts[1], addrType: parts[2], address: parts[3] };
}

export function formatRtcp(r: RtcpAddress): string {
  if (r.address === undefined) return `${r.port}`;
  return `${r.port} ${r.netType ?? "IN"} ${r.addrType ?? (r.address.includes(":") ? "IP6" : "IP4")} ${r.address}`;
}

export const rtcp: AttributeCodec<RtcpAddress> = { name: "rtcp", parse: parseRtcp, format: formatRtcp };
