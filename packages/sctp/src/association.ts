/**
 * SctpAssociation: one SCTP association (RFC 9260) as a sans-IO core. Packets in through
 * handlePacket(), bare SCTP packets out through pollTransmit() (the caller wraps them in DTLS,
 * RFC 8261), time through handleTimeout()/pollTimeout(), events through pollEvent().
 * The work is split: handshake.ts and collision.ts (setup, restart), data-path.ts (what an
 * established association runs on: sender.ts for transmission, receiver.ts for reception,
 * stream-reset.ts for RE-CONFIG); this file checks packets (§8.5) and routes chunks.
 */
import { logger } from "@tsrtc/base";
import { ChunkType, ErrorCause } from "./constants.js";
import {
  causeNoUserData,
  causeProtocolViolation,
  causeUnrecognizedChunk,
  causeUserAbort,
  decodeCauses,
  decodeHeartbeat,
  decodeShutdown,
  describeCause,
  encodeAbort,
  encodeError,
  encodeHeartbeat,
  type ErrorCauseTlv,
} from "./chunks/control.js";
import { decodeData } from "./chunks/data.js";
import { decodeForwardTsn, encodeForwardTsn } from "./chunks/forward-tsn.js";
import { decodeInit } from "./chunks/init.js";
import { decodeReconfig, encodeReconfig } from "./chunks/reconfig.js";
import { decodeSack, sackValueLength, writeSackValue } from "./chunks/sack.js";
import { type SctpEvent, type SctpStats, newStats } from "./events.js";
import { Handshake, type HandshakeHost, type Negotiated, State } from "./handshake.js";
import { Heartbeat } from "./heartbeat.js";
import { GracefulShutdown } from "./shutdown.js";
import { ChunkCursor, PacketBuilder, encodeChunk, readU32, verifyChecksum } from "./packet.js";
import type { Receiver } from "./receiver.js";
import { SendQueue } from "./send-queue.js";
import type { Sender } from "./sender.js";
import type { StreamResetter } from "./stream-reset.js";
import { buildDataPath } from "./data-path.js";
import { checkVerificationTag, outOfTheBlueReply } from "./verification.js";
import { type SctpOptions, type SendOptions, withDefaults } from "./options.js";

export type { SctpOptions, SendOptions } from "./options.js";

const log = logger("sctp");

export class SctpAssociation {
  state: State = State.CLOSED;
  readonly stats: SctpStats = newStats();
  private readonly o: Required<SctpOptions>;
  private readonly hs: Handshake;
  private queue: SendQueue;
  private sender: Sender | undefined;
  private receiver: Receiver | undefined;
  private resets: StreamResetter | undefined;
  private neg: Negotiated | undefined;
  private terminated = false;
  private readonly pb: PacketBuilder;
  private ctrl: Uint8Array[] = [];
  private raw: Uint8Array[] = [];
  private events: SctpEvent[] = [];
  private evHead = 0;
  private readonly emitter = (e: SctpEvent): void => this.emit(e);
  private now = 0;
  private readonly cursor = new ChunkCursor();
  private readonly sd: GracefulShutdown;
  private readonly heartbeat: Heartbeat;

