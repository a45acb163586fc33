/**
 * W3C RTCPeerConnection (WebRTC 1.0 §4) for data channels, over the sans-IO PeerEngine and its
 * Node driver. Every method that touches the engine goes through EngineDriver.run(), which
 * drains transmits and events afterwards; engine events become DOM events here, each once.
 */
import { type Address, address, addressKey, cryptoRandom } from "@tsrtc/base";
import type { ChannelEvent, ChannelRecord } from "../engine/channels.js";
import { MAX_CHANNEL_ID } from "../engine/channels.js";
import { PeerEngine } from "../engine/engine.js";
import type { EngineEvent, IceConnectionState, IceGatheringState, PeerConnectionState, SignalingState } from "../engine/types.js";
import { wallClockNow } from "../io/clock.js";
import { EngineDriver } from "../io/driver.js";
import { resolveServers } from "../io/resolve.js";
import { resolveTurnServers } from "@tsrtc/ice/node";
import { type AlgorithmIdentifier, RTCCertificate, makeCertificate } from "./certificate.js";
import { type RTCConfiguration, type ValidatedConfiguration, validateConfiguration } from "./config.js";
import { type ChannelHost, PRIORITY_VALUES, RTCDataChannel, type RTCDataChannelInit } from "./data-channel.js";
import { RTCError, invalidState, toW3cError } from "./errors.js";
import { RtcEventTarget } from "./event-target.js";
import { RTCDataChannelEvent, RTCErrorEvent, RTCPeerConnectionIceErrorEvent, RTCPeerConnectionIceEvent } from "./events.js";
import { RTCIceCandidate, type RTCIceCandidateInit } from "./ice-candidate.js";
import { OperationsChain } from "./operations.js";
import { RTCSessionDescription, type RTCLocalSessionDescriptionInit, type RTCSessionDescriptionInit } from "./session-description.js";
import { RTCStatsReport, buildStatsReport, rememberChannel } from "./stats.js";
import { RTCDtlsTransport, RTCIceTransport, RTCSctpTransport } from "./transports.js";

export interface RTCOfferOptions {
  iceRestart?: boolean;
  offerToReceiveAudio?: boolean;
  offerToReceiveVideo?: boolean;
}

type Handler<E extends Event = Event> = ((ev: E) => unknown) | null;

const utf8Length = (s: string) => Buffer.byteLength(s, "utf8");

function enforceUnsignedShort(v: number | undefined, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 65535) throw new TypeError(`${what} must be 0..65535, got ${v}`);
  return Math.trunc(n);
}

export class RTCPeerConnection extends RtcEventTarget {
  /** W3C §4.10.2: ECDSA P-256 by default; RSASSA-PKCS1-v1_5 2048 as well. */
  static async generateCertificate(keygenAlgorithm: AlgorithmIdentifier): Promise<RTCCertificate> {
    return makeCertificate(keygenAlgorithm);
  }

  private config: ValidatedConfiguration;
  private readonly engine: PeerEngine;
  private readonly driver: EngineDriver;
  private readonly ops: OperationsChain;
  private readonly wrappers = new Map<ChannelRecord, RTCDataChannel>();
  private readonly host: ChannelHost;
  private readonly ice: RTCIceTransport;
  private readonly dtls: RTCDtlsTransport;
  private readonly sctpTransport: RTCSctpTransport;
  private prepared: Promise<void> | undefined;
  private negotiationNeeded = false;
  private createdChannel = false;
  private iceRestartNeeded = false;
  private selectedPairChanges = 0;
  private closed = false;

