/**
 * PeerEngine: the sans-IO heart of RTCPeerConnection for data channels. The transport half
 * (transport.ts) runs ICE, DTLS and SCTP; this half is JSEP (RFC 8829): offers and answers,
 * the signaling state machine (W3C §4.3.1), rollback, trickle candidates, ICE restart, and the
 * roles that follow from them (the offerer is ICE controlling, §5.1; a=setup decides DTLS,
 * RFC 8842: our answers say "active", so the answerer is the DTLS client).
 */
import { type Millis, type Transmit, randomIceString } from "@tsrtc/base";
import { type IceCredentials, type IceRelayStream, parseCandidate } from "@tsrtc/ice";
import { serializeSdp } from "@tsrtc/sdp";
import { rtcError } from "./errors.js";
import { type LocalSdpParams, type RemoteSdp, type SectionPlan, type SetupRole, readRemoteSdp, writeLocalSdp } from "./sdp.js";
import { TransportCore } from "./transport.js";
import type { EngineConfig, EngineEvent, IceGatheringState, SignalingState } from "./types.js";

export type SdpType = "offer" | "answer" | "pranswer" | "rollback";

export interface Description {
  type: SdpType;
  sdp: string;
}

interface LocalDesc {
  type: "offer" | "answer" | "pranswer";
  params: LocalSdpParams;
}

interface RemoteDesc {
  type: "offer" | "answer" | "pranswer";
  remote: RemoteSdp;
  sdp: string;
}

export interface CandidateInit {
  candidate?: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

export class PeerEngine extends TransportCore {
  signalingState: SignalingState = "stable";
  private readonly sessionId: string;
  private sessionVersion = 1;
  private creds: IceCredentials;
  private restartPending = false;
  private lastOffer: { sdp: string; params: LocalSdpParams } | undefined;
  private lastAnswer: { sdp: string; params: LocalSdpParams } | undefined;
  private currentLocal: LocalDesc | undefined;
  private pendingLocal: LocalDesc | undefined;
  private currentRemote: RemoteDesc | undefined;
  private pendingRemote: RemoteDesc | undefined;
  /** The m= lines as last negotiated (later offers keep their order, RFC 8829 §5.2.2). */
  private plan: SectionPlan[] = [];
  /** An answer has been applied once: the ICE role and DTLS are fixed. */
  private negotiatedOnce = false;
  /** setLocalDescription has applied an offer or answer (W3C: the pool size is fixed from then). */
  private localApplied = false;
  /** The application wants a candidate pool (iceCandidatePoolSize > 0). */
  private poolWanted = false;
  /** The agent was made by the pool and no description has fixed its role yet. */
  private pooledAgent = false;
  /** Gathering events of the pool, held until setLocalDescription surfaces them. */
  private heldGathering: EngineEvent[] | undefined;

  constructor(config: EngineConfig) {
    super(config);
    const id = new Uint32Array(2);
    config.rng.fill(new Uint8Array(id.buffer));
    // A positive 62-bit decimal, as browsers write o= session ids.
    this.sessionId = ((BigInt(id[0] & 0x3fffffff) << 32n) | BigInt(id[1])).toString();
    this.creds = this.newCredentials();
  }

  private newCredentials(): IceCredentials {
    return { ufrag: randomIceString(this.config.rng, 4), pwd: randomIceString(this.config.rng, 24) };
  }

  get localCredentials(): IceCredentials {
    return this.agent?.localCredentials ?? this.creds;
  }

  // ---- descriptions as the API shows them ------------------------------------------------

