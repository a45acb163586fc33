/**
 * Counts every UDP datagram this process's JavaScript addresses off loopback and every DNS
 * lookup of a name (werift's default STUN server, stun.l.google.com, would show up in both). Native code
 * (libwebrtc) is not seen here; the private namespace the runner uses covers it.
 */
import dgram from "node:dgram";
import dns from "node:dns";
import { isIP } from "node:net";

export interface GuardReport {
  offLoopbackDatagrams: number;
  dnsLookups: number;
  targets: string[];
}

const report: GuardReport = { offLoopbackDatagrams: 0, dnsLookups: 0, targets: [] };
let installed = false;

export function installLoopbackGuard(): GuardReport {
  if (installed) return report;
  installed = true;
  const proto = dgram.Socket.prototype as unknown as { send: (...args: unknown[]) => void };
  const send = proto.send;
  proto.send = function (this: dgram.Socket, ...args: unknown[]) {
    // send(msg, [offset, length,] port, address, cb?): the address is the first string after msg.
    const host = args.find((a, i) => i > 0 && typeof a === "string") as string | undefined;
    if (host !== undefined && host !== "127.0.0.1" && host !== "::1") {
      report.offLoopbackDatagrams++;
      if (!report.targets.includes(host)) report.targets.push(host);
    }
    return send.apply(this, args);
  };
  // werift resolves its STUN server with dns.promises.lookup before sending; count both APIs.
  const countName = (name: unknown) => {
    // dgram looks up IP literals too; only names count.
    if (typeof name === "string" && isIP(name) === 0) {
      report.dnsLookups++;
      if (!report.targets.includes(`dns:${name}`)) report.targets.push(`dns:${name}`);
    }
  };
  const d = dns as unknown as { lookup: (...args: unknown[]) => void };
  const lookup = d.lookup;
  d.lookup = (...args: unknown[]) => {
    countName(args[0]);
    return lookup(...args);
  };
  const dp = dns.promises as unknown as { lookup: (...args: unknown[]) => Promise<unknown> };
  const lookupP = dp.lookup;
  dp.lookup = (...args: unknown[]) => {
    countName(args[0]);
    return lookupP(...args);
  };
  return report;
}
