/**
 * Node UDP runner for the TurnServer core: one listening socket, one socket per relayed
 * address, one timer. Relayed sockets are bound ahead of need (a few spares on the relay
 * host), so the core's synchronous `allocateRelay` takes one and the pool refills in the
 * background; a "deallocated" event closes the socket. After every input the transmits are
 * sent from the socket of their `from` address and the timer is re-armed at pollTimeout().
 *
 * With `tcp`, clients may also reach it over TCP on the same port (RFC 8656 §3.1; the relay
 * stays UDP): each connection's bytes are cut into messages (TurnStreamFramer), answers and
 * ChannelData to that client go back on its connection (ChannelData padded to 4, §12.5), and the
 * allocation dies with the connection. The core tells clients apart by address alone, so a TCP
 * and a UDP client on the same IP and port would be taken for one (not a case loopback tests meet).
 * With `tls`, the same stream handling runs over TLS on its own port (RFC 8656 §3.1, "turns:").
 *
 * Relayed sockets are bound on `relayHost`; the relayed address told to clients is that
 * socket's, or `externalIp` with its port when the server sits behind a 1:1 NAT. A wildcard
 * relay host (0.0.0.0, ::) without `externalIp` is refused: clients cannot send to it.
 */
import dgram from "node:dgram";
import { type Server, type Socket, createServer } from "node:net";
import { type TLSSocket, createServer as createTlsServer } from "node:tls";
import { performance } from "node:perf_hooks";
import { type Address, type IpFamily, addressKey, ipFamily, logger } from "@tsrtc/base";
import { bindUdp } from "@tsrtc/stun/node";
import { TurnServer } from "../server/server.js";
import type { TurnServerOptions } from "../server/types.js";
import { TurnStreamFramer } from "../stream.js";

const log = logger("turn:node");

export interface TurnUdpServerOptions
  extends Omit<TurnServerOptions, "listening" | "allocateRelay" | "rest" | "relayFamilies"> {
  /** Address to listen on (an IP literal). */
  host: string;
  /** UDP port; 0 for any free one. */
  port: number;
  /** Where relayed sockets are bound (default: `host`). */
  relayHost?: string;
  /** Relayed sockets kept bound ahead of need. Default 4. */
  spareRelays?: number;
  /** coturn's static-auth-secret: time-limited REST credentials checked against the wall clock. */
  authSecret?: string;
  /** Also listen for TURN over TCP on the same port (RFC 8656 §3.1). Default false. */
  tcp?: boolean;
  /** Also listen for TURN over TLS (RFC 8656 §3.1): PEM certificate chain and key, its port (0: any). */
  tls?: { port: number; cert: string | Uint8Array; key: string | Uint8Array };
  /** The relayed IP told to clients instead of the relayed socket's own (a server behind 1:1 NAT). */
  externalIp?: string;
  /**
   * Most TCP and TLS client connections open at once, per listener; further ones are refused at
   * accept (each holds a socket, buffers and possibly an allocation). Default 1000.
   */
  maxStreams?: number;
  /**
   * A TCP or TLS connection that carries nothing for this long is closed, its allocation with it
   * (RFC 8656 §3.1). A live client refreshes its allocation well within its lifetime (at most
   * 3600 s, §7.2), so the default, one hour and a minute, only ends dead or hoarded connections.
   */
  streamIdleMs?: number;
}

const MAX_STREAMS = 1000;
const STREAM_IDLE_MS = 3_660_000;

const ZEROS = new Uint8Array(3);

export interface RunningTurnServer {
  readonly address: Address;
  /** The TCP listener's address (same port as UDP), when `tcp`. */
  readonly tcpAddress?: Address;
  /** The TLS listener's address, when `tls`. */
  readonly tlsAddress?: Address;
  readonly core: TurnServer;
  close(): Promise<void>;
}

function localAddress(sock: dgram.Socket, family: IpFamily): Address {
  const a = sock.address();
  return { family, host: a.address, port: a.port };
}