  constructor(configuration?: RTCConfiguration) {
    super();
    this.config = validateConfiguration(configuration, wallClockNow());
    if (this.config.certificates.length === 0) this.config.certificates = [makeCertificate()];
    const t = this.config.tsrtc;
    this.engine = new PeerEngine({
      certificates: this.config.certificates.map((c) => c.dtls),
      rng: cryptoRandom,
      iceTransportPolicy: this.config.iceTransportPolicy,
      maxMessageSize: t.maxMessageSize,
      maxReceiveMessageSize: t.maxReceiveMessageSize,
      remoteMaxMessageSize: t.remoteMaxMessageSize,
      ice: t.ice,
      mdns: t.mdns,
    });
    this.driver = new EngineDriver(
      this.engine,
      { hosts: t.hosts, includeLoopback: t.includeLoopback, interfaces: t.interfaces, ipv6: t.ipv6, port: t.port, turnTls: t.turnTls },
      (e) => this.onEngineEvent(e),
    );
    this.ops = new OperationsChain(() => this.closed);
    this.ops.onEmpty = () => this.updateNegotiationNeeded();
    const engine = () => this.engine;
    this.ice = new RTCIceTransport(engine);
    this.dtls = new RTCDtlsTransport(engine, this.ice);
    this.sctpTransport = new RTCSctpTransport(engine, this.dtls);
    this.host = {
      send: (rec, data, isText) => this.driver.runCorked(() => this.engine.channels.sendBytes(rec, data, isText)),
      close: (rec) => this.driver.run(() => this.engine.channels.close(rec)),
      bufferedAmount: (rec) => this.engine.channels.bufferedAmount(rec),
      setLowThreshold: (rec, n) => this.engine.channels.setLowThreshold(rec, n),
      maxMessageSize: () => this.sctpTransport.maxMessageSize,
    };
    if (this.config.iceCandidatePoolSize > 0) this.fillCandidatePool();
  }

  /**
   * W3C §4.4.1.6 iceCandidatePoolSize > 0: gather once the sockets are bound and the STUN/TURN
   * servers resolved; the engine holds the candidates until setLocalDescription. A failed
   * prepare() is reported by the setLocalDescription that awaits it.
   */
  private fillCandidatePool(): void {
    this.prepare().then(
      () => {
        if (this.closed || this.config.iceCandidatePoolSize === 0) return;
        this.driver.run((now) => this.engine.setCandidatePoolSize(this.config.iceCandidatePoolSize, now));
      },
      () => undefined,
    );
  }

  /** Bind the sockets and resolve STUN servers (once, before the first description). */
  private prepare(): Promise<void> {
    this.prepared ??= (async () => {
      const [, stun] = await Promise.all([this.driver.bind(), this.resolveStun(), this.resolveTurn()]);
      this.engine.setStunServers(stun);
    })();
    return this.prepared;
  }

  /** Resolve the turn:/turns: URLs for the ICE agent; a host that does not resolve is an icecandidateerror 701. */
  private async resolveTurn(): Promise<void> {
    const { servers, errors } = await resolveTurnServers(this.config.iceServers);
    this.engine.setTurnServers(servers);
    for (const e of errors) {
      this.later(() =>
        this.dispatchEvent(new RTCPeerConnectionIceErrorEvent("icecandidateerror", { address: null, port: null, url: e.url, errorCode: e.errorCode, errorText: e.errorText })),
      );
    }
  }

  /** Configured URL of each resolved STUN server (for icecandidateerror). */
  private readonly stunUrlOf = new Map<string, string>();

  /** Resolve the stun: URLs; a host that does not resolve is an icecandidateerror 701. */
  private async resolveStun(): Promise<Address[]> {
    const out: Address[] = [];
    for (const u of this.config.stunUrls) {
      const found = await resolveServers([u]);
      if (found.length === 0) {
        this.later(() =>
          this.dispatchEvent(new RTCPeerConnectionIceErrorEvent("icecandidateerror", { address: null, port: null, url: u.url, errorCode: 701, errorText: "STUN host lookup failed" })),
        );
      }
      for (const a of found) {
        this.stunUrlOf.set(addressKey(a), u.url);
        out.push(a);
      }
    }
    return out;
  }

  // ---- state ------------------------------------------------------------------------------

  /**
   * The states as the application has been told them: each changes when its event is
   * dispatched, so a handler reads the state its event announced (the engine may be ahead).
   */
  private shown: { signaling: SignalingState; gathering: IceGatheringState; ice: IceConnectionState; connection: PeerConnectionState } = {
    signaling: "stable",
    gathering: "new",
    ice: "new",
    connection: "new",
  };