  constructor(opts: SctpOptions) {
    this.o = withDefaults(opts);
    if (this.o.mtu < 128) throw new RangeError("mtu must be at least 128");
    this.pb = new PacketBuilder(this.o.mtu);
    this.heartbeat = new Heartbeat(this.o.heartbeatInterval, this.o.rng);
    this.queue = new SendQueue((stream) => this.emit({ type: "buffered-amount-low", stream }));
    const host: HandshakeHost = {
      get state() {
        return self.state;
      },
      set state(s: State) {
        self.state = s;
      },
      sendPacket: (tag, chunk) => this.sendRaw(tag, chunk, false),
      queueControl: (chunk) => this.ctrl.push(chunk),
      establish: (n, now) => this.establish(n, now),
      restart: (n, now) => this.restart(n, now),
      peerTagChanged: (tag) => {
        if (this.neg) this.neg = { ...this.neg, peerTag: tag };
      },
      fail: (reason) => this.terminate(reason, false, true),
      count: (what) => this.stats[what]++,
    };
    const self = this;
    this.sd = new GracefulShutdown({
      get state() {
        return self.state;
      },
      set state(s: State) {
        self.state = s;
      },
      get sender() {
        return self.sender;
      },
      get queued() {
        return self.queue.size;
      },
      get cumTsn() {
        return self.receiver?.tracker.cum ?? 0;
      },
      send: (chunk) => this.sendRaw(this.hs.peerTag, chunk, false),
      terminate: (reason, byPeer, error) => this.terminate(reason, byPeer, error),
      violation: (reason) => this.protocolAbort(reason),
      unexpected: () => this.stats.unexpectedChunk++,
    }, this.o.maxRetransmits);
    this.hs = new Handshake(this.o.rng, {
      rwnd: this.o.advertisedWindow,
      outStreams: this.o.streams,
      inStreams: this.o.streams,
      caps: { forwardTsn: true, reconfig: true, iData: this.o.iData, zeroChecksum: this.o.zeroChecksum },
      cookieLifetime: this.o.cookieLifetime,
      rtoInitial: this.o.rtoInitial,
      rtoMax: Math.min(this.o.rtoMax, Math.max(this.o.maxBackoff, this.o.rtoInitial)),
      maxInitRetransmits: this.o.maxInitRetransmits,
    }, host);
  }

  /** What both sides agreed on, once established. */
  get negotiated(): Readonly<Negotiated> | undefined {
    return this.neg;
  }

  get isEstablished(): boolean {
    return this.state === State.ESTABLISHED;
  }

  /**
   * Start the handshake (§5.1 A). In WebRTC both sides do this as soon as DTLS is up; if the
   * peer's handshake got here first (we are already past CLOSED) this does nothing.
   */
  connect(now: number): void {
    if (this.terminated) throw new Error("InvalidStateError: association is closed");
    if (this.state !== State.CLOSED) return;
    this.now = now;
    this.hs.connect(now);
  }

  /**
   * Queue a user message. Messages sent before the association is up wait for it. The
   * association keeps `data` itself until it is acknowledged: do not modify it afterwards.
   */
  send(stream: number, ppid: number, data: Uint8Array, opts: SendOptions = {}): void {
    if (this.terminated) throw new Error("InvalidStateError: association is closed");
    if (this.state !== State.CLOSED && this.state !== State.COOKIE_WAIT && this.state !== State.COOKIE_ECHOED && this.state !== State.ESTABLISHED) {
      // §9.2: no new user data once SHUTDOWN has begun.
      throw new Error("InvalidStateError: association is shutting down");
    }
    if (!Number.isInteger(stream) || stream < 0 || stream > 65534) throw new RangeError(`bad stream id ${stream}`);
    if (this.neg && stream >= this.neg.outStreams) throw new RangeError(`stream ${stream} beyond the ${this.neg.outStreams} negotiated`);
    if (data.length === 0) throw new RangeError("SCTP cannot carry an empty message (RFC 9260 §6.2)");
    if (data.length > this.o.maxMessageSize) throw new RangeError(`message of ${data.length} bytes exceeds max-message-size ${this.o.maxMessageSize}`);
    if (this.resets?.isResetting(stream)) throw new Error(`InvalidStateError: stream ${stream} is being reset`);
    // New data on an idle queue is a transmission opportunity (Max.Burst); a busy queue is clocked by SACKs.
    if (this.queue.size === 0) this.sender?.openBurst();
    this.queue.push({
      stream,
      ppid,
      data,
      offset: 0,
      unordered: opts.unordered ?? false,
      mid: -1,
      nextFsn: 0,
      maxRetransmits: opts.maxRetransmits ?? Infinity,
      // The lifetime runs from the first transmission (see Sender.fill).
      expiresAt: opts.maxLifetime === undefined ? Infinity : -opts.maxLifetime - 1,
      abandoned: false,
    });
  }

  /** The largest message send() accepts: set it from the peer's a=max-message-size (RFC 8841 §6). */
  get maxMessageSize(): number {
    return this.o.maxMessageSize;
  }

  set maxMessageSize(n: number) {
    if (!(n > 0)) throw new RangeError("max-message-size must be positive");
    this.o.maxMessageSize = n;
  }

  bufferedAmount(stream: number): number {
    return this.queue.streams.get(stream)?.buffered ?? 0;
  }

