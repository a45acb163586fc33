/**
 * DtlsEndpoint: a DTLS 1.2 endpoint (RFC 6347) for WebRTC (RFC 5764, RFC 8827), either role, as a
 * sans-IO core (DESIGN.md §1): datagrams in through handlePacket, out through pollTransmit; time
 * comes in as `now`; randomness from the injected RandomSource. Remote input never throws out of
 * it: a bad record is dropped and counted, a bad handshake is answered with a fatal alert.
 */
import { isProtocolError, logger, type Millis } from "@tsrtc/base";
import { DtlsAlertError, decodeAlert, encodeAlert } from "./alert.js";
import type { CipherSuiteInfo } from "./cipher-suites.js";
import {
  AlertDescription,
  AlertLevel,
  alertName,
  ContentType,
  DTLS_1_0,
  DTLS_1_2,
  HandshakeType,
  MAX_CIPHERTEXT,
  MAX_PLAINTEXT,
  RECORD_HEADER_LENGTH,
} from "./constants.js";
import { ClientHandshake } from "./flights/client.js";
import type { HandshakeHost, Session } from "./flights/context.js";
import { packFlight } from "./flights/pack.js";
import { FlightSender, type FlightItem } from "./flights/retransmit.js";
import { ServerHandshake } from "./flights/server.js";
import { readHandshakeFragment } from "./handshake/header.js";
import { matchesFingerprint, type Fingerprint } from "./certificate/certificate.js";
import { Reassembler, type HandshakeMessage } from "./handshake/reassembler.js";
import {
  DTLS_SRTP_LABEL,
  exportKeyingMaterial,
  splitSrtpKeyingMaterial,
  srtpKeyingMaterialLength,
  type KeyBlock,
  type SrtpKeyingMaterial,
} from "./keying.js";
import { resolveOptions, type DtlsEndpointOptions, type ResolvedOptions } from "./options.js";
import { emptyRecordHeader, readRecordHeader, writeRecordHeader } from "./record/header.js";
import { RecordLayer } from "./record/layer.js";
import { AeadProtection } from "./record/protection.js";
import type { DtlsCloseReason, DtlsEvent, DtlsState } from "./events.js";
import { Fifo } from "./queue.js";
import { newStats, type DtlsStats } from "./stats.js";

const log = logger("dtls");

export type { DtlsCloseReason, DtlsEvent, DtlsState } from "./events.js";

/** Records of a later epoch that arrive before its keys (reordering) are kept this many. */
const MAX_EARLY_RECORDS = 16;
/** Application data arriving after the peer's keys but before our handshake completes. */
const MAX_EARLY_DATA = 16;
/**
 * Largest ClientHello a server waiting for one buffers (Chromium's is ~1.4 kB, Firefox's ~2 kB):
 * unauthenticated fragments may hold at most 16 × this.
 */
const MAX_CLIENT_HELLO = 8192;
/** Largest handshake message we reassemble (certificate chains included). */
const MAX_HANDSHAKE_MESSAGE = 1 << 16;

export class DtlsEndpoint implements HandshakeHost {
  readonly options: ResolvedOptions;
  readonly stats: DtlsStats = newStats();
  private status: DtlsState = "new";
  private readonly layer = new RecordLayer();
  private readonly reassembler = new Reassembler(MAX_HANDSHAKE_MESSAGE);
  private readonly flight: FlightSender;
  private readonly client: ClientHandshake | undefined;
  private readonly server: ServerHandshake | undefined;
  private sessionInfo: Session | undefined;
  private readonly tx = new Fifo<Uint8Array>();
  private readonly events = new Fifo<DtlsEvent>();
  private readonly hdr = emptyRecordHeader();
  private earlyRecords: Uint8Array[] = [];
  private earlyData: Uint8Array[] = [];
  /** The peer has sent us an authenticated epoch-1 record: plaintext alerts are no longer believed. */
  private peerProtected = false;
  private sawOldHandshake = false;
  /** message_seq of the peer message our current flight answers (-1: none yet). */
  private answering = -1;
  /**
   * A repeat of that message means our flight was lost: retransmit at once (RFC 6347 §4.2.4).
   * Only that message triggers it, so a multi-datagram flight cannot set off a storm.
   */
  private retransmitTrigger = -1;
  /** A handshake record arrived in this input: messages may be ready. */
  private handshakeInput = false;
  private closeNotifySent = false;
  private handshakeDeadline: Millis | undefined;
  /** Handshake done, waiting for setRemoteFingerprints() before "connected". */
  private unverified: Session | undefined;

