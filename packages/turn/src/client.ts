/**
 * TurnClient: the client side of one TURN allocation over UDP, TCP or TLS (RFC 8656), a sans-IO
 * core (DESIGN.md §1): messages from the server and the time in; transmits, events, a deadline out.
 *
 *   const c = new TurnClient({ server, username, password, local, rng });
 *   c.allocate(now);                      // Allocate, 401 → authenticated retry (RFC 8489 §9.2)
 *   c.createPermission(peer, now);        // CreatePermission, refreshed every 4 min (§9)
 *   c.bindChannel(peer, now);             // ChannelBind, refreshed (§12); ChannelData once bound
 *   c.send(peer, bytes, now);             // ChannelData, else a Send indication (§10, §12.4)
 *   c.handlePacket(datagram, from, now);  // "data" → read c.peer and c.payload
 *   c.close(now);                         // Refresh with LIFETIME 0 (§8)
 *
 * Requests retransmit through @tsrtc/stun's transactions (sent once over TCP/TLS). Remote input
 * never throws: bad integrity, unknown transactions, truncated ChannelData, Data indications from
 * peers without a permission are dropped and counted in `stats`.
 */
import {
  type Address,
  type Core,
  type Millis,
  type RandomSource,
  type Transmit,
  cryptoRandom,
  sameAddress,
} from "@tsrtc/base";
import { ErrorCode, StunBuilder, StunClass, StunMessage, StunMethod, StunTransactions } from "@tsrtc/stun";
import { LongTermAuth } from "./auth.js";
import { encodeChannelData } from "./channel-data.js";
import { channelDataIn, dataIndicationIn } from "./incoming.js";
import { RETRY_AFTER, RefreshSchedule } from "./refresh.js";
import { type TurnSettings, turnSettings } from "./settings.js";
import { parseStunDatagram } from "./stun-input.js";
import { type TxContext, beginRequest, encodeSendIndication } from "./requests.js";
import { CHANNEL_LIFETIME, type Channel, PERMISSION_LIFETIME, type Permission, PeerTable, canonicalIp, settleFailure } from "./peers.js";
import {
  type TurnClientConfig,
  type TurnClientEvent,
  type TurnClientState,
  type TurnClientStats,
  type TurnOperation,
  type TurnTransport,
  type TurnVerdict,
  emptyTurnStats,
} from "./types.js";

/** How many times one request is re-sent after 401/438 answers before giving up. */
const MAX_AUTH_RETRIES = 3;
/** How many 300 (Try Alternate) answers we follow in a row. */
const MAX_REDIRECTS = 2;
/** After a 437 to an Allocate, the one retry waits this many RTOs (a release of ours may be on its way). */
const MISMATCH_RETRY_RTOS = 2;

export class TurnClient implements Core<TurnClientEvent> {
  readonly stats: TurnClientStats = emptyTurnStats();
  /** After a "data" verdict: the peer the data came from, and the data (a view of the datagram). */
  peer: Address | undefined;
  payload: Uint8Array | undefined;

  private serverAddr: Address;
  private auth: LongTermAuth;
  private readonly rng: RandomSource;
  private readonly txs: StunTransactions<TxContext>;
  private readonly builder = new StunBuilder();
  private readonly msg = new StunMessage();
  /** Relayed data waiting to leave, from `head` on (O(1) per datagram, as the ICE agent's queue). */
  private transmits: Transmit[] = [];
  private head = 0;
  private readonly events: TurnClientEvent[] = [];
  private st: TurnClientState = "new";
  private relayedAddr: Address | undefined;
  private mappedAddr: Address | undefined;
  private readonly lifetimeSchedule = new RefreshSchedule();
  private redirects = 0;
  private readonly peers = new PeerTable();
  /** Last peer looked up by send(), by identity: callers pass the same Address object per path. */
  private lastPeer: Address | undefined;
  private lastChannel: Channel | undefined;
  private readonly settings: TurnSettings;
  /** The one Allocate retry after a 437 is used up. */
  private mismatchRetried = false;
  /** When that retry is sent. */
  private allocateAt: Millis | undefined;

