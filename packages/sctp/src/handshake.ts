/**
 * Association setup (RFC 9260 §5): the four-way handshake with a signed state cookie, the
 * INIT-ACK that keeps no state (§5.1.3), and the collision rules of §5.2 (both sides send INIT
 * at once in WebRTC: §5.2.1 for INIT in COOKIE-WAIT/COOKIE-ECHOED, §5.2.2 for INIT in the other
 * states, §5.2.4 for COOKIE-ECHO, §5.2.6 for a Stale Cookie ERROR). The rules themselves, as
 * pure functions, are in collision.ts; this file acts on them.
 */
import { type RandomSource, randomBytes, randomU32 } from "@tsrtc/base";
import { ChunkType, ErrorCause, MAX_COOKIE_EXTENSION, ParamType } from "./constants.js";
import { causeStaleCookie, encodeAbort, encodeCookieEcho, encodeEmpty, encodeError } from "./chunks/control.js";
import { type InitChunk, encodeInit } from "./chunks/init.js";
import { type TcbTags, checkInit, classifyCookie, cookieIsStale } from "./collision.js";
import { type CookieState, decodeCookie, encodeCookie, tieTagsFor } from "./cookie.js";
import { type Capabilities, type LocalCapabilities, capabilityParams, summarizeInitParams } from "./params/init-params.js";
import { type Param, u32Value } from "./params/param.js";

export const State = {
  CLOSED: "closed",
  COOKIE_WAIT: "cookie-wait",
  COOKIE_ECHOED: "cookie-echoed",
  ESTABLISHED: "established",
  SHUTDOWN_PENDING: "shutdown-pending",
  SHUTDOWN_SENT: "shutdown-sent",
  SHUTDOWN_RECEIVED: "shutdown-received",
  SHUTDOWN_ACK_SENT: "shutdown-ack-sent",
} as const;
export type State = (typeof State)[keyof typeof State];

/** What both sides agreed on; enough to build the association's data path. */
export interface Negotiated {
  localTag: number;
  peerTag: number;
  localInitialTsn: number;
  peerInitialTsn: number;
  peerRwnd: number;
  outStreams: number;
  inStreams: number;
  forwardTsn: boolean;
  reconfig: boolean;
  iData: boolean;
  zeroChecksum: boolean;
}

export interface HandshakeConfig {
  rwnd: number;
  outStreams: number;
  inStreams: number;
  caps: LocalCapabilities;
  cookieLifetime: number;
  rtoInitial: number;
  /** Cap on the backed-off T1 (the association passes its maxBackoff). */
  rtoMax: number;
  maxInitRetransmits: number;
}

export interface HandshakeHost {
  state: State;
  /** Send a stand-alone packet (always with a real CRC) under `tag`. */
  sendPacket(tag: number, chunk: Uint8Array): void;
  /** Queue a control chunk for the next packet to the peer. */
  queueControl(chunk: Uint8Array): void;
  establish(n: Negotiated, now: number): void;
  /** §5.2.4 case A: the peer restarted; start over with `n`, keeping the association. */
  restart(n: Negotiated, now: number): void;
  /** §5.2.4 case B once established: the peer's verification tag is now `tag`. */
  peerTagChanged(tag: number): void;
  fail(reason: string): void;
  count(what: HandshakeCounter): void;
}

export type HandshakeCounter =
  | "initAnswered"
  | "invalidInit"
  | "badCookie"
  | "staleCookie"
  | "staleCookieReceived"
  | "cookieDiscarded"
  | "collisions"
  | "unexpectedChunk"
  | "abortsSent";

const ESTABLISHED_STATES: ReadonlySet<State> = new Set<State>([State.ESTABLISHED, State.SHUTDOWN_PENDING, State.SHUTDOWN_SENT, State.SHUTDOWN_RECEIVED]);