  private render(d: LocalDesc | undefined): Description | undefined {
    if (!d) return undefined;
    const withCandidates = this.agent !== undefined && d.params.ufrag === this.agent.localCredentials.ufrag;
    return {
      type: d.type,
      sdp: writeLocalSdp(d.params, withCandidates ? this.localCandidates : [], withCandidates && this.gatheringComplete),
    };
  }
  get currentLocalDescription(): Description | undefined {
    return this.render(this.currentLocal);
  }
  get pendingLocalDescription(): Description | undefined {
    return this.render(this.pendingLocal);
  }
  get currentRemoteDescription(): Description | undefined {
    return this.currentRemote && { type: this.currentRemote.type, sdp: this.currentRemote.sdp };
  }
  get pendingRemoteDescription(): Description | undefined {
    return this.pendingRemote && { type: this.pendingRemote.type, sdp: this.pendingRemote.sdp };
  }
  /** W3C canTrickleIceCandidates: null until a remote description is set. */
  get canTrickleIceCandidates(): boolean | null {
    const r = this.pendingRemote ?? this.currentRemote;
    return r ? r.remote.trickle : null;
  }
  /** The peer's a=max-message-size (0 = unlimited), once known, or the configured override. */
  get remoteMaxMessageSize(): number | undefined {
    const r = this.currentRemote ?? this.pendingRemote;
    return r && r.remote.dataIndex >= 0 ? this.remoteLimit(r.remote.maxMessageSize) : undefined;
  }
  /** True once any description has been applied (W3C: pc.sctp is no longer null). */
  get hasDescription(): boolean {
    return this.currentLocal !== undefined || this.pendingLocal !== undefined || this.pendingRemote !== undefined || this.currentRemote !== undefined;
  }
  /** True once a data section is negotiated (an answer accepted m=application). */
  get hasDataTransport(): boolean {
    return this.negotiatedOnce && this.plan.some((s) => s.kind === "data");
  }

  private setSignaling(s: SignalingState): void {
    if (this.signalingState === s) return;
    this.signalingState = s;
    // Back to stable: the offer or answer created for this round is spent (an empty sdp in a
    // later setLocalDescription makes a fresh one).
    if (s === "stable") {
      this.lastOffer = undefined;
      this.lastAnswer = undefined;
    }
    this.emit({ type: "signalingstatechange", state: s });
  }

  private assertOpen(): void {
    if (this.isClosed) throw rtcError("InvalidStateError", "the peer connection is closed");
  }

  // ---- the candidate pool (W3C §4.4.1.6 iceCandidatePoolSize) -------------------------------

  /**
   * Pre-gather before setLocalDescription (W3C §4.4.1.6 "set the configuration", the candidate
   * pool). The agent is made now with our current credentials (those the first offer or answer
   * will carry) and gathers on the bound hosts; its gathering events are held and surfaced at
   * setLocalDescription, as if gathering started then (W3C §4.4.1.5), so the application sees no
   * icecandidate and iceGatheringState "new" until then. The first offer or answer may already
   * list the pooled candidates (trickle rules as for any description).
   * Any size > 0 means the same here: everything rides one BUNDLE transport (RFC 9143), so there
   * is one transport's candidates to pre-gather and a second pooled set would never be used
   * (libwebrtc, bundling a data-only session, likewise only uses one pooled session).
   * Size 0 discards a pool that no description has used yet. Call after setHosts and the
   * STUN/TURN servers.
   */
  /**
   * The TCP/TLS connection to a TURN server a transmit is for (RFC 8656 §3.1): the driver writes
   * it there instead of sending a datagram. Undefined for datagrams (one comparison).
   */
  relayStream(t: Transmit): IceRelayStream | undefined {
    if (t.from === undefined || t.from.port !== 0) return undefined;
    return this.agent?.relayStream(t) ?? this.releases.relayStream(t);
  }

  /** A TURN server's TCP/TLS connection ended: its allocation is lost (made again once if it was in use). */
  relayStreamClosed(stream: IceRelayStream, reason: string, now: Millis): void {
    if (this.isClosed || !this.agent) return;
    this.agent.relayStreamClosed(stream, reason, now);
    this.pump(now);
  }

  setCandidatePoolSize(size: number, now: Millis): void {
    if (this.isClosed) return;
    this.poolWanted = size > 0;
    if (!this.poolWanted) return this.discardPool(now);
    this.pregather(now);
  }

  /**
   * New ICE servers or transport policy (W3C §4.4.1.6): a pool no description has used gathers
   * again with them.
   */
  renewCandidatePool(now: Millis): void {
    if (this.isClosed || !this.pooledAgent) return;
    this.discardPool(now);
    this.pregather(now);
  }

  /**
   * W3C setConfiguration with another iceTransportPolicy (§4.4.1.6): the policy is read at the
   * start of each gathering phase (RFC 8829 §3.5.3). A new agent gathers under it; the current
   * one from its next ICE restart (createOffer({iceRestart}) or restartIce()); an unused pool
   * gathers again under it at once, unless `renewPool` is false (new ICE servers come with the
   * policy: the caller renews the pool once they are resolved, one renewal for both).
   */
  setIceTransportPolicy(policy: "all" | "relay", now: Millis, renewPool = true): void {
    if (this.isClosed || policy === (this.iceTransportPolicy ?? "all")) return;
    this.iceTransportPolicy = policy;
    this.agent?.setTransportPolicy(policy);
    if (renewPool) this.renewCandidatePool(now);
  }