  constructor(private readonly config: TurnClientConfig) {
    this.settings = turnSettings(config);
    // Canonical text (RFC 5952), as sockets report sources: datagrams are matched against it.
    this.serverAddr = { family: config.server.family, host: canonicalIp(config.server.host), port: config.server.port };
    this.auth = new LongTermAuth(config.username, config.password);
    this.rng = config.rng ?? cryptoRandom;
    this.txs = new StunTransactions<TxContext>({ rto: this.settings.rto, rc: this.settings.rc, rm: this.settings.rm });
  }

  get state(): TurnClientState {
    return this.st;
  }
  /** The server we talk to (another one after a 300 redirect). */
  get server(): Address {
    return this.serverAddr;
  }
  get local(): Address | undefined {
    return this.config.local;
  }
  /** XOR-RELAYED-ADDRESS of the allocation, once allocated. */
  get relayed(): Address | undefined {
    return this.relayedAddr;
  }
  /** XOR-MAPPED-ADDRESS: our address as the server saw it. */
  get mapped(): Address | undefined {
    return this.mappedAddr;
  }
  /** Granted lifetime of the allocation, seconds. */
  get lifetime(): number {
    return this.lifetimeSchedule.lifetime;
  }
  get realm(): string | undefined {
    return this.auth.realm;
  }
  /** The client-server transport (RFC 8656 §3.1). */
  get transport(): TurnTransport {
    return this.config.transport ?? "udp";
  }

  /** The channel bound (or being bound) for `peer`, if any. */
  channelFor(peer: Address): number | undefined {
    const ch = this.peers.findChannel(peer);
    return ch && ch.state !== "failed" ? ch.number : undefined;
  }

  /** Whether a permission for the peer's IP is installed. */
  hasPermission(peer: Address | string): boolean {
    return this.peers.permission(typeof peer === "string" ? peer : peer.host)?.state === "installed";
  }

  // ---- requests ----------------------------------------------------------------------------

  /** Start the allocation (RFC 8656 §7.1). */
  allocate(now: Millis): void {
    if (this.st !== "new") throw new Error(`InvalidStateError: allocate() in state ${this.st}`);
    this.st = "allocating";
    this.request(now, { op: "allocate", signed: false, retries: 0 });
  }

  /**
   * Ask for a permission for `peer`'s IP (RFC 8656 §9.1), kept fresh until close. Before the
   * allocation exists it waits. Idempotent.
   */
  createPermission(peer: Address, now: Millis): void {
    this.ensurePermission(peer, now);
  }

  /**
   * Bind a channel to `peer` (RFC 8656 §12.1), kept fresh until close; data to and from it uses
   * ChannelData once the server confirms. Returns the channel number, or undefined when no
   * channel is available (all 4096 used, or the server refused this peer's binding).
   */
  bindChannel(peer: Address, now: Millis): number | undefined {
    if (this.st === "closing" || this.st === "closed" || this.st === "failed") return undefined;
    // The data path asks once per datagram, with the same Address object: answer from the cache.
    const cached = this.lastPeer === peer ? this.lastChannel : undefined;
    const found = cached ?? this.peers.findChannel(peer);
    if (found) return found.state === "failed" ? undefined : found.number;
    const ch = this.peers.addChannel(peer);
    if (!ch) return undefined;
    this.ensurePermission(peer, now);
    this.lastPeer = undefined;
    if (this.st === "allocated") this.sendChannelBind(ch, now);
    return ch.number;
  }

  /**
   * Send `data` to `peer` through the relay: ChannelData when a channel is bound, else a Send
   * indication (RFC 8656 §10.1) once the peer's permission is installed (held until then,
   * up to maxQueuedPerPeer). Returns false when it was dropped (no allocation, queue full,
   * permission refused).
   */
  send(peer: Address, data: Uint8Array, now: Millis): boolean {
    if (this.st !== "allocated") {
      this.stats.droppedOutgoing++;
      return false;
    }
    let ch = this.lastChannel;
    if (this.lastPeer !== peer) {
      ch = this.peers.findChannel(peer);
      this.lastPeer = peer;
      this.lastChannel = ch;
    }
    if (ch !== undefined && ch.state === "installed") {
      this.push(encodeChannelData(ch.number, data, this.settings.stream));
      this.stats.channelDataOut++;
      return true;
    }
    const p = this.ensurePermission(peer, now);
    if (p.state === "installed") {
      this.sendIndication(peer, data);
      return true;
    }
    if (p.state === "pending" && p.queue.length < this.settings.maxQueued) {
      p.queue.push({ peer, data });
      return true;
    }
    this.stats.droppedOutgoing++;
    return false;
  }