export class Handshake {
  localTag = 0;
  localInitialTsn = 0;
  peerTag = 0;
  /** T1-init / T1-cookie deadline (§5.1). */
  t1: number | undefined;
  private t1Rto: number;
  private t1Failures = 0;
  /** Stale Cookie rounds of this setup (§5.2.6); T1's count starts over on each INIT-ACK. */
  private staleRounds = 0;
  private t1Chunk: Uint8Array | undefined;
  /** When our last COOKIE ECHO went out: the start of the COOKIE ECHO / ERROR round trip (§5.2.6). */
  private cookieSentAt = 0;
  private pending: Negotiated | undefined;
  /**
   * SHUTDOWN-ACK-SENT only: the tag of the last SHUTDOWN ACK sent to a restarting peer (its
   * cookie's tag, 0: none). That peer, in COOKIE-ECHOED, answers with a SHUTDOWN COMPLETE that
   * reflects this tag (§9.2, §8.4), and that completes our shutdown.
   */
  shutdownAckTag = 0;
  private readonly key: Uint8Array;

  constructor(
    private readonly rng: RandomSource,
    private readonly cfg: HandshakeConfig,
    private readonly host: HandshakeHost,
  ) {
    this.key = randomBytes(rng, 32);
    this.t1Rto = cfg.rtoInitial;
  }

  private tag(): number {
    for (;;) {
      const t = randomU32(this.rng);
      if (t !== 0) return t;
    }
  }

  private initChunk(type: typeof ChunkType.INIT | typeof ChunkType.INIT_ACK, tag: number, tsn: number, extra: Param[]): Uint8Array {
    const c: InitChunk = {
      type,
      initiateTag: tag,
      aRwnd: this.cfg.rwnd,
      outStreams: this.cfg.outStreams,
      inStreams: this.cfg.inStreams,
      initialTsn: tsn,
      params: [...capabilityParams(this.cfg.caps), ...extra],
    };
    return encodeInit(c);
  }

  /** §5.1 A: send INIT, start T1-init, enter COOKIE-WAIT. */
  connect(now: number): void {
    this.localTag = this.tag();
    this.localInitialTsn = randomU32(this.rng);
    this.t1Chunk = this.initChunk(ChunkType.INIT, this.localTag, this.localInitialTsn, []);
    this.host.state = State.COOKIE_WAIT;
    this.host.sendPacket(0, this.t1Chunk);
    this.t1Failures = 0;
    this.t1Rto = this.cfg.rtoInitial;
    this.t1 = now + this.t1Rto;
  }

  onTimeout(now: number): void {
    if (this.t1 === undefined || now < this.t1 || !this.t1Chunk) return;
    if (++this.t1Failures > this.cfg.maxInitRetransmits) {
      this.t1 = undefined;
      this.host.fail("association setup timed out");
      return;
    }
    this.t1Rto = Math.min(this.t1Rto * 2, this.cfg.rtoMax);
    this.t1 = now + this.t1Rto;
    if (this.host.state === State.COOKIE_WAIT) this.host.sendPacket(0, this.t1Chunk);
    else if (this.host.state === State.COOKIE_ECHOED) {
      this.host.sendPacket(this.peerTag, this.t1Chunk);
      this.cookieSentAt = now;
    }
  }

