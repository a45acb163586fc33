/**
 * Host addresses for ICE gathering (RFC 8445 §5.1.1.1), from the OS interface list, filtered as
 * browsers do: no loopback unless asked for, no link-local IPv6 (fe80::/10), no IPv4 link-local
 * (169.254/16, what an unconfigured interface has), no interface that is down.
 */
import { networkInterfaces } from "node:os";
import { isLinkLocal, isLoopback } from "@tsrtc/base";

export interface HostAddress {
  host: string;
  family: 4 | 6;
  /** The interface name ("eth0"). */
  interface: string;
  /** 1-based interface index in the OS list: Chromium's network-id. */
  networkId: number;
}

export interface HostAddressOptions {
  /** Include 127.0.0.1 / ::1 (browsers only do with a flag). Default false. */
  includeLoopback?: boolean;
  /** Include IPv6 addresses. Default true. */
  ipv6?: boolean;
  /** Include IPv4 addresses. Default true. */
  ipv4?: boolean;
  /** Keep only these interface names. */
  interfaces?: readonly string[];
}

export function listHostAddresses(opts: HostAddressOptions = {}): HostAddress[] {
  const out: HostAddress[] = [];
  const ifaces = networkInterfaces();
  let index = 0;
  for (const [name, addrs] of Object.entries(ifaces)) {
    index++;
    if (!addrs) continue;
    if (opts.interfaces && !opts.interfaces.includes(name)) continue;
    for (const a of addrs) {
      const family = a.family === "IPv6" ? 6 : 4;
      if (family === 6 && opts.ipv6 === false) continue;
      if (family === 4 && opts.ipv4 === false) continue;
      if ((a.internal || isLoopback(a.address)) && !opts.includeLoopback) continue;
      if (isLinkLocal(a.address)) continue;
      // Skip IPv4-mapped and other oddities that some systems list.
      if (family === 6 && a.address.toLowerCase().startsWith("::ffff:")) continue;
      out.push({ host: a.address, family, interface: name, networkId: index });
    }
  }
  return out;
}