  /** setLocalDescription has applied a description (sticky: a rollback does not undo it). */
  get localDescriptionApplied(): boolean {
    return this.localApplied;
  }

  private pregather(now: Millis): void {
    if (this.isClosed || this.agent || this.hasDescription || this.signalingState !== "stable") return;
    // Controlling, as an offerer; a remote offer that comes first makes it controlled (applyRemoteIce).
    this.createAgent(true, this.creds, now);
    this.pooledAgent = true;
    this.heldGathering = [];
    this.gather(now);
    this.pump(now);
  }

  /** Drop the pool's agent; its TURN allocations are released (see dropAgent). */
  private discardPool(now: Millis): void {
    if (!this.pooledAgent || !this.agent) return;
    this.dropAgent(now);
    this.pooledAgent = false;
    this.heldGathering = undefined;
  }

  /** setLocalDescription: the pool's gathering events now, with the m= line they belong to. */
  private surfacePool(): void {
    const held = this.heldGathering;
    if (!held) return;
    this.heldGathering = undefined;
    this.pooledAgent = false;
    for (const e of held) {
      if (e.type === "icegatheringstatechange") this.iceGatheringState = e.state;
      this.emit(e.type === "icecandidate" && e.candidate !== null ? { ...e, mid: this.candidateMid, mLineIndex: this.candidateIndex } : e);
    }
  }

  protected override emit(e: EngineEvent): void {
    const held = this.heldGathering;
    if (held && (e.type === "icecandidate" || e.type === "icecandidateerror")) held.push(e);
    else super.emit(e);
  }

  protected override setGatheringState(state: IceGatheringState): void {
    // Held: the engine's state (what RTCIceTransport shows) stays "new" until setLocalDescription.
    if (this.heldGathering) this.heldGathering.push({ type: "icegatheringstatechange", state });
    else super.setGatheringState(state);
  }

  // ---- offers and answers -----------------------------------------------------------------

  /** Ask for new ICE credentials in the next offer (W3C restartIce). */
  restartIce(): void {
    this.restartPending = true;
  }

  createOffer(opts: { iceRestart?: boolean } = {}): Description {
    this.assertOpen();
    if (opts.iceRestart) this.restartPending = true;
    // A pooled agent has signaled nothing yet: its credentials are still fresh.
    const restart = this.restartPending && this.agent !== undefined && !this.pooledAgent;
    const creds = restart ? this.newCredentials() : this.localCredentials;
    const sections: SectionPlan[] = this.plan.length > 0 ? this.plan.map((s) => ({ ...s })) : [{ kind: "data", mid: "0" }];
    if (!sections.some((s) => s.kind === "data")) sections.push({ kind: "data", mid: this.freshMid(sections) });
    const bundle = sections.filter((s) => s.kind === "data").map((s) => s.mid);
    const params = this.localParams(creds, "actpass", sections, bundle);
    const sdp = writeLocalSdp(params, restart ? [] : this.localCandidates, !restart && this.gatheringComplete);
    this.lastOffer = { sdp, params };
    return { type: "offer", sdp };
  }

  /** What an offer and an answer share: session ids, credentials, fingerprints, SCTP. */
  private localParams(
    creds: { ufrag: string; pwd: string },
    setup: SetupRole,
    sections: SectionPlan[],
    bundle: string[],
  ): LocalSdpParams {
    return {
      sessionId: this.sessionId,
      sessionVersion: this.sessionVersion++,
      ufrag: creds.ufrag,
      pwd: creds.pwd,
      fingerprints: this.localFingerprints(),
      setup,
      sctpPort: 5000,
      maxMessageSize: this.maxMessageSize,
      sections,
      bundle,
    };
  }

  private freshMid(sections: SectionPlan[]): string {
    for (let i = 0; ; i++) if (!sections.some((s) => s.mid === String(i))) return String(i);
  }

