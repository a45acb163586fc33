/**
 * W3C RTCDataChannel (§6.2) over an engine channel record. send() takes a string, ArrayBuffer,
 * ArrayBufferView or Blob (Blob bytes are read asynchronously; later sends queue behind them so
 * order is kept). binaryType is "arraybuffer" by default in Node; "blob" yields Node's Blob.
 */
import type { ChannelEvent, ChannelRecord } from "../engine/channels.js";
import { RTCError, invalidState, toW3cError } from "./errors.js";
import { RtcEventTarget } from "./event-target.js";
import { RTCErrorEvent } from "./events.js";

export type RTCDataChannelState = "connecting" | "open" | "closing" | "closed";
export type BinaryType = "arraybuffer" | "blob";
export type RTCPriorityType = "very-low" | "low" | "medium" | "high";

export interface RTCDataChannelInit {
  ordered?: boolean;
  maxPacketLifeTime?: number;
  maxRetransmits?: number;
  protocol?: string;
  negotiated?: boolean;
  id?: number;
  priority?: RTCPriorityType;
}

/** What a channel needs from its peer connection (every call drives the engine). */
export interface ChannelHost {
  /** Send UTF-8 text (`isText`) or binary bytes. */
  send(rec: ChannelRecord, data: Uint8Array, isText: boolean): void;
  close(rec: ChannelRecord): void;
  bufferedAmount(rec: ChannelRecord): number;
  setLowThreshold(rec: ChannelRecord, n: number): void;
  /** The largest message the peer accepts (RTCSctpTransport.maxMessageSize). */
  maxMessageSize(): number;
}

/** RFC 8831 §6.4 priority values and the W3C names for them. */
export const PRIORITY_VALUES: Record<RTCPriorityType, number> = { "very-low": 128, low: 256, medium: 512, high: 1024 };

function priorityName(v: number): RTCPriorityType {
  if (v <= 128) return "very-low";
  if (v <= 256) return "low";
  if (v <= 512) return "medium";
  return "high";
}

type Pending = { kind: "bytes"; data: Uint8Array; text: boolean } | { kind: "blob"; blob: Blob };

const encoder = new TextEncoder();

export class RTCDataChannel extends RtcEventTarget {
  /** @internal */
  readonly record: ChannelRecord;
  private readonly host: ChannelHost;
  private type: BinaryType = "arraybuffer";
  private readonly queue: Pending[] = [];
  private queuedBytes = 0;
  private pumping = false;

  /** @internal Created by RTCPeerConnection only. */
  constructor(record: ChannelRecord, host: ChannelHost) {
    super();
    this.record = record;
    this.host = host;
  }

  get label(): string {
    return this.record.label;
  }
  get ordered(): boolean {
    return this.record.ordered;
  }
  get maxPacketLifeTime(): number | null {
    return this.record.maxPacketLifeTime;
  }
  get maxRetransmits(): number | null {
    return this.record.maxRetransmits;
  }
  get protocol(): string {
    return this.record.protocol;
  }
  get negotiated(): boolean {
    return this.record.negotiated;
  }
  get id(): number | null {
    return this.record.id;
  }
  get priority(): RTCPriorityType {
    return priorityName(this.record.priority);
  }
  get readyState(): RTCDataChannelState {
    return this.record.state;
  }
  get bufferedAmount(): number {
    return this.host.bufferedAmount(this.record) + this.queuedBytes;
  }
  get bufferedAmountLowThreshold(): number {
    return this.record.lowThreshold;
  }
  set bufferedAmountLowThreshold(n: number) {
    // WebIDL unsigned long: ToUint32.
    this.host.setLowThreshold(this.record, Number(n) >>> 0);
  }
  get binaryType(): BinaryType {
    return this.type;
  }
  set binaryType(t: BinaryType) {
    // An enum attribute ignores values outside the enum (WebIDL §3.7.6).
    if (t === "arraybuffer" || t === "blob") this.type = t;
  }