  /**
   * Release the allocation (RFC 8656 §8: Refresh with LIFETIME 0). No more data after this. With
   * an Allocate in flight it stays "closing" until that is answered, and releases what it made.
   */
  close(now: Millis): void {
    const st = this.st;
    if (st === "closed" || st === "closing" || st === "failed") return;
    this.allocateAt = undefined;
    this.dropQueues();
    // While allocating only the Allocate is pending (permissions and channels wait for it): kept.
    if (st === "allocating" && this.txs.size > 0) return void (this.st = "closing");
    this.txs.clear();
    this.lifetimeSchedule.stop();
    this.st = st === "allocated" ? "closing" : "closed";
    if (st === "allocated") this.sendRelease(now);
    else if (st !== "new") this.emit({ type: "closed", reason: "released" });
  }

  /** Over TCP/TLS the connection is gone, and the allocation with it (RFC 8656 §3.1): "failed" (fatal, code 0) unless released. */
  connectionLost(reason: string): void {
    if (!this.settings.stream) throw new Error("connectionLost() is for a TURN client over TCP or TLS");
    if (this.st === "closing") return this.finish("released");
    if (this.st === "new") this.st = "failed";
    else this.fail(this.st === "allocating" ? "allocate" : "refresh", 0, reason);
  }

  private ensurePermission(peer: Address, now: Millis): Permission {
    let p = this.peers.permission(peer.host);
    if (!p) {
      const evicted = this.peers.evictOldest(this.settings.maxPermissions);
      // Every slot carries a channel: refuse this peer (a failed record, not kept).
      if (evicted < 0) return { ip: peer.host, peer, state: "failed", refreshAt: undefined, expiresAt: 0, txKey: undefined, queue: [] };
      this.stats.droppedOutgoing += evicted;
      p = this.peers.addPermission(peer);
      if (this.st === "allocated") this.sendCreatePermission(p, now);
    }
    return p;
  }

  private sendCreatePermission(p: Permission, now: Millis): void {
    p.refreshAt = undefined;
    p.txKey = this.request(now, { op: "permission", peer: p.peer, signed: true, retries: 0 });
  }

  private sendChannelBind(ch: Channel, now: Millis): void {
    ch.refreshAt = undefined;
    ch.txKey = this.request(now, { op: "channel-bind", peer: ch.peer, channel: ch.number, signed: true, retries: 0 });
  }

  private sendRelease(now: Millis): void {
    this.request(now, { op: "refresh", lifetime: 0, signed: true, retries: 0 }, Math.min(2, this.settings.rc));
  }

  private sendRefresh(now: Millis): void {
    this.lifetimeSchedule.sent();
    this.request(now, { op: "refresh", lifetime: this.settings.lifetime, signed: true, retries: 0 });
  }

  /** Build and start one request; signed when credentials are known. Returns its key. */
  private request(now: Millis, ctx: TxContext, rc = this.settings.rc): string {
    const b = this.builder;
    beginRequest(b, ctx, this.rng, this.settings.lifetime, this.config.relayFamily);
    if (this.config.software !== undefined) b.software(this.config.software);
    ctx.signed = this.auth.ready;
    ctx.nonce = this.auth.nonce;
    if (ctx.signed) this.auth.sign(b);
    b.fingerprint();
    this.stats.requestsSent++;
    return this.txs.start(now, { to: this.serverAddr, from: this.config.local, data: b.view(), context: ctx, rc });
  }

  private sendIndication(peer: Address, data: Uint8Array): void {
    this.push(encodeSendIndication(this.builder, this.rng, peer, data));
    this.stats.sendIndicationsOut++;
  }

  private push(data: Uint8Array): void {
    const local = this.config.local;
    this.transmits.push(local ? { to: this.serverAddr, from: local, data } : { to: this.serverAddr, data });
  }

  private emit(e: TurnClientEvent): void {
    this.events.push(e);
  }

  // ---- input --------------------------------------------------------------------------------

