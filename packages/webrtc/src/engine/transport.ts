/**
 * The transport half of the engine: one ICE agent, one DTLS endpoint and one SCTP association
 * for the whole BUNDLE (RFC 9143), wired sans-IO. Datagrams are sorted by their first byte
 * (RFC 7983): STUN to ICE, DTLS to the DTLS endpoint, RTP/RTCP dropped and counted (no media
 * yet). DTLS application data is SCTP (RFC 8261); SCTP carries the data channels (RFC 8831).
 */
import { type Address, type Millis, type Transmit, demux, logger } from "@tsrtc/base";
import { type DtlsCertificate, DtlsEndpoint, type DtlsEvent, fingerprint } from "@tsrtc/dtls";
import { type HostInterface, IceAgent, type IceAgentEvent, type IceCredentials, type IceTurnServer, formatCandidate } from "@tsrtc/ice";
import { SctpAssociation, type SctpEvent } from "@tsrtc/sctp";
import { AgentReleases, closeAfterGoodbyes } from "./agent-release.js";
import { type ChannelEvent, ChannelTable } from "./channels.js";
import { type Coalesced, coalesceDtls } from "./coalesce.js";
import { peerConnectionState } from "./connection-state.js";
import { StunRttTracker } from "./rtt.js";
import { type SctpSetup, sctpOptions } from "./sctp-options.js";
import { StunServerWatch, stunErrorEvent } from "./stun-errors.js";
import {
  DEFAULT_MAX_MESSAGE_SIZE,
  DEFAULT_MAX_RECEIVE_MESSAGE_SIZE,
  type DtlsSetup,
  type DtlsTransportState,
  type EngineConfig,
  type EngineCounters,
  type EngineEvent,
  type IceConnectionState,
  type IceGatheringState,
  type PeerConnectionState,
  type SctpTransportState,
  countSent,
  newCounters,
} from "./types.js";

const log = logger("webrtc:engine");

/** DTLS datagrams that beat our DTLS endpoint (the answer is still on its way) are kept this many. */
const MAX_EARLY_DTLS = 16;

/**
 * SCTP packets waiting in the ICE agent's send queue are held to this many (about 1.2 MB). The
 * agent sends its STUN (checks, consent) ahead of queued data, so this does not guard consent
 * (RFC 7675); it bounds the memory of sealed datagrams while the Node layer paces its writes
 * (32 a turn). Beyond it packets wait in SCTP, pulled again once the queue has drained (see
 * nextTransmit). It is far above what one read burst of SACKs releases (each SACK opens at
 * most Max.Burst = 4 packets): SACKs handled while SCTP is held send nothing, so a limit in
 * reach (it was 64) cost transmission opportunities (measured: after a hold only 4 packets
 * went out for dozens of SACKs' worth of window, and the flight stayed below cwnd).
 */
const MAX_QUEUED_DATA = 1024;

export class TransportCore {
  readonly config: EngineConfig;
  readonly counters: EngineCounters = newCounters();
  /** STUN round-trip times per candidate pair (stats). */
  readonly rtt = new StunRttTracker();
  private readonly stunWatch = new StunServerWatch();
  private lastNow: Millis = 0;
  readonly channels: ChannelTable;
  readonly maxMessageSize: number;
  protected agent: IceAgent | undefined;
  protected dtls: DtlsEndpoint | undefined;
  protected sctp: SctpAssociation | undefined;
  protected hosts: HostInterface[] | undefined;
  protected isClosed = false;
  private readonly events: EngineEvent[] = [];
  private earlyDtls: Uint8Array[] = [];
  private sctpSetup: SctpSetup | undefined;
  private dtlsStarted = false;
  /** Non-STUN datagrams handed to the ICE agent and not yet taken by pollTransmit. */
  private queuedData = 0;
  /** SCTP had more to send when the queue was full. */
  private sctpHeld = false;

