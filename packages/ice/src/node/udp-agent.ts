/**
 * The Node glue of the ICE agent: one UDP socket per host address, one timer, the monotonic
 * clock, and multicast DNS. Every datagram on any socket goes to the core; those it hands back
 * as "data" (RFC 7983: DTLS, SRTP, ...) go to `onData`, so the same sockets carry the whole
 * BUNDLE. The webrtc package reuses this for its transports. Allocations on TURN servers over TCP
 * or TLS get a connection each (TurnStreams).
 */
import { type Socket, createSocket } from "node:dgram";
import { performance } from "node:perf_hooks";
import { type Address, type Millis, type RandomSource, address, addressKey, cryptoRandom, logger } from "@tsrtc/base";
import { IceAgent } from "../agent.js";
import type { Candidate } from "../candidate.js";
import type { HostInterface, IceAgentConfig, IceAgentEvent, IceCredentials, IceRelayStream } from "../types.js";
import { type HostAddressOptions, listHostAddresses } from "./gather.js";
import { MdnsResolver } from "./mdns-resolver.js";
import { type TurnStreamOptions, TurnStreams } from "./turn-streams.js";

const log = logger("ice:udp");

export interface UdpIceAgentOptions extends IceAgentConfig, HostAddressOptions {
  /** IP addresses to bind; default: every usable interface (listHostAddresses). */
  hosts?: readonly string[];
  /** Port to bind on each address; default 0 (ephemeral). */
  port?: number;
  /** Every agent event, in order. */
  onEvent?: (e: IceAgentEvent) => void;
  /**
   * Non-STUN datagrams from a known peer (DTLS, SRTP, ...), with the socket they came on. Data a
   * TURN server relayed comes unwrapped, with the peer's address as `from`.
   */
  onData?: (data: Uint8Array, from: Address, local: Address) => void;
  rng?: RandomSource;
  /**
   * Resolve remote `.local` names by multicast DNS (default true). With false every name is
   * answered "unresolved" at once and the agent relies on peer-reflexive discovery.
   */
  mdns?: boolean;
  /** TURN over TLS (turns:): the certificates to trust instead of Node's default roots. */
  turnTls?: TurnStreamOptions;
}

export class UdpIceAgent {
  readonly agent: IceAgent;
  private readonly sockets = new Map<string, Socket>();
  private readonly addresses: Address[] = [];
  /** Chromium-style network-id per bound host, when the interface list gave one. */
  private readonly networkIds = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private mdns: MdnsResolver | undefined;
  private closed = false;
  private readonly t0 = performance.now();
  private readonly streams: TurnStreams;

  private constructor(private readonly opts: UdpIceAgentOptions) {
    this.agent = new IceAgent(opts, opts.rng ?? cryptoRandom);
    this.streams = new TurnStreams(
      {
        onMessage: (data, stream) => this.onStreamMessage(data, stream),
        onClosed: (stream, reason) => {
          if (this.closed) return;
          this.agent.relayStreamClosed(stream, reason, this.now());
          this.flush();
        },
      },
      opts.turnTls,
    );
  }

  /** Bind the sockets and start gathering. */
  static async create(opts: UdpIceAgentOptions): Promise<UdpIceAgent> {
    const u = new UdpIceAgent(opts);
    await u.bind();
    u.gather();
    return u;
  }

  /** Monotonic milliseconds since this agent was created. */
  now(): Millis {
    return performance.now() - this.t0;
  }

  /** The bound socket addresses. */
  get localAddresses(): readonly Address[] {
    return this.addresses;
  }

  private async bind(): Promise<void> {
    const listed = this.opts.hosts ? undefined : listHostAddresses(this.opts);
    const hosts = this.opts.hosts ?? listed!.map((h) => h.host);
    if (listed) for (const h of listed) this.networkIds.set(h.host, h.networkId);
    await Promise.all(
      hosts.map(
        (host) =>
          new Promise<void>((resolve, reject) => {
            const family = host.includes(":") ? 6 : 4;
            const socket = createSocket({ type: family === 6 ? "udp6" : "udp4" });
            socket.once("error", reject);
            socket.bind(this.opts.port ?? 0, host, () => {
              socket.off("error", reject);
              socket.on("error", (e) => log("socket %s error: %s", host, e.message));
              const local = address(host, socket.address().port);
              this.sockets.set(addressKey(local), socket);
              this.addresses.push(local);
              socket.on("message", (msg, rinfo) => this.onMessage(msg, rinfo.address, rinfo.port, local));
              resolve();
            });
          }),
      ),
    );
  }

  private gather(): void {
    const hosts: HostInterface[] = this.addresses.map((a) => ({ address: a, networkId: this.networkIds.get(a.host) }));
    this.agent.gather(hosts, this.now());
    this.flush();
  }