  /**
   * A datagram arrived on our socket from `from`. "foreign" when it is not from our server;
   * "data" when it carried a peer's data (read `peer` and `payload`); never throws.
   */
  handlePacket(data: Uint8Array, from: Address, now: Millis): TurnVerdict {
    const server = this.serverAddr;
    if (from.port !== server.port || from.host !== server.host) return "foreign";
    this.peer = undefined;
    this.payload = undefined;
    if (data.length === 0) return this.drop("droppedMalformed");
    const b0 = data[0];
    if (b0 >= 0x40 && b0 <= 0x4f) return channelDataIn(data, this.peers, this.st === "allocated", this, this.stats);
    const m = this.msg;
    const input = parseStunDatagram(m, data);
    if (input !== "ok") return this.drop(input === "malformed" ? "droppedMalformed" : "droppedBadFingerprint");
    switch (m.cls) {
      case StunClass.Indication:
        if (m.method === StunMethod.Data) return dataIndicationIn(m, this.peers, this.st === "allocated", this, this.stats);
        return this.drop("droppedUnexpected");
      case StunClass.SuccessResponse:
      case StunClass.ErrorResponse:
        return this.handleResponse(m, from, now);
      default:
        return this.drop("droppedUnexpected");
    }
  }

  private drop(counter: keyof TurnClientStats): TurnVerdict {
    this.stats[counter]++;
    return "dropped";
  }

  private handleResponse(m: StunMessage, from: Address, now: Millis): TurnVerdict {
    this.stats.responsesIn++;
    const ctx = this.txs.context(m.transactionKey);
    if (!ctx) return this.drop("droppedUnmatched");
    let code = 0;
    if (m.cls === StunClass.ErrorResponse) {
      try {
        code = m.errorCode()?.code ?? 0;
      } catch {
        code = 0;
      }
    }
    // RFC 8489 §9.2.5: answers to a signed request must be signed with the same key, except the
    // challenges the server cannot sign (401, 438) and errors raised before authentication.
    const unsignable = code === 400 || code === 401 || code === 420 || code === 438;
    if (ctx.signed && !unsignable && !this.auth.verify(m)) return this.drop("droppedBadIntegrity");
    if (!this.txs.handleResponse(m, from, now)) return this.drop("droppedUnmatched");
    this.drainTransactions(now);
    return "consumed";
  }

  private drainTransactions(now: Millis): void {
    for (let e = this.txs.pollEvent(); e; e = this.txs.pollEvent()) {
      if (e.type === "success") this.onSuccess(e.context, e.response, now);
      else if (e.type === "error") this.onError(e.context, e.code, e.reason, e.response, now);
      else this.onTimeout(e.context, now);
    }
  }

  // ---- outcomes -----------------------------------------------------------------------------

  private onSuccess(ctx: TxContext, m: StunMessage, now: Millis): void {
    switch (ctx.op) {
      case "allocate":
        return this.allocated(m, now);
      case "refresh": {
        this.lifetimeSchedule.answered();
        if (ctx.lifetime === 0) return this.finish("released");
        let lifetime: number | undefined;
        try {
          lifetime = m.lifetime();
        } catch {
          lifetime = undefined;
        }
        this.lifetimeSchedule.granted(lifetime ?? ctx.lifetime ?? this.settings.lifetime, now);
        this.emit({ type: "refreshed", lifetime: this.lifetimeSchedule.lifetime });
        return;
      }
      case "permission": {
        const p = this.peers.permission(ctx.peer!.host);
        if (p) this.permissionInstalled(p, now);
        return;
      }
      case "channel-bind": {
        const ch = this.peers.channel(ctx.channel!);
        if (!ch) return;
        const first = ch.state !== "installed";
        ch.state = "installed";
        ch.txKey = undefined;
        ch.expiresAt = now + CHANNEL_LIFETIME;
        ch.refreshAt = now + this.settings.channelRefresh;
        this.lastPeer = undefined;
        // §12.1: a ChannelBind also installs or refreshes the permission for the peer's IP.
        const p = this.peers.permission(ch.peer.host);
        if (p) this.permissionInstalled(p, now, false);
        if (first) this.emit({ type: "channel", peer: ch.peer, channel: ch.number });
        return;
      }
    }
  }

