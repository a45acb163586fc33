/** The W3C event interfaces of WebRTC 1.0 (§4.8.3, §4.8.4, §6.2, §11.2). */
import type { RTCDataChannel } from "./data-channel.js";
import type { RTCError } from "./errors.js";
import type { RTCIceCandidate } from "./ice-candidate.js";

/** DOM EventInit (Node's lib types do not name it globally). */
export interface EventInit {
  bubbles?: boolean;
  cancelable?: boolean;
  composed?: boolean;
}

export interface RTCPeerConnectionIceEventInit extends EventInit {
  candidate?: RTCIceCandidate | null;
  url?: string | null;
}

export class RTCPeerConnectionIceEvent extends Event {
  readonly candidate: RTCIceCandidate | null;
  readonly url: string | null;
  constructor(type: string, init: RTCPeerConnectionIceEventInit = {}) {
    super(type, init);
    this.candidate = init.candidate ?? null;
    this.url = init.url ?? null;
  }
}

export interface RTCPeerConnectionIceErrorEventInit extends EventInit {
  address?: string | null;
  port?: number | null;
  url?: string;
  errorCode: number;
  errorText?: string;
}

export class RTCPeerConnectionIceErrorEvent extends Event {
  readonly address: string | null;
  readonly port: number | null;
  readonly url: string;
  readonly errorCode: number;
  readonly errorText: string;
  constructor(type: string, init: RTCPeerConnectionIceErrorEventInit) {
    super(type, init);
    this.address = init.address ?? null;
    this.port = init.port ?? null;
    this.url = init.url ?? "";
    this.errorCode = init.errorCode;
    this.errorText = init.errorText ?? "";
  }
}

export interface RTCDataChannelEventInit extends EventInit {
  channel: RTCDataChannel;
}

export class RTCDataChannelEvent extends Event {
  readonly channel: RTCDataChannel;
  constructor(type: string, init: RTCDataChannelEventInit) {
    super(type, init);
    this.channel = init.channel;
  }
}

export interface RTCErrorEventInit extends EventInit {
  error: RTCError;
}

export class RTCErrorEvent extends Event {
  readonly error: RTCError;
  constructor(type: string, init: RTCErrorEventInit) {
    super(type, init);
    this.error = init.error;
  }
}