  createAnswer(): Description {
    this.assertOpen();
    const st = this.signalingState;
    if (st !== "have-remote-offer" && st !== "have-local-pranswer") {
      throw rtcError("InvalidStateError", `createAnswer in signaling state ${st}`);
    }
    const r = this.pendingRemote!.remote;
    const sections: SectionPlan[] = r.sections.map((s, i) =>
      i === r.dataIndex
        ? { kind: "data", mid: s.mid! }
        : { kind: "rejected", media: s.media, protocol: s.protocol, formats: s.formats, mid: s.mid },
    );
    let setup: SetupRole;
    const role = this.dtlsRole;
    if (role) setup = role === "client" ? "active" : "passive";
    else setup = r.setup === "active" ? "passive" : "active";
    const bundle = r.dataMid !== undefined && r.bundle?.includes(r.dataMid) ? [r.dataMid] : [];
    const params = this.localParams(this.localCredentials, setup, sections, bundle);
    const sdp = writeLocalSdp(params, this.localCandidates, this.gatheringComplete);
    this.lastAnswer = { sdp, params };
    return { type: "answer", sdp };
  }

  /** setLocalDescription, including the implicit form (no description or no type). */
  setLocalDescription(desc: Partial<Description> | undefined, now: Millis): void {
    this.assertOpen();
    let type = desc?.type;
    let sdp = desc?.sdp ?? "";
    const st = this.signalingState;
    if (type === undefined) {
      // The implicit form (W3C §4.4.1.5): a fresh offer or answer.
      type = st === "stable" || st === "have-local-offer" || st === "have-remote-pranswer" ? "offer" : "answer";
      if (type === "offer") sdp = this.createOffer().sdp;
      else if (st === "have-remote-offer" || st === "have-local-pranswer") sdp = this.createAnswer().sdp;
    }
    if (type === "rollback") return this.rollback("local", now);
    if (type === "offer") {
      if (st !== "stable" && st !== "have-local-offer") throw rtcError("InvalidStateError", `cannot set a local offer in state ${st}`);
      if (sdp === "") sdp = this.lastOffer?.sdp ?? this.createOffer().sdp;
      if (!this.lastOffer || sdp !== this.lastOffer.sdp) {
        throw rtcError("InvalidModificationError", "the offer is not the one createOffer() returned");
      }
      const params = this.lastOffer.params;
      if (!this.agent) this.createAgent(true, { ufrag: params.ufrag, pwd: params.pwd }, now);
      else if (this.pooledAgent && this.agent.localCredentials.ufrag === params.ufrag) this.agent.setControlling(true, now);
      else if (this.agent.localCredentials.ufrag !== params.ufrag) {
        this.agent.restart(now, { ufrag: params.ufrag, pwd: params.pwd });
        this.restartPending = false;
      }
      this.creds = { ufrag: params.ufrag, pwd: params.pwd };
      this.pendingLocal = { type: "offer", params };
      this.localApplied = true;
      this.setCandidateTarget(params.sections);
      this.setSignaling("have-local-offer");
      this.surfacePool();
      this.gather(now);
      this.pump(now);
      return;
    }
    // answer or pranswer
    if (st !== "have-remote-offer" && st !== "have-local-pranswer") {
      throw rtcError("InvalidStateError", `cannot set a local ${type} in state ${st}`);
    }
    if (sdp === "") sdp = this.lastAnswer?.sdp ?? this.createAnswer().sdp;
    if (!this.lastAnswer || sdp !== this.lastAnswer.sdp) {
      throw rtcError("InvalidModificationError", "the answer is not the one createAnswer() returned");
    }
    const params = this.lastAnswer.params;
    const remote = this.pendingRemote!;
    this.localApplied = true;
    this.setCandidateTarget(params.sections);
    if (type === "pranswer") {
      this.pendingLocal = { type: "pranswer", params };
      this.setSignaling("have-local-pranswer");
    } else {
      this.currentLocal = { type: "answer", params };
      this.currentRemote = remote;
      this.pendingLocal = undefined;
      this.pendingRemote = undefined;
      this.plan = params.sections.map((s) => ({ ...s }));
      this.setSignaling("stable");
    }
    this.surfacePool();
    this.gather(now);
    if (remote.remote.dataIndex >= 0) {
      this.negotiatedOnce = true;
      this.setupSecurity(
        { role: params.setup === "active" ? "client" : "server", fingerprints: remote.remote.fingerprints },
        { localPort: params.sctpPort, remotePort: remote.remote.sctpPort, remoteMaxMessageSize: remote.remote.maxMessageSize },
        now,
      );
      this.updateRemoteMaxMessageSize(remote.remote.maxMessageSize);
    }
    this.pump(now);
  }

