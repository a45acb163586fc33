/**
 * A small WebSocket server side (RFC 6455), enough for signaling: the opening handshake (§4.2),
 * text and binary messages with continuation frames (§5.4), ping/pong (§5.5.2–3) and the closing
 * handshake (§5.5.1, §7). Client frames must be masked (§5.3); server frames are not.
 *
 * The demo speaks JSON text messages only, so this stays small instead of pulling in a dependency.
 */
import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

/** §1.3: the GUID appended to Sec-WebSocket-Key before hashing. */
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/** §7.4.1 status codes we send. */
const CLOSE_NORMAL = 1000;
const CLOSE_GOING_AWAY = 1001;
const CLOSE_PROTOCOL_ERROR = 1002;
const CLOSE_TOO_BIG = 1009;

/** The largest message (after reassembly) we accept; signaling messages are a few KiB. */
const MAX_MESSAGE = 1 << 20;

export interface WebSocketEvents {
  message: [data: string | Buffer];
  close: [code: number, reason: string];
}

/** One accepted connection. Emits "message" (text as string, binary as Buffer) and "close" once. */
export class WebSocketConnection extends EventEmitter<WebSocketEvents> {
  private buffer: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentOpcode = 0;
  private fragmentBytes = 0;
  private closeSent = false;
  private closed = false;

  constructor(private readonly socket: Duplex) {
    super();
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("close", () => this.finish(1006, "connection lost"));
    socket.on("error", () => this.finish(1006, "connection error"));
  }

  get isOpen(): boolean {
    return !this.closeSent && !this.closed;
  }

  send(data: string | Uint8Array): void {
    if (!this.isOpen) return;
    const text = typeof data === "string";
    this.writeFrame(text ? OP_TEXT : OP_BINARY, text ? Buffer.from(data, "utf8") : Buffer.from(data));
  }