  /** An INIT arrived (already checked: alone in its packet, tag 0). */
  onInit(init: InitChunk, now: number): void {
    const verdict = checkInit(init);
    if (verdict !== "ok") {
      // §3.3.2: nothing of an existing association changes either way.
      this.host.count("invalidInit");
      if (verdict === "abort") {
        this.host.count("abortsSent");
        this.host.sendPacket(init.initiateTag, encodeAbort([{ type: ErrorCause.INVALID_MANDATORY_PARAM, value: new Uint8Array(0) }]));
      }
      return;
    }
    const st = this.host.state;
    let localTag: number;
    let localTsn: number;
    let localTie = 0;
    let peerTie = 0;
    if (st === State.CLOSED) {
      localTag = this.tag();
      localTsn = randomU32(this.rng);
    } else if (st === State.COOKIE_WAIT || st === State.COOKIE_ECHOED) {
      // §5.2.1: answer with the parameters of our own INIT.
      this.host.count("collisions");
      localTag = this.localTag;
      localTsn = this.localInitialTsn;
      // §5.2.2 note: Tie-Tags only once the peer's tag is known (not in COOKIE-WAIT).
      if (st === State.COOKIE_ECHOED) [localTie, peerTie] = this.tcb().ties;
    } else if (st === State.SHUTDOWN_ACK_SENT) {
      // §9.2: discard the INIT and send the SHUTDOWN ACK again (our SHUTDOWN COMPLETE's trigger was lost).
      this.host.sendPacket(this.peerTag, encodeEmpty(ChunkType.SHUTDOWN_ACK));
      return;
    } else {
      // §5.2.2: an unexpected INIT in an established state gets a new Initiate Tag and TSN, and
      // the Tie-Tags that let its COOKIE ECHO be recognised as a restart (§5.2.4 A). The
      // association itself is not touched.
      localTag = this.tag();
      localTsn = randomU32(this.rng);
      [localTie, peerTie] = this.tcb().ties;
    }
    const peer = summarizeInitParams(init.params);
    const state: CookieState = {
      ...this.negotiate(localTag, localTsn, init, peer),
      createdAt: now,
      // §3.3.2.1: the peer's Cookie Preservative asks for a longer life; the receiver "MAY choose
      // to ignore" it. Granted, but never more than MAX_COOKIE_EXTENSION, so that an INIT cannot
      // make a cookie replayable for long (§5.2.6 warns of replay with long cookie lives).
      lifeExtension: Math.min(peer.cookiePreservative ?? 0, MAX_COOKIE_EXTENSION),
      localTieTag: localTie,
      peerTieTag: peerTie,
    };
    const extra: Param[] = [{ type: ParamType.STATE_COOKIE, value: encodeCookie(this.key, state) }];
    for (const u of peer.unrecognized) {
      const v = new Uint8Array(4 + u.value.length);
      v[0] = u.type >>> 8;
      v[1] = u.type;
      v[2] = (4 + u.value.length) >>> 8;
      v[3] = 4 + u.value.length;
      v.set(u.value, 4);
      extra.push({ type: ParamType.UNRECOGNIZED_PARAMETER, value: v });
    }
    this.host.count("initAnswered");
    this.host.sendPacket(init.initiateTag, this.initChunk(ChunkType.INIT_ACK, localTag, localTsn, extra));
  }

  /** What our INIT (tag, TSN) and the peer's INIT or INIT-ACK agree on: the smaller stream counts, the extensions both offer. */
  private negotiate(localTag: number, localTsn: number, init: InitChunk, peer: Capabilities): Negotiated {
    const caps = this.cfg.caps;
    return {
      localTag,
      peerTag: init.initiateTag,
      localInitialTsn: localTsn,
      peerInitialTsn: init.initialTsn,
      peerRwnd: init.aRwnd,
      outStreams: Math.min(this.cfg.outStreams, init.inStreams),
      inStreams: Math.min(this.cfg.inStreams, init.outStreams),
      forwardTsn: caps.forwardTsn && peer.forwardTsn,
      reconfig: caps.reconfig && peer.reconfig,
      iData: caps.iData && peer.iData,
      zeroChecksum: caps.zeroChecksum && peer.zeroChecksumEdmid === 1,
    };
  }

  /** §5.1 C: INIT-ACK in COOKIE-WAIT; anywhere else it is discarded (§5.2.3). */
  onInitAck(ack: InitChunk, now: number): void {
    if (this.host.state !== State.COOKIE_WAIT) {
      this.host.count("unexpectedChunk");
      return;
    }
    const bad = ack.initiateTag === 0 ? "Initiate Tag 0" : ack.outStreams === 0 ? "0 outbound streams" : ack.inStreams === 0 ? "0 inbound streams" : undefined;
    if (bad) {
      // §3.3.3: on an Initiate Tag of 0 the receiver "MUST destroy the association discarding its
      // TCB" (an ABORT is optional, and there is no tag to send one under); MIS 0 "SHOULD" do the
      // same, and OS 0 is as invalid ("MUST NOT be used"). Those two get the optional ABORT.
      if (ack.initiateTag !== 0) {
        this.host.count("abortsSent");
        this.host.sendPacket(ack.initiateTag, encodeAbort([{ type: ErrorCause.INVALID_MANDATORY_PARAM, value: new Uint8Array(0) }]));
      }
      this.t1 = undefined;
      this.host.fail(`association setup failed: INIT ACK with ${bad} (RFC 9260 §3.3.3)`);
      return;
    }
    const peer = summarizeInitParams(ack.params);
    if (!peer.cookie) {
      // No State Cookie (mandatory): dropped; T1 sends the INIT again.
      this.host.count("unexpectedChunk");
      return;
    }
    this.peerTag = ack.initiateTag;
    this.pending = this.negotiate(this.localTag, this.localInitialTsn, ack, peer);
    this.t1Chunk = encodeCookieEcho(peer.cookie);
    this.host.state = State.COOKIE_ECHOED;
    this.host.sendPacket(this.peerTag, this.t1Chunk);
    this.cookieSentAt = now;
    this.t1Failures = 0;
    this.t1 = now + this.t1Rto;
  }

