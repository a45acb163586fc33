/**
 * The TCP and TLS connections of TURN allocations over a stream (RFC 8656 §3.1; RFC 7065
 * `turn:host?transport=tcp` and `turns:host`): one connection per allocation's stand-in local
 * address and server, opened when its first message is written (IceAgent.relayStream says which
 * transmits are such messages), bound to the host interface's IP. What comes back is cut into
 * messages by a TurnStreamFramer and handed over one at a time; a connection that closes, fails,
 * or carries garbage (a bad length leaves no way to find the next message) is reported once.
 *
 * TLS verifies the server's certificate against the name in the URL (and sends it as SNI when it
 * is not an IP literal), with Node's trusted roots unless `ca` says otherwise: verification is
 * never turned off.
 */
import { type Socket, connect as tcpConnect, isIP } from "node:net";
import { type ConnectionOptions, connect as tlsConnect } from "node:tls";
import { addressKey, logger } from "@tsrtc/base";
import { TurnStreamFramer } from "@tsrtc/turn";
import type { IceRelayStream } from "../types.js";

const log = logger("ice:turn-stream");

/**
 * Bytes a connection may hold unsent before relayed data (ChannelData) is dropped instead of
 * queued: the data is datagrams its senders expect to lose now and then (SCTP, SRTP), while an
 * unbounded queue would only grow and delay everything behind it. TURN's own requests and Send
 * indications (ICE checks) are always written.
 */
const MAX_UNSENT = 1 << 20;

export interface TurnStreamOptions {
  /**
   * Certificates trusted for turns: servers, replacing Node's default roots (tls.connect's `ca`):
   * for a private CA, or a test's self-signed server.
   */
  ca?: ConnectionOptions["ca"];
}

export interface TurnStreamHandlers {
  /** One whole STUN or ChannelData message from `stream`'s server (its bytes are not reused). */
  onMessage: (data: Uint8Array, stream: IceRelayStream) => void;
  /** The connection is gone (closed by the server, failed to connect, TLS refused, garbage). */
  onClosed: (stream: IceRelayStream, reason: string) => void;
}

interface Connection {
  readonly key: string;
  readonly stream: IceRelayStream;
  readonly socket: Socket;
  readonly framer: TurnStreamFramer;
  done: boolean;
}

function keyOf(s: IceRelayStream): string {
  return `${addressKey(s.local)}>${addressKey(s.server)}`;
}

export class TurnStreams {
  private readonly conns = new Map<string, Connection>();
  private last: Connection | undefined;
  private closed = false;

  constructor(
    private readonly handlers: TurnStreamHandlers,
    private readonly opts: TurnStreamOptions = {},
  ) {}

  /** ChannelData not written because the connection had MAX_UNSENT bytes waiting. */
  dropped = 0;

  /** Open connections. */
  get size(): number {
    return this.conns.size;
  }

  /** Write one message to `stream`'s connection, opening it first if there is none. */
  send(stream: IceRelayStream, data: Uint8Array): void {
    if (this.closed) return;
    let c = this.last;
    if (c === undefined || c.done || c.stream !== stream) {
      const key = keyOf(stream);
      c = this.conns.get(key);
      if (c === undefined || c.done) c = this.open(key, stream);
      this.last = c;
    }
    if (data.length > 0 && data[0] >= 0x40 && c.socket.writableLength > MAX_UNSENT) {
      this.dropped++;
      return;
    }
    // The socket holds on to the bytes until they are written: no copy, as what the TURN client
    // emits is never reused (requests kept for their transaction, fresh ChannelData/indications).
    c.socket.write(data);
  }

  private open(key: string, stream: IceRelayStream): Connection {
    const { server, local } = stream;
    const base = { host: server.host, port: server.port, localAddress: local.host, family: server.family };
    let socket: Socket;
    if (stream.transport === "tls") {
      const name = stream.hostname;
      // tls checks the certificate against `servername` when given, else `host` (an IP literal).
      socket = tlsConnect({
        ...base,
        // SNI carries names only (RFC 6066 §3); the certificate is checked against the name or IP.
        servername: isIP(name) === 0 ? name : undefined,
        ca: this.opts.ca,
        rejectUnauthorized: true,
      });
    } else {
      socket = tcpConnect(base);
    }
    socket.setNoDelay(true);
    const c: Connection = { key, stream, socket, framer: new TurnStreamFramer(), done: false };
    this.conns.set(key, c);
    socket.on("data", (chunk: Buffer) => this.onData(c, chunk));
    socket.on("error", (e) => this.finish(c, e.message));
    socket.on("close", () => this.finish(c, "connection closed by the TURN server"));
    return c;
  }

  private onData(c: Connection, chunk: Buffer): void {
    if (c.done) return;
    const f = c.framer;
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    f.push(bytes);
    for (let m = f.next(); m; m = f.next()) {
      // A message split across reads lives in the framer's buffer, reused for the next one: the
      // receiver gets its own copy, as a datagram is its own buffer (DTLS may hold on to it).
      this.handlers.onMessage(m.buffer === bytes.buffer ? m : m.slice(), c.stream);
      if (c.done) return;
    }
    if (f.error !== undefined) {
      c.socket.destroy();
      this.finish(c, f.error);
    }
  }

  private finish(c: Connection, reason: string): void {
    if (c.done) return;
    c.done = true;
    if (this.conns.get(c.key) === c) this.conns.delete(c.key);
    if (this.last === c) this.last = undefined;
    c.socket.destroy();
    if (this.closed) return;
    log("TURN %s connection to %s:%d ended: %s", c.stream.transport, c.stream.server.host, c.stream.server.port, reason);
    this.handlers.onClosed(c.stream, reason);
  }

  /** End every connection once what was written leaves (the allocations' release goes first). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.conns.values()) {
      c.done = true;
      c.socket.end();
      // A server that never answers the FIN must not keep the socket open.
      c.socket.setTimeout(5000, () => c.socket.destroy());
    }
    this.conns.clear();
    this.last = undefined;
  }
}