  get signalingState(): SignalingState {
    return this.closed ? "closed" : this.shown.signaling;
  }
  get iceGatheringState(): IceGatheringState {
    return this.shown.gathering;
  }
  get iceConnectionState(): IceConnectionState {
    return this.closed ? "closed" : this.shown.ice;
  }
  get connectionState(): PeerConnectionState {
    return this.closed ? "closed" : this.shown.connection;
  }
  get canTrickleIceCandidates(): boolean | null {
    return this.engine.canTrickleIceCandidates;
  }
  get localDescription(): RTCSessionDescription | null {
    return this.pendingLocalDescription ?? this.currentLocalDescription;
  }
  get currentLocalDescription(): RTCSessionDescription | null {
    const d = this.engine.currentLocalDescription;
    return d ? new RTCSessionDescription({ type: d.type, sdp: d.sdp }) : null;
  }
  get pendingLocalDescription(): RTCSessionDescription | null {
    const d = this.engine.pendingLocalDescription;
    return d ? new RTCSessionDescription({ type: d.type, sdp: d.sdp }) : null;
  }
  get remoteDescription(): RTCSessionDescription | null {
    return this.pendingRemoteDescription ?? this.currentRemoteDescription;
  }
  get currentRemoteDescription(): RTCSessionDescription | null {
    const d = this.engine.currentRemoteDescription;
    return d ? new RTCSessionDescription({ type: d.type, sdp: d.sdp }) : null;
  }
  get pendingRemoteDescription(): RTCSessionDescription | null {
    const d = this.engine.pendingRemoteDescription;
    return d ? new RTCSessionDescription({ type: d.type, sdp: d.sdp }) : null;
  }
  /** The SCTP transport, once a description with a data section has been applied. */
  get sctp(): RTCSctpTransport | null {
    return this.engine.hasDescription ? this.sctpTransport : null;
  }

  // ---- offer / answer ---------------------------------------------------------------------

  createOffer(options: RTCOfferOptions = {}): Promise<RTCSessionDescriptionInit> {
    if (this.closed) return Promise.reject(invalidState("The RTCPeerConnection is closed"));
    return this.ops.chain(() => {
      try {
        const d = this.engine.createOffer({ iceRestart: options.iceRestart === true || this.iceRestartNeeded });
        return { type: "offer", sdp: d.sdp };
      } catch (e) {
        throw toW3cError(e);
      }
    });
  }

  createAnswer(_options: object = {}): Promise<RTCSessionDescriptionInit> {
    if (this.closed) return Promise.reject(invalidState("The RTCPeerConnection is closed"));
    return this.ops.chain(() => {
      try {
        const d = this.engine.createAnswer();
        return { type: "answer", sdp: d.sdp };
      } catch (e) {
        throw toW3cError(e);
      }
    });
  }