  private onMessage(msg: Buffer, host: string, port: number, local: Address): void {
    if (this.closed) return;
    const pct = host.indexOf("%");
    const from: Address = { family: host.includes(":") ? 6 : 4, host: pct >= 0 ? host.slice(0, pct) : host, port };
    const data = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
    const verdict = this.agent.handlePacket(data, from, local, this.now());
    if (verdict === "data") this.opts.onData?.(data, from, local);
    else if (verdict === "relayed") this.opts.onData?.(this.agent.relayedPayload!, this.agent.relayedFrom!, local);
    this.flush();
  }

  /** A message from a TURN server over TCP/TLS: as a datagram from the server to the stream's stand-in address. */
  private onStreamMessage(data: Uint8Array, stream: IceRelayStream): void {
    if (this.closed) return;
    const verdict = this.agent.handlePacket(data, stream.server, stream.local, this.now());
    if (verdict === "relayed") this.opts.onData?.(this.agent.relayedPayload!, this.agent.relayedFrom!, stream.local);
    this.flush();
  }

  setRemoteCredentials(creds: IceCredentials): void {
    this.agent.setRemoteCredentials(creds, this.now());
    this.flush();
  }

  /** A candidate, an a=candidate line, or null for end-of-candidates. */
  addRemoteCandidate(c: Candidate | string | null): void {
    this.agent.addRemoteCandidate(c, this.now());
    this.flush();
  }

  restart(): void {
    this.agent.restart(this.now());
    this.flush();
  }

  send(data: Uint8Array): boolean {
    const ok = this.agent.send(data, this.now());
    this.flush();
    return ok;
  }

  close(): void {
    if (this.closed) return;
    this.agent.close(this.now());
    // The last datagrams (a TURN allocation's release, RFC 8656 §8) must leave before the sockets
    // close: dgram's send is asynchronous, and closing at once would drop them.
    let pending = 1;
    const sockets = [...this.sockets.values()];
    const done = (): void => {
      if (--pending > 0) return;
      for (const s of sockets) s.close();
    };
    this.sentCallback = () => done();
    this.flush((n) => (pending += n));
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.sockets.clear();
    this.streams.close();
    this.mdns?.close();
    done();
  }

  /** Called by each send of the final flush in close(). */
  private sentCallback: (() => void) | undefined;

  /** Drain transmits and events, then re-arm the one timer at pollTimeout(). */
  private flush(counted?: (n: number) => void): void {
    const agent = this.agent;
    for (let t = agent.pollTransmit(); t; t = agent.pollTransmit()) {
      const stream = agent.relayStream(t);
      if (stream) {
        this.streams.send(stream, t.data);
        continue;
      }
      const from = t.from ?? this.addresses[0];
      const socket = from && from.family === t.to.family ? this.sockets.get(addressKey(from)) : undefined;
      if (!socket) continue;
      try {
        if (counted) {
          socket.send(t.data, t.to.port, t.to.host, this.sentCallback);
          counted(1);
        } else socket.send(t.data, t.to.port, t.to.host);
      } catch (e) {
        // A synchronous refusal (a bad port, say) must not escape into a socket callback.
        log("send to %s:%d failed: %s", t.to.host, t.to.port, (e as Error).message);
      }
    }
    for (let e = agent.pollEvent(); e; e = agent.pollEvent()) {
      if (e.type === "mdns-query") this.resolveMdns(e.name);
      else if (e.type === "mdns-register" && this.opts.mdns !== false) void this.mdnsResolver().publish(e.name, e.address);
      this.opts.onEvent?.(e);
    }
    if (this.closed) return;
    const at = agent.pollTimeout() ?? Infinity;
    if (at !== this.timerAt) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = at;
      if (at !== Infinity) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.timerAt = Infinity;
          if (this.closed) return;
          this.agent.handleTimeout(this.now());
          this.flush();
        }, Math.max(0, at - this.now()));
      }
    }
  }

  private mdnsResolver(): MdnsResolver {
    return (this.mdns ??= new MdnsResolver());
  }

  private resolveMdns(name: string): void {
    if (this.opts.mdns === false) {
      queueMicrotask(() => {
        if (this.closed) return;
        this.agent.resolvedMdns(name, undefined, this.now());
        this.flush();
      });
      return;
    }
    this.mdnsResolver()
      .resolve(name, this.opts.mdnsTimeout ?? 5000)
      .then(
        (ip) => {
          if (this.closed) return;
          this.agent.resolvedMdns(name, ip, this.now());
          this.flush();
        },
        () => undefined,
      );
  }
}