  /** Our tags and the Tie-Tags that go with them (§5.2.1, §5.2.2). */
  private tcb(): TcbTags & { ties: [number, number] } {
    const ties = tieTagsFor(this.key, this.localTag, this.peerTag);
    return { localTag: this.localTag, peerTag: this.peerTag, localTie: ties[0], peerTie: ties[1], ties };
  }

  /**
   * §5.1 D and §5.2.4: a COOKIE-ECHO, whose packet carried `vtag`. False when the packet is to be
   * dropped (with the DATA bundled after the cookie).
   */
  onCookieEcho(cookie: Uint8Array, vtag: number, now: number): boolean {
    const c = decodeCookie(this.key, cookie);
    if (!c || c.localTag !== vtag) {
      // §5.1.5 steps 2-3: not ours, or not under the tag it names.
      this.host.count("badCookie");
      return false;
    }
    const st = this.host.state;
    const tcb = st === State.CLOSED ? undefined : this.tcb();
    const lifetime = this.cfg.cookieLifetime + c.lifeExtension;
    if (cookieIsStale(c, now, lifetime, tcb)) {
      // §5.1.5 step 4, §5.2.4 step 3: report the staleness (in microseconds) and drop.
      this.host.count("staleCookie");
      this.host.sendPacket(c.peerTag, encodeError([causeStaleCookie((now - c.createdAt - lifetime) * 1000)]));
      return false;
    }
    const n = negotiatedOf(c);
    if (!tcb) {
      this.adopt(n, now);
      return true;
    }
    const setup = st === State.COOKIE_WAIT || st === State.COOKIE_ECHOED;
    switch (classifyCookie(c, tcb)) {
      case "D":
      case "B":
        // Setting up: enter ESTABLISHED with the cookie's tags (B: the peer's INIT crossed ours).
        if (setup) {
          this.adopt(n, now);
          return true;
        }
        if (c.peerTag !== this.peerTag) {
          // B once established: "update its peer's Verification Tag from the State Cookie".
          this.host.count("collisions");
          this.peerTag = c.peerTag;
          this.host.peerTagChanged(c.peerTag);
        }
        this.host.queueControl(encodeEmpty(ChunkType.COOKIE_ACK));
        return true;
      case "A":
        if (st === State.SHUTDOWN_ACK_SENT) {
          // "MUST NOT set up a new association but instead resend the SHUTDOWN ACK and send an
          // ERROR chunk with a 'Cookie Received While Shutting Down' error cause".
          const ack = encodeEmpty(ChunkType.SHUTDOWN_ACK);
          const err = encodeError([{ type: ErrorCause.COOKIE_WHILE_SHUTTING_DOWN, value: new Uint8Array(0) }]);
          const both = new Uint8Array(ack.length + err.length);
          both.set(ack);
          both.set(err, ack.length);
          this.host.sendPacket(c.peerTag, both);
          this.shutdownAckTag = c.peerTag;
          this.host.count("cookieDiscarded");
          return false;
        }
        if (!ESTABLISHED_STATES.has(st)) break;
        // The peer restarted (its new INIT reached us while established, §5.2.2): rebuild the
        // data path from the cookie, as if after an ABORT and a new COOKIE ECHO.
        this.localTag = n.localTag;
        this.peerTag = n.peerTag;
        this.localInitialTsn = n.localInitialTsn;
        this.host.restart(n, now);
        this.host.queueControl(encodeEmpty(ChunkType.COOKIE_ACK));
        return true;
      case "C":
      case "none":
        break;
    }
    // Case C ("the cookie should be silently discarded") and the combinations the table lacks.
    this.host.count("cookieDiscarded");
    return false;
  }

