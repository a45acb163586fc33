/**
 * DataChannelManager: WebRTC data channels (RFC 8831) over one SctpAssociation, opened with
 * DCEP (RFC 8832) or negotiated out of band, closed by stream reset (RFC 8831 §6.7).
 * Stream ids: the DTLS client uses even ids, the server odd ones (RFC 8832 §6).
 * Sans-IO: after every input to the association or API call, call `drain()`.
 */
import { isProtocolError, logger, utf8DecodeLenient, utf8Encode } from "@tsrtc/base";
import type { SctpAssociation, SendOptions } from "../association.js";
import { Ppid } from "../constants.js";
import type { SctpEvent } from "../events.js";
import { type ChannelLink, DataChannel, type DataChannelInit } from "./channel.js";
import { ACK_MESSAGE, DcepType, channelTypeFor, decodeOpen, encodeOpen } from "./dcep.js";

const log = logger("datachannel");

export type DataChannelManagerEvent =
  | { type: "datachannel"; channel: DataChannel }
  | { type: "connected" }
  | { type: "closed"; reason: string };

interface Entry {
  channel: DataChannel;
  outReset: boolean;
  inReset: boolean;
  /** DCEP OPEN still to be sent once the association is up. */
  openPending: boolean;
}

const EMPTY_PAYLOAD = Uint8Array.of(0);

export class DataChannelManager {
  private readonly byId = new Map<number, Entry>();
  private readonly unassigned: Entry[] = [];
  private events: DataChannelManagerEvent[] = [];
  private pendingOpen: DataChannel[] = [];
  private connected = false;
  private closed = false;
  readonly stats = { unknownStream: 0, badDcep: 0, idConflicts: 0, dropped: 0 };
  private readonly link: ChannelLink;

  constructor(
    readonly association: SctpAssociation,
    /** Our DTLS role: the client takes even stream ids, the server odd ones. */
    readonly dtlsRole: "client" | "server",
  ) {
    this.link = {
      sendOn: (ch, data) => this.sendOn(ch, data),
      bufferedAmountOf: (ch) => (ch.id === null ? 0 : this.association.bufferedAmount(ch.id)),
      setLowThreshold: (ch, n) => {
        if (ch.id !== null) this.association.setBufferedAmountLowThreshold(ch.id, n);
      },
      closeChannel: (ch) => this.closeChannel(ch),
    };
  }

  /** Channels by stream id (open, connecting or closing). */
  channel(id: number): DataChannel | undefined {
    return this.byId.get(id)?.channel;
  }

  createDataChannel(label: string, init: DataChannelInit = {}): DataChannel {
    if (this.closed) throw new Error("InvalidStateError: the SCTP association is closed");
    if (init.negotiated && init.id === undefined) throw new TypeError("a negotiated channel needs an id");
    if (!init.negotiated && init.id !== undefined) throw new TypeError("id is only for negotiated channels");
    const ch = new DataChannel(this.link, label, init);
    const id = init.negotiated ? init.id! : this.allocateId();
    if (id < 0 || id > 65534) throw new TypeError(`stream id ${id} out of range`);
    if (this.byId.has(id)) throw new Error(`OperationError: stream id ${id} is in use`);
    ch.id = id;
    this.association.setStreamPriority(id, ch.priority);
    const e: Entry = { channel: ch, outReset: false, inReset: false, openPending: !ch.negotiated };
    this.byId.set(id, e);
    if (this.connected) this.open(e);
    return ch;
  }

  private allocateId(): number {
    const max = Math.min(this.association.negotiated?.outStreams ?? 65535, 65535);
    for (let id = this.dtlsRole === "client" ? 0 : 1; id < max; id += 2) if (!this.byId.has(id)) return id;
    throw new Error("OperationError: no stream id left");
  }

  /** Send DCEP OPEN (or nothing, when negotiated) and schedule the open event. */
  private open(e: Entry): void {
    const ch = e.channel;
    if (e.openPending) {
      e.openPending = false;
      this.association.send(ch.id!, Ppid.DCEP, encodeOpen({
        channelType: channelTypeFor(ch.ordered, ch.maxRetransmits, ch.maxPacketLifeTime),
        priority: ch.priority,
        reliability: ch.maxRetransmits ?? ch.maxPacketLifeTime ?? 0,
        label: ch.label,
        protocol: ch.protocol,
      }));
      ch.awaitingAck = true;
    }
    this.pendingOpen.push(ch);
  }

  private sendOn(ch: DataChannel, data: string | Uint8Array): void {
    let bytes: Uint8Array;
    let ppid: number;
    if (typeof data === "string") {
      bytes = data.length === 0 ? EMPTY_PAYLOAD : utf8Encode(data);
      ppid = data.length === 0 ? Ppid.STRING_EMPTY : Ppid.STRING;
    } else {
      // RTCDataChannel.send() snapshots the data: the caller may reuse its buffer at once.
      bytes = data.length === 0 ? EMPTY_PAYLOAD : data.slice();
      ppid = data.length === 0 ? Ppid.BINARY_EMPTY : Ppid.BINARY;
    }
    if (bytes.length > this.association.maxMessageSize) {
      throw new TypeError(`message of ${bytes.length} bytes is larger than max-message-size ${this.association.maxMessageSize}`);
    }
    const opts: SendOptions = { unordered: !ch.ordered && !ch.awaitingAck };
    if (ch.maxRetransmits !== null) opts.maxRetransmits = ch.maxRetransmits;
    if (ch.maxPacketLifeTime !== null) opts.maxLifetime = ch.maxPacketLifeTime;
    this.association.send(ch.id!, ppid, bytes, opts);
  }