export async function startTurnServer(opts: TurnUdpServerOptions): Promise<RunningTurnServer> {
  const family = ipFamily(opts.host);
  if (family === undefined) throw new TypeError(`host must be an IP address, got ${opts.host}`);
  const relayHost = opts.relayHost ?? opts.host;
  const relayFamily = ipFamily(relayHost);
  if (relayFamily === undefined) throw new TypeError(`relayHost must be an IP address, got ${relayHost}`);
  const external = opts.externalIp;
  if (external !== undefined && ipFamily(external) !== relayFamily)
    throw new TypeError(`externalIp ${external} must be an IP address of the relay host's family`);
  if (external === undefined && (relayHost === "0.0.0.0" || relayHost === "::"))
    throw new TypeError(`relayed sockets on the wildcard ${relayHost} need a relayHost address or an externalIp to tell clients`);
  const t0 = performance.now();
  const wall0 = Date.now();
  const now = (): number => performance.now() - t0;
  const listener = await bindUdp(opts.host, opts.port);
  const address = localAddress(listener, family);
  const sockets = new Map<string, dgram.Socket>([[addressKey(address), listener]]);
  const spares: dgram.Socket[] = [];
  const want = Math.max(1, opts.spareRelays ?? 4);
  let closed = false;
  let refilling = false;
  let timer: NodeJS.Timeout | undefined;

  /** TCP clients by address key. */
  const streams = new Map<string, Socket>();
  let tcpServer: Server | undefined;

  let tlsServer: Server | undefined;

  const { host: _h, port: _p, relayHost: _r, spareRelays: _s, authSecret, tcp: _t, tls: _tls, externalIp: _x, ...coreOpts } = opts;
  const core: TurnServer = new TurnServer({
    ...coreOpts,
    listening: address,
    relayFamilies: [relayFamily],
    rest: authSecret === undefined ? undefined : { secret: authSecret, unixSeconds: (at) => (wall0 + at) / 1000 },
    allocateRelay: (_family, _client, evenPort) => {
      const i = evenPort ? spares.findIndex((s) => (s.address().port & 1) === 0) : 0;
      const sock = i < 0 ? undefined : spares.splice(i, 1)[0];
      void refill();
      if (!sock) return undefined;
      const own = localAddress(sock, relayFamily);
      const a = external === undefined ? own : { ...own, host: external };
      sockets.set(addressKey(a), sock);
      sock.on("error", (e) => log("relayed socket %s: %s", addressKey(a), e.message));
      sock.on("message", (msg, rinfo) => input(() => core.handleRelayed(view(msg), a, peerOf(rinfo), now())));
      return a;
    },
  });

  const view = (msg: Buffer): Uint8Array => new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
  const peerOf = (r: dgram.RemoteInfo): Address => ({ family: r.family === "IPv6" ? 6 : 4, host: r.address, port: r.port });

  const flush = (): void => {
    for (let t = core.pollTransmit(); t; t = core.pollTransmit()) {
      const stream = t.via === "listening" && streams.size > 0 ? streams.get(addressKey(t.to)) : undefined;
      if (stream) {
        stream.write(t.data);
        // §12.5: over TCP, ChannelData is padded to a multiple of 4 (first byte 0x40-0x7F: channels).
        const pad = (4 - (t.data.length & 3)) & 3;
        if (pad > 0 && t.data[0] >= 0x40 && t.data[0] < 0x80) stream.write(ZEROS.subarray(0, pad));
        continue;
      }
      const sock = sockets.get(addressKey(t.from));
      if (!sock) continue;
      sock.send(t.data, t.to.port, t.to.host, (err) => {
        if (err) log("send to %s failed: %s", addressKey(t.to), err.message);
      });
    }
    for (let e = core.pollEvent(); e; e = core.pollEvent()) {
      log("%s %s relayed %s", e.type, addressKey(e.client), addressKey(e.relayed));
      if (e.type === "deallocated") {
        const key = addressKey(e.relayed);
        sockets.get(key)?.close();
        sockets.delete(key);
      }
    }
    if (timer) clearTimeout(timer);
    timer = undefined;
    const at = core.pollTimeout();
    if (at !== undefined && !closed) {
      timer = setTimeout(() => input(() => core.handleTimeout(now())), Math.max(0, at - now()));
      timer.unref?.();
    }
  };

  const input = (f: () => void): void => {
    if (closed) return;
    f();
    flush();
  };

  const refill = async (): Promise<void> => {
    if (refilling) return;
    refilling = true;
    try {
      // Keep `want` spares, one of them on an even port (EVEN-PORT, RFC 8656 §7.2); odd ones
      // bound while looking for it stay spares, up to twice `want`.
      const hasEven = (): boolean => spares.some((s) => (s.address().port & 1) === 0);
      while (!closed && (spares.length < want || (!hasEven() && spares.length < 2 * want))) {
        const sock = await bindUdp(relayHost, 0);
        if (closed) sock.close();
        else spares.push(sock);
      }
      // Twice `want` odd ports in a row (about 1 in 2^(2*want)): ask for the even neighbour of
      // one, else EVEN-PORT requests would get 508 until a spare is used up.
      for (const odd of spares.map((s) => s.address().port)) {
        if (closed || hasEven()) break;
        for (const port of [odd + 1, odd - 1]) {
          if (port > 65535 || port < 1024) continue;
          const sock = await bindUdp(relayHost, port).catch(() => undefined);
          if (!sock) continue;
          if (closed) sock.close();
          else spares.push(sock);
          break;
        }
      }
    } catch (e) {
      log("cannot bind a relayed socket: %s", (e as Error).message);
    } finally {
      refilling = false;
    }
  };
  await refill();

  listener.on("error", (e) => log("listening socket: %s", e.message));
  listener.on("message", (msg, rinfo) => input(() => core.handlePacket(view(msg), peerOf(rinfo), now())));

  const serveStream = (conn: Socket | TLSSocket): void => {
    const client: Address = { family: conn.remoteFamily === "IPv6" ? 6 : 4, host: conn.remoteAddress ?? "", port: conn.remotePort ?? 0 };
    const key = addressKey(client);
    streams.set(key, conn);
    conn.setNoDelay(true);
    conn.setTimeout(opts.streamIdleMs ?? STREAM_IDLE_MS, () => {
      log("stream client %s idle: closing it", key);
      conn.destroy();
    });
    const framer = new TurnStreamFramer();
    conn.on("data", (chunk: Buffer) =>
      input(() => {
        framer.push(view(chunk));
        for (let m = framer.next(); m; m = framer.next()) core.handlePacket(m, client, now());
        if (framer.error !== undefined) {
          log("stream client %s: %s", key, framer.error);
          conn.destroy();
        }
      }),
    );
    conn.on("error", (e) => log("stream client %s: %s", key, e.message));
    // RFC 8656 §3.1: the allocation lives as long as its connection.
    conn.on("close", () => {
      if (streams.get(key) === conn) streams.delete(key);
      input(() => core.deallocate(client));
    });
  };

  const listen = async (srv: Server, port: number): Promise<Address> => {
    await new Promise<void>((resolve, reject) => {
      srv.once("error", reject);
      srv.listen(port, opts.host, () => {
        srv.off("error", reject);
        // Later errors (EMFILE on accept...) are logged, not thrown out of the process.
        srv.on("error", (e) => log("stream listener: %s", e.message));
        resolve();
      });
    });
    const a = srv.address();
    return { family, host: opts.host, port: a !== null && typeof a === "object" ? a.port : port };
  };

  let tcpAddress: Address | undefined;
  let tlsAddress: Address | undefined;
  try {
    if (opts.tcp) {
      tcpServer = createServer(serveStream);
      tcpServer.maxConnections = opts.maxStreams ?? MAX_STREAMS;
      // The UDP port's number may be taken on TCP (a port 0 bind picks UDP's alone).
      tcpAddress = await listen(tcpServer, address.port);
    }
    if (opts.tls) {
      const srv = createTlsServer({ cert: toPem(opts.tls.cert), key: toPem(opts.tls.key) }, serveStream);
      srv.maxConnections = opts.maxStreams ?? MAX_STREAMS;
      srv.on("tlsClientError", (e) => log("TLS handshake failed: %s", e.message));
      tlsServer = srv;
      tlsAddress = await listen(srv, opts.tls.port);
    }
  } catch (e) {
    // Nothing left open.
    await closeAll();
    throw e;
  }

  async function closeAll(): Promise<void> {
    closed = true;
    if (timer) clearTimeout(timer);
    for (const c of streams.values()) c.destroy();
    streams.clear();
    const closeServer = (srv: Server | undefined): Promise<void> | undefined =>
      srv?.listening ? new Promise<void>((resolve) => srv.close(() => resolve())) : undefined;
    const tcpClosed = closeServer(tcpServer);
    const tlsClosed = closeServer(tlsServer);
    const all = [...sockets.values(), ...spares];
    sockets.clear();
    spares.length = 0;
    await Promise.all([...all.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))), tcpClosed, tlsClosed]);
  }

  return { address, tcpAddress, tlsAddress, core, close: closeAll };
}

const toPem = (v: string | Uint8Array): string | Buffer => (typeof v === "string" ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength));