  /**
   * §5.2.6: the peer found our cookie stale (`stalenessUs` late, 0 when it did not say). In
   * COOKIE-ECHOED, start the setup again with a new INIT (same tag and TSN) so that the peer makes
   * a new cookie; after Max.Init.Retransmits such rounds the setup fails, so a peer that always
   * answers this way cannot keep us looping. Anywhere else the ERROR is only reported. True when
   * acted upon.
   */
  onStaleCookie(now: number, stalenessUs = 0): boolean {
    if (this.host.state !== State.COOKIE_ECHOED) return false;
    this.host.count("staleCookieReceived");
    if (++this.staleRounds > this.cfg.maxInitRetransmits) {
      this.t1 = undefined;
      this.host.fail("association setup failed: the peer keeps finding our cookie stale");
      return true;
    }
    this.peerTag = 0;
    this.pending = undefined;
    this.t1Chunk = this.initChunk(ChunkType.INIT, this.localTag, this.localInitialTsn, preservative(stalenessUs, now - this.cookieSentAt));
    this.host.state = State.COOKIE_WAIT;
    this.host.sendPacket(0, this.t1Chunk);
    this.t1 = now + this.t1Rto;
    return true;
  }

  private adopt(n: Negotiated, now: number): void {
    this.localTag = n.localTag;
    this.peerTag = n.peerTag;
    this.localInitialTsn = n.localInitialTsn;
    this.t1 = undefined;
    this.t1Chunk = undefined;
    this.pending = undefined;
    this.host.establish(n, now);
    this.host.queueControl(encodeEmpty(ChunkType.COOKIE_ACK));
  }

  /** §5.1 E: COOKIE-ACK in COOKIE-ECHOED completes our side. */
  onCookieAck(now: number): void {
    if (this.host.state !== State.COOKIE_ECHOED || !this.pending) {
      this.host.count("unexpectedChunk");
      return;
    }
    const n = this.pending;
    this.pending = undefined;
    this.t1 = undefined;
    this.t1Chunk = undefined;
    this.host.establish(n, now);
  }

  stop(): void {
    this.t1 = undefined;
    this.t1Chunk = undefined;
  }
}

/**
 * §5.2.6 option 3 and §3.3.2.1: the Cookie Preservative of the INIT that follows a Stale Cookie
 * ERROR. It asks for what the cookie lacked (the staleness the peer reported, rounded up to ms)
 * plus a margin: the round trip of the COOKIE ECHO / ERROR exchange just measured, of which no
 * more than 1 s is added ("SHOULD add no more than 1 second beyond the measured RTT"). Bounded by
 * MAX_COOKIE_EXTENSION like what we grant; none when there is nothing to ask for.
 */
function preservative(stalenessUs: number, rtt: number): Param[] {
  const inc = Math.min(MAX_COOKIE_EXTENSION, Math.ceil(stalenessUs / 1000) + Math.min(Math.max(0, rtt), 1000));
  return inc > 0 ? [{ type: ParamType.COOKIE_PRESERVATIVE, value: u32Value(inc) }] : [];
}

/** The association part of a cookie (without its timestamp, life extension and Tie-Tags). */
function negotiatedOf(c: CookieState): Negotiated {
  return {
    localTag: c.localTag,
    peerTag: c.peerTag,
    localInitialTsn: c.localInitialTsn,
    peerInitialTsn: c.peerInitialTsn,
    peerRwnd: c.peerRwnd,
    outStreams: c.outStreams,
    inStreams: c.inStreams,
    forwardTsn: c.forwardTsn,
    reconfig: c.reconfig,
    iData: c.iData,
    zeroChecksum: c.zeroChecksum,
  };
}
