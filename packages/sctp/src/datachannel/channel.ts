/**
 * One data channel (RFC 8831), with what RTCDataChannel needs: send, bufferedAmount and its
 * low threshold, readyState, and open / message / closing / close / error / bufferedamountlow
 * events. Synchronous and sans-IO: it talks only to its DataChannelManager.
 */
import { Emitter } from "./emitter.js";

export type DataChannelState = "connecting" | "open" | "closing" | "closed";

export interface DataChannelInit {
  ordered?: boolean;
  maxRetransmits?: number;
  maxPacketLifeTime?: number;
  protocol?: string;
  /** Negotiated out of band (no DCEP), with a fixed id (RFC 8832 §6 is skipped). */
  negotiated?: boolean;
  id?: number;
  /** RFC 8831 §6.4 priority (256 = normal). */
  priority?: number;
}

export interface DataChannelEvents {
  open: [];
  message: [data: string | Uint8Array];
  bufferedamountlow: [];
  closing: [];
  close: [];
  error: [error: Error];
}

/** What a channel needs from its manager. */
export interface ChannelLink {
  sendOn(channel: DataChannel, data: string | Uint8Array): void;
  bufferedAmountOf(channel: DataChannel): number;
  setLowThreshold(channel: DataChannel, n: number): void;
  closeChannel(channel: DataChannel): void;
}

export class DataChannel extends Emitter<DataChannelEvents> {
  readonly label: string;
  readonly protocol: string;
  readonly ordered: boolean;
  readonly maxRetransmits: number | null;
  readonly maxPacketLifeTime: number | null;
  readonly negotiated: boolean;
  readonly priority: number;
  id: number | null;
  readyState: DataChannelState = "connecting";
  private threshold = 0;
  /** Opener side: until the ACK (or any message) arrives, send ordered (RFC 8832 §6). */
  awaitingAck = false;

  constructor(
    private readonly link: ChannelLink,
    label: string,
    init: DataChannelInit,
  ) {
    super();
    if (init.maxRetransmits !== undefined && init.maxPacketLifeTime !== undefined) {
      throw new TypeError("maxRetransmits and maxPacketLifeTime are mutually exclusive");
    }
    this.label = label;
    this.protocol = init.protocol ?? "";
    this.ordered = init.ordered ?? true;
    this.maxRetransmits = init.maxRetransmits ?? null;
    this.maxPacketLifeTime = init.maxPacketLifeTime ?? null;
    this.negotiated = init.negotiated ?? false;
    this.priority = init.priority ?? 256;
    this.id = init.id ?? null;
  }

  get bufferedAmount(): number {
    return this.link.bufferedAmountOf(this);
  }

  get bufferedAmountLowThreshold(): number {
    return this.threshold;
  }

  set bufferedAmountLowThreshold(n: number) {
    this.threshold = Math.max(0, Math.floor(n));
    this.link.setLowThreshold(this, this.threshold);
  }

  /** Send a string (PPID 51 / 56) or bytes (PPID 53 / 57). */
  send(data: string | Uint8Array | ArrayBuffer | ArrayBufferView): void {
    if (this.readyState !== "open") throw new Error(`InvalidStateError: channel is ${this.readyState}`);
    let payload: string | Uint8Array;
    if (typeof data === "string" || data instanceof Uint8Array) payload = data;
    else if (data instanceof ArrayBuffer) payload = new Uint8Array(data);
    else payload = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.link.sendOn(this, payload);
  }

  close(): void {
    if (this.readyState === "closing" || this.readyState === "closed") return;
    this.link.closeChannel(this);
  }

  // Called by the manager.

  /** @internal */
  setState(s: DataChannelState): void {
    if (this.readyState === s || this.readyState === "closed") return;
    this.readyState = s;
    if (s === "open") this.emit("open");
    else if (s === "closing") this.emit("closing");
    else if (s === "closed") this.emit("close");
  }

  /** @internal Fire the open event (once), unless the channel was closed meanwhile. */
  announceOpen(): void {
    if (this.readyState === "closing" || this.readyState === "closed" || this.announced) return;
    this.announced = true;
    this.readyState = "open";
    this.emit("open");
  }

  private announced = false;

  /** @internal */
  deliver(data: string | Uint8Array): void {
    if (this.readyState === "open" || this.readyState === "closing") this.emit("message", data);
  }

  /** @internal */
  lowBuffer(): void {
    this.emit("bufferedamountlow");
  }

  /** @internal */
  fail(e: Error): void {
    this.emit("error", e);
  }
}
