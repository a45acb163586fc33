/**
 * The Node driver of one PeerEngine (DESIGN.md §1): feeds it datagrams from the UDP bundle and
 * the monotonic clock, and after every input or API call drains its transmits to the sockets
 * and its events to the API layer, then re-arms one setTimeout at pollTimeout(). Messages to
 * TURN servers over TCP/TLS (RFC 8656 §3.1) go to their connections (TurnStreams), and what
 * those bring back goes into the engine one message at a time, as datagrams do.
 */
import type { Address, Millis, Transmit } from "@tsrtc/base";
import { MdnsResolver, type TurnStreamOptions, TurnStreams } from "@tsrtc/ice/node";
import type { PeerEngine } from "../engine/engine.js";
import type { EngineEvent } from "../engine/types.js";
import { monotonicNow } from "./clock.js";
import { UdpBundle, type UdpOptions } from "./udp.js";

/** How long to wait for an mDNS answer (the ICE agent falls back to peer-reflexive after 5 s anyway). */
const MDNS_TIMEOUT = 3000;

/** Datagrams sent per event-loop turn before yielding (see sendSome). */
const BURST = 32;

export class EngineDriver {
  readonly udp: UdpBundle;
  /** TCP/TLS connections to TURN servers. */
  readonly turnStreams: TurnStreams;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private flushing = false;
  private stopped = false;

  constructor(
    readonly engine: PeerEngine,
    /** The sockets, and `turnTls` for the TLS connections to turns: servers. */
    udpOptions: UdpOptions & { turnTls?: TurnStreamOptions },
    private readonly onEvent: (e: EngineEvent) => void,
  ) {
    this.udp = new UdpBundle(udpOptions, (data, from, local) => this.onDatagram(data, from, local));
    this.turnStreams = new TurnStreams(
      {
        onMessage: (data, stream) => this.onDatagram(data, stream.server, stream.local),
        onClosed: (stream, reason) => {
          if (this.stopped) return;
          this.engine.relayStreamClosed(stream, reason, this.now());
          this.flush();
        },
      },
      udpOptions.turnTls,
    );
  }

  /** A datagram to its socket, or a message to its TURN server's TCP/TLS connection. */
  private send(t: Transmit): void {
    const stream = this.engine.relayStream(t);
    if (stream) this.turnStreams.send(stream, t.data);
    else this.udp.send(t.data, t.to, t.from);
  }

  now(): Millis {
    return monotonicNow();
  }

  /** Bind the sockets (once) and hand the addresses to the engine. */
  async bind(): Promise<void> {
    const hosts = await this.udp.bind();
    this.engine.setHosts([...hosts]);
    this.engine.setReceiveBuffer(this.udp.recvBufferSize);
  }

  /**
   * Node hands over the datagrams of one socket read burst (libuv reads up to 32 per poll) as
   * separate 'message' events in one event-loop phase. Each goes into the engine at once; the
   * output is drained once, after the burst (setImmediate runs after the poll phase): the SACKs
   * owed for the burst share datagrams (TransportCore.pollTransmit) instead of a send each.
   */
  private onDatagram(data: Uint8Array, from: Address, local: Address): void {
    if (this.stopped) return;
    this.engine.handlePacket(data, from, local, this.now());
    if (!this.burstEndScheduled) {
      this.burstEndScheduled = true;
      setImmediate(this.endOfReadBurst);
    }
  }

  private burstEndScheduled = false;
  private readonly endOfReadBurst = (): void => {
    this.burstEndScheduled = false;
    if (!this.stopped) this.flush();
  };

  /** Run an API call on the engine with the current time, then flush. */
  run<T>(fn: (now: Millis) => T): T {
    const now = this.now();
    try {
      return fn(now);
    } finally {
      this.engine.pump(now);
      this.flush();
    }
  }

  private corked = false;

  /**
   * Run a data call (a channel send): the cores run at the end of the current job, so every
   * message sent in one synchronous burst shares SCTP packets (bundling, RFC 9260 §6.10).
   */
  runCorked<T>(fn: (now: Millis) => T): T {
    const r = fn(this.now());
    if (!this.corked) {
      this.corked = true;
      queueMicrotask(() => {
        this.corked = false;
        if (this.stopped) return;
        this.engine.pump(this.now());
        this.flush();
      });
    }
    return r;
  }

  /** Drain transmits and events, then re-arm the timer. Re-entrant calls only send. */
  flush(): void {
    const engine = this.engine;
    this.sendSome();
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let e = engine.pollEvent(); e; e = engine.pollEvent()) {
        if (e.type === "mdns-query") this.resolveMdns(e.name);
        else this.onEvent(e);
        this.sendSome();
      }
    } finally {
      this.flushing = false;
    }
    this.arm();
  }

  private sentThisTurn = 0;
  private turnScheduled = false;
  private blocked = false;

  /**
   * Send what the engine has, at most BURST datagrams per event-loop turn: a whole congestion
   * window written at once overflows the receiver's kernel queue when it shares our event loop
   * (or is simply slower), and libuv reads 32 datagrams a turn. The rest goes on the next turn.
   */
  private sendSome(): void {
    if (this.blocked) return;
    const engine = this.engine;
    for (let t = engine.pollTransmit(); t; t = engine.pollTransmit()) {
      this.send(t);
      if (this.sentThisTurn++ === 0 && !this.turnScheduled) this.scheduleTurn();
      if (this.sentThisTurn >= BURST) {
        this.blocked = true;
        return;
      }
    }
  }

  private scheduleTurn(): void {
    this.turnScheduled = true;
    setImmediate(() => {
      this.turnScheduled = false;
      this.sentThisTurn = 0;
      const wasBlocked = this.blocked;
      this.blocked = false;
      if (wasBlocked && !this.stopped) this.flush();
    });
  }

  private arm(): void {
    if (this.stopped) return;
    const at = this.engine.pollTimeout() ?? Infinity;
    // A timer due no later than the new deadline stays: firing early is harmless (handleTimeout
    // is safe to call early) and cheaper than re-arming on every SACK.
    if (this.timer && this.timerAt <= at) return;
    if (at === this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (at === Infinity) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      if (this.stopped) return;
      this.engine.handleTimeout(this.now());
      this.flush();
    }, Math.max(0, Math.ceil(at - this.now())));
  }

  private mdns: MdnsResolver | undefined;

  /** Multicast DNS for the peer's `.local` candidates (RFC 6762), one resolver per connection. */
  private resolveMdns(name: string): void {
    this.mdns ??= new MdnsResolver();
    this.mdns.resolve(name, MDNS_TIMEOUT).then(
      (ip) => {
        if (this.stopped) return;
        this.engine.resolvedMdns(name, ip, this.now());
        this.flush();
      },
      () => undefined,
    );
  }

  /** Run `fn` in a later task (after the current promise jobs): W3C "queue a task". */
  defer(fn: () => void): void {
    setImmediate(fn);
  }

  /** Send the goodbyes (SCTP ABORT, DTLS close_notify) and stop: no timer, sockets closed. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.engine.finishClose(this.now())) this.send(t);
    // The connections end once the releases written to them leave.
    this.turnStreams.close();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.mdns?.close();
    // Let the last datagrams leave before the sockets close.
    setImmediate(() => this.udp.close());
  }
}