  constructor(options: DtlsEndpointOptions) {
    this.options = resolveOptions(options);
    this.flight = new FlightSender(this.options.retransmitInitial, this.options.retransmitMax);
    if (this.options.role === "client") this.client = new ClientHandshake(this);
    else this.server = new ServerHandshake(this);
    // Before the version is agreed a client may write DTLS 1.0 on its records (RFC 6347 §4.1); we
    // always write 1.2, which every DTLS 1.2 peer accepts.
    this.layer.version = DTLS_1_2;
  }

  get role(): "client" | "server" {
    return this.options.role;
  }

  get state(): DtlsState {
    return this.status;
  }

  /**
   * The largest application data that fits one datagram of `mtu` bytes once protected (the
   * record header plus the suite's AEAD overhead taken off): what SCTP should size packets to.
   * Before the suite is known, the largest overhead of our suites (GCM: 8 + 16) is assumed.
   */
  get maxApplicationData(): number {
    const overhead = this.sessionInfo ? this.sessionInfo.suite.explicitNonceLength + 16 : 24;
    return this.options.mtu - RECORD_HEADER_LENGTH - overhead;
  }

  /** Handshake messages held for reassembly plus early records (diagnostics: bounded by design). */
  get bufferedHandshakeState(): number {
    return this.reassembler.size + this.earlyRecords.length + this.earlyData.length;
  }

  /** The negotiated parameters once connected. */
  get session(): Readonly<Session> | undefined {
    return this.sessionInfo;
  }

  /** Client: send the first ClientHello. Called by the first handleTimeout too. Server: no-op. */
  start(now: Millis): void {
    if (this.status !== "new") return;
    this.status = "handshaking";
    if (this.options.handshakeTimeout !== undefined) this.handshakeDeadline = now + this.options.handshakeTimeout;
    this.client?.start(now);
  }

  // ---- Core interface -------------------------------------------------------------------

  handleTimeout(now: Millis): void {
    if (this.status === "new") {
      if (this.client) this.start(now);
      return;
    }
    if (this.status === "closed") return;
    if (this.status === "handshaking" && this.handshakeDeadline !== undefined && now >= this.handshakeDeadline) {
      // No alert: the peer is silent or unreachable. The caller learns it from the events.
      this.events.push({ type: "error", error: new Error("dtls: handshake timed out"), alert: AlertDescription.handshakeFailure });
      this.shutDown("timeout");
      return;
    }
    if (this.flight.expire(now)) {
      this.stats.retransmits++;
      log("%s: retransmit, next wait %d ms", this.role, this.flight.nextInterval);
      this.transmitFlight();
    }
  }

  pollTransmit(): Uint8Array | undefined {
    return this.tx.shift();
  }

  pollEvent(): DtlsEvent | undefined {
    return this.events.shift();
  }

  pollTimeout(): Millis | undefined {
    if (this.status === "new") return this.client ? 0 : undefined;
    if (this.status === "closed") return undefined;
    const t = this.flight.timeout;
    if (this.status === "handshaking" && this.handshakeDeadline !== undefined) return t === undefined ? this.handshakeDeadline : Math.min(t, this.handshakeDeadline);
    return t;
  }

  // ---- API ------------------------------------------------------------------------------

  /** Send application data as one record (RFC 6347 §4.1.1: a record never spans datagrams). */
  send(data: Uint8Array): void {
    if (this.status !== "connected") throw new Error(`InvalidStateError: DTLS is ${this.status}, not connected`);
    if (data.length > MAX_PLAINTEXT) throw new RangeError(`application data of ${data.length} bytes exceeds 2^14`);
    this.queue(this.layer.seal(ContentType.applicationData, this.layer.writeEpoch, data));
    this.stats.applicationDataSent++;
    this.stats.recordsSent++;
  }