  private allocated(m: StunMessage, now: Millis): void {
    // Closed while the Allocate was in flight: the allocation the server made goes at once.
    if (this.st === "closing") return this.sendRelease(now);
    let relayed: Address | undefined;
    let mapped: Address | undefined;
    let lifetime: number | undefined;
    try {
      relayed = m.xorRelayedAddress();
      mapped = m.xorMappedAddress();
      lifetime = m.lifetime();
    } catch {
      relayed = undefined;
    }
    if (!relayed) return this.fail("allocate", 0, "Allocate success without a usable XOR-RELAYED-ADDRESS");
    this.relayedAddr = relayed;
    this.mappedAddr = mapped;
    this.st = "allocated";
    this.lifetimeSchedule.granted(lifetime ?? this.settings.lifetime, now);
    this.emit({ type: "allocated", relayed, mapped, lifetime: this.lifetimeSchedule.lifetime });
    for (const p of this.peers.allPermissions()) if (p.state === "pending" && !p.txKey) this.sendCreatePermission(p, now);
    for (const ch of this.peers.channels) if (ch.state === "pending" && !ch.txKey) this.sendChannelBind(ch, now);
  }

  private permissionInstalled(p: Permission, now: Millis, clearTx = true): void {
    const first = p.state !== "installed";
    p.state = "installed";
    if (clearTx) p.txKey = undefined;
    p.expiresAt = now + PERMISSION_LIFETIME;
    if (!p.txKey) p.refreshAt = now + this.settings.permissionRefresh;
    if (first) this.emit({ type: "permission", peer: p.ip });
    const queued = p.queue;
    p.queue = [];
    for (const q of queued) this.send(q.peer, q.data, now);
  }

  private onError(ctx: TxContext, code: number, reason: string, m: StunMessage, now: Millis): void {
    // Closed while allocating: an Allocate refused made no allocation, nothing to release.
    if (ctx.op === "allocate" && this.st === "closing") return this.finish("released");
    if (code === ErrorCode.Unauthorized || code === ErrorCode.StaleNonce) {
      const usedNonce = ctx.nonce;
      const usedRealm = this.auth.realm;
      if (ctx.retries < MAX_AUTH_RETRIES && this.auth.challenge(m)) {
        // §9.2.5: a 401 to a signed request whose nonce did not change means wrong credentials.
        const same = ctx.signed && usedNonce === this.auth.nonce && usedRealm === this.auth.realm;
        if (code === ErrorCode.StaleNonce || !same) {
          if (code === ErrorCode.StaleNonce) this.stats.staleNonces++;
          else this.stats.authChallenges++;
          const key = this.request(now, { ...ctx, retries: ctx.retries + 1 });
          this.rekey(ctx, key);
          return;
        }
      }
    }
    if (code === ErrorCode.TryAlternate && ctx.op === "allocate" && this.redirect(m, now)) return;
    if (code === ErrorCode.AllocationMismatch && ctx.op === "allocate" && !this.mismatchRetried) {
      // RFC 8656 §7.2: an allocation holds our 5-tuple, maybe one of ours being released (an ICE
      // agent dropped while allocating): once it is gone a new one may be made. Ask once more.
      this.mismatchRetried = true;
      this.allocateAt = now + MISMATCH_RETRY_RTOS * this.settings.rto;
      return;
    }
    this.failed(ctx, code, reason || `error ${code}`, now);
  }

  /** Point the record a request belongs to at the retried request's transaction. */
  private rekey(ctx: TxContext, key: string): void {
    if (ctx.op === "permission") {
      const p = this.peers.permission(ctx.peer!.host);
      if (p) p.txKey = key;
    } else if (ctx.op === "channel-bind") {
      const ch = this.peers.channel(ctx.channel!);
      if (ch) ch.txKey = key;
    }
  }

  /** RFC 8489 §10: 300 with ALTERNATE-SERVER: start over there (same family, credentials kept). */
  private redirect(m: StunMessage, now: Millis): boolean {
    if (!this.settings.followAlternate || this.redirects >= MAX_REDIRECTS) return false;
    let alt: Address | undefined;
    try {
      alt = m.alternateServer();
    } catch {
      alt = undefined;
    }
    if (!alt || alt.family !== this.serverAddr.family || sameAddress(alt, this.serverAddr)) return false;
    this.redirects++;
    this.serverAddr = alt;
    this.auth = new LongTermAuth(this.config.username, this.config.password);
    this.emit({ type: "redirected", server: alt });
    this.request(now, { op: "allocate", signed: false, retries: 0 });
    return true;
  }