  setBufferedAmountLowThreshold(stream: number, threshold: number): void {
    this.queue.stream(stream).lowThreshold = threshold;
  }

  /** Relative share of a stream in the round-robin scheduler (RFC 8831 §6.4 priority: 128, 256, 512, 1024). */
  setStreamPriority(stream: number, priority: number): void {
    this.queue.setPriority(stream, priority);
  }

  /** Reset outgoing streams (RFC 6525), e.g. to close data channels. False if RE-CONFIG is not negotiated. */
  resetStreams(streams: readonly number[]): boolean {
    if (!this.resets || !this.neg?.reconfig) return false;
    this.resets.request(streams);
    return true;
  }

  /** Graceful SHUTDOWN (§9.2) once everything queued is acknowledged. */
  shutdown(now: number): void {
    this.now = now;
    if (this.state === State.ESTABLISHED) {
      this.state = State.SHUTDOWN_PENDING;
      this.sd.check(now);
    } else if (this.state === State.COOKIE_WAIT || this.state === State.COOKIE_ECHOED) {
      this.terminate("shutdown before established", false, false);
    }
  }

  /** ABORT the association (§9.1). */
  abort(reason = "abort", now = this.now): void {
    this.now = now;
    if (this.terminated) return;
    if (this.neg) this.sendRaw(this.neg.peerTag, encodeAbort([causeUserAbort(reason)]), false);
    this.terminate(reason, false, false);
  }

  /** One SCTP packet (decrypted DTLS payload). The association keeps views into `data`: do not reuse it. */
  handlePacket(data: Uint8Array, now: number): void {
    this.now = now;
    this.stats.packetsReceived++;
    if (this.terminated) return;
    try {
      this.onPacket(data, now);
    } catch (e) {
      // A parse error inside a chunk: drop the rest of the packet.
      if (e instanceof Error && e.name === "ParseError") this.stats.malformed++;
      else {
        this.stats.internalErrors++;
        log("internal error on input: %O", e);
      }
    }
  }

