/**
 * RTCIceServer entries (W3C: urls, username, credential) to the agent's TURN servers: turn: and
 * turns: URLs parsed (RFC 7065), host names resolved to IP addresses. stun: URLs are skipped (the
 * caller resolves those as it always did). A name that does not resolve is returned as an error
 * (W3C icecandidateerror 701). turns: (TLS) and ?transport=tcp entries keep the URL's host name,
 * against which TLS checks the server's certificate.
 */
import { lookup } from "node:dns/promises";
import { type Address, ipFamily } from "@tsrtc/base";
import { canonicalIp, parseTurnUrl } from "@tsrtc/turn";
import type { IceTurnServer } from "../types.js";

/** The fields of a W3C RTCIceServer the agent needs. */
export interface IceServerLike {
  urls: string | readonly string[];
  username?: string;
  credential?: string;
}

export interface ResolvedTurnServers {
  servers: IceTurnServer[];
  /** URLs that gave no server: malformed, without credentials, or not resolvable. */
  errors: { url: string; errorCode: number; errorText: string }[];
}

export async function resolveTurnServers(iceServers: readonly IceServerLike[], opts: { ipv6?: boolean } = {}): Promise<ResolvedTurnServers> {
  const out: ResolvedTurnServers = { servers: [], errors: [] };
  for (const s of iceServers) {
    const urls = typeof s.urls === "string" ? [s.urls] : s.urls;
    for (const url of urls) {
      if (!/^turns?:/i.test(url)) continue;
      const u = parseTurnUrl(url);
      if (!u) {
        out.errors.push({ url, errorCode: 701, errorText: "malformed TURN URL" });
        continue;
      }
      if (s.username === undefined || s.credential === undefined) {
        out.errors.push({ url, errorCode: 701, errorText: "a TURN server needs username and credential" });
        continue;
      }
      let hosts: Address[];
      const literal = ipFamily(u.host);
      // Canonical text (RFC 5952), as the socket reports sources: "turn:[2001:DB8::1]" must match.
      if (literal) hosts = [{ family: literal, host: canonicalIp(u.host), port: u.port }];
      else {
        try {
          const found = await lookup(u.host, { all: true });
          hosts = found
            .filter((a) => a.family === 4 || (a.family === 6 && opts.ipv6 !== false))
            .map((a) => ({ family: a.family as 4 | 6, host: a.address, port: u.port }));
        } catch {
          hosts = [];
        }
        // One address per family, as browsers use (the first the resolver gives).
        hosts = hosts.filter((h, i) => hosts.findIndex((o) => o.family === h.family) === i);
      }
      if (hosts.length === 0) {
        out.errors.push({ url, errorCode: 701, errorText: "TURN host lookup failed" });
        continue;
      }
      for (const address of hosts) {
        const server: IceTurnServer = { address, username: s.username, credential: s.credential, url, transport: u.transport, secure: u.secure };
        if (u.secure) server.hostname = u.host;
        out.servers.push(server);
      }
    }
  }
  return out;
}