  /** Send close_notify (RFC 5246 §7.2.1) and close. */
  close(): void {
    if (this.status === "closed") return;
    if (this.status !== "new") this.sendAlert(AlertLevel.warning, AlertDescription.closeNotify);
    this.closeNotifySent = true;
    this.shutDown("local");
  }

  /**
   * The fingerprints from signaling (RFC 8122 §5), for an endpoint made with
   * awaitRemoteFingerprints. If the handshake already finished, the peer's certificate is
   * checked now: a match connects, a mismatch is a fatal bad_certificate.
   */
  setRemoteFingerprints(fingerprints: Fingerprint[]): void {
    if (this.options.remoteFingerprints !== undefined) throw new Error("InvalidStateError: remote fingerprints already set");
    this.options.remoteFingerprints = fingerprints;
    const s = this.unverified;
    if (!s || this.status === "closed") return;
    this.unverified = undefined;
    if (matchesFingerprint(s.remoteCertificate, fingerprints)) {
      this.connect(s);
    } else {
      this.onError(new DtlsAlertError(AlertDescription.badCertificate, "certificate does not match the fingerprint from signaling"));
    }
  }

  /** RFC 5705 keying material exporter. */
  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    const s = this.sessionInfo;
    if (!s || this.status !== "connected") throw new Error("InvalidStateError: no DTLS session");
    return exportKeyingMaterial(s.suite.prfHash, s.masterSecret, s.clientRandom, s.serverRandom, label, context, length);
  }

  /** DTLS-SRTP master keys and salts (RFC 5764 §4.2); undefined when no profile was negotiated. */
  srtpKeyingMaterial(): SrtpKeyingMaterial | undefined {
    const profile = this.sessionInfo?.srtpProfile;
    if (!profile) return undefined;
    return splitSrtpKeyingMaterial(profile, this.exportKeyingMaterial(DTLS_SRTP_LABEL, undefined, srtpKeyingMaterialLength(profile)));
  }

  // ---- Input ----------------------------------------------------------------------------

  handlePacket(data: Uint8Array, now: Millis): void {
    this.stats.datagramsReceived++;
    if (this.status === "closed") {
      this.stats.dropped.closed++;
      return;
    }
    if (this.status === "new") this.start(now);
    try {
      this.readDatagram(data, now);
      this.afterInput(now);
    } catch (e) {
      this.onError(e);
    }
  }

  private afterInput(now: Millis): void {
    if (!this.handshakeInput) return; // the per-record fast path: application data only
    this.handshakeInput = false;
    this.processMessages(now);
    // Records of epoch 1 that beat their keys here: replay them now the keys exist.
    while (this.earlyRecords.length > 0 && this.layer.hasRead(1) && this.status !== "closed") {
      const early = this.earlyRecords;
      this.earlyRecords = [];
      for (const r of early) this.readDatagram(r, now);
      this.processMessages(now);
    }
    if (this.sawOldHandshake) {
      this.sawOldHandshake = false;
      // The peer repeated (part of) a flight we already answered: ours was lost (RFC 6347 §4.2.4).
      if (this.flight.current && this.status !== "closed") {
        this.stats.retransmits++;
        this.transmitFlight();
        this.flight.restartTimer(now);
      }
    }
  }

  private readDatagram(d: Uint8Array, now: Millis): void {
    const h = this.hdr;
    let at = 0;
    while (at < d.length) {
      if (this.status === "closed") return;
      if (!readRecordHeader(d, at, h)) {
        this.stats.dropped.truncated++;
        return;
      }
      at = h.fragmentOffset + h.length;
      this.stats.recordsReceived++;
      if (h.version !== DTLS_1_2 && !(h.version === DTLS_1_0 && h.epoch === 0)) {
        this.stats.dropped.badVersion++;
        continue;
      }
      if (h.length > MAX_CIPHERTEXT) {
        this.stats.dropped.overflow++;
        continue;
      }
      if (h.type < ContentType.changeCipherSpec || h.type > ContentType.applicationData) {
        this.stats.dropped.unknownContentType++;
        continue;
      }
      if (!this.layer.hasRead(h.epoch)) {
        if (h.epoch === 1 && this.status === "handshaking" && this.earlyRecords.length < MAX_EARLY_RECORDS) {
          this.handshakeInput = true; // replayed once the keys exist
          // A copy (Uint8Array#slice: a caller's Buffer#slice would share memory).
          this.earlyRecords.push(Uint8Array.prototype.slice.call(d, h.fragmentOffset - RECORD_HEADER_LENGTH, at));
        } else {
          this.stats.dropped.unknownEpoch++;
        }
        continue;
      }
      const stateless = h.epoch === 0 && this.server?.waitingForHello === true;
      const plain = this.layer.open(h.type, h.version, h.epoch, h.seq, d, h.fragmentOffset, h.length, stateless);
      if (typeof plain === "string") {
        if (plain === "replay") this.stats.dropped.replay++;
        else if (plain === "bad-mac") {
          this.stats.dropped.badMac++;
          if (this.options.badRecordMac === "fatal") throw new DtlsAlertError(AlertDescription.badRecordMac, "record failed authentication");
        } else this.stats.dropped.unknownEpoch++;
        continue;
      }
      if (h.epoch > 0) this.peerProtected = true;
      switch (h.type) {
        case ContentType.applicationData:
          this.onApplicationData(plain, h.epoch);
          break;
        case ContentType.handshake:
          if (this.onHandshakeRecord(plain, h.epoch, h.seq, now) && h.epoch === 0 && !stateless) {
            // RFC 6347 §4.1.2.6 moves the window only for records that passed MAC verification;
            // epoch 0 has none, and the same section makes anti-replay a local choice. We take
            // the closest stand-in: an epoch-0 record moves the window only while handshaking and
            // only if the reassembler accepted a fragment of a message we still expect. Alerts,
            // CCS, junk, and everything in epoch 0 after the handshake leave it alone, so a forged
            // high sequence number cannot turn the peer's genuine retransmissions into "replays".
            this.layer.markSeen(0, h.seq);
          }
          break;
        case ContentType.alert:
          this.onAlert(plain, h.epoch);
          break;
        case ContentType.changeCipherSpec:
          // RFC 6347 §4.1: the explicit epoch tells us which keys a record uses, so CCS carries no
          // state change here; it must still be well formed (RFC 5246 §7.1).
          if (plain.length !== 1 || plain[0] !== 1) {
            if (h.epoch > 0) throw new DtlsAlertError(AlertDescription.decodeError, "bad ChangeCipherSpec");
            this.stats.dropped.malformed++;
          } else if (this.status === "connected" || h.epoch > 0) {
            // Well formed but of no use: after the handshake (a forgery, or part of the peer's
            // retransmitted last flight, which its handshake records already trigger us on), or
            // protected (no renegotiation). Dropped and counted like any other unusable record.
            this.stats.dropped.unexpected++;
          }
          break;
      }
    }
  }

  private onApplicationData(data: Uint8Array, epoch: number): void {
    if (epoch === 0) {
      this.stats.dropped.unexpected++;
      return;
    }
    if (this.status === "connected") {
      this.stats.applicationDataReceived++;
      this.events.push({ type: "data", data });
    } else if (this.earlyData.length < MAX_EARLY_DATA) {
      this.earlyData.push(data); // a fresh buffer from the decipher
    } else {
      this.stats.dropped.unexpected++;
    }
  }

  /** Returns true when the reassembler accepted at least one fragment of a message still expected. */
  private onHandshakeRecord(payload: Uint8Array, epoch: number, recordSeq: number, now: Millis): boolean {
    this.handshakeInput = true;
    let accepted = false;
    let at = 0;
    while (at < payload.length) {
      let parsed;
      try {
        parsed = readHandshakeFragment(payload, at);
      } catch (e) {
        // Unauthenticated garbage must not kill a handshake; protected garbage is fatal.
        if (epoch > 0) throw e;
        this.stats.dropped.malformed++;
        return accepted;
      }
      at = parsed.next;
      const f = parsed.fragment;
      if (this.status === "connected" && epoch === 0) {
        // After the handshake only the peer's retransmissions matter (last-flight duty).
        if (f.messageSeq < this.reassembler.nextSeq) {
          this.stats.dropped.duplicateHandshake++;
          if (f.messageSeq === this.retransmitTrigger) this.sawOldHandshake = true;
        } else {
          this.stats.dropped.unexpected++;
        }
        continue;
      }
      const hello = this.server?.waitingForHello === true;
      const r = this.reassembler.add(f, epoch, recordSeq, hello, hello ? MAX_CLIENT_HELLO : MAX_HANDSHAKE_MESSAGE);
      if (r === "old") {
        this.stats.dropped.duplicateHandshake++;
        if (f.messageSeq === this.retransmitTrigger) this.sawOldHandshake = true;
      } else if (r !== "accepted") {
        this.stats.dropped.handshakeRejected++;
      } else {
        accepted = true;
      }
    }
    void now;
    return accepted;
  }

  private processMessages(now: Millis): void {
    const server = this.server;
    if (server?.waitingForHello) {
      let m: HandshakeMessage | undefined;
      while (server.waitingForHello && (m = this.reassembler.popAnyComplete())) {
        this.stats.handshakeMessagesReceived++;
        const out = server.onClientHello(m);
        if (out.kind === "verify") {
          this.sendHelloVerifyRequest(out.helloVerifyRequest, m.recordSeq);
        } else if (out.kind === "accepted") {
          this.reassembler.clear();
          this.reassembler.nextSeq = m.messageSeq + 1;
          // RFC 6347 §4.2.1: a stateless server's HelloVerifyRequest reused the ClientHello's record
          // number, so our epoch-0 numbering continues from the ClientHello we accept.
          this.layer.advanceWriteSeq(0, m.recordSeq);
          this.answering = m.messageSeq;
          server.continueHandshake(now);
        } else {
          this.stats.dropped.unexpected++;
        }
      }
      if (server.waitingForHello) return;
    }
    const hs = this.client ?? this.server!;
    let m: HandshakeMessage | undefined;
    while (this.status !== "closed" && (m = this.reassembler.pop())) {
      this.stats.handshakeMessagesReceived++;
      if (this.status === "connected") {
        this.onPostHandshakeMessage(m);
        continue;
      }
      this.answering = m.messageSeq;
      hs.handle(m, now);
    }
  }

  /** RFC 5746 §4.2/§4.4 and RFC 5246 §7.4.1.1: we refuse renegotiation with a warning. */
  private onPostHandshakeMessage(m: HandshakeMessage): void {
    if (m.msgType === HandshakeType.clientHello || m.msgType === HandshakeType.helloRequest) {
      this.sendAlert(AlertLevel.warning, AlertDescription.noRenegotiation);
      return;
    }
    throw new DtlsAlertError(AlertDescription.unexpectedMessage, `handshake message ${m.msgType} after the handshake`);
  }

  private onAlert(payload: Uint8Array, epoch: number): void {
    const a = decodeAlert(payload);
    if (!a) {
      if (epoch > 0) throw new DtlsAlertError(AlertDescription.decodeError, "malformed alert");
      this.stats.dropped.malformed++;
      return;
    }
    if (epoch === 0 && this.peerProtected) {
      // Once the peer protects its records, a plaintext alert is an unauthenticated forgery.
      this.stats.dropped.unexpected++;
      return;
    }
    this.stats.alertsReceived++;
    const level = a.level === AlertLevel.fatal ? "fatal" : "warning";
    this.events.push({ type: "alert", direction: "received", level, description: a.description, name: alertName(a.description) });
    if (a.description === AlertDescription.closeNotify) {
      // RFC 5246 §7.2.1: answer close_notify with close_notify.
      if (!this.closeNotifySent) {
        this.sendAlert(AlertLevel.warning, AlertDescription.closeNotify);
        this.closeNotifySent = true;
      }
      this.shutDown("close_notify");
      return;
    }
    if (a.level === AlertLevel.fatal) this.shutDown("fatal_alert_received");
    // Other warnings are ignored, as RFC 5246 §7.2.2 allows.
  }

  // ---- HandshakeHost --------------------------------------------------------------------

  sendFlight(items: FlightItem[], now: Millis, armTimer: boolean): void {
    if (this.status === "new") this.status = "handshaking";
    this.flight.set(items, now, armTimer);
    this.retransmitTrigger = this.answering;
    // Our CCS switches what we write afterwards (alerts, application data) to epoch 1.
    if (items.some((i) => i.kind === "ccs")) this.layer.writeEpoch = 1;
    this.transmitFlight();
  }

  installKeys(suite: CipherSuiteInfo, keys: KeyBlock): void {
    const client = this.role === "client";
    this.layer.installWrite(1, new AeadProtection(suite, client ? keys.client : keys.server));
    this.layer.installRead(1, new AeadProtection(suite, client ? keys.server : keys.client));
  }

  complete(session: Session, now: Millis): void {
    void now;
    // The client is done for good; the server keeps its last flight, without a timer.
    if (this.client) this.flight.clear();
    else this.flight.stopTimer();
    if (this.options.remoteFingerprints === undefined && this.options.awaitRemoteFingerprints) {
      this.unverified = session; // "connected" waits for setRemoteFingerprints()
      return;
    }
    this.connect(session);
  }

  private connect(session: Session): void {
    this.sessionInfo = session;
    this.status = "connected";
    log("%s: connected, %s, srtp %s", this.role, session.suite.name, session.srtpProfile);
    this.events.push({
      type: "connected",
      cipherSuite: session.suite.name,
      srtpProfile: session.srtpProfile,
      remoteCertificate: session.remoteCertificate,
      extendedMasterSecret: session.extendedMasterSecret,
    });
    const early = this.earlyData;
    this.earlyData = [];
    for (const d of early) {
      this.stats.applicationDataReceived++;
      this.events.push({ type: "data", data: d });
    }
  }

  // ---- Output ---------------------------------------------------------------------------

  private queue(d: Uint8Array): void {
    this.tx.push(d);
    this.stats.datagramsSent++;
  }

  private transmitFlight(): void {
    const items = this.flight.current;
    if (!items) return;
    for (const it of items) if (it.kind === "handshake") this.stats.recordsSent++;
    for (const d of packFlight(items, this.layer, this.options.mtu)) this.queue(d);
  }

  /** Stateless HelloVerifyRequest: its record sequence number echoes the ClientHello's (RFC 6347 §4.2.1). */
  private sendHelloVerifyRequest(message: Uint8Array, recordSeq: number): void {
    const d = new Uint8Array(RECORD_HEADER_LENGTH + message.length);
    writeRecordHeader(d, 0, ContentType.handshake, DTLS_1_2, 0, recordSeq, message.length);
    d.set(message, RECORD_HEADER_LENGTH);
    this.stats.helloVerifyRequestsSent++;
    this.stats.recordsSent++;
    this.queue(d);
  }

  private sendAlert(level: AlertLevel, description: number): void {
    this.queue(this.layer.seal(ContentType.alert, this.layer.writeEpoch, encodeAlert({ level, description })));
    this.stats.alertsSent++;
    this.stats.recordsSent++;
    this.events.push({
      type: "alert",
      direction: "sent",
      level: level === AlertLevel.fatal ? "fatal" : "warning",
      description,
      name: alertName(description),
    });
  }

  private onError(e: unknown): void {
    let alert: number;
    let error: Error;
    if (e instanceof DtlsAlertError) {
      alert = e.description;
      error = e;
    } else if (isProtocolError(e)) {
      alert = e.code === "duplicate-extension" ? AlertDescription.illegalParameter : AlertDescription.decodeError;
      error = e;
    } else {
      this.stats.internalErrors++;
      alert = AlertDescription.internalError;
      error = e instanceof Error ? e : new Error(String(e));
    }
    log("%s: fatal %s: %s", this.role, alertName(alert), error.message);
    if (this.status === "closed") return;
    this.sendAlert(AlertLevel.fatal, alert);
    this.events.push({ type: "error", error, alert });
    this.shutDown("fatal_alert_sent");
  }

  private shutDown(reason: DtlsCloseReason): void {
    if (this.status === "closed") return;
    this.status = "closed";
    this.flight.clear();
    this.reassembler.clear();
    this.earlyRecords = [];
    this.earlyData = [];
    this.events.push({ type: "closed", reason });
  }
}
