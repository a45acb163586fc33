/**
 * The UDP sockets of one peer connection: one socket per local address, shared by the whole
 * BUNDLE (RFC 9143), so ICE, DTLS and SCTP all ride the same 5-tuple and are told apart by their
 * first byte (RFC 7983). Which addresses: every usable non-loopback interface by default
 * (browsers skip lo), or loopback / a fixed list when the tsrtc options ask for it.
 */
import { type Socket, createSocket } from "node:dgram";
import dns, { type LookupAddress } from "node:dns";
import { isIP } from "node:net";
import { type Address, address, addressKey, logger } from "@tsrtc/base";
import type { HostInterface } from "@tsrtc/ice";
import { listHostAddresses } from "@tsrtc/ice/node";

const log = logger("webrtc:udp");

export interface UdpOptions {
  /** Bind exactly these IP addresses (e.g. ["127.0.0.1"]). */
  hosts?: readonly string[];
  /** Add 127.0.0.1 / ::1 to the interface list (browsers only do with a flag). Default false. */
  includeLoopback?: boolean;
  /** Keep only these interface names. */
  interfaces?: readonly string[];
  /** Gather IPv6 addresses. Default true. */
  ipv6?: boolean;
  /** Port to bind (0 = ephemeral, the default). */
  port?: number;
}

const SOCKET_BUFFER = 4 * 1024 * 1024;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The sockets' lookup: we only ever send to IP addresses (ICE candidates; .local names are
 * resolved by mDNS first), and dns.lookup answers those one tick later, through process.nextTick
 * and a closure per datagram. Here the send goes out at once. Names still go to dns.lookup.
 */
function literalLookup(host: string, options: dns.LookupOptions | number, callback: LookupCallback): void {
  const family = isIP(host);
  if (family !== 0) return callback(null, host, family);
  dns.lookup(host, options as dns.LookupOptions, callback);
}

export type DatagramHandler = (data: Uint8Array, from: Address, local: Address) => void;

export class UdpBundle {
  private readonly sockets = new Map<string, Socket>();
  private readonly bound: HostInterface[] = [];
  private binding: Promise<HostInterface[]> | undefined;
  private closed = false;

  constructor(
    private readonly opts: UdpOptions,
    private readonly onDatagram: DatagramHandler,
  ) {}

  /** The bound addresses, as ICE host interfaces. */
  get hosts(): readonly HostInterface[] {
    return this.bound;
  }

  /** Bind once (later calls share the first); resolves with the bound addresses. */
  bind(): Promise<HostInterface[]> {
    this.binding ??= this.doBind();
    return this.binding;
  }

  private async doBind(): Promise<HostInterface[]> {
    const list = this.opts.hosts
      ? this.opts.hosts.map((h, i) => ({ host: h, networkId: i + 1 }))
      : listHostAddresses({ includeLoopback: this.opts.includeLoopback, interfaces: this.opts.interfaces, ipv6: this.opts.ipv6 });
    await Promise.all(list.map((h) => this.bindOne(h.host, h.networkId)));
    return this.bound;
  }

  private bindOne(host: string, networkId: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.closed) return resolve();
      const family = host.includes(":") ? 6 : 4;
      const socket = createSocket({ type: family === 6 ? "udp6" : "udp4", lookup: literalLookup as unknown as typeof dns.lookup });
      const fail = (e: Error) => {
        log("cannot bind %s: %s", host, e.message);
        socket.close();
        resolve();
      };
      socket.once("error", fail);
      socket.bind(this.opts.port ?? 0, host, () => {
        socket.off("error", fail);
        if (this.closed) {
          socket.close();
          return resolve();
        }
        socket.on("error", (e) => log("socket %s error: %s", host, e.message));
        // Bursts (a cwnd of SCTP packets, a DTLS flight) must not overflow the kernel queue
        // while the event loop is busy: ask for large buffers (capped by net.core.*mem_max).
        try {
          socket.setRecvBufferSize(SOCKET_BUFFER);
          socket.setSendBufferSize(SOCKET_BUFFER);
          const got = socket.getRecvBufferSize();
          if (this.recvBufferSize === 0 || got < this.recvBufferSize) this.recvBufferSize = got;
        } catch (e) {
          log("cannot size the socket buffers: %s", (e as Error).message);
        }
        const local = address(host, socket.address().port);
        this.sockets.set(addressKey(local), socket);
        this.bound.push({ address: local, networkId });
        // The peer's address object is reused while datagrams keep coming from it (no one
        // mutates an Address): one object and one string scan less per datagram.
        let lastRaw = "";
        let from: Address = { family: 4, host: "", port: 0 };
        socket.on("message", (msg, rinfo) => {
          if (this.closed) return;
          if (rinfo.port !== from.port || rinfo.address !== lastRaw) {
            lastRaw = rinfo.address;
            const pct = lastRaw.indexOf("%");
            from = { family: rinfo.family === "IPv6" ? 6 : 4, host: pct >= 0 ? lastRaw.slice(0, pct) : lastRaw, port: rinfo.port };
          }
          this.onDatagram(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), from, local);
        });
        resolve();
      });
    });
  }

  /** Send from the socket bound at `from` (the first of the family when absent). */
  send(data: Uint8Array, to: Address, from: Address | undefined): void {
    if (this.closed) return;
    // The engine hands the same local Address object for every datagram of a path: the socket
    // found for it last time is kept (no key string built per datagram).
    let socket = from !== undefined && from === this.lastFrom ? this.lastSocket : undefined;
    if (!socket) {
      socket = from ? this.sockets.get(addressKey(from)) : undefined;
      if (socket) {
        this.lastFrom = from;
        this.lastSocket = socket;
      } else {
        const h = this.bound.find((b) => b.address.family === to.family);
        socket = h && this.sockets.get(addressKey(h.address));
      }
    }
    if (!socket) return;
    try {
      socket.send(data, to.port, to.host);
    } catch (e) {
      // Node throws synchronously for some destinations (port 0, a malformed host): an address
      // that came from the wire must never throw out of the driver. Asynchronous send errors
      // reach the socket's "error" listener.
      this.sendErrors++;
      log("cannot send to %s:%d: %s", to.host, to.port, (e as Error).message);
    }
  }

  private lastFrom: Address | undefined;
  private lastSocket: Socket | undefined;

  /** The smallest receive buffer of the bound sockets, as the OS reports it (0: unknown). */
  recvBufferSize = 0;

  /** Datagrams Node refused to send (bad destination). */
  sendErrors = 0;

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.sockets.values()) {
      try {
        s.close();
      } catch {
        // already closed
      }
    }
    this.sockets.clear();
    this.lastFrom = undefined;
    this.lastSocket = undefined;
  }
}