  /** Start the closing handshake (§7.1.2); the socket ends when the peer answers, or after 2 s. */
  close(code = CLOSE_NORMAL, reason = ""): void {
    if (this.closeSent || this.closed) return;
    this.closeSent = true;
    const r = Buffer.from(reason, "utf8").subarray(0, 123);
    const body = Buffer.alloc(2 + r.length);
    body.writeUInt16BE(code, 0);
    r.copy(body, 2);
    this.writeFrame(OP_CLOSE, body);
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  /** Close as a server going away (shutdown). */
  goingAway(): void {
    this.close(CLOSE_GOING_AWAY, "server shutting down");
  }

  private writeFrame(opcode: number, payload: Buffer): void {
    const n = payload.length;
    const head = n < 126 ? Buffer.alloc(2) : n < 0x10000 ? Buffer.alloc(4) : Buffer.alloc(10);
    head[0] = 0x80 | opcode; // FIN, no RSV bits, no extension negotiated
    if (n < 126) head[1] = n;
    else if (n < 0x10000) {
      head[1] = 126;
      head.writeUInt16BE(n, 2);
    } else {
      head[1] = 127;
      head.writeBigUInt64BE(BigInt(n), 2);
    }
    this.socket.write(Buffer.concat([head, payload]));
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (!this.closed) {
      const used = this.parseFrame(this.buffer);
      if (used === 0) break;
      this.buffer = this.buffer.subarray(used);
    }
  }

  /** Parse one frame at the start of `b`; returns the bytes used, 0 when more are needed. */
  private parseFrame(b: Buffer): number {
    if (b.length < 2) return 0;
    const fin = (b[0] & 0x80) !== 0;
    const rsv = b[0] & 0x70;
    const opcode = b[0] & 0x0f;
    const masked = (b[1] & 0x80) !== 0;
    let len = b[1] & 0x7f;
    let off = 2;
    if (len === 126) {
      if (b.length < 4) return 0;
      len = b.readUInt16BE(2);
      off = 4;
    } else if (len === 127) {
      if (b.length < 10) return 0;
      const big = b.readBigUInt64BE(2);
      if (big > BigInt(MAX_MESSAGE)) return this.fail(CLOSE_TOO_BIG, "message too big");
      len = Number(big);
      off = 10;
    }
    // §5.1: a server closes the connection on an unmasked client frame; §5.2: no extension, no RSV.
    if (!masked || rsv !== 0) return this.fail(CLOSE_PROTOCOL_ERROR, masked ? "reserved bits set" : "unmasked frame");
    if (len > MAX_MESSAGE) return this.fail(CLOSE_TOO_BIG, "message too big");
    if (b.length < off + 4 + len) return 0;
    const mask = b.subarray(off, off + 4);
    const payload = Buffer.allocUnsafe(len);
    const start = off + 4;
    for (let i = 0; i < len; i++) payload[i] = b[start + i] ^ mask[i & 3];
    this.onFrame(fin, opcode, payload);
    return start + len;
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode >= 0x8) {
      // §5.5: control frames are never fragmented and carry at most 125 bytes.
      if (!fin || payload.length > 125) {
        this.fail(CLOSE_PROTOCOL_ERROR, "bad control frame");
        return;
      }
      if (opcode === OP_PING) {
        if (this.isOpen) this.writeFrame(OP_PONG, payload);
      } else if (opcode === OP_CLOSE) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        const reason = payload.length > 2 ? payload.subarray(2).toString("utf8") : "";
        if (!this.closeSent) {
          this.closeSent = true;
          this.writeFrame(OP_CLOSE, payload.subarray(0, 2));
        }
        this.socket.end();
        this.finish(code, reason);
      } else if (opcode !== OP_PONG) {
        this.fail(CLOSE_PROTOCOL_ERROR, "unknown opcode");
      }
      return;
    }
    if (opcode === OP_CONTINUATION) {
      if (this.fragments.length === 0) {
        this.fail(CLOSE_PROTOCOL_ERROR, "continuation without a start");
        return;
      }
    } else if (opcode === OP_TEXT || opcode === OP_BINARY) {
      if (this.fragments.length > 0) {
        this.fail(CLOSE_PROTOCOL_ERROR, "new message inside a fragmented one");
        return;
      }
      this.fragmentOpcode = opcode;
    } else {
      this.fail(CLOSE_PROTOCOL_ERROR, "unknown opcode");
      return;
    }
    this.fragments.push(payload);
    this.fragmentBytes += payload.length;
    if (this.fragmentBytes > MAX_MESSAGE) {
      this.fail(CLOSE_TOO_BIG, "message too big");
      return;
    }
    if (!fin) return;
    const whole = this.fragments.length === 1 ? this.fragments[0] : Buffer.concat(this.fragments);
    this.fragments = [];
    this.fragmentBytes = 0;
    if (this.closeSent) return; // §5.5.1: after our close, data is ignored
    this.emit("message", this.fragmentOpcode === OP_TEXT ? whole.toString("utf8") : whole);
  }

  private fail(code: number, reason: string): number {
    this.close(code, reason);
    this.socket.end();
    this.finish(code, reason);
    return 0;
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.emit("close", code, reason);
  }
}

/**
 * Answer an HTTP upgrade request (§4.2.2). Returns the connection, or undefined after writing an
 * HTTP error when the request is not a valid version-13 WebSocket handshake.
 */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex): WebSocketConnection | undefined {
  const key = req.headers["sec-websocket-key"];
  const upgrade = req.headers.upgrade?.toLowerCase();
  const version = req.headers["sec-websocket-version"];
  if (req.method !== "GET" || upgrade !== "websocket" || typeof key !== "string" || Buffer.from(key, "base64").length !== 16) {
    socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    return undefined;
  }
  if (version !== "13") {
    socket.end("HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\nConnection: close\r\n\r\n");
    return undefined;
  }
  const accept = createHash("sha1").update(key + GUID).digest("base64");
  socket.write(
    "HTTP/1.1 101 Switching Protocols\r\n" +
      "Upgrade: websocket\r\n" +
      "Connection: Upgrade\r\n" +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  return new WebSocketConnection(socket);
}
