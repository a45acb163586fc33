/** Resolve STUN server host names (RFC 7064) to addresses before gathering. */
import { lookup } from "node:dns/promises";
import { type Address, address, ipFamily, logger } from "@tsrtc/base";

const log = logger("webrtc:resolve");

/** Each host:port, resolved (IP literals pass through); unresolvable ones are left out. */
export async function resolveServers(servers: readonly { host: string; port: number }[]): Promise<Address[]> {
  const out: Address[] = [];
  for (const s of servers) {
    if (ipFamily(s.host) !== undefined) {
      out.push(address(s.host, s.port));
      continue;
    }
    try {
      const r = await lookup(s.host, { all: true });
      for (const a of r) out.push(address(a.address, s.port));
    } catch (e) {
      log("cannot resolve %s: %s", s.host, (e as Error).message);
    }
  }
  return out;
}