  private closeChannel(ch: DataChannel): void {
    const id = ch.id;
    const e = id === null ? undefined : this.byId.get(id);
    if (!e || !this.connected || this.closed) {
      this.finish(ch);
      return;
    }
    ch.setState("closing");
    if (!this.association.resetStreams([id!])) this.finish(ch);
  }

  private finish(ch: DataChannel): void {
    if (ch.id !== null) this.byId.delete(ch.id);
    ch.setState("closed");
  }

  /** Route one association event; returns true when it concerned data channels. */
  handleEvent(ev: SctpEvent): void {
    switch (ev.type) {
      case "connected":
        this.connected = true;
        for (const e of this.byId.values()) this.open(e);
        this.events.push({ type: "connected" });
        return;
      case "message":
        this.onMessage(ev.stream, ev.ppid, ev.data);
        return;
      case "buffered-amount-low":
        this.byId.get(ev.stream)?.channel.lowBuffer();
        return;
      case "stream-reset-outgoing":
        for (const s of ev.streams) {
          const e = this.byId.get(s);
          if (!e) continue;
          e.outReset = true;
          if (e.inReset || !ev.ok) this.finish(e.channel);
        }
        return;
      case "stream-reset-incoming":
        for (const s of ev.streams) {
          const e = this.byId.get(s);
          if (!e) continue;
          e.inReset = true;
          if (e.outReset) this.finish(e.channel);
          else if (e.channel.readyState !== "closing") {
            // RFC 8831 §6.7: the peer closed; reset our side of the stream too.
            e.channel.setState("closing");
            if (!this.association.resetStreams([s])) this.finish(e.channel);
          }
        }
        return;
      case "closed":
        this.closed = true;
        for (const e of [...this.byId.values()]) {
          // W3C: a transport that ends in error fires error ("sctp-failure") before close; not
          // for a channel the peer had already closed by stream reset (Firefox resets, then ABORTs).
          if (ev.error && !e.inReset) e.channel.fail(new Error(`sctp-failure: ${ev.reason}`));
          this.finish(e.channel);
        }
        this.events.push({ type: "closed", reason: ev.reason });
        return;
      case "restarted":
        // The peer lost every channel with its old state.
        for (const e of [...this.byId.values()]) {
          e.channel.fail(new Error("sctp-failure: peer restarted"));
          this.finish(e.channel);
        }
        return;
      case "peer-error":
        return;
    }
  }

  private onMessage(stream: number, ppid: number, data: Uint8Array): void {
    if (ppid === Ppid.DCEP) return this.onDcep(stream, data);
    const e = this.byId.get(stream);
    if (!e) {
      this.stats.unknownStream++;
      return;
    }
    const ch = e.channel;
    ch.awaitingAck = false;
    switch (ppid) {
      case Ppid.STRING:
      case Ppid.STRING_PARTIAL:
        ch.deliver(utf8DecodeLenient(data));
        return;
      case Ppid.STRING_EMPTY:
        ch.deliver("");
        return;
      case Ppid.BINARY:
      case Ppid.BINARY_PARTIAL:
        ch.deliver(data);
        return;
      case Ppid.BINARY_EMPTY:
        ch.deliver(new Uint8Array(0));
        return;
      default:
        this.stats.dropped++;
    }
  }

  private onDcep(stream: number, data: Uint8Array): void {
    if (data.length === 0) return void this.stats.badDcep++;
    if (data[0] === DcepType.ACK) {
      const e = this.byId.get(stream);
      if (e) e.channel.awaitingAck = false;
      else this.stats.unknownStream++;
      return;
    }
    if (data[0] !== DcepType.OPEN) return void this.stats.badDcep++;
    let open;
    try {
      open = decodeOpen(data);
    } catch (err) {
      if (!isProtocolError(err)) throw err;
      this.stats.badDcep++;
      return;
    }
    if (this.byId.has(stream)) {
      // Both sides picked the same id (wrong parity on the peer's side): keep ours.
      this.stats.idConflicts++;
      log("DATA_CHANNEL_OPEN for stream %d, which is in use", stream);
      return;
    }
    const type = open.channelType;
    const kind = type & 0x7f;
    const init: DataChannelInit = { ordered: (type & 0x80) === 0, protocol: open.protocol, priority: open.priority, id: stream, negotiated: false };
    if (kind === 0x01) init.maxRetransmits = open.reliability;
    else if (kind === 0x02) init.maxPacketLifeTime = open.reliability;
    const ch = new DataChannel(this.link, open.label, init);
    ch.id = stream;
    this.association.setStreamPriority(stream, open.priority);
    // W3C "announce the channel as open": readyState is open when the datachannel event fires, the open event follows.
    ch.readyState = "open";
    this.byId.set(stream, { channel: ch, outReset: false, inReset: false, openPending: false });
    this.association.send(stream, Ppid.DCEP, ACK_MESSAGE);
    this.events.push({ type: "datachannel", channel: ch });
    this.pendingOpen.push(ch);
  }

  /**
   * Drain the association's events into channels, then fire pending open events (after the
   * "datachannel" event is reported, so listeners can attach first). Call after every input.
   */
  drain(): void {
    for (let ev = this.association.pollEvent(); ev; ev = this.association.pollEvent()) this.handleEvent(ev);
  }

  pollEvent(): DataChannelManagerEvent | undefined {
    const e = this.events.shift();
    if (e) return e;
    // Opens fire once the manager's own events have been taken.
    if (this.pendingOpen.length > 0) {
      const list = this.pendingOpen;
      this.pendingOpen = [];
      for (const ch of list) ch.announceOpen();
      return this.events.shift();
    }
    return undefined;
  }
}