  setRemoteDescription(desc: Description, now: Millis): void {
    this.assertOpen();
    const st = this.signalingState;
    if (desc.type === "rollback") return this.rollback("remote", now);
    if (desc.type !== "offer" && desc.type !== "answer" && desc.type !== "pranswer") {
      throw rtcError("TypeError", `unknown description type ${String(desc.type)}`);
    }
    if (desc.type === "offer" && st !== "stable" && st !== "have-remote-offer") {
      throw rtcError("InvalidStateError", `cannot set a remote offer in state ${st}`);
    }
    if (desc.type !== "offer" && st !== "have-local-offer" && st !== "have-remote-pranswer") {
      throw rtcError("InvalidStateError", `cannot set a remote ${desc.type} in state ${st}`);
    }
    const remote = readRemoteSdp(desc.sdp, desc.type);
    if (desc.type === "offer") {
      if (this.plan.length > 0 && remote.sections.length < this.plan.length) {
        throw rtcError("InvalidAccessError", "a new offer must keep every m= line of the last negotiation (RFC 8829 §5.8)");
      }
      const rd: RemoteDesc = { type: "offer", remote, sdp: desc.sdp };
      if (remote.dataIndex >= 0) this.applyRemoteIce(remote, false, now);
      this.pendingRemote = rd;
      this.setSignaling("have-remote-offer");
      this.pump(now);
      return;
    }
    const offer = this.pendingLocal?.params;
    if (!offer) throw rtcError("InvalidStateError", "no local offer");
    if (remote.sections.length !== offer.sections.length) {
      throw rtcError("InvalidAccessError", `the answer has ${remote.sections.length} m= lines, the offer ${offer.sections.length}`);
    }
    remote.sections.forEach((s, i) => {
      const o = offer.sections[i];
      if (o.mid !== undefined && s.mid !== o.mid) throw rtcError("InvalidAccessError", `m= line ${i}: mid ${s.mid} does not match the offer's ${o.mid}`);
    });
    const rd: RemoteDesc = { type: desc.type, remote, sdp: desc.sdp };
    if (remote.dataIndex >= 0) this.applyRemoteIce(remote, true, now);
    if (desc.type === "pranswer") {
      this.pendingRemote = rd;
      this.setSignaling("have-remote-pranswer");
    } else {
      this.currentRemote = rd;
      this.currentLocal = this.pendingLocal;
      this.pendingLocal = undefined;
      this.pendingRemote = undefined;
      this.plan = offer.sections.map((s, i) => (i === remote.dataIndex ? { ...s } : rejectedFrom(s, remote, i)));
      this.setSignaling("stable");
    }
    if (remote.dataIndex >= 0) {
      this.negotiatedOnce = true;
      this.setupSecurity(
        { role: remote.setup === "active" ? "server" : "client", fingerprints: remote.fingerprints },
        { localPort: offer.sctpPort, remotePort: remote.sctpPort, remoteMaxMessageSize: remote.maxMessageSize },
        now,
      );
      this.updateRemoteMaxMessageSize(remote.maxMessageSize);
    }
    this.pump(now);
  }

  /** ICE credentials and candidates of a remote description (a new ufrag is a restart, RFC 8445 §9). */
  private applyRemoteIce(remote: RemoteSdp, isAnswer: boolean, now: Millis): void {
    if (!this.agent) {
      // First remote offer: we are the answerer, ICE controlled (RFC 8445 §6.1.1).
      this.createAgent(isAnswer, this.creds, now);
    } else if (this.pooledAgent) {
      // The pool's agent (created controlling) serves the answerer: its candidates stay held
      // until our setLocalDescription(answer).
      this.agent.setControlling(isAnswer, now);
      this.pooledAgent = false;
    }
    const agent = this.agent!;
    const prev = agent.remoteCredentials;
    if (!isAnswer && prev && prev.ufrag !== remote.ufrag) {
      // The peer restarts ICE: so do we, with new credentials in our answer.
      this.creds = this.newCredentials();
      agent.restart(now, this.creds);
    }
    agent.setRemoteCredentials({ ufrag: remote.ufrag, pwd: remote.pwd }, now);
    for (const c of remote.candidates) agent.addRemoteCandidate(c, now);
    if (remote.endOfCandidates) agent.addRemoteCandidate(null, now);
  }

  private setCandidateTarget(sections: readonly SectionPlan[]): void {
    const i = sections.findIndex((s) => s.kind === "data");
    this.candidateIndex = i >= 0 ? i : null;
    this.candidateMid = i >= 0 ? (sections[i].mid ?? null) : null;
  }