  private onPacket(data: Uint8Array, now: number): void {
    if (data.length < 16) return void this.stats.malformed++;
    const first = data[12];
    const verdict = verifyChecksum(data, this.o.zeroChecksum && first !== ChunkType.INIT);
    if (verdict === "bad") return void this.stats.badChecksum++;
    if (((data[0] << 8) | data[1]) !== this.o.remotePort || ((data[2] << 8) | data[3]) !== this.o.localPort) {
      return void this.stats.badPort++;
    }
    const c = this.cursor.reset(data);
    let n = 0;
    let alone = false;
    while (c.next()) {
      n++;
      const t = c.type;
      if (t === ChunkType.INIT || t === ChunkType.INIT_ACK || t === ChunkType.SHUTDOWN_COMPLETE) alone = true;
    }
    if (c.malformed || n === 0) return void this.stats.malformed++;
    // §6.10: INIT, INIT ACK and SHUTDOWN COMPLETE "MUST NOT be bundled with any other chunk". The
    // RFC names no action for the receiver; such a packet is dropped whole (Handshake.onInit also
    // relies on an INIT being alone under tag 0).
    if (alone && n > 1) return void this.stats.malformed++;
    const vtag = readU32(data, 4);
    const tFlag = (data[13] & 1) !== 0;
    const tagVerdict = checkVerificationTag(first, vtag, tFlag, n, this.state, this.hs.localTag, this.hs.peerTag, this.hs.shutdownAckTag);
    if (tagVerdict === "bad") return void this.stats.badTag++;
    if (tagVerdict === "out-of-the-blue") return this.outOfTheBlue(first, vtag);
    let hadData = false;
    c.reset(data);
    while (c.next() && !this.terminated) {
      const type = c.type;
      if (type !== ChunkType.COOKIE_ECHO && type !== ChunkType.INIT && vtag !== this.hs.localTag && !(tFlag && (type === ChunkType.ABORT || type === ChunkType.SHUTDOWN_COMPLETE))) {
        // Chunks bundled after a COOKIE-ECHO must carry our tag too.
        this.stats.badTag++;
        return;
      }
      switch (type) {
        case ChunkType.DATA:
        case ChunkType.I_DATA:
          if (this.onData(c.type, c.flags, c.value())) hadData = true;
          break;
        case ChunkType.SACK:
          this.onSack(c.value(), now);
          break;
        case ChunkType.INIT:
          this.hs.onInit(decodeInit(type, c.value()), now);
          break;
        case ChunkType.INIT_ACK:
          this.hs.onInitAck(decodeInit(type, c.value()), now);
          break;
        case ChunkType.COOKIE_ECHO:
          if (!this.hs.onCookieEcho(c.value(), vtag, now)) return;
          break;
        case ChunkType.COOKIE_ACK:
          this.hs.onCookieAck(now);
          break;
        case ChunkType.HEARTBEAT:
          if (this.neg) this.ctrl.push(encodeHeartbeat(ChunkType.HEARTBEAT_ACK, decodeHeartbeat(c.value())));
          break;
        case ChunkType.HEARTBEAT_ACK:
          if (this.sender) this.heartbeat.onAck(decodeHeartbeat(c.value()), now, this.sender);
          break;
        case ChunkType.ABORT: {
          this.stats.abortsReceived++;
          const causes = decodeCauses(c.value()).map(describeCause);
          this.terminate(`peer aborted${causes.length ? `: ${causes.join("; ")}` : ""}`, true, true);
          return;
        }
        case ChunkType.ERROR: {
          this.stats.errorsReceived++;
          const causes = decodeCauses(c.value());
          // Reported first: acting on it may end the association, and nothing follows 'closed'.
          this.emit({ type: "peer-error", causes: causes.map(describeCause) });
          // §5.2.6: a Stale Cookie answer to our COOKIE ECHO restarts the setup.
          const stale = causes.find((x) => x.type === ErrorCause.STALE_COOKIE);
          if (stale) this.hs.onStaleCookie(now, stale.value.length >= 4 ? readU32(stale.value, 0) : 0);
          break;
        }
        case ChunkType.FORWARD_TSN:
        case ChunkType.I_FORWARD_TSN:
          if (this.receiver && this.neg?.forwardTsn && (type === ChunkType.I_FORWARD_TSN) === this.neg.iData) {
            this.receiver.onForwardTsn(decodeForwardTsn(type, c.value()));
          } else this.stats.unexpectedChunk++;
          break;
        case ChunkType.RE_CONFIG:
          if (this.resets) for (const p of decodeReconfig(c.value())) this.resets.handle(p, now);
          else this.stats.unexpectedChunk++;
          break;
        case ChunkType.SHUTDOWN:
          this.sd.onShutdown(decodeShutdown(c.value()), now);
          break;
        case ChunkType.SHUTDOWN_ACK:
          if (this.sd.onShutdownAck()) return;
          break;
        case ChunkType.SHUTDOWN_COMPLETE:
          if (this.sd.onShutdownComplete()) return;
          break;
        default: {
          // §3.2: the two high bits of an unknown type say stop/skip and report/not.
          this.stats.unknownChunks++;
          const action = type >>> 6;
          if (action & 1 && this.neg) {
            this.ctrl.push(encodeError([causeUnrecognizedChunk(encodeChunk(type, c.flags, c.value()))]));
          }
          if ((action & 2) === 0) return;
        }
      }
    }
    const r = this.receiver;
    if (hadData && r) {
      r.afterDataPacket(now);
      if (r.errors.length > 0) {
        this.ctrl.push(encodeError(r.errors));
        r.errors = [];
      }
      if (r.abortReason) this.protocolAbort(r.abortReason, ErrorCause.OUT_OF_RESOURCE);
    }
  }

  /** §8.4: a packet for no association. */
  private outOfTheBlue(first: number, vtag: number): void {
    this.stats.outOfTheBlue++;
    const reply = outOfTheBlueReply(first);
    if (!reply) return;
    if (reply[0] === ChunkType.ABORT) this.stats.abortsSent++;
    this.sendRaw(vtag, reply, false);
  }