  private onTimeout(ctx: TxContext, now: Millis): void {
    this.failed(ctx, 0, "no answer from the TURN server", now);
  }

  /** A request failed for good (error answer or timeout). */
  private failed(ctx: TxContext, code: number, reason: string, now: Millis): void {
    switch (ctx.op) {
      case "allocate":
        if (this.st === "closing") return this.finish("released");
        return this.fail("allocate", code, reason);
      case "refresh":
        if (ctx.lifetime === 0 || this.st === "closing") {
          this.lifetimeSchedule.answered();
          return this.finish("released");
        }
        // A refresh that timed out may be tried again while the allocation lives; 437 means
        // the server forgot it (§8: "Allocation Mismatch"), as do other errors.
        if (this.lifetimeSchedule.failed(code, now)) return;
        return this.fail("refresh", code, reason);
      case "permission": {
        const p = this.peers.permission(ctx.peer!.host);
        if (!p || !settleFailure(p, code, now, RETRY_AFTER)) return;
        this.stats.droppedOutgoing += p.queue.length;
        p.queue = [];
        break;
      }
      case "channel-bind": {
        const ch = this.peers.channel(ctx.channel!);
        if (!ch || !settleFailure(ch, code, now, RETRY_AFTER)) return;
        this.lastPeer = undefined;
        break;
      }
    }
    this.emit({ type: "error", operation: ctx.op, code, reason, peer: ctx.peer, fatal: false });
  }

  /** The allocation failed (or was lost): state "failed", error and closed events. */
  private fail(operation: TurnOperation, code: number, reason: string): void {
    if (this.st === "failed" || this.st === "closed") return;
    this.emit({ type: "error", operation, code, reason, fatal: true });
    this.end("failed", "failed");
  }

  private finish(reason: "released" | "expired"): void {
    this.end("closed", reason);
  }

  private end(state: "closed" | "failed", reason: "released" | "expired" | "failed"): void {
    this.st = state;
    this.allocateAt = undefined;
    this.txs.clear();
    this.dropQueues();
    this.lifetimeSchedule.stop();
    this.emit({ type: "closed", reason });
  }

  private dropQueues(): void {
    this.stats.droppedOutgoing += this.peers.stop();
  }

  // ---- Core ---------------------------------------------------------------------------------

  handleTimeout(now: Millis): void {
    this.txs.handleTimeout(now);
    this.drainTransactions(now);
    if (this.allocateAt !== undefined && now >= this.allocateAt) {
      this.allocateAt = undefined;
      if (this.st === "allocating") this.request(now, { op: "allocate", signed: false, retries: 0 });
    }
    if (this.st !== "allocated") return;
    if (this.lifetimeSchedule.expired(now)) return this.finish("expired");
    if (this.lifetimeSchedule.due(now)) this.sendRefresh(now);
    for (const p of this.peers.allPermissions()) {
      if (p.refreshAt !== undefined && now >= p.refreshAt && !p.txKey) this.sendCreatePermission(p, now);
    }
    for (const ch of this.peers.channels) {
      if (ch.refreshAt !== undefined && now >= ch.refreshAt && !ch.txKey) this.sendChannelBind(ch, now);
    }
  }

  /** Requests (and their retransmissions) first, then relayed data. */
  pollTransmit(): Transmit | undefined {
    const t = this.txs.pollTransmit();
    if (t) return t;
    if (this.head >= this.transmits.length) return undefined;
    const d = this.transmits[this.head++];
    if (this.head === this.transmits.length) {
      this.transmits.length = 0;
      this.head = 0;
    }
    return d;
  }

  pollEvent(): TurnClientEvent | undefined {
    return this.events.shift();
  }

  pollTimeout(): Millis | undefined {
    let at = this.txs.pollTimeout() ?? Infinity;
    if (this.allocateAt !== undefined) at = Math.min(at, this.allocateAt);
    if (this.st === "allocated") {
      const refresh = this.lifetimeSchedule.deadline();
      if (refresh !== undefined) at = Math.min(at, refresh);
      const peers = this.peers.nextDeadline();
      if (peers !== undefined) at = Math.min(at, peers);
    }
    return at === Infinity ? undefined : at;
  }
}
