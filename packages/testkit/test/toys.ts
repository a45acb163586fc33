import type { Address, Millis, Transmit } from "@tsrtc/base";
import type { SimNode } from "../src/index.js";

/**
 * A toy single-path core for the tests: it sends a numbered ping every `interval` ms and
 * answers each ping with a pong carrying the same number. Bare datagrams, like DTLS and SCTP.
 * With `idleTimeout` it also declares the peer silent when nothing arrived for that long
 * (a second timer), and alive again on the next datagram.
 * Byte 0: 1 = ping, 2 = pong; bytes 1..4: the number (big endian).
 */
export class PingPong {
  sent = 0;
  pongs: number[] = [];
  pings: number[] = [];
  timeouts = 0;
  /** Times the peer went silent, and came back. */
  readonly silentAt: Millis[] = [];
  readonly backAt: Millis[] = [];
  private out: Uint8Array[] = [];
  private next: Millis | undefined;
  private lastHeard: Millis;
  private silent = false;

  constructor(
    private readonly opts: { interval?: Millis; start?: Millis; stopAt?: Millis; idleTimeout?: Millis } = {},
  ) {
    if (opts.interval !== undefined) this.next = opts.start ?? 0;
    this.lastHeard = opts.start ?? 0;
  }

  handlePacket(data: Uint8Array, now: Millis): void {
    if (data.length !== 5) return;
    this.lastHeard = now;
    if (this.silent) {
      this.silent = false;
      this.backAt.push(now);
    }
    const n = ((data[1] << 24) | (data[2] << 16) | (data[3] << 8) | data[4]) >>> 0;
    if (data[0] === 1) {
      this.pings.push(n);
      this.out.push(PingPong.encode(2, n));
    } else if (data[0] === 2) {
      this.pongs.push(n);
    }
  }

  handleTimeout(now: Millis): void {
    const idle = this.opts.idleTimeout;
    if (idle !== undefined && !this.silent && now >= this.lastHeard + idle) {
      this.silent = true;
      this.silentAt.push(now);
    }
    if (this.next === undefined || now < this.next) return;
    this.timeouts++;
    this.out.push(PingPong.encode(1, ++this.sent));
    this.next += this.opts.interval!;
    if (this.next > (this.opts.stopAt ?? Infinity)) this.next = undefined;
  }

  pollTransmit(): Uint8Array | undefined {
    return this.out.shift();
  }

  pollTimeout(): Millis | undefined {
    const idle = this.opts.idleTimeout;
    const idleAt = idle !== undefined && !this.silent ? this.lastHeard + idle : undefined;
    if (this.next === undefined) return idleAt;
    return idleAt === undefined ? this.next : Math.min(idleAt, this.next);
  }

  static encode(kind: number, n: number): Uint8Array {
    return Uint8Array.of(kind, n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
  }
}

/** A scriptable node: the test queues datagrams with `send`; it records what it receives. */
export class Box implements SimNode {
  readonly received: { data: Uint8Array; from: Address; to: Address; now: Millis }[] = [];
  readonly addresses: readonly Address[];
  private readonly out: Transmit[] = [];

  constructor(
    readonly name: string,
    readonly address: Address,
    more: Address[] = [],
    /** Answer every datagram with the observed source address as text (a STUN-like reflector). */
    private readonly reflect = false,
  ) {
    this.addresses = [address, ...more];
  }

  send(to: Address, data: Uint8Array | string = "x", from?: Address): void {
    this.out.push({ to, data: typeof data === "string" ? new TextEncoder().encode(data) : data, from });
  }

  /** Sources seen, as "host:port". */
  sources(): string[] {
    return this.received.map((r) => `${r.from.host}:${r.from.port}`);
  }

  /** Payloads received, as text. */
  texts(): string[] {
    return this.received.map((r) => new TextDecoder().decode(r.data));
  }

  receive(data: Uint8Array, from: Address, to: Address, now: Millis): void {
    this.received.push({ data, from, to, now });
    if (this.reflect) this.out.push({ to: from, data: new TextEncoder().encode(`${from.host}:${from.port}`), from: to });
  }

  handleTimeout(): void {}

  pollTransmit(): Transmit | undefined {
    return this.out.shift();
  }

  pollTimeout(): Millis | undefined {
    return undefined;
  }
}
