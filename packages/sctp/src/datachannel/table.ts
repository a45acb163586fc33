/**
 * DataChannelTable: the data channels (RFC 8831) of one SCTP association. Stream id allocation
 * once the DTLS role is known (RFC 8832 §6: the client takes even ids, the server odd ones; until
 * then channels wait unassigned), DCEP open/ack (RFC 8832 §5), message framing by PPID with the
 * empty variants (RFC 8831 §6.6), closing by stream reset (RFC 8831 §6.7), and bufferedAmount
 * kept while the association is absent. A peer restart (RFC 9260 §5.2.4 A) ends every channel
 * with error ("sctp-failure: peer restarted") then close, as the peer lost them with its old
 * state; the association stays up, and new channels open on it (their ids free again). A channel
 * ended that way, or by ABORT, keeps as bufferedAmount what it had queued and never sent.
 *
 * Sans-IO: feed it every association event (`handleEvent`); it reports through the `emit`
 * callback handed in, or, without one, queues its events for `pollEvent()`.
 */
import { logger, utf8DecodeLenient, utf8Encode } from "@tsrtc/base";
import type { SctpAssociation } from "../association.js";
import { Ppid } from "../constants.js";
import type { SctpEvent } from "../events.js";
import type { SendOptions } from "../options.js";
import { DataChannel, type DataChannelEvent, DataChannelError, type DataChannelInit, MAX_CHANNEL_ID } from "./channel.js";
import { ACK_MESSAGE, type DcepOpen, DcepType, channelTypeFor, decodeOpen, encodeOpen } from "./dcep.js";

const log = logger("datachannel");

export interface DataChannelStats {
  unknownStream: number;
  badDcep: number;
  idConflicts: number;
  unknownPpid: number;
  channelsOpened: number;
  channelsClosed: number;
}

const EMPTY_PAYLOAD = Uint8Array.of(0);
const EMPTY_BYTES = new Uint8Array(0);

export class DataChannelTable {
  private readonly byId = new Map<number, DataChannel>();
  private readonly unassigned: DataChannel[] = [];
  private readonly queued: DataChannelEvent[] = [];
  private readonly emit: (e: DataChannelEvent) => void;
  private sctp: SctpAssociation | undefined;
  private connected = false;
  private closed = false;
  private role: "client" | "server" | undefined;
  readonly stats: DataChannelStats = { unknownStream: 0, badDcep: 0, idConflicts: 0, unknownPpid: 0, channelsOpened: 0, channelsClosed: 0 };

  constructor(emit?: (e: DataChannelEvent) => void) {
    this.emit = emit ?? ((e) => void this.queued.push(e));
  }

  /** The next event, when no `emit` callback was given. */
  pollEvent(): DataChannelEvent | undefined {
    return this.queued.shift();
  }

  /** Every live channel (connecting, open, closing). */
  all(): DataChannel[] {
    return [...this.unassigned, ...this.byId.values()];
  }