  /** W3C §6.2 send(): InvalidStateError unless open; TypeError above maxMessageSize. */
  send(data: string | ArrayBuffer | ArrayBufferView | Blob): void {
    if (this.record.state !== "open") throw invalidState(`RTCDataChannel.readyState is '${this.record.state}', not 'open'`);
    let bytes: Uint8Array | undefined;
    let size: number;
    const text = typeof data === "string";
    if (typeof data === "string") {
      bytes = encoder.encode(data);
      size = bytes.length;
    } else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
      size = data.byteLength;
    } else if (typeof Blob !== "undefined" && data instanceof Blob) {
      size = data.size;
    } else {
      throw new TypeError("RTCDataChannel.send() takes a string, ArrayBuffer, ArrayBufferView or Blob");
    }
    const max = this.host.maxMessageSize();
    if (size > max) throw new TypeError(`a message of ${size} bytes is larger than maxMessageSize ${max}`);
    if (bytes === undefined && !(data instanceof Blob)) {
      // Copy: the caller may reuse its buffer once send() returns (W3C: the data is queued).
      const view = data as ArrayBuffer | ArrayBufferView;
      bytes = view instanceof ArrayBuffer
        ? new Uint8Array(view.slice(0))
        : new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
    }
    if (bytes !== undefined && this.queue.length === 0) {
      this.sendNow(bytes, text);
      return;
    }
    this.queue.push(bytes !== undefined ? { kind: "bytes", data: bytes, text } : { kind: "blob", blob: data as Blob });
    this.queuedBytes += size;
    void this.pump();
  }

  private sendNow(data: Uint8Array, text: boolean): void {
    try {
      this.host.send(this.record, data, text);
    } catch (e) {
      throw toW3cError(e);
    }
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const item = this.queue[0];
        const bytes = item.kind === "blob" ? new Uint8Array(await item.blob.arrayBuffer()) : item.data;
        this.queue.shift();
        this.queuedBytes -= bytes.length;
        if (this.record.state !== "open") continue;
        try {
          this.host.send(this.record, bytes, item.kind === "bytes" && item.text);
        } catch {
          // The channel closed meanwhile: the data is dropped, as for any queued data on close.
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  close(): void {
    this.host.close(this.record);
  }

  /** @internal Dispatch an engine event for this channel. */
  dispatchChannelEvent(e: ChannelEvent): void {
    switch (e.type) {
      case "open":
      case "closing":
      case "close":
      case "bufferedamountlow":
        this.dispatchEvent(new Event(e.type));
        return;
      case "error":
        this.dispatchEvent(new RTCErrorEvent("error", { error: new RTCError({ errorDetail: "sctp-failure" }, e.message) }));
        return;
      case "message": {
        const d = e.data;
        let data: string | ArrayBuffer | Blob;
        if (typeof d === "string") data = d;
        else if (this.type === "blob") data = new Blob([d]);
        // A message reassembled from fragments arrives in a buffer of its own, exactly its size:
        // hand that buffer over as it is. A view into a larger buffer (a one-fragment message
        // inside its decrypted record) is copied, so that the page sees only its message.
        else if (d.byteOffset === 0 && d.byteLength === d.buffer.byteLength && d.buffer instanceof ArrayBuffer) data = d.buffer;
        else data = d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) as ArrayBuffer;
        this.dispatchEvent(new MessageEvent("message", { data }));
        return;
      }
      case "datachannel":
        return;
    }
  }

  get onopen(): ((ev: Event) => unknown) | null {
    return this.getHandler("open");
  }
  set onopen(f: ((ev: Event) => unknown) | null) {
    this.setHandler("open", f);
  }
  get onmessage(): ((ev: MessageEvent) => unknown) | null {
    return this.getHandler("message");
  }
  set onmessage(f: ((ev: MessageEvent) => unknown) | null) {
    this.setHandler("message", f);
  }
  get onbufferedamountlow(): ((ev: Event) => unknown) | null {
    return this.getHandler("bufferedamountlow");
  }
  set onbufferedamountlow(f: ((ev: Event) => unknown) | null) {
    this.setHandler("bufferedamountlow", f);
  }
  get onerror(): ((ev: RTCErrorEvent) => unknown) | null {
    return this.getHandler("error");
  }
  set onerror(f: ((ev: RTCErrorEvent) => unknown) | null) {
    this.setHandler("error", f);
  }
  get onclosing(): ((ev: Event) => unknown) | null {
    return this.getHandler("closing");
  }
  set onclosing(f: ((ev: Event) => unknown) | null) {
    this.setHandler("closing", f);
  }
  get onclose(): ((ev: Event) => unknown) | null {
    return this.getHandler("close");
  }
  set onclose(f: ((ev: Event) => unknown) | null) {
    this.setHandler("close", f);
  }
}