  iceGatheringState: IceGatheringState = "new";
  iceConnectionState: IceConnectionState = "new";
  dtlsState: DtlsTransportState = "new";
  sctpState: SctpTransportState | undefined;
  connectionState: PeerConnectionState = "new";
  /** "candidate:..." values of the current ICE generation, for localDescription. */
  localCandidates: string[] = [];
  gatheringComplete = false;
  remoteCertificate: Uint8Array | undefined;
  /** Why DTLS failed, when it did. */
  dtlsFailure: string | undefined;
  dtlsCipher: string | undefined;
  srtpCipher: string | undefined;
  /** The mid and m-line index our candidates belong to. */
  protected candidateMid: string | null = null;
  protected candidateIndex: number | null = null;

  constructor(config: EngineConfig) {
    if (config.certificates.length === 0) throw new TypeError("a certificate is required");
    this.config = config;
    this.maxMessageSize = config.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.iceTransportPolicy = config.iceTransportPolicy;
    this.channels = new ChannelTable((e: ChannelEvent) => this.events.push(e));
  }

  get certificate(): DtlsCertificate {
    return this.config.certificates[0];
  }

  /** "sha-256" fingerprints of our certificates, for a=fingerprint. */
  localFingerprints(): { algorithm: string; value: string }[] {
    return this.config.certificates.map((c) => fingerprint(c.der, "sha-256"));
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get iceAgent(): IceAgent | undefined {
    return this.agent;
  }
  get dtlsEndpoint(): DtlsEndpoint | undefined {
    return this.dtls;
  }
  get sctpAssociation(): SctpAssociation | undefined {
    return this.sctp;
  }
  get dtlsRole(): "client" | "server" | undefined {
    return this.dtls?.role;
  }

  /** STUN servers for the next ICE agent (resolved by the Node layer). */
  setStunServers(servers: Address[]): void {
    this.stunServers = servers;
    this.stunWatch.setServers(servers);
  }
  private stunServers: Address[] | undefined;

  /** TURN servers for the next ICE agent (resolved by the Node layer). */
  setTurnServers(servers: IceTurnServer[]): void {
    this.turnServers = servers;
  }
  private turnServers: IceTurnServer[] | undefined;

  /** The answer to an "mdns-query" event: the address, or undefined when none came. */
  resolvedMdns(name: string, ip: string | undefined, now: Millis): void {
    if (this.isClosed || !this.agent) return;
    this.agent.resolvedMdns(name, ip, now);
    this.pump(now);
  }

  /** The local addresses the Node layer bound (one socket each, shared by the BUNDLE). */
  setHosts(hosts: HostInterface[]): void {
    this.hosts = hosts;
  }

  private receiveBuffer: number | undefined;

  /**
   * The kernel receive buffer of our sockets in bytes, as the OS reports it (Linux: SO_RCVBUF,
   * which counts per-datagram overhead too). Call before SCTP starts: the SCTP window we
   * advertise is sized to fit in it (see advertisedWindow).
   */
  setReceiveBuffer(bytes: number): void {
    this.receiveBuffer = bytes > 0 ? bytes : undefined;
  }

  protected emit(e: EngineEvent): void {
    this.events.push(e);
  }

  // ---- building the transports ----------------------------------------------------------

  /** Create the ICE agent (or recreate it, with another role, after a rollback). */
  protected createAgent(controlling: boolean, creds: IceCredentials, now: Millis): IceAgent {
    this.dropAgent(now);
    this.agent = new IceAgent(
      {
        ...this.config.ice,
        controlling,
        localCredentials: creds,
        stunServers: this.stunServers ?? this.config.stunServers ?? [],
        turnServers: this.turnServers ?? [],
        iceTransportPolicy: this.iceTransportPolicy,
      },
      this.config.rng,
    );
    return this.agent;
  }

  /** W3C iceTransportPolicy now: the next agent's, and the current one's from its next gathering phase. */
  protected iceTransportPolicy: EngineConfig["iceTransportPolicy"];
  protected readonly releases = new AgentReleases();

  /** End the agent before close(): its TURN allocations are released (agent-release.ts). */
  protected dropAgent(now: Millis): void {
    if (this.agent) this.releases.release(this.agent, now);
    // A datagram of its queue that coalescing took out (pollTransmit) goes with it, uncounted.
    if (this.pendingTransmit) countSent(this.counters, this.pendingTransmit, -1);
    this.pendingTransmit = undefined;
    this.agent = undefined;
    this.localCandidates = [];
    this.gatheringComplete = false;
  }

  /** Start gathering on the bound host addresses (once per agent). */
  protected gather(now: Millis): void {
    const agent = this.agent;
    if (!agent || agent.gatheringState !== "new") return;
    // The agent applies iceTransportPolicy itself: with "relay" the hosts only carry TURN.
    const hosts = this.hosts ?? [];
    agent.gather(hosts, now);
  }

  /** The first answer is applied: we know our DTLS role and the peer's fingerprints. */
  protected setupSecurity(d: DtlsSetup, s: SctpSetup, now: Millis): void {
    if (this.dtls || this.isClosed) return;
    this.sctpSetup = { ...s, remoteMaxMessageSize: this.remoteLimit(s.remoteMaxMessageSize) };
    this.channels.setRole(d.role);
    this.dtls = new DtlsEndpoint({
      role: d.role,
      certificate: this.certificate,
      remoteFingerprints: d.fingerprints,
      rng: this.config.rng,
      mtu: this.config.mtu ?? 1200,
    });
    this.setDtlsState("connecting");
    const early = this.earlyDtls;
    this.earlyDtls = [];
    for (const p of early) this.dtls.handlePacket(p, now);
    this.maybeStartDtls(now);
    this.pump(now);
  }

  /** The DTLS client speaks first once ICE has a path (RFC 8842 §5). */
  private maybeStartDtls(now: Millis): void {
    if (this.dtlsStarted || !this.dtls || !this.agent) return;
    const st = this.agent.connectionState;
    if (st !== "connected" && st !== "completed") return;
    this.dtlsStarted = true;
    this.dtls.start(now);
  }

  /** The peer's limit as we obey it: its a=max-message-size, or the configured override. */
  protected remoteLimit(advertised: number): number {
    return this.config.remoteMaxMessageSize ?? advertised;
  }

  protected updateRemoteMaxMessageSize(advertised: number): void {
    const n = this.remoteLimit(advertised);
    if (this.sctpSetup) this.sctpSetup.remoteMaxMessageSize = n;
    if (this.sctp) this.sctp.maxMessageSize = n === 0 ? Number.MAX_SAFE_INTEGER : n;
  }

  private startSctp(now: Millis): void {
    const s = this.sctpSetup;
    if (this.sctp || !s) return;
    const c = this.config;
    this.sctp = new SctpAssociation(
      sctpOptions(s, {
        rng: c.rng,
        mtu: c.mtu ?? 1200,
        maxMessageSize: this.maxMessageSize,
        maxReceiveMessageSize: c.maxReceiveMessageSize ?? DEFAULT_MAX_RECEIVE_MESSAGE_SIZE,
        receiveBuffer: this.receiveBuffer,
      }),
    );
    this.channels.attach(this.sctp);
    this.setSctpState("connecting");
    this.sctp.connect(now);
  }

  // ---- input ----------------------------------------------------------------------------

  /** A datagram arrived on our socket `local` from `from`. Never throws on remote input. */
  handlePacket(data: Uint8Array, from: Address, local: Address, now: Millis): void {
    const c = this.counters;
    c.datagramsReceived++;
    c.bytesReceivedTotal += data.length;
    if (this.isClosed) return void c.dropped.noTransport++;
    // An answer to a dropped agent's TURN client (agent-release.ts): the successor does not know it.
    if (this.releases.active && this.releases.handlePacket(data, from, local, now)) return void c.stunReceived++;
    const agent = this.agent;
    if (!agent) return void c.dropped.noTransport++;
    if (data.length === 0) return void c.dropped.empty++;
    this.lastNow = now;
    const verdict = agent.handlePacket(data, from, local, now);
    if (verdict === "stun") {
      c.stunReceived++;
      this.rtt.received(data, now);
      const err = this.stunWatch.received(data);
      if (err) this.emit(stunErrorEvent(err));
    } else if (verdict === "dropped") {
      c.dropped.unknownSource++;
      return;
    } else {
      // A peer's datagram relayed by TURN comes unwrapped (no ChannelData / Data indication).
      if (verdict === "relayed") data = agent.relayedPayload!;
      c.packetsReceived++;
      c.bytesReceived += data.length;
      switch (demux(data)) {
        case "dtls":
          if (this.dtls) this.dtls.handlePacket(data, now);
          else if (this.earlyDtls.length < MAX_EARLY_DTLS) this.earlyDtls.push(data.slice());
          else c.dropped.earlyDtlsOverflow++;
          break;
        case "rtp":
          c.dropped.rtp++;
          break;
        case "rtcp":
          c.dropped.rtcp++;
          break;
        default:
          c.dropped.unknownKind++;
      }
    }
    this.pump(now);
  }

  handleTimeout(now: Millis): void {
    if (this.isClosed) return;
    this.lastNow = now;
    this.releases.handleTimeout(now);
    this.agent?.handleTimeout(now);
    // A DTLS client starts on its first timeout: hold it until ICE has a path.
    if (this.dtls && (this.dtlsStarted || this.dtls.role === "server")) this.dtls.handleTimeout(now);
    this.sctp?.handleTimeout(now);
    this.pump(now);
  }

  /**
   * Move everything between the cores until they are quiet. Inputs call it themselves; the
   * driver calls it after every API call too (a channel send queues in SCTP, this sends it).
   */
  pump(now: Millis): void {
    this.lastNow = now;
    for (let round = 0; round < 64; round++) {
      let moved = false;
      const agent = this.agent;
      if (agent) for (let e = agent.pollEvent(); e; e = agent.pollEvent()) {
        moved = true;
        this.onIceEvent(e, now);
      }
      const sctp = this.sctp;
      if (sctp) {
        for (let e = sctp.pollEvent(); e; e = sctp.pollEvent()) {
          moved = true;
          this.onSctpEvent(e);
        }
        if (this.sendSctpOutput(sctp, now)) moved = true;
      }
      const dtls = this.dtls;
      if (dtls) {
        for (let e = dtls.pollEvent(); e; e = dtls.pollEvent()) {
          moved = true;
          this.onDtlsEvent(e, now);
        }
        if (this.sendDtlsOutput(now)) moved = true;
      }
      if (!moved) break;
    }
    this.updateConnectionState();
  }

  /**
   * SCTP's packets into DTLS and on to the ICE agent's queue; true if there were any. Once held,
   * SCTP waits until the agent's queue has drained completely, STUN included.
   */
  private sendSctpOutput(sctp: SctpAssociation, now: Millis): boolean {
    const dtls = this.dtls;
    if (dtls?.state !== "connected" || this.sctpHeld) return false;
    let any = false;
    while (this.queuedData < MAX_QUEUED_DATA) {
      const p = sctp.pollTransmit(now);
      if (!p) break;
      any = true;
      dtls.send(p);
      this.sendDtlsOutput(now);
    }
    if (this.queuedData >= MAX_QUEUED_DATA) this.sctpHeld = true;
    return any;
  }

  /** DTLS's datagrams to the ICE agent's queue (counted); true if there were any. */
  private sendDtlsOutput(now: Millis): boolean {
    const dtls = this.dtls;
    const agent = this.agent;
    if (!dtls) return false;
    let any = false;
    for (let d = dtls.pollTransmit(); d; d = dtls.pollTransmit()) {
      any = true;
      if (agent?.send(d, now)) this.queuedData++;
    }
    return any;
  }

  private onIceEvent(e: IceAgentEvent, now: Millis): void {
    switch (e.type) {
      case "candidate": {
        const value = formatCandidate(e.candidate);
        this.localCandidates.push(value);
        this.emit({ type: "icecandidate", candidate: value, mid: this.candidateMid, mLineIndex: this.candidateIndex, ufrag: e.candidate.ufrag ?? null });
        return;
      }
      case "gathering-state":
        if (e.state === "gathering") {
          this.gatheringComplete = false;
          this.localCandidates = [];
        }
        if (e.state !== this.iceGatheringState) this.setGatheringState(e.state);
        if (e.state === "complete") {
          for (const err of this.stunWatch.timedOut()) this.emit(stunErrorEvent(err));
          this.gatheringComplete = true;
          this.emit({ type: "icecandidate", candidate: null, mid: null, mLineIndex: null, ufrag: null });
        }
        return;
      case "connection-state":
        if (e.state !== this.iceConnectionState && !this.isClosed) {
          this.iceConnectionState = e.state;
          this.emit({ type: "iceconnectionstatechange", state: e.state });
        }
        this.maybeStartDtls(now);
        return;
      case "selected-pair":
        this.emit({ type: "selectedcandidatepairchange" });
        this.maybeStartDtls(now);
        return;
      case "mdns-query":
        if (this.config.mdns === "off") this.agent?.resolvedMdns(e.name, undefined, now);
        else this.emit({ type: "mdns-query", name: e.name });
        return;
      case "candidate-error":
        this.emit({ type: "icecandidateerror", address: e.address, port: e.port, url: e.url, errorCode: e.errorCode, errorText: e.errorText });
        return;
      case "role":
      case "mdns-register":
        return;
    }
  }

  /** The engine holds these while candidates are pooled (see PeerEngine.setCandidatePoolSize). */
  protected setGatheringState(state: IceGatheringState): void {
    this.iceGatheringState = state;
    this.emit({ type: "icegatheringstatechange", state });
  }

  private onDtlsEvent(e: DtlsEvent, now: Millis): void {
    switch (e.type) {
      case "connected":
        this.remoteCertificate = e.remoteCertificate;
        this.dtlsCipher = e.cipherSuite;
        this.srtpCipher = e.srtpProfile;
        this.setDtlsState("connected");
        this.startSctp(now);
        return;
      case "data": {
        const sctp = this.sctp;
        if (!sctp) return;
        sctp.handlePacket(e.data, now);
        // Each SCTP packet is its own transmission opportunity (a SACK opens a Max.Burst, RFC 9260
        // §6.1 D), also when one datagram carried several of them (see pollTransmit).
        this.sendSctpOutput(sctp, now);
        return;
      }
      case "error":
        log("dtls error: %s", e.error.message);
        this.dtlsFailure = e.error.message;
        this.setDtlsState("failed");
        return;
      case "closed":
        if (this.dtlsState !== "failed") this.setDtlsState(e.reason === "fatal_alert_sent" || e.reason === "fatal_alert_received" ? "failed" : "closed");
        if (this.sctp && this.sctpState !== "closed" && !this.isClosed) {
          // The DTLS transport is gone: the association with it (W3C: channels close, in error).
          this.channels.closeAll(false, "sctp-failure: dtls closed");
          this.sctp.abort("dtls closed", now);
          for (let ev = this.sctp.pollEvent(); ev; ev = this.sctp.pollEvent()) this.onSctpEvent(ev);
        }
        return;
      case "alert":
        if (e.level === "fatal") this.dtlsFailure ??= `${e.direction} alert ${e.name}`;
        return;
    }
  }

  private onSctpEvent(e: SctpEvent): void {
    if (e.type === "connected") this.setSctpState("connected");
    this.channels.handleEvent(e);
    if (e.type === "closed") this.setSctpState("closed");
  }

  private setDtlsState(s: DtlsTransportState): void {
    if (this.dtlsState === s) return;
    this.dtlsState = s;
    this.emit({ type: "dtlsstatechange", state: s });
  }

  private setSctpState(s: SctpTransportState): void {
    if (this.sctpState === s) return;
    this.sctpState = s;
    this.emit({ type: "sctpstatechange", state: s });
  }

  /** W3C RTCPeerConnectionState from the ICE and DTLS transport states (§4.3.3). */
  protected updateConnectionState(): void {
    if (this.isClosed) return;
    const s = peerConnectionState(this.iceConnectionState, this.dtlsState, this.connectionState);
    if (s !== this.connectionState) {
      this.connectionState = s;
      this.emit({ type: "connectionstatechange", state: s });
    }
  }

  // ---- output ---------------------------------------------------------------------------

  /** The next datagram to send; small DTLS ones for the same route share it (coalesce.ts). */
  pollTransmit(): Transmit | undefined {
    const t = this.nextTransmit();
    if (!t) return t;
    const c = this.coalesced;
    const out = coalesceDtls(t, this.pullNext, this.coalesceLimit, c);
    this.pendingTransmit = c.leftover;
    this.counters.datagramsSent -= c.parts - 1;
    this.counters.packetsSent -= c.parts - 1;
    return out;
  }

  private readonly coalesced: Coalesced = { parts: 1, leftover: undefined };
  private readonly pullNext = (): Transmit | undefined => this.nextTransmit();

  /** A datagram taken from the agent that did not fit the one before it: it goes next. */
  private pendingTransmit: Transmit | undefined;

  private get coalesceLimit(): number {
    return this.config.mtu ?? 1200;
  }

  /** One datagram from the agent (SCTP refills its queue once it is empty), counted. */
  private nextTransmit(): Transmit | undefined {
    let t = this.pendingTransmit;
    if (t) {
      this.pendingTransmit = undefined;
      return t;
    }
    // A dropped agent's releases go ahead of what its successor sends (agent-release.ts).
    t = this.releases.size > 0 ? this.releases.poll() : this.agent?.pollTransmit();
    if (!t) {
      // The agent's queue is empty (its STUN went out too): SCTP may fill it again.
      this.queuedData = 0;
      if (!this.sctpHeld || this.isClosed) return undefined;
      this.sctpHeld = false;
      this.pump(this.lastNow);
      t = this.agent?.pollTransmit();
      if (!t) return undefined;
    }
    if (countSent(this.counters, t, 1)) {
      this.rtt.sent(t.data, t.from, t.to, this.lastNow);
      this.stunWatch.sent(t.data, t.from, t.to);
    } else if (this.queuedData > 0) this.queuedData--;
    return t;
  }

  pollEvent(): EngineEvent | undefined {
    return this.events.shift();
  }

  pollTimeout(): Millis | undefined {
    if (this.isClosed) return undefined;
    let at = this.releases.pollTimeout() ?? Infinity;
    const a = this.agent?.pollTimeout();
    if (a !== undefined) at = Math.min(at, a);
    const d = this.dtls?.pollTimeout();
    if (d !== undefined && this.dtlsStarted) at = Math.min(at, d);
    else if (d !== undefined && this.dtls?.role === "server") at = Math.min(at, d);
    const s = this.sctp?.pollTimeout();
    if (s !== undefined) at = Math.min(at, s);
    return at === Infinity ? undefined : at;
  }

  /** Close everything (W3C close(): SCTP ABORT as Chromium does, DTLS close_notify, ICE stop). */
  protected closeTransports(now: Millis): void {
    if (this.isClosed) return;
    this.channels.closeAll(true);
    if (this.sctp && this.sctpState !== "closed") {
      this.sctp.abort("close", now);
      for (let p = this.sctp.pollTransmit(); p; p = this.sctp.pollTransmit()) if (this.dtls?.state === "connected") this.dtls.send(p);
    }
    this.dtls?.close();
    if (this.dtls) for (let d = this.dtls.pollTransmit(); d; d = this.dtls.pollTransmit()) this.agent?.send(d, now);
    // Keep the final datagrams: the agent closes after they are drained (see closeAfterDrain).
    this.isClosed = true;
    if (this.sctp) this.sctpState = "closed";
    if (this.dtls) this.dtlsState = "closed";
    this.iceConnectionState = "closed";
    this.connectionState = "closed";
  }

  /** After close(): the goodbye datagrams, then the agent stops and releases its allocations. */
  finishClose(now: Millis): Transmit[] {
    const out = this.releases.drain();
    if (this.agent) closeAfterGoodbyes(this.agent, this.pendingTransmit, now, out);
    this.pendingTransmit = undefined;
    return out;
  }
}
