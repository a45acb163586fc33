/**
 * A transport address: an IP literal, a port and the family. A plain, immutable value: compare
 * with `sameAddress`, key maps with `addressKey`.
 */
export type IpFamily = 4 | 6;

export interface Address {
  readonly family: IpFamily;
  /** An IPv4 dotted quad or an IPv6 literal (no brackets, no zone for global addresses). */
  readonly host: string;
  readonly port: number;
}

export function address(host: string, port: number): Address {
  const family = ipFamily(host);
  if (family === undefined) throw new TypeError(`not an IP address: ${host}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`bad port: ${port}`);
  return { family, host: family === 6 ? formatIpv6(parseIpv6(host)!) : host, port };
}

/** "1.2.3.4:5" or "[::1]:5". */
export function formatAddress(a: Address): string {
  return a.family === 6 ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** A string unique per address, for Map keys. */
export function addressKey(a: Address): string {
  return formatAddress(a);
}

export function sameAddress(a: Address, b: Address): boolean {
  return a.port === b.port && a.family === b.family && a.host === b.host;
}

export function ipFamily(host: string): IpFamily | undefined {
  if (parseIpv4(host)) return 4;
  if (parseIpv6(host)) return 6;
  return undefined;
}

export function parseIpv4(host: string): Uint8Array | undefined {
  const parts = host.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255 || (p.length > 1 && p[0] === "0")) return undefined;
    out[i] = v;
  }
  return out;
}

export function parseIpv6(host: string): Uint8Array | undefined {
  let h = host;
  const pct = h.indexOf("%");
  if (pct >= 0) h = h.slice(0, pct);
  if (h.length < 2 || !/^[0-9a-fA-F:.]+$/.test(h)) return undefined;
  const out = new Uint8Array(16);
  const halves = h.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === "") return [];
    const words: number[] = [];
    const items = s.split(":");
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (it.includes(".")) {
        if (i !== items.length - 1) return undefined;
        const v4 = parseIpv4(it);
        if (!v4) return undefined;
        words.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(it)) return undefined;
        words.push(parseInt(it, 16));
      }
    }
    return words;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1 ? head.length !== 8 : head.length + tail.length > 7) return undefined;
  const words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  for (let i = 0; i < 8; i++) {
    out[i * 2] = words[i] >>> 8;
    out[i * 2 + 1] = words[i] & 0xff;
  }
  return out;
}

/** IP literal to its 4 or 16 network-order bytes; throws TypeError if not an IP. */
export function ipToBytes(host: string): Uint8Array {
  const b = parseIpv4(host) ?? parseIpv6(host);
  if (!b) throw new TypeError(`not an IP address: ${host}`);
  return b;
}

/** 4 or 16 bytes to the canonical literal (RFC 5952 for IPv6). */
export function bytesToIp(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (b.length === 16) return formatIpv6(b);
  throw new TypeError(`an IP address is 4 or 16 bytes, got ${b.length}`);
}

/** RFC 5952: lower case, longest run (≥2) of zero groups as "::", first on a tie. */
function formatIpv6(b: Uint8Array): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((b[i * 2] << 8) | b[i * 2 + 1]);
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]): string => ws.map((x) => x.toString(16)).join(":");
  if (bestAt < 0) return hex(w);
  return `${hex(w.slice(0, bestAt))}::${hex(w.slice(bestAt + bestLen))}`;
}

/** 127.0.0.0/8 and ::1. */
export function isLoopback(host: string): boolean {
  const v4 = parseIpv4(host);
  if (v4) return v4[0] === 127;
  const v6 = parseIpv6(host);
  return !!v6 && v6.every((x, i) => (i === 15 ? x === 1 : x === 0));
}

/** 169.254.0.0/16 and fe80::/10. */
export function isLinkLocal(host: string): boolean {
  const v4 = parseIpv4(host);
  if (v4) return v4[0] === 169 && v4[1] === 254;
  const v6 = parseIpv6(host);
  return !!v6 && v6[0] === 0xfe && (v6[1] & 0xc0) === 0x80;
}

/**
 * Addresses a relay must not reach on a client's behalf (RFC 8656 §21.3 and RFC 6890):
 * private, loopback, link-local, unspecified, CGNAT, multicast, unique-local, and the
 * IPv4-mapped forms of those.
 */
export function isPrivateOrReserved(host: string): boolean {
  const v4 = parseIpv4(host);
  if (v4) return isReservedV4(v4);
  const v6 = parseIpv6(host);
  if (!v6) return true;
  const mapped = v6.subarray(0, 10).every((x) => x === 0) && v6[10] === 0xff && v6[11] === 0xff;
  if (mapped) return isReservedV4(v6.subarray(12));
  if (v6.every((x, i) => i === 15 || x === 0)) return true; // :: and ::1
  if ((v6[0] & 0xfe) === 0xfc) return true; // fc00::/7 unique local
  if (v6[0] === 0xfe && (v6[1] & 0xc0) === 0x80) return true; // fe80::/10
  if (v6[0] === 0xff) return true; // multicast
  if (v6[0] === 0x20 && v6[1] === 0x01 && v6[2] === 0x0d && v6[3] === 0xb8) return true; // documentation
  return false;
}

function isReservedV4(b: Uint8Array): boolean {
  const [a, c] = [b[0], b[1]];
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && c >= 64 && c <= 127) ||
    (a === 169 && c === 254) ||
    (a === 172 && c >= 16 && c <= 31) ||
    (a === 192 && c === 168) ||
    (a === 192 && c === 0 && b[2] === 0) ||
    (a === 198 && (c === 18 || c === 19)) ||
    a >= 224
  );
}