  private onData(type: number, flags: number, value: Uint8Array): boolean {
    const r = this.receiver;
    const neg = this.neg;
    if (!r || !neg || this.state === State.SHUTDOWN_ACK_SENT) {
      this.stats.unexpectedChunk++;
      return false;
    }
    if ((type === ChunkType.I_DATA) !== neg.iData) {
      this.protocolAbort(`${type === ChunkType.I_DATA ? "I-DATA" : "DATA"} chunk on an association that negotiated the other`);
      return false;
    }
    const d = decodeData(type, flags, value);
    if (d.payload.length === 0) {
      // §6.2: DATA without user data ends the association.
      this.sendAbort([causeNoUserData(d.tsn)]);
      this.terminate("peer sent DATA without user data", false, true);
      return false;
    }
    r.onData(d);
    return true;
  }

  private onSack(value: Uint8Array, now: number): void {
    const s = this.sender;
    if (!s) return void this.stats.unexpectedChunk++;
    const sack = decodeSack(value);
    const out = s.handleSack(sack, now);
    if (out === "violation") {
      this.stats.sackViolations++;
      this.protocolAbort("SACK for a TSN never sent");
      return;
    }
    this.sd.check(now);
  }

  /**
   * The peer restarted (§5.2.4 A): what was queued or in flight is lost with its old state, the
   * congestion state starts over, TSNs and stream sequence numbers start from the cookie's. A
   * shutdown our user asked for goes on with the new association. The 'restarted' event tells
   * what each stream had queued and never sent (a channel ended by it keeps that bufferedAmount).
   */
  private restart(n: Negotiated, now: number): void {
    this.stats.restarts++;
    const shuttingDown = this.state === State.SHUTDOWN_PENDING || this.state === State.SHUTDOWN_SENT;
    const unsent: { stream: number; bytes: number }[] = [];
    for (const [stream, s] of this.queue.streams) if (s.buffered > 0) unsent.push({ stream, bytes: s.buffered });
    this.queue = new SendQueue((stream) => this.emit({ type: "buffered-amount-low", stream }));
    this.ctrl = [];
    // Stand-alone packets not yet polled that were meant for the old peer (a SHUTDOWN, its
    // retransmission...) would go out under a tag the restarted peer no longer accepts.
    const oldTag = this.neg?.peerTag;
    if (oldTag !== undefined && this.raw.length > 0) this.raw = this.raw.filter((p) => readU32(p, 4) !== oldTag);
    this.sd.reset();
    this.establish(n, now, unsent);
    if (shuttingDown) this.state = State.SHUTDOWN_PENDING;
  }

  /** Build the data path for `n`; `unsent` marks a restart (what the old queue never sent). */
  private establish(n: Negotiated, now: number, unsent?: { stream: number; bytes: number }[]): void {
    this.neg = n;
    this.state = State.ESTABLISHED;
    const path = buildDataPath(n, this.o, this.queue, this.emitter);
    this.sender = path.sender;
    this.receiver = path.receiver;
    this.resets = path.resets;
    this.heartbeat.start(now);
    this.emit(unsent ? { type: "restarted", unsent } : { type: "connected" });
  }

  private protocolAbort(reason: string, code: number = ErrorCause.PROTOCOL_VIOLATION): void {
    this.sendAbort([code === ErrorCause.PROTOCOL_VIOLATION ? causeProtocolViolation(reason) : { type: code, value: new Uint8Array(0) }]);
    this.terminate(reason, false, true);
  }

  private sendAbort(causes: ErrorCauseTlv[]): void {
    if (!this.neg) return;
    this.stats.abortsSent++;
    this.sendRaw(this.neg.peerTag, encodeAbort(causes), false);
  }

  private sendRaw(tag: number, chunk: Uint8Array, zero: boolean): void {
    const pb = new PacketBuilder(chunk.length + 12);
    pb.begin(this.o.localPort, this.o.remotePort, tag);
    pb.append(chunk);
    this.raw.push(pb.finish(zero));
  }

  private terminate(reason: string, byPeer: boolean, error: boolean): void {
    if (this.terminated) return;
    if (error) log("association failed: %s", reason);
    this.terminated = true;
    this.state = State.CLOSED;
    this.hs.stop();
    if (this.sender) this.sender.t3 = undefined;
    if (this.receiver) this.receiver.sackDeadline = undefined;
    if (this.resets) this.resets.deadline = undefined;
    this.sd.reset();
    this.heartbeat.stop();
    this.ctrl = [];
    this.emit({ type: "closed", reason, byPeer, error });
  }

