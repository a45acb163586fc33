/**
 * turn: and turns: URIs (RFC 7065 §3):
 *   turnURI = scheme ":" host [ ":" port ] [ "?transport=" transport ]
 * with scheme "turn" (default port 3478, UDP unless told otherwise) or "turns" (5349, TLS over
 * TCP). Hosts may be names, IPv4 literals or bracketed IPv6 literals.
 */

export interface TurnUrl {
  /** The URI as given. */
  url: string;
  secure: boolean;
  /** A name or an IP literal (without brackets). */
  host: string;
  port: number;
  transport: "udp" | "tcp";
}

/** Parse a turn:/turns: URI; undefined when it is not one (or is malformed). */
export function parseTurnUrl(url: string): TurnUrl | undefined {
  const m = /^(turns?):(\[[0-9a-fA-F:.]+\]|[^\s:?/[\]]+)(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/i.exec(url.trim());
  if (!m) return undefined;
  const secure = m[1].toLowerCase() === "turns";
  const host = m[2].startsWith("[") ? m[2].slice(1, -1) : m[2];
  const port = m[3] !== undefined ? Number(m[3]) : secure ? 5349 : 3478;
  if (!(port > 0 && port < 65536)) return undefined;
  const transport = (m[4]?.toLowerCase() as "udp" | "tcp" | undefined) ?? (secure ? "tcp" : "udp");
  return { url, secure, host, port, transport };
}