  /**
   * W3C rollback (§4.4.1.5 "set the session description"): from have-local-offer or
   * have-remote-offer, through either setLocalDescription or setRemoteDescription, back to
   * stable with both pending descriptions dropped.
   */
  private rollback(_side: "local" | "remote", now: Millis): void {
    const st = this.signalingState;
    if (st !== "have-local-offer" && st !== "have-remote-offer") {
      throw rtcError("InvalidStateError", `cannot roll back in signaling state ${st}`);
    }
    this.pendingLocal = undefined;
    this.pendingRemote = undefined;
    if (!this.negotiatedOnce && this.agent) {
      // The agent was made for this offer with a role that may now be wrong: start over (its TURN
      // allocations are released, see dropAgent).
      this.creds = this.agent.localCredentials;
      this.dropAgent(now);
      this.pooledAgent = false;
      this.heldGathering = undefined;
      if (this.iceGatheringState !== "new") {
        this.iceGatheringState = "new";
        this.emit({ type: "icegatheringstatechange", state: "new" });
      }
    }
    this.setSignaling("stable");
    // Back to no description: the pool, if wanted, gathers again for the next round.
    if (this.poolWanted) this.pregather(now);
  }

  /** W3C addIceCandidate; null or an empty candidate is end-of-candidates (RFC 8838 §13). */
  addIceCandidate(init: CandidateInit | null, now: Millis): void {
    this.assertOpen();
    const rd = this.pendingRemote ?? this.currentRemote;
    if (!rd) throw rtcError("InvalidStateError", "addIceCandidate before setRemoteDescription");
    const remote = rd.remote;
    const agent = this.agent;
    const line = init?.candidate ?? "";
    if (init && line !== "" && (init.sdpMid === undefined || init.sdpMid === null) && (init.sdpMLineIndex === undefined || init.sdpMLineIndex === null)) {
      throw rtcError("TypeError", "sdpMid and sdpMLineIndex are both null");
    }
    let index = remote.dataIndex;
    if (init && init.sdpMid !== undefined && init.sdpMid !== null) {
      index = remote.sections.findIndex((s) => s.mid === init.sdpMid);
      if (index < 0) throw rtcError("OperationError", `no m= line with mid ${init.sdpMid}`);
    } else if (init && init.sdpMLineIndex !== undefined && init.sdpMLineIndex !== null) {
      index = init.sdpMLineIndex;
      if (index < 0 || index >= remote.sections.length) throw rtcError("OperationError", `no m= line at index ${index}`);
    }
    // A usernameFragment of another ICE generation is not an error here: the agent holds a
    // newer one until its credentials come (restart) and drops a stale one (RFC 8838 §11).
    if (line === "") {
      if (index === remote.dataIndex && agent) {
        agent.addRemoteCandidate(null, now);
        remote.desc.media[index].endOfCandidates = true;
        rd.sdp = serializeRemote(rd);
      }
      this.pump(now);
      return;
    }
    let parsed;
    try {
      parsed = parseCandidate(line);
    } catch (e) {
      throw rtcError("OperationError", `the candidate could not be parsed: ${(e as Error).message}`);
    }
    if (index !== remote.dataIndex || !agent) return; // a rejected m= line: nothing to do
    if (parsed.component !== 1) return; // rtcp-mux: component 2 is never used (Firefox sends it)
    const ufrag = init?.usernameFragment;
    if (ufrag !== undefined && ufrag !== null && parsed.ufrag === undefined) parsed.ufrag = ufrag;
    agent.addRemoteCandidate(parsed, now);
    if (ufrag !== undefined && ufrag !== null && ufrag !== remote.ufrag) return this.pump(now);
    remote.desc.media[index].addCandidate(line.replace(/^a=/, "").replace(/^candidate:/, ""));
    rd.sdp = serializeRemote(rd);
    this.pump(now);
  }

  close(now: Millis): void {
    if (this.isClosed) return;
    this.closeTransports(now);
    this.signalingState = "closed";
  }
}

function rejectedFrom(s: SectionPlan, remote: RemoteSdp, i: number): SectionPlan {
  const r = remote.sections[i];
  if (s.kind === "rejected") return s;
  return { kind: "rejected", media: r.media, protocol: r.protocol, formats: r.formats, mid: s.mid };
}

function serializeRemote(rd: RemoteDesc): string {
  return serializeSdp(rd.remote.desc);
}