  private emit(e: SctpEvent): void {
    this.events.push(e);
  }

  pollEvent(): SctpEvent | undefined {
    if (this.evHead >= this.events.length) return undefined;
    const e = this.events[this.evHead];
    this.events[this.evHead++] = undefined as unknown as SctpEvent;
    if (this.evHead === this.events.length) {
      this.events.length = 0;
      this.evHead = 0;
    }
    return e;
  }

  pollTimeout(): number | undefined {
    let t = minDeadline(this.hs.t1, this.sender?.t3);
    t = minDeadline(t, this.receiver?.sackDeadline);
    t = minDeadline(t, this.resets?.deadline);
    t = minDeadline(t, this.sd.t2);
    return minDeadline(t, this.heartbeat.deadline);
  }

  handleTimeout(now: number): void {
    this.now = now;
    if (this.terminated) return;
    this.hs.onTimeout(now);
    const s = this.sender;
    if (s && s.t3 !== undefined && now >= s.t3) {
      s.onT3(now);
      if (s.errorCount > this.o.maxRetransmits) {
        this.sendAbort([causeProtocolViolation("too many retransmissions")]);
        return this.terminate("peer unreachable: too many retransmissions", false, true);
      }
    }
    this.receiver?.onTimeout(now);
    this.resets?.onTimeout(now);
    this.sd.onTimeout(now);
    if (this.terminated) return;
    if (s) {
      const hb = this.heartbeat.onTimeout(now, s, this.o.maxRetransmits);
      if (hb === "fail") return this.terminate("peer unreachable: heartbeats unanswered", false, true);
      if (hb) this.ctrl.push(hb);
    }
  }

  /**
   * The next packet to send (a bare SCTP packet; the caller puts it in DTLS), or undefined.
   * Pass `now` (or call handleTimeout(now) first) after API calls such as send(), so that the
   * retransmission timer starts from the real time of sending. With `transientPackets` the
   * packet is valid only until the next call.
   */
  pollTransmit(now?: number): Uint8Array | undefined {
    if (now !== undefined && now > this.now) this.now = now;
    if (this.raw.length > 0) {
      this.stats.packetsSent++;
      return this.raw.shift();
    }
    const neg = this.neg;
    if (!neg || this.terminated) return undefined;
    const pb = this.pb;
    const limit = this.o.mtu;
    pb.begin(this.o.localPort, this.o.remotePort, neg.peerTag);
    while (this.ctrl.length > 0) {
      const chunk = this.ctrl[0];
      if (!pb.empty && pb.len + chunk.length > limit) break;
      pb.append(chunk);
      this.ctrl.shift();
    }
    const s = this.sender;
    const r = this.receiver;
    if (s && r) {
      const dataReady = s.hasDataToSend() && s.flightSize < s.cc.cwnd;
      if (r.sackNow || (r.sackPending && dataReady)) {
        const room = limit - pb.len - 16;
        if (room >= 0) {
          const sack = r.takeSack(Math.min(100, room >> 2));
          if (sackValueLength(sack) + 4 > limit - pb.len) sack.dups = [];
          writeSackValue(pb.buf, pb.reserve(ChunkType.SACK, 0, sackValueLength(sack)), sack);
        }
      }
      if (s.forwardTsnNeeded && neg.forwardTsn) {
        const f = s.buildForwardTsn();
        if (f) pb.append(encodeForwardTsn(f));
      }
      if (this.resets?.hasWork && neg.reconfig) {
        const params = this.resets.poll(this.now);
        if (params) pb.append(encodeReconfig(params));
      }
      const st = this.state;
      if (st === State.ESTABLISHED || st === State.SHUTDOWN_PENDING || st === State.SHUTDOWN_RECEIVED) {
        if (s.fill(pb, limit, this.now)) this.heartbeat.onDataSent(this.now);
        if (this.queue.size === 0 && s.outstanding === 0 && st !== State.ESTABLISHED) this.sd.check(this.now);
      }
    }
    if (pb.empty) {
      if (this.raw.length > 0) return this.pollTransmit(now);
      return undefined;
    }
    this.stats.packetsSent++;
    return pb.finish(neg.zeroChecksum, this.o.transientPackets);
  }
}

function minDeadline(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined || a <= b ? a : b;
}
