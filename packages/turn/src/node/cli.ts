/**
 * `turn-server`: a TURN server (RFC 8656) on UDP, optionally TCP and TLS, with long-term
 * credentials (--user name:password) and/or coturn-style time-limited REST credentials
 * (--secret: username "<expiry unix seconds>:<user>", password base64(HMAC-SHA1(secret, username))).
 * Relaying to private, loopback, link-local and reserved peers is refused (403, RFC 8656 §21.3)
 * unless --allow-private-peers. Prints its listening addresses; stops cleanly on SIGINT/SIGTERM.
 */
import { readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { type IpFamily, formatAddress, ipFamily } from "@tsrtc/base";
import { startTurnServer } from "./server.js";

const USAGE = `usage: turn-server [options]
  --port N                      UDP (and TCP) port, default 3478
  --bind ADDRESS                IP to listen on, default 0.0.0.0 (IPv6: e.g. ::)
  --realm TEXT                  realm, default "tsrtc"
  --user NAME:PASSWORD          a long-term credential (repeatable)
  --secret TEXT                 shared secret for time-limited REST credentials (coturn's static-auth-secret)
  --secret-file FILE            the same, read from a file (keeps it out of the process list)
  --tcp                         also listen on TCP, same port
  --tls-port N --cert FILE --pkey FILE
                                also listen on TLS on port N (PEM certificate chain and key)
  --relay-ip ADDRESS            IP relayed sockets bind to (default: --bind, or the first
                                non-loopback interface address of its family when it is a wildcard)
  --external-ip ADDRESS         relayed IP told to clients when behind a 1:1 NAT
  --allow-private-peers         relay to private/loopback/reserved peers (INSECURE; tests only)
  --max-allocations-per-user N  allocations one username may hold at once, default 10
  --max-connections N           TCP/TLS connections open at once, per listener, default 1000
  --legacy-channels             accept RFC 5766 channel numbers 0x5000-0x7FFF (coturn's turnutils_uclient)
  --software TEXT               SOFTWARE attribute, default "tsrtc"
  --help                        this text`;

interface CliArgs {
  port: number;
  bind: string;
  realm: string;
  users: Record<string, string>;
  secret?: string;
  tcp: boolean;
  tlsPort?: number;
  cert?: string;
  pkey?: string;
  relayIp?: string;
  externalIp?: string;
  allowPrivatePeers: boolean;
  maxAllocationsPerUser?: number;
  maxConnections?: number;
  software?: string;
  legacyChannels: boolean;
}

function portOf(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new Error(`bad port: ${v}`);
  return Number(v);
}

function ipOf(flag: string, v: string): string {
  if (ipFamily(v) === undefined) throw new Error(`${flag} needs an IP address, got ${v}`);
  return v;
}

function parseArgs(argv: string[]): CliArgs {
  const a: CliArgs = { port: 3478, bind: "0.0.0.0", realm: "tsrtc", users: {}, tcp: false, allowPrivatePeers: false, software: "tsrtc", legacyChannels: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const [flag, inline] = arg.startsWith("--") && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--port":
        a.port = portOf(value());
        break;
      case "--bind":
        a.bind = ipOf(flag, value());
        break;
      case "--realm":
        a.realm = value();
        break;
      case "--user": {
        const v = value();
        const colon = v.indexOf(":");
        if (colon <= 0 || colon === v.length - 1) throw new Error(`--user needs NAME:PASSWORD, got ${v}`);
        a.users[v.slice(0, colon)] = v.slice(colon + 1);
        break;
      }
      case "--secret":
        a.secret = value();
        if (a.secret === "") throw new Error("--secret must not be empty");
        break;
      case "--secret-file":
        a.secret = readFileSync(value(), "utf8").replace(/\r?\n$/, "");
        if (a.secret === "") throw new Error("--secret-file holds an empty secret");
        break;
      case "--tcp":
        a.tcp = true;
        break;
      case "--tls-port":
        a.tlsPort = portOf(value());
        break;
      case "--cert":
        a.cert = value();
        break;
      case "--pkey":
        a.pkey = value();
        break;
      case "--relay-ip":
        a.relayIp = ipOf(flag, value());
        break;
      case "--external-ip":
        a.externalIp = ipOf(flag, value());
        break;
      case "--allow-private-peers":
        a.allowPrivatePeers = true;
        break;
      case "--max-allocations-per-user": {
        const v = value();
        if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`bad --max-allocations-per-user: ${v}`);
        a.maxAllocationsPerUser = Number(v);
        break;
      }
      case "--max-connections": {
        const v = value();
        if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`bad --max-connections: ${v}`);
        a.maxConnections = Number(v);
        break;
      }
      case "--legacy-channels":
        a.legacyChannels = true;
        break;
      case "--software":
        a.software = value() || undefined;
        break;
      case "--help":
      case "-h":
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument: ${arg}`);
    }
  }
  if (Object.keys(a.users).length === 0 && a.secret === undefined) throw new Error("no credentials: give --user NAME:PASSWORD and/or --secret");
  const tlsParts = [a.tlsPort, a.cert, a.pkey].filter((v) => v !== undefined).length;
  if (tlsParts !== 0 && tlsParts !== 3) throw new Error("TLS needs --tls-port, --cert and --pkey together");
  return a;
}

const isWildcard = (ip: string): boolean => ip === "0.0.0.0" || ip === "::";

/** The first non-internal interface address of `family` (for relayed sockets when --bind is a wildcard). */
function interfaceAddress(family: IpFamily): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) {
      if (i.internal || ipFamily(i.address) !== family) continue;
      // Link-local IPv6 needs a scope id: not something to hand to clients.
      if (family === 6 && i.address.toLowerCase().startsWith("fe80:")) continue;
      return i.address;
    }
  }
  return undefined;
}

async function main(): Promise<void> {
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`turn-server: ${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const family = ipFamily(args.bind)!;
  const relayHost = args.relayIp ?? (isWildcard(args.bind) && args.externalIp === undefined ? interfaceAddress(family) : args.bind);
  if (relayHost === undefined) throw new Error(`no non-loopback IPv${family} interface address for relayed sockets: give --relay-ip`);
  if (args.allowPrivatePeers) {
    console.warn(
      "WARNING: --allow-private-peers: this server will relay to private, loopback and reserved addresses " +
        "(its own host and LAN included). Never use it on a server reachable from the Internet.",
    );
  }
  const server = await startTurnServer({
    host: args.bind,
    port: args.port,
    relayHost,
    externalIp: args.externalIp,
    realm: args.realm,
    users: Object.keys(args.users).length > 0 ? args.users : undefined,
    authSecret: args.secret,
    tcp: args.tcp,
    tls: args.tlsPort === undefined ? undefined : { port: args.tlsPort, cert: readFileSync(args.cert!, "utf8"), key: readFileSync(args.pkey!, "utf8") },
    allowPrivatePeers: args.allowPrivatePeers,
    maxAllocationsPerUser: args.maxAllocationsPerUser,
    maxStreams: args.maxConnections,
    software: args.software,
    legacyChannels: args.legacyChannels,
  });
  console.log(`TURN server listening on udp ${formatAddress(server.address)}`);
  if (server.tcpAddress) console.log(`TURN server listening on tcp ${formatAddress(server.tcpAddress)}`);
  if (server.tlsAddress) console.log(`TURN server listening on tls ${formatAddress(server.tlsAddress)}`);
  console.log(
    `relayed addresses on ${relayHost}${args.externalIp ? ` told to clients as ${args.externalIp}` : ""}; realm "${args.realm}"; ` +
      `credentials: ${[Object.keys(args.users).length > 0 ? `${Object.keys(args.users).length} user(s)` : "", args.secret ? "REST secret" : ""].filter((s) => s).join(", ")}`,
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => {
      const s = server.core.stats;
      console.log(`${signal}: stopped after ${s.requests} requests, ${s.allocations} allocations, ${s.relayedToPeers + s.relayedToClients} relayed datagrams`);
      process.exit(0);
    });
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

main().catch((e: unknown) => {
  console.error(`turn-server: ${(e as Error).message}`);
  process.exit(1);
});