  /** The live channel on a stream. */
  channel(id: number): DataChannel | undefined {
    return this.byId.get(id);
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** The outbound stream count once the association is up (RTCSctpTransport.maxChannels). */
  get maxChannels(): number | null {
    const n = this.sctp?.negotiated;
    return n ? Math.min(n.outStreams, n.inStreams) : null;
  }

  create(label: string, init: DataChannelInit = {}): DataChannel {
    if (this.closed) throw new DataChannelError("invalid-state", "the SCTP transport is closed");
    const negotiated = init.negotiated ?? false;
    if (negotiated !== (init.id != null)) throw new TypeError("a channel has an id exactly when it is negotiated");
    if (init.maxRetransmits != null && init.maxPacketLifeTime != null) throw new TypeError("maxRetransmits and maxPacketLifeTime exclude each other");
    const ch = new DataChannel(label, init);
    if (ch.id !== null) {
      const max = this.maxChannels;
      if (ch.id < 0 || ch.id > MAX_CHANNEL_ID) throw new TypeError(`id ${ch.id} is out of range (0..${MAX_CHANNEL_ID})`);
      if (max !== null && ch.id >= max) throw new TypeError(`id ${ch.id} is beyond the ${max} negotiated streams`);
      if (this.byId.has(ch.id)) throw new DataChannelError("id-in-use", `id ${ch.id} is already in use`);
      this.byId.set(ch.id, ch);
    } else if (this.role) {
      ch.id = this.allocate();
      this.byId.set(ch.id, ch);
    } else this.unassigned.push(ch);
    if (this.connected) this.open(ch);
    return ch;
  }

  /** The DTLS role is known: ids can be handed out (W3C: id stays null until then). */
  setRole(role: "client" | "server"): void {
    if (this.role) return;
    this.role = role;
    for (const ch of this.unassigned.splice(0)) {
      try {
        ch.id = this.allocate();
        this.byId.set(ch.id, ch);
      } catch {
        this.finish(ch, "no stream id left");
      }
    }
  }

  private allocate(): number {
    const max = Math.min(this.maxChannels ?? MAX_CHANNEL_ID + 1, MAX_CHANNEL_ID + 1);
    for (let id = this.role === "client" ? 0 : 1; id < max; id += 2) if (!this.byId.has(id)) return id;
    throw new DataChannelError("no-id-left", "no stream id left");
  }

  /** The association the channels ride; they open once it reports "connected". */
  attach(sctp: SctpAssociation): void {
    this.sctp = sctp;
  }

  private onConnected(): void {
    this.connected = true;
    for (const ch of [...this.byId.values()]) this.open(ch);
  }

  /** Send DCEP OPEN (not for negotiated channels) and announce the channel open (W3C §6.2). */
  private open(ch: DataChannel): void {
    const sctp = this.sctp;
    if (!sctp || ch.id === null || ch.state !== "connecting") return;
    const max = this.maxChannels;
    if (max !== null && ch.id >= max) {
      this.finish(ch, `stream id ${ch.id} beyond the ${max} negotiated`);
      return;
    }
    sctp.setStreamPriority(ch.id, ch.priority);
    if (ch.openPending) {
      ch.openPending = false;
      sctp.send(ch.id, Ppid.DCEP, encodeOpen({
        channelType: channelTypeFor(ch.ordered, ch.maxRetransmits, ch.maxPacketLifeTime),
        priority: ch.priority,
        reliability: ch.maxRetransmits ?? ch.maxPacketLifeTime ?? 0,
        label: ch.label,
        protocol: ch.protocol,
      }));
      ch.awaitingAck = true;
    }
    ch.state = "open";
    this.stats.channelsOpened++;
    this.emit({ type: "open", channel: ch });
  }

  bufferedAmount(ch: DataChannel): number {
    if (ch.id === null || !this.sctp) return ch.lastBuffered;
    if (ch.state === "closed") return ch.lastBuffered;
    return this.sctp.bufferedAmount(ch.id);
  }

  setLowThreshold(ch: DataChannel, n: number): void {
    ch.lowThreshold = n;
    if (ch.id !== null && this.sctp && ch.state !== "closed") this.sctp.setBufferedAmountLowThreshold(ch.id, n);
  }

  /**
   * Send one message: a string as UTF-8, bytes as binary. The bytes are copied (the caller may
   * reuse its buffer at once); `sendBytes` takes them as they are.
   */
  send(ch: DataChannel, data: string | Uint8Array): void {
    if (typeof data === "string") this.sendBytes(ch, data.length === 0 ? EMPTY_BYTES : utf8Encode(data), true);
    else this.sendBytes(ch, data.length === 0 ? EMPTY_BYTES : data.slice(), false);
  }

  /**
   * Send bytes already encoded, UTF-8 text (`isText`) or binary, with PPID 51/53, or 56/57 when
   * empty (RFC 8831 §6.6). The association keeps `data` until it is acknowledged.
   */
  sendBytes(ch: DataChannel, data: Uint8Array, isText: boolean): void {
    const sctp = this.sctp;
    if (ch.state !== "open" || !sctp || ch.id === null) throw new DataChannelError("invalid-state", `the channel is ${ch.state}`);
    const empty = data.length === 0;
    const bytes = empty ? EMPTY_PAYLOAD : data;
    const ppid = isText ? (empty ? Ppid.STRING_EMPTY : Ppid.STRING) : empty ? Ppid.BINARY_EMPTY : Ppid.BINARY;
    if (bytes.length > sctp.maxMessageSize) {
      throw new TypeError(`a message of ${bytes.length} bytes is larger than max-message-size ${sctp.maxMessageSize}`);
    }
    const opts: SendOptions = { unordered: !ch.ordered && !ch.awaitingAck };
    if (ch.maxRetransmits !== null) opts.maxRetransmits = ch.maxRetransmits;
    if (ch.maxPacketLifeTime !== null) opts.maxLifetime = ch.maxPacketLifeTime;
    sctp.send(ch.id, ppid, bytes, opts);
    ch.messagesSent++;
    ch.bytesSent += data.length;
  }

  /** Close one channel: closing, then a stream reset both ways (RFC 8831 §6.7). */
  close(ch: DataChannel): void {
    if (ch.state === "closing" || ch.state === "closed") return;
    if (!this.connected || this.closed || ch.id === null || !this.sctp) {
      this.finish(ch);
      return;
    }
    ch.lastBuffered = this.sctp.bufferedAmount(ch.id);
    // W3C §6.2 "closing procedure": no closing event when close() itself started it.
    ch.state = "closing";
    if (!this.sctp.resetStreams([ch.id])) this.finish(ch);
  }

  /** Close every channel at once: `silent` (no events: the peer connection closes) or with `error`. */
  closeAll(silent: boolean, error?: string): void {
    this.closed = true;
    for (const ch of this.all()) {
      if (silent) {
        ch.state = "closed";
        this.stats.channelsClosed++;
      } else this.finish(ch, error);
    }
    this.byId.clear();
    this.unassigned.length = 0;
  }

  /**
   * End a channel. Its bufferedAmount keeps what was queued and never sent (W3C webrtc-pc: it
   * does not reset to zero once closed): read from the association, or given as `unsent` when
   * the association no longer has it (a restart replaced its send queue).
   */
  private finish(ch: DataChannel, error?: string, unsent?: number): void {
    if (ch.id !== null && this.byId.get(ch.id) === ch) this.byId.delete(ch.id);
    const i = this.unassigned.indexOf(ch);
    if (i >= 0) this.unassigned.splice(i, 1);
    if (ch.state === "closed") return;
    if (unsent !== undefined) ch.lastBuffered = unsent;
    else if (ch.id !== null && this.sctp) ch.lastBuffered = this.sctp.bufferedAmount(ch.id);
    ch.state = "closed";
    this.stats.channelsClosed++;
    if (error !== undefined) this.emit({ type: "error", channel: ch, message: error });
    this.emit({ type: "close", channel: ch });
  }

  /** One association event. */
  handleEvent(ev: SctpEvent): void {
    switch (ev.type) {
      case "connected":
        this.onConnected();
        return;
      case "message":
        this.onMessage(ev.stream, ev.ppid, ev.data);
        return;
      case "buffered-amount-low": {
        const ch = this.byId.get(ev.stream);
        if (ch && ch.state === "open") this.emit({ type: "bufferedamountlow", channel: ch });
        return;
      }
      case "stream-reset-outgoing":
        for (const s of ev.streams) {
          const ch = this.byId.get(s);
          if (!ch) continue;
          ch.outReset = true;
          if (ch.inReset || !ev.ok) this.finish(ch);
        }
        return;
      case "stream-reset-incoming":
        for (const s of ev.streams) {
          const ch = this.byId.get(s);
          if (!ch) continue;
          ch.inReset = true;
          if (ch.outReset) this.finish(ch);
          else if (ch.state !== "closing") {
            // RFC 8831 §6.7: the peer closed its side; reset ours too.
            ch.state = "closing";
            this.emit({ type: "closing", channel: ch });
            if (!this.sctp?.resetStreams([s])) this.finish(ch);
          }
        }
        return;
      case "closed":
        this.closed = true;
        // W3C §6.2: a transport that ends in error (the peer's ABORT, as Chromium reports it, or a
        // failure) fires error ("sctp-failure") before close; not for a channel the peer had
        // already closed by stream reset (Firefox resets, then ABORTs).
        for (const ch of this.all()) this.finish(ch, ev.error && !ch.inReset ? `sctp-failure: ${ev.reason}` : undefined);
        return;
      case "restarted": {
        // RFC 9260 §5.2.4 A: the peer lost every channel with its old state (one it had already
        // closed by stream reset just finishes, as on "closed"). The association's send queue is
        // new: what each channel had left unsent comes with the event.
        const unsent = new Map<number, number>();
        for (const u of ev.unsent) unsent.set(u.stream, u.bytes);
        for (const ch of [...this.byId.values()]) {
          this.finish(ch, ch.inReset ? undefined : "sctp-failure: peer restarted", ch.id === null ? 0 : (unsent.get(ch.id) ?? 0));
        }
        return;
      }
      case "peer-error":
        return;
    }
  }

  private onMessage(stream: number, ppid: number, data: Uint8Array): void {
    if (ppid === Ppid.DCEP) return this.onDcep(stream, data);
    const ch = this.byId.get(stream);
    if (!ch || (ch.state !== "open" && ch.state !== "closing")) {
      this.stats.unknownStream++;
      return;
    }
    ch.awaitingAck = false;
    let value: string | Uint8Array;
    switch (ppid) {
      case Ppid.STRING:
      case Ppid.STRING_PARTIAL:
        value = utf8DecodeLenient(data);
        break;
      case Ppid.STRING_EMPTY:
        value = "";
        break;
      case Ppid.BINARY:
      case Ppid.BINARY_PARTIAL:
        value = data;
        break;
      case Ppid.BINARY_EMPTY:
        value = new Uint8Array(0);
        break;
      default:
        this.stats.unknownPpid++;
        return;
    }
    ch.messagesReceived++;
    ch.bytesReceived += typeof value === "string" ? (ppid === Ppid.STRING_EMPTY ? 0 : data.length) : value.length;
    this.emit({ type: "message", channel: ch, data: value });
  }

  private onDcep(stream: number, data: Uint8Array): void {
    if (data.length === 0) return void this.stats.badDcep++;
    if (data[0] === DcepType.ACK) {
      const ch = this.byId.get(stream);
      if (ch) ch.awaitingAck = false;
      else this.stats.unknownStream++;
      return;
    }
    if (data[0] !== DcepType.OPEN) return void this.stats.badDcep++;
    let open: DcepOpen;
    try {
      open = decodeOpen(data);
    } catch {
      // RFC 8832 §5.1 malformed: dropped and counted (remote input never throws out of a core).
      this.stats.badDcep++;
      return;
    }
    if (this.byId.has(stream) || this.closed || !this.sctp) {
      // Both sides picked the same id (wrong parity on the peer's side): keep ours.
      this.stats.idConflicts++;
      log("DATA_CHANNEL_OPEN for stream %d, which is in use", stream);
      return;
    }
    const kind = open.channelType & 0x7f;
    const ch = new DataChannel(open.label, {
      ordered: (open.channelType & 0x80) === 0,
      protocol: open.protocol,
      priority: open.priority,
      id: stream,
      negotiated: false,
      maxRetransmits: kind === 0x01 ? open.reliability : null,
      maxPacketLifeTime: kind === 0x02 ? open.reliability : null,
    });
    ch.openPending = false;
    // W3C "announce the channel as open": open when the datachannel event fires, then "open".
    ch.state = "open";
    this.byId.set(stream, ch);
    this.sctp.setStreamPriority(stream, open.priority);
    this.sctp.send(stream, Ppid.DCEP, ACK_MESSAGE);
    this.stats.channelsOpened++;
    this.emit({ type: "datachannel", channel: ch });
    this.emit({ type: "open", channel: ch });
  }
}
