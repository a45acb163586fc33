/**
 * One data channel (RFC 8831) as the DataChannelTable keeps it: its settings, its state, what the
 * opening and closing handshakes still wait for, and its counters. A plain record: every action
 * goes through the table (sans-IO; the W3C RTCDataChannel in webrtc wraps one of these).
 */

export type DataChannelState = "connecting" | "open" | "closing" | "closed";

export interface DataChannelInit {
  ordered?: boolean;
  maxRetransmits?: number | null;
  maxPacketLifeTime?: number | null;
  protocol?: string;
  /** Negotiated out of band (no DCEP), with a fixed id (RFC 8832 §6 is skipped). */
  negotiated?: boolean;
  id?: number | null;
  /** RFC 8831 §6.4 priority (256 normal). */
  priority?: number;
}

/** The largest stream id a channel may use (W3C: ids are 0..65534). */
export const MAX_CHANNEL_ID = 65534;

/** What the table reports; `message` carries a view into the received packet for binary data. */
export type DataChannelEvent =
  | { type: "datachannel"; channel: DataChannel }
  | { type: "open" | "closing" | "close" | "bufferedamountlow"; channel: DataChannel }
  /** The channel ends in error (sctp-failure, no stream id left); `close` follows. */
  | { type: "error"; channel: DataChannel; message: string }
  | { type: "message"; channel: DataChannel; data: string | Uint8Array };

/**
 * A misuse the table refuses, by code (the W3C layer maps them to DOMException names). Argument
 * errors (an id out of range, a message above max-message-size) are plain TypeErrors.
 */
export type DataChannelErrorCode = "invalid-state" | "id-in-use" | "no-id-left";

export class DataChannelError extends Error {
  constructor(
    readonly code: DataChannelErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "DataChannelError";
  }
}

let nextSerial = 1;

export class DataChannel {
  readonly label: string;
  readonly protocol: string;
  readonly ordered: boolean;
  readonly maxRetransmits: number | null;
  readonly maxPacketLifeTime: number | null;
  readonly negotiated: boolean;
  readonly priority: number;
  /** A number unique in this process (stats ids: "D<n>"). */
  readonly statsId = nextSerial++;
  id: number | null;
  state: DataChannelState = "connecting";
  lowThreshold = 0;
  /** Opener: DCEP OPEN not sent yet (the association is not up). */
  openPending: boolean;
  /** Opener: until the ACK (or any message) arrives, send ordered (RFC 8832 §6). */
  awaitingAck = false;
  outReset = false;
  inReset = false;
  messagesSent = 0;
  bytesSent = 0;
  messagesReceived = 0;
  bytesReceived = 0;
  /** Bytes accepted by send() while SCTP was not there to count them (kept for bufferedAmount). */
  lastBuffered = 0;

  constructor(label: string, init: DataChannelInit) {
    this.label = label;
    this.protocol = init.protocol ?? "";
    this.ordered = init.ordered ?? true;
    this.maxRetransmits = init.maxRetransmits ?? null;
    this.maxPacketLifeTime = init.maxPacketLifeTime ?? null;
    this.negotiated = init.negotiated ?? false;
    this.priority = init.priority ?? 256;
    this.id = init.id ?? null;
    this.openPending = !this.negotiated;
  }
}