  setLocalDescription(description?: RTCLocalSessionDescriptionInit): Promise<void> {
    if (this.closed) return Promise.reject(invalidState("The RTCPeerConnection is closed"));
    const desc = description ? { type: description.type, sdp: description.sdp ?? "" } : undefined;
    return this.ops.chain(async () => {
      if (desc?.type !== "rollback") await this.prepare();
      if (this.closed) return;
      const wasOfferRestart = this.iceRestartNeeded && (desc?.type ?? "offer") === "offer" && this.engine.signalingState === "stable";
      try {
        this.driver.run((now) => this.engine.setLocalDescription(desc, now));
      } catch (e) {
        throw toW3cError(e);
      }
      if (wasOfferRestart) this.iceRestartNeeded = false;
      this.afterDescription();
    });
  }

  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    if (this.closed) return Promise.reject(invalidState("The RTCPeerConnection is closed"));
    if (!description || typeof description !== "object") return Promise.reject(new TypeError("a description is required"));
    const type = description.type;
    if (type !== "offer" && type !== "answer" && type !== "pranswer" && type !== "rollback") {
      return Promise.reject(new TypeError(`'${String(type)}' is not a valid RTCSdpType`));
    }
    const sdp = description.sdp ?? "";
    return this.ops.chain(async () => {
      if (type !== "rollback") await this.prepare();
      if (this.closed) return;
      try {
        this.driver.run((now) => {
          // W3C §4.4.1.5: a remote offer in have-local-offer rolls ours back first (perfect negotiation).
          if (type === "offer" && this.engine.signalingState === "have-local-offer") {
            this.engine.setLocalDescription({ type: "rollback", sdp: "" }, now);
          }
          this.engine.setRemoteDescription({ type, sdp }, now);
        });
      } catch (e) {
        throw toW3cError(e);
      }
      this.afterDescription();
    });
  }

  private afterDescription(): void {
    if (this.engine.signalingState === "stable") {
      this.negotiationNeeded = false;
      this.updateNegotiationNeeded();
    }
  }

  addIceCandidate(candidate?: RTCIceCandidateInit | RTCIceCandidate | null): Promise<void> {
    if (this.closed) return Promise.reject(invalidState("The RTCPeerConnection is closed"));
    const c = candidate ?? null;
    if (c && c.candidate && (c.sdpMid === undefined || c.sdpMid === null) && (c.sdpMLineIndex === undefined || c.sdpMLineIndex === null)) {
      return Promise.reject(new TypeError("sdpMid and sdpMLineIndex are both null"));
    }
    const init = c && { candidate: c.candidate ?? "", sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex, usernameFragment: c.usernameFragment };
    return this.ops.chain(() => {
      try {
        this.driver.run((now) => this.engine.addIceCandidate(init, now));
      } catch (e) {
        throw toW3cError(e);
      }
    });
  }

  /** W3C §4.4.1.6 restartIce: the next offer carries new ICE credentials. */
  restartIce(): void {
    if (this.closed) return;
    this.engine.restartIce();
    this.iceRestartNeeded = true;
    this.updateNegotiationNeeded();
  }

  // ---- negotiation-needed (W3C §4.7.3) ----------------------------------------------------

  private isNegotiationNeeded(): boolean {
    return (this.createdChannel && !this.engine.hasDataTransport) || this.iceRestartNeeded;
  }

  private updateNegotiationNeeded(): void {
    if (this.closed || this.ops.length > 0 || this.engine.signalingState !== "stable") return;
    if (!this.isNegotiationNeeded()) {
      this.negotiationNeeded = false;
      return;
    }
    if (this.negotiationNeeded) return;
    this.negotiationNeeded = true;
    queueMicrotask(() => {
      if (this.closed || !this.negotiationNeeded || this.ops.length > 0 || this.engine.signalingState !== "stable") return;
      if (!this.isNegotiationNeeded()) return;
      this.dispatchEvent(new Event("negotiationneeded"));
    });
  }

  // ---- configuration ------------------------------------------------------------------------

  getConfiguration(): RTCConfiguration {
    const c = this.config;
    return {
      iceServers: c.iceServers.map((s) => ({ ...s })),
      iceTransportPolicy: c.iceTransportPolicy,
      bundlePolicy: c.bundlePolicy,
      rtcpMuxPolicy: c.rtcpMuxPolicy,
      certificates: [...c.certificates],
      iceCandidatePoolSize: c.iceCandidatePoolSize,
      tsrtc: { ...c.tsrtc },
    };
  }

  /** W3C §4.4.1.6 set the configuration: certificates and policies cannot change, but iceTransportPolicy (from the next gathering). */
  setConfiguration(configuration: RTCConfiguration = {}): void {
    if (this.closed) throw invalidState("The RTCPeerConnection is closed");
    const next = validateConfiguration(configuration, wallClockNow());
    const cur = this.config;
    if (configuration.certificates !== undefined) {
      const same = next.certificates.length === cur.certificates.length && next.certificates.every((c, i) => c === cur.certificates[i]);
      if (!same) throw new DOMException("certificates cannot be changed", "InvalidModificationError");
    }
    if (next.bundlePolicy !== cur.bundlePolicy) throw new DOMException("bundlePolicy cannot be changed", "InvalidModificationError");
    if (next.rtcpMuxPolicy !== cur.rtcpMuxPolicy) throw new DOMException("rtcpMuxPolicy cannot be changed", "InvalidModificationError");
    // W3C §4.4.1.6: the pool size may change only until setLocalDescription has been called.
    const poolChanged = next.iceCandidatePoolSize !== cur.iceCandidatePoolSize;
    if (poolChanged && this.engine.localDescriptionApplied) {
      throw new DOMException("iceCandidatePoolSize cannot change after setLocalDescription", "InvalidModificationError");
    }
    next.certificates = cur.certificates;
    next.tsrtc = cur.tsrtc;
    this.config = next;
    // W3C §4.4.1.6: new ICE servers renew an unused candidate pool once resolved; a new policy
    // too, at once unless the servers change with it (one renewal, with the new servers).
    const renewLater = this.prepared !== undefined && JSON.stringify(next.iceServers) !== JSON.stringify(cur.iceServers) && next.iceCandidatePoolSize > 0;
    if (next.iceTransportPolicy !== cur.iceTransportPolicy) this.driver.run((now) => this.engine.setIceTransportPolicy(next.iceTransportPolicy, now, !renewLater));
    if (poolChanged && next.iceCandidatePoolSize > 0) this.fillCandidatePool();
    else if (poolChanged) this.driver.run((now) => this.engine.setCandidatePoolSize(0, now));
    if (this.prepared) {
      const resolved = Promise.all([this.prepared, this.resolveStun().then((s) => this.engine.setStunServers(s)), this.resolveTurn()]);
      const renew = (): void => {
        if (!this.closed) this.driver.run((now) => this.engine.renewCandidatePool(now));
      };
      // Servers that fail to resolve leave the old ones: the pool renews all the same.
      if (renewLater) resolved.then(renew, renew);
      else void resolved.catch(() => undefined);
    }
  }

  getSenders(): never[] {
    return [];
  }
  getReceivers(): never[] {
    return [];
  }
  getTransceivers(): never[] {
    return [];
  }
  addTrack(): never {
    throw new DOMException("media is not supported yet", "NotSupportedError");
  }
  addTransceiver(): never {
    throw new DOMException("media is not supported yet", "NotSupportedError");
  }

  // ---- data channels ------------------------------------------------------------------------

  createDataChannel(label: string, init: RTCDataChannelInit = {}): RTCDataChannel {
    if (this.closed) throw invalidState("The RTCPeerConnection is closed");
    label = String(label);
    const protocol = init.protocol === undefined ? "" : String(init.protocol);
    if (utf8Length(label) > 65535) throw new TypeError("label is longer than 65535 bytes");
    if (utf8Length(protocol) > 65535) throw new TypeError("protocol is longer than 65535 bytes");
    const maxPacketLifeTime = enforceUnsignedShort(init.maxPacketLifeTime, "maxPacketLifeTime");
    const maxRetransmits = enforceUnsignedShort(init.maxRetransmits, "maxRetransmits");
    if (maxPacketLifeTime !== undefined && maxRetransmits !== undefined) {
      throw new TypeError("maxPacketLifeTime and maxRetransmits cannot both be set");
    }
    const negotiated = init.negotiated === true;
    const id = negotiated ? enforceUnsignedShort(init.id, "id") : undefined;
    if (negotiated && id === undefined) throw new TypeError("a negotiated channel needs an id");
    if (id !== undefined && id > MAX_CHANNEL_ID) throw new TypeError(`id ${id} is out of range (0..65534)`);
    const priority = init.priority === undefined ? 256 : PRIORITY_VALUES[init.priority];
    if (priority === undefined) throw new TypeError(`'${String(init.priority)}' is not a valid RTCPriorityType`);
    let rec: ChannelRecord;
    try {
      rec = this.driver.run(() =>
        this.engine.channels.create(label, { ordered: init.ordered ?? true, maxPacketLifeTime, maxRetransmits, protocol, negotiated, id, priority }),
      );
    } catch (e) {
      throw toW3cError(e);
    }
    const dc = this.wrap(rec);
    this.createdChannel = true;
    this.updateNegotiationNeeded();
    return dc;
  }

  private wrap(rec: ChannelRecord): RTCDataChannel {
    let dc = this.wrappers.get(rec);
    if (!dc) {
      dc = new RTCDataChannel(rec, this.host);
      this.wrappers.set(rec, dc);
      rememberChannel(this.engine, rec);
    }
    return dc;
  }

  // ---- stats, close -------------------------------------------------------------------------

  getStats(_selector?: unknown): Promise<RTCStatsReport> {
    return Promise.resolve(buildStatsReport(this.engine, this.selectedPairChanges));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.driver.run((now) => this.engine.close(now));
    this.driver.stop();
    this.wrappers.clear();
  }

  // ---- engine events → DOM events -----------------------------------------------------------

  /** Tasks and channel events waiting for the next turn (channel events unwrapped: one per message). */
  private readonly deferred: (ChannelEvent | (() => void))[] = [];

  /**
   * Gathering events are queued as tasks (W3C §5.6.4): they fire after the setLocalDescription
   * promise resolves, so an application sends its description before the candidates.
   */
  private later(item: ChannelEvent | (() => void)): void {
    this.deferred.push(item);
    if (this.deferred.length > 1) return;
    this.driver.defer(() => {
      const list = this.deferred.splice(0);
      for (const f of list) {
        if (this.closed) return;
        if (typeof f === "function") f();
        else this.dispatchChannel(f);
      }
    });
  }

  private dispatchChannel(e: ChannelEvent): void {
    const dc = this.wrappers.get(e.channel);
    if (!dc) return;
    dc.dispatchChannelEvent(e);
    if (e.type === "close") this.wrappers.delete(e.channel);
  }

  private onEngineEvent(e: EngineEvent): void {
    if (this.closed) return; // W3C close(): no event fires after it
    switch (e.type) {
      case "icecandidate": {
        const candidate = e.candidate === null ? null : new RTCIceCandidate({ candidate: e.candidate, sdpMid: e.mid, sdpMLineIndex: e.mLineIndex, usernameFragment: e.ufrag });
        this.later(() => this.dispatchEvent(new RTCPeerConnectionIceEvent("icecandidate", { candidate })));
        return;
      }
      case "icecandidateerror": {
        const server = /^stun:\[?([^\]]+?)\]?:(\d+)$/.exec(e.url);
        const url = (server && this.stunUrlOf.get(addressKey(address(server[1], Number(server[2]))))) ?? e.url;
        this.later(() => this.dispatchEvent(new RTCPeerConnectionIceErrorEvent("icecandidateerror", { ...e, url })));
        return;
      }
      case "icegatheringstatechange":
        this.later(() => {
          this.shown.gathering = e.state;
          this.ice.dispatchEvent(new Event("gatheringstatechange"));
          this.dispatchEvent(new Event("icegatheringstatechange"));
        });
        return;
      case "iceconnectionstatechange":
        this.shown.ice = e.state;
        this.ice.dispatchEvent(new Event("statechange"));
        this.dispatchEvent(new Event("iceconnectionstatechange"));
        return;
      case "connectionstatechange":
        this.shown.connection = e.state;
        this.dispatchEvent(new Event("connectionstatechange"));
        return;
      case "signalingstatechange":
        this.shown.signaling = e.state;
        this.dispatchEvent(new Event("signalingstatechange"));
        return;
      case "dtlsstatechange":
        this.dtls.dispatchEvent(new Event("statechange"));
        if (e.state === "failed") {
          // W3C §5.5.1: an RTCErrorEvent on the transport; a certificate that does not match
          // a=fingerprint is a "fingerprint-failure", anything else a "dtls-failure".
          const detail = this.engine.dtlsFailure?.includes("fingerprint") ? "fingerprint-failure" : "dtls-failure";
          this.dtls.dispatchEvent(new RTCErrorEvent("error", { error: new RTCError({ errorDetail: detail }, this.engine.dtlsFailure ?? "DTLS failed") }));
        }
        return;
      case "sctpstatechange":
        this.sctpTransport.dispatchEvent(new Event("statechange"));
        return;
      case "selectedcandidatepairchange":
        this.selectedPairChanges++;
        this.ice.dispatchEvent(new Event("selectedcandidatepairchange"));
        return;
      case "datachannel": {
        // Channel events are tasks too (W3C §6.2): after the call that caused them returns.
        const channel = this.wrap(e.channel);
        this.later(() => this.dispatchEvent(new RTCDataChannelEvent("datachannel", { channel })));
        return;
      }
      case "mdns-query":
        return; // the driver answers these
      default:
        this.wrap(e.channel);
        this.later(e);
    }
  }

  get onicecandidate(): Handler<RTCPeerConnectionIceEvent> {
    return this.getHandler("icecandidate");
  }
  set onicecandidate(f: Handler<RTCPeerConnectionIceEvent>) {
    this.setHandler("icecandidate", f);
  }
  get onicecandidateerror(): Handler<RTCPeerConnectionIceErrorEvent> {
    return this.getHandler("icecandidateerror");
  }
  set onicecandidateerror(f: Handler<RTCPeerConnectionIceErrorEvent>) {
    this.setHandler("icecandidateerror", f);
  }
  get onicegatheringstatechange(): Handler {
    return this.getHandler("icegatheringstatechange");
  }
  set onicegatheringstatechange(f: Handler) {
    this.setHandler("icegatheringstatechange", f);
  }
  get oniceconnectionstatechange(): Handler {
    return this.getHandler("iceconnectionstatechange");
  }
  set oniceconnectionstatechange(f: Handler) {
    this.setHandler("iceconnectionstatechange", f);
  }
  get onconnectionstatechange(): Handler {
    return this.getHandler("connectionstatechange");
  }
  set onconnectionstatechange(f: Handler) {
    this.setHandler("connectionstatechange", f);
  }
  get onsignalingstatechange(): Handler {
    return this.getHandler("signalingstatechange");
  }
  set onsignalingstatechange(f: Handler) {
    this.setHandler("signalingstatechange", f);
  }
  get onnegotiationneeded(): Handler {
    return this.getHandler("negotiationneeded");
  }
  set onnegotiationneeded(f: Handler) {
    this.setHandler("negotiationneeded", f);
  }
  get ondatachannel(): Handler<RTCDataChannelEvent> {
    return this.getHandler("datachannel");
  }
  set ondatachannel(f: Handler<RTCDataChannelEvent>) {
    this.setHandler("datachannel", f);
  }
}
