/**
 * RTCConfiguration (W3C §4.2.1) with its validation (§4.4.1.6 "set the configuration") and the
 * tsrtc-specific options (which addresses to gather on, max-message-size, ICE tuning).
 */
import type { IceAgentConfig } from "@tsrtc/ice";
import type { RTCCertificate } from "./certificate.js";

export type RTCIceTransportPolicy = "relay" | "all";
export type RTCBundlePolicy = "balanced" | "max-compat" | "max-bundle";
export type RTCRtcpMuxPolicy = "require";

export interface RTCIceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** tsrtc-only knobs (browsers have none of these). */
export interface TsrtcOptions {
  /** Bind exactly these local IP addresses (e.g. ["127.0.0.1"]). */
  hosts?: string[];
  /** Also gather on loopback (browsers skip lo). Default false. */
  includeLoopback?: boolean;
  /** Only these interface names. */
  interfaces?: string[];
  /** Gather IPv6 addresses. Default true. */
  ipv6?: boolean;
  /** UDP port to bind (0 = ephemeral). */
  port?: number;
  /** a=max-message-size we advertise; default 262144 (Chromium's). */
  maxMessageSize?: number;
  /** Largest incoming message we accept, whatever we advertise; default 4 MiB. */
  maxReceiveMessageSize?: number;
  /**
   * Non-standard override of the peer's limit: send() allows messages up to this many bytes
   * (0 = no limit) whatever the peer's a=max-message-size says, and sctp.maxMessageSize reports
   * it. Only for peers known to accept more than they advertise: Chromium advertises 262144 but
   * reassembles larger incoming messages. Unset (the default), send() throws TypeError above
   * the advertised limit, as W3C §6.2 requires.
   */
  remoteMaxMessageSize?: number;
  /** Resolve the peer's `.local` candidates by multicast DNS ("query", default) or not ("off"). */
  mdns?: "query" | "off";
  /**
   * turns: (TURN over TLS): certificates to trust instead of Node's default roots, PEM (a private
   * CA, or a test's self-signed server). The server's certificate is always verified.
   */
  turnTls?: { ca?: string | Buffer | (string | Buffer)[] };
  /** ICE agent tuning (check pacing, consent, timeouts). */
  ice?: Partial<Omit<IceAgentConfig, "controlling" | "localCredentials" | "stunServers">>;
}

export interface RTCConfiguration {
  iceServers?: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  bundlePolicy?: RTCBundlePolicy;
  rtcpMuxPolicy?: RTCRtcpMuxPolicy;
  certificates?: RTCCertificate[];
  iceCandidatePoolSize?: number;
  peerIdentity?: string;
  tsrtc?: TsrtcOptions;
}

export interface ParsedIceUrl {
  scheme: "stun" | "stuns" | "turn" | "turns";
  host: string;
  port: number;
  transport: "udp" | "tcp" | undefined;
  url: string;
}

/** RFC 7064 §3.1 / RFC 7065 §3.1 URIs; SyntaxError when malformed. */
export function parseIceUrl(url: string): ParsedIceUrl {
  const m = /^(stuns?|turns?):(\[[0-9a-fA-F:.]+\]|[^:?\s[\]]+)(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/.exec(url);
  if (!m) throw new DOMException(`'${url}' is not a valid STUN or TURN URL`, "SyntaxError");
  const scheme = m[1] as ParsedIceUrl["scheme"];
  if (m[4] && (scheme === "stun" || scheme === "stuns")) throw new DOMException(`'${url}': stun URLs take no transport`, "SyntaxError");
  const secure = scheme === "stuns" || scheme === "turns";
  const port = m[3] ? Number(m[3]) : secure ? 5349 : 3478;
  if (port < 1 || port > 65535) throw new DOMException(`'${url}': bad port`, "SyntaxError");
  const host = m[2].startsWith("[") ? m[2].slice(1, -1) : m[2];
  return { scheme, host, port, transport: m[4] as "udp" | "tcp" | undefined, url };
}

export interface ValidatedConfiguration {
  iceServers: RTCIceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
  bundlePolicy: RTCBundlePolicy;
  rtcpMuxPolicy: RTCRtcpMuxPolicy;
  certificates: RTCCertificate[];
  iceCandidatePoolSize: number;
  tsrtc: TsrtcOptions;
  /** The stun: servers to use (turn: needs a TURN client, not there yet). */
  stunUrls: ParsedIceUrl[];
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], what: string, dflt: T): T {
  if (v === undefined) return dflt;
  if (!allowed.includes(v as T)) throw new TypeError(`'${String(v)}' is not a valid value for ${what}`);
  return v as T;
}

export function validateConfiguration(c: RTCConfiguration | undefined, now: number): ValidatedConfiguration {
  const config = c ?? {};
  const servers = config.iceServers ?? [];
  if (!Array.isArray(servers)) throw new TypeError("iceServers must be a sequence");
  const stunUrls: ParsedIceUrl[] = [];
  const iceServers: RTCIceServer[] = [];
  for (const s of servers) {
    if (!s || s.urls === undefined) throw new TypeError("an RTCIceServer needs urls");
    const urls = typeof s.urls === "string" ? [s.urls] : s.urls;
    if (!Array.isArray(urls) || urls.length === 0) throw new DOMException("an RTCIceServer has an empty urls list", "SyntaxError");
    for (const u of urls) {
      const p = parseIceUrl(String(u));
      if (p.scheme === "turn" || p.scheme === "turns") {
        if (s.username === undefined || s.credential === undefined) {
          throw new DOMException(`${u}: a TURN server needs username and credential`, "InvalidAccessError");
        }
      } else stunUrls.push(p);
    }
    iceServers.push({ urls: s.urls, username: s.username, credential: s.credential });
  }
  const pool = config.iceCandidatePoolSize ?? 0;
  if (!Number.isInteger(pool) || pool < 0 || pool > 255) throw new TypeError("iceCandidatePoolSize must be 0..255");
  const rmms = config.tsrtc?.remoteMaxMessageSize;
  if (rmms !== undefined && (!Number.isSafeInteger(rmms) || rmms < 0)) throw new TypeError("tsrtc.remoteMaxMessageSize must be a non-negative integer");
  const certificates = config.certificates ?? [];
  for (const cert of certificates) {
    if (cert.expires <= now) throw new DOMException("a certificate has expired", "InvalidAccessError");
  }
  return {
    iceServers,
    iceTransportPolicy: oneOf(config.iceTransportPolicy, ["relay", "all"], "RTCIceTransportPolicy", "all"),
    bundlePolicy: oneOf(config.bundlePolicy, ["balanced", "max-compat", "max-bundle"], "RTCBundlePolicy", "balanced"),
    rtcpMuxPolicy: oneOf(config.rtcpMuxPolicy, ["require"], "RTCRtcpMuxPolicy", "require"),
    certificates,
    iceCandidatePoolSize: pool,
    tsrtc: { ...config.tsrtc },
    stunUrls,
  };
}
