/**
 * Node UDP runner for the Binding server core: one dgram socket per bind address, each datagram
 * handed to StunBindingServer.handlePacket and its answer sent back from the same socket.
 * With no bind address it listens on both 0.0.0.0 and :: (the IPv6 socket is IPv6-only, so the
 * two share the port).
 */
import dgram from "node:dgram";
import { performance } from "node:perf_hooks";
import { type Address, type Transmit, ipFamily, logger } from "@tsrtc/base";
import { StunBindingServer } from "../server.js";

const log = logger("stun:node");

export interface StunServerOptions {
  /** UDP port (0 = any free port; with several bind addresses they then share the first one's). */
  port: number;
  /** Addresses to bind; default both 0.0.0.0 and ::. */
  bind?: string | readonly string[];
  /** SOFTWARE attribute for responses. */
  software?: string;
  /** Called for every response sent (tests and logs). */
  onResponse?: (t: Transmit) => void;
}

export interface RunningStunServer {
  /** The bound local addresses, in the order given. */
  readonly addresses: readonly Address[];
  /** The sans-IO core (its `stats` count what happened). */
  readonly core: StunBindingServer;
  /** Close every socket. */
  close(): Promise<void>;
}

/** A UDP socket bound to an IP literal (IPv6 sockets are IPv6-only); rejects on a bind error. */
export function bindUdp(host: string, port: number): Promise<dgram.Socket> {
  const family = ipFamily(host);
  if (family === undefined) return Promise.reject(new TypeError(`need an IP address to bind to, got ${host}`));
  const sock = dgram.createSocket({ type: family === 6 ? "udp6" : "udp4", ipv6Only: family === 6 });
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => {
      sock.close();
      reject(e);
    };
    sock.once("error", onError);
    sock.bind(port, host, () => {
      sock.off("error", onError);
      resolve(sock);
    });
  });
}

export async function startStunServer(opts: StunServerOptions): Promise<RunningStunServer> {
  const hosts = opts.bind === undefined ? ["0.0.0.0", "::"] : typeof opts.bind === "string" ? [opts.bind] : [...opts.bind];
  if (hosts.length === 0) throw new TypeError("no address to bind");
  const core = new StunBindingServer({ software: opts.software });
  const sockets: dgram.Socket[] = [];
  const addresses: Address[] = [];
  let port = opts.port;
  try {
    for (const host of hosts) {
      const sock = await bindUdp(host, port);
      sockets.push(sock);
      const a = sock.address();
      addresses.push({ family: a.family === "IPv6" ? 6 : 4, host: a.address, port: a.port });
      if (port === 0) port = a.port;
    }
  } catch (e) {
    for (const s of sockets) s.close();
    throw e;
  }
  for (const sock of sockets) {
    sock.on("error", (e) => log("socket error: %s", e.message));
    sock.on("message", (msg, rinfo) => {
      const from: Address = { family: rinfo.family === "IPv6" ? 6 : 4, host: rinfo.address, port: rinfo.port };
      const t = core.handlePacket(msg, from, performance.now());
      if (!t) return;
      try {
        sock.send(t.data, t.to.port, t.to.host);
      } catch (e) {
        log("send to %s:%d failed: %s", t.to.host, t.to.port, (e as Error).message);
        return;
      }
      opts.onResponse?.(t);
    });
  }
  log("listening on %o", addresses);
  return {
    addresses,
    core,
    close: () => Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined),
  };
}
