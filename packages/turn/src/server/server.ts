/**
 * TurnServer: a TURN server over UDP (RFC 8656) as a sans-IO core (DESIGN.md §1). Datagrams to
 * the listening address go to handlePacket, datagrams reaching a relayed address to
 * handleRelayed; pollTransmit says which local address sends each answer or relayed datagram.
 * Relayed addresses come from the injected `allocateRelay`; the core never opens a socket.
 *
 * Remote input never throws: malformed requests get 400 (420 for unknown comprehension-required
 * attributes), unauthenticated ones 401/438, other garbage is dropped and counted in `stats`.
 */
import {
  type Address,
  type Core,
  type IpFamily,
  type Millis,
  type RandomSource,
  addressKey,
  cryptoRandom,
  isPrivateOrReserved,
  isProtocolError,
  logger,
  toHex,
} from "@tsrtc/base";
import {
  ErrorCode,
  type IntegrityKey,
  PasswordAlgorithm,
  StunBuilder,
  StunClass,
  StunMessage,
  StunMethod,
  newTransactionId,
  reasonPhrase,
} from "@tsrtc/stun";
import { CHANNEL_MAX, channelDataLength, channelOf, encodeChannelData, isValidChannel } from "../channel-data.js";
import { canonicalIp } from "../peers.js";
import { parseStunDatagram } from "../stun-input.js";
import { checkAllocate, grantedLifetime } from "./allocate-rules.js";
import { Allocation } from "./allocation.js";
import { type AuthResult, ServerAuth } from "./authenticate.js";
import { CredentialStore } from "./credentials.js";
import { NonceIssuer } from "./nonces.js";
import { type TurnServerEvent, type TurnServerOptions, type TurnServerStats, type TurnServerTransmit, emptyServerStats } from "./types.js";

const log = logger("turn:server");

type Authed = Extract<AuthResult, { ok: true }>;

export class TurnServer implements Core<TurnServerEvent> {
  readonly stats: TurnServerStats = emptyServerStats();
  private readonly byClient = new Map<string, Allocation>();
  private readonly byRelayed = new Map<string, Allocation>();
  private readonly perUser = new Map<string, number>();
  private readonly auth: ServerAuth;
  private readonly rng: RandomSource;
  private readonly msg = new StunMessage();
  private readonly b = new StunBuilder();
  private transmits: TurnServerTransmit[] = [];
  private head = 0;
  private readonly events: TurnServerEvent[] = [];
  private readonly listening: Address;
  private readonly families: IpFamily[];
  private readonly defaultLifetime: number;
  private readonly maxLifetime: number;
  private readonly quota: number;
  private readonly denied: Set<string>;
  private nextSweep: Millis = Infinity;

  constructor(private readonly opts: TurnServerOptions) {
    if (!opts.listening || !(opts.listening.port > 0)) throw new TypeError("TurnServer needs its listening address");
    if (typeof opts.realm !== "string" || opts.realm.length === 0) throw new TypeError("TurnServer needs a realm");
    if (typeof opts.allocateRelay !== "function") throw new TypeError("TurnServer needs allocateRelay");
    if (!opts.users && !opts.rest) throw new TypeError("TurnServer needs users or REST credentials");
    this.rng = opts.rng ?? cryptoRandom;
    this.listening = { family: opts.listening.family, host: canonicalIp(opts.listening.host), port: opts.listening.port };
    this.families = opts.relayFamilies ?? [4];
    this.defaultLifetime = opts.defaultLifetime ?? 600;
    this.maxLifetime = opts.maxLifetime ?? 3600;
    if (this.defaultLifetime > this.maxLifetime) throw new RangeError("defaultLifetime exceeds maxLifetime");
    this.quota = opts.maxAllocationsPerUser ?? 10;
    this.denied = new Set((opts.deniedPeers ?? []).map(canonicalIp));
    const algorithms = opts.passwordAlgorithms;
    if (algorithms && !algorithms.every((a) => a === PasswordAlgorithm.MD5 || a === PasswordAlgorithm.SHA256)) {
      throw new RangeError("passwordAlgorithms may list MD5 (1) and SHA-256 (2) only");
    }
    const nonces = new NonceIssuer(this.rng, opts.nonceLifetime ?? 600_000, algorithms !== undefined);
    this.auth = new ServerAuth(opts.realm, new CredentialStore(opts.users, opts.rest), nonces, algorithms);
  }

  /** Live allocations. */
  get allocationCount(): number {
    return this.byClient.size;
  }

  /** The allocation of a client's 5-tuple (for the Node layer and tests). */
  allocation(client: Address): Allocation | undefined {
    return this.byClient.get(addressKey(client));
  }

  allocations(): IterableIterator<Allocation> {
    return this.byClient.values();
  }

  /** Delete a client's allocation now (an administrator's kick, or a restart that forgot it). */
  deallocate(client: Address): boolean {
    const a = this.byClient.get(addressKey(client));
    if (!a) return false;
    this.remove(a, "closed");
    return true;
  }

  // ---- input from clients ------------------------------------------------------------------

  /** A datagram reached the listening address from `from`. */
  handlePacket(data: Uint8Array, from: Address, now: Millis): void {
    if (from.port === 0) return this.count("droppedUnexpected");
    if (data.length === 0) return this.count("droppedMalformed");
    const b0 = data[0];
    if (b0 >= 0x40 && (b0 <= 0x4f || (b0 <= 0x7f && this.opts.legacyChannels === true))) return this.channelDataFromClient(data, from, now);
    const m = this.msg;
    const input = parseStunDatagram(m, data);
    if (input !== "ok") return this.count(input === "malformed" ? "droppedMalformed" : "droppedBadFingerprint");
    if (m.cls === StunClass.Indication) {
      if (m.method === StunMethod.Send) return this.sendIndication(m, from, now);
      return this.count("droppedUnexpected");
    }
    if (m.cls !== StunClass.Request) return this.count("droppedUnexpected");
    this.stats.requests++;
    try {
      this.request(m, from, now);
    } catch (e) {
      if (!isProtocolError(e)) throw e;
      log("400 to %s: %s", addressKey(from), e.message);
      this.error(m, from, ErrorCode.BadRequest);
    }
  }

  private count(counter: Exclude<keyof TurnServerStats, "responses">): void {
    this.stats[counter]++;
  }

  private request(m: StunMessage, from: Address, now: Millis): void {
    if (m.hasUnknownRequired()) {
      this.b.beginResponse(m, StunClass.ErrorResponse).errorCode(420, reasonPhrase(420)).unknownAttributes(m.unknownRequiredTypes());
      return this.respond(from, 420);
    }
    m.validate(); // ParseError -> 400
    if (m.method === StunMethod.Binding) {
      // RFC 8656 §5: a TURN server is also a STUN server (no credentials for Binding).
      this.b.beginResponse(m, StunClass.SuccessResponse).xorMappedAddress(from);
      return this.respond(from, 0);
    }
    if (m.method === StunMethod.Allocate && this.opts.alternateServer) {
      this.b.beginResponse(m, StunClass.ErrorResponse).errorCode(300, reasonPhrase(300)).alternateServer(this.opts.alternateServer);
      return this.respond(from, 300);
    }
    const auth = this.auth.check(m, now);
    if (!auth.ok) return this.error(m, from, auth.code, undefined, auth.challenge, now);
    const alloc = this.live(addressKey(from), now);
    // RFC 8656 §5: requests on an allocation must come from its owner.
    if (alloc && alloc.username !== auth.username) return this.error(m, from, ErrorCode.WrongCredentials, auth);
    switch (m.method) {
      case StunMethod.Allocate:
        return this.allocate(m, from, auth, alloc, now);
      case StunMethod.Refresh:
        return this.refresh(m, from, auth, alloc, now);
      case StunMethod.CreatePermission:
        return this.createPermission(m, from, auth, alloc, now);
      case StunMethod.ChannelBind:
        return this.channelBind(m, from, auth, alloc, now);
      default:
        return this.error(m, from, ErrorCode.BadRequest, auth);
    }
  }

  /** The allocation of this 5-tuple, unless its lifetime ran out (then it is removed). */
  private live(key: string, now: Millis): Allocation | undefined {
    const a = this.byClient.get(key);
    if (a && a.expiresAt <= now) {
      this.remove(a, "expired");
      return undefined;
    }
    return a;
  }

  // ---- requests (RFC 8656 §7-§12) ------------------------------------------------------------

  /** §7.2. */
  private allocate(m: StunMessage, from: Address, auth: Authed, alloc: Allocation | undefined, now: Millis): void {
    const txid = toHex(m.data.subarray(8, 20));
    if (alloc) {
      // A retransmission of the request that made it gets the same answer; anything else 437.
      if (alloc.allocateTxid === txid) return this.allocateSuccess(m, alloc, auth);
      return this.error(m, from, ErrorCode.AllocationMismatch, auth);
    }
    const rules = checkAllocate(m, this.families);
    if (!rules.ok) {
      if (rules.unknown) {
        this.b.beginResponse(m, StunClass.ErrorResponse).errorCode(420, reasonPhrase(420)).unknownAttributes(rules.unknown);
        this.sign(auth);
        return this.respond(from, 420);
      }
      return this.error(m, from, rules.code, auth);
    }
    const held = this.perUser.get(auth.username) ?? 0;
    if (held >= this.quota) return this.error(m, from, ErrorCode.AllocationQuotaReached, auth);
    const relayed = this.opts.allocateRelay(rules.family, from, rules.evenPort);
    if (!relayed || (rules.evenPort && (relayed.port & 1) !== 0)) return this.error(m, from, ErrorCode.InsufficientCapacity, auth);
    const canonical: Address = { family: relayed.family, host: canonicalIp(relayed.host), port: relayed.port };
    if (this.byRelayed.has(addressKey(canonical))) throw new Error(`allocateRelay returned ${addressKey(canonical)}, which is in use`);
    const lifetime = grantedLifetime(m.lifetime(), this.defaultLifetime, this.maxLifetime);
    const client: Address = { family: from.family, host: from.host, port: from.port };
    const a = new Allocation(client, canonical, auth.username, auth.key, auth.algorithm, lifetime, now, txid);
    this.byClient.set(addressKey(client), a);
    this.byRelayed.set(addressKey(canonical), a);
    this.perUser.set(auth.username, held + 1);
    this.stats.allocations++;
    this.schedule(a.expiresAt);
    this.events.push({ type: "allocated", client, relayed: canonical, username: auth.username, lifetime });
    this.allocateSuccess(m, a, auth);
  }

  private allocateSuccess(m: StunMessage, a: Allocation, auth: Authed): void {
    const remaining = Math.max(0, a.lifetime);
    this.b.beginResponse(m, StunClass.SuccessResponse).xorRelayedAddress(a.relayed).lifetime(remaining).xorMappedAddress(a.client);
    this.sign(auth);
    this.respond(a.client, 0);
  }

  /** §8.2: LIFETIME 0 deletes; otherwise the lifetime starts over. */
  private refresh(m: StunMessage, from: Address, auth: Authed, alloc: Allocation | undefined, now: Millis): void {
    if (!alloc) return this.error(m, from, ErrorCode.AllocationMismatch, auth);
    const asked = m.lifetime();
    let lifetime = 0;
    if (asked === 0) {
      this.remove(alloc, "released");
    } else {
      lifetime = grantedLifetime(asked, this.defaultLifetime, this.maxLifetime);
      alloc.lifetime = lifetime;
      alloc.expiresAt = now + lifetime * 1000;
      this.schedule(alloc.expiresAt);
    }
    this.b.beginResponse(m, StunClass.SuccessResponse).lifetime(lifetime);
    this.sign(auth);
    this.respond(from, 0);
  }

  /** §9.2: every XOR-PEER-ADDRESS must pass, or none is installed. */
  private createPermission(m: StunMessage, from: Address, auth: Authed, alloc: Allocation | undefined, now: Millis): void {
    if (!alloc) return this.error(m, from, ErrorCode.AllocationMismatch, auth);
    const peers = m.xorPeerAddresses();
    if (peers.length === 0) return this.error(m, from, ErrorCode.BadRequest, auth);
    for (const p of peers) {
      if (p.family !== alloc.relayed.family) return this.error(m, from, ErrorCode.PeerAddressFamilyMismatch, auth);
      if (!this.peerAllowed(p.host)) return this.error(m, from, ErrorCode.Forbidden, auth);
    }
    for (const p of peers) alloc.permit(p.host, now);
    this.schedule(now + 300_000);
    this.b.beginResponse(m, StunClass.SuccessResponse);
    this.sign(auth);
    this.respond(from, 0);
  }

  /** §12.2: a number in 0x4000-0x4FFF, not bound to another peer, the peer not to another number. */
  private channelBind(m: StunMessage, from: Address, auth: Authed, alloc: Allocation | undefined, now: Millis): void {
    if (!alloc) return this.error(m, from, ErrorCode.AllocationMismatch, auth);
    const n = m.channelNumber();
    const peer = m.xorPeerAddress();
    if (n === undefined || peer === undefined || !this.validChannel(n)) {
      log("400 to ChannelBind of %s: channel %s", addressKey(from), n?.toString(16));
      return this.error(m, from, ErrorCode.BadRequest, auth);
    }
    if (peer.family !== alloc.relayed.family) return this.error(m, from, ErrorCode.PeerAddressFamilyMismatch, auth);
    if (!this.peerAllowed(peer.host)) return this.error(m, from, ErrorCode.Forbidden, auth);
    if (!alloc.bind(n, peer, now)) return this.error(m, from, ErrorCode.BadRequest, auth);
    this.schedule(now + 300_000);
    this.b.beginResponse(m, StunClass.SuccessResponse);
    this.sign(auth);
    this.respond(from, 0);
  }

  /** RFC 8656 §12: 0x4000-0x4FFF; RFC 5766 §11 (legacyChannels): up to 0x7FFF. */
  private validChannel(n: number): boolean {
    return this.opts.legacyChannels === true ? n >= 0x4000 && n <= 0x7fff : isValidChannel(n);
  }

  /** RFC 8656 §21.3: no relaying into private, loopback, link-local or reserved ranges by default. */
  private peerAllowed(host: string): boolean {
    const ip = canonicalIp(host);
    if (this.denied.has(ip)) return false;
    return this.opts.allowPrivatePeers === true || !isPrivateOrReserved(ip);
  }

  // ---- data (§10, §11, §12.4) ----------------------------------------------------------------

  /** §10.2: relay DATA to XOR-PEER-ADDRESS when a permission exists; otherwise drop silently. */
  private sendIndication(m: StunMessage, from: Address, now: Millis): void {
    const alloc = this.live(addressKey(from), now);
    if (!alloc) return this.count("droppedNoAllocation");
    let peer: Address | undefined;
    let payload: Uint8Array | undefined;
    try {
      peer = m.xorPeerAddress();
      payload = m.dataValue();
    } catch {
      return this.count("droppedMalformed");
    }
    if (!peer || !payload) return this.count("droppedMalformed");
    if (peer.family !== alloc.relayed.family || !alloc.hasPermission(peer.host, now)) return this.count("droppedNoPermission");
    this.toPeer(alloc, peer, payload.slice());
  }

  /** §12.6: ChannelData on a bound channel goes to its peer (a copy: the input buffer is the caller's). */
  private channelDataFromClient(data: Uint8Array, from: Address, now: Millis): void {
    const len = channelDataLength(data);
    if (len < 0) return this.count("droppedTruncated");
    const alloc = this.live(addressKey(from), now);
    if (!alloc) return this.count("droppedNoAllocation");
    const ch = alloc.channel(channelOf(data), now);
    if (!ch) return this.count("droppedUnknownChannel");
    if (!alloc.hasPermission(ch.peer.host, now)) return this.count("droppedNoPermission");
    this.toPeer(alloc, ch.peer, data.slice(4, 4 + len));
  }

  private toPeer(alloc: Allocation, peer: Address, data: Uint8Array): void {
    this.stats.relayedToPeers++;
    this.transmits.push({ via: "relay", from: alloc.relayed, to: peer, data });
  }

  /**
   * A datagram reached the relayed address `relayed` from `from` (§11.3): with a permission
   * for its IP, it goes to the client as ChannelData when a channel is bound to `from`, else as
   * a Data indication. Without one it is dropped.
   */
  handleRelayed(data: Uint8Array, relayed: Address, from: Address, now: Millis): void {
    const alloc = this.byRelayed.get(addressKey({ family: relayed.family, host: canonicalIp(relayed.host), port: relayed.port }));
    if (!alloc || alloc.expiresAt <= now) return this.count("droppedFromPeers");
    if (!alloc.hasPermission(from.host, now)) return this.count("droppedFromPeers");
    const ch = alloc.channelFor(from, now);
    let out: Uint8Array;
    if (ch && data.length <= 0xffff) {
      out = ch.number <= CHANNEL_MAX ? encodeChannelData(ch.number, data) : legacyChannelData(ch.number, data);
    } else {
      out = this.b.begin(StunMethod.Data, StunClass.Indication, newTransactionId(this.rng)).xorPeerAddress(from).data(data).fingerprint().finish();
    }
    this.stats.relayedToClients++;
    this.transmits.push({ via: "listening", from: this.listening, to: alloc.client, data: out });
  }

  // ---- answers --------------------------------------------------------------------------------

  /**
   * An error response. `auth` signs it (§9.2.4: errors after authentication carry integrity);
   * `challenge` adds REALM and a fresh NONCE (401, 438), with PASSWORD-ALGORITHMS when offered.
   */
  private error(m: StunMessage, to: Address, code: number, auth?: Authed, challenge = false, now: Millis = 0): void {
    const b = this.b.beginResponse(m, StunClass.ErrorResponse).errorCode(code, reasonPhrase(code));
    if (challenge) {
      b.realm(this.auth.realm).nonce(this.auth.nonces.issue(now));
      const algs = this.auth.algorithms;
      if (algs) b.passwordAlgorithms(algs.map((algorithm) => ({ algorithm, parameters: new Uint8Array(0) })));
    }
    if (auth) this.sign(auth);
    this.respond(to, code);
  }

  private sign(auth: Authed): void {
    signWith(this.b, auth.key, auth.algorithm);
  }

  private respond(to: Address, code: number): void {
    if (this.opts.software !== undefined) this.b.software(this.opts.software);
    this.b.fingerprint();
    this.stats.responses[code] = (this.stats.responses[code] ?? 0) + 1;
    this.transmits.push({ via: "listening", from: this.listening, to, data: this.b.finish() });
  }

  // ---- lifetimes -------------------------------------------------------------------------------

  private remove(a: Allocation, reason: "released" | "expired" | "closed"): void {
    const key = addressKey(a.client);
    if (this.byClient.get(key) !== a) return;
    this.byClient.delete(key);
    this.byRelayed.delete(addressKey(a.relayed));
    const held = (this.perUser.get(a.username) ?? 1) - 1;
    if (held > 0) this.perUser.set(a.username, held);
    else this.perUser.delete(a.username);
    this.events.push({ type: "deallocated", client: a.client, relayed: a.relayed, reason });
  }

  private schedule(at: Millis): void {
    if (at < this.nextSweep) this.nextSweep = at;
  }

  /** Expire allocations, permissions and channels whose time has come (§7, §9, §12). */
  handleTimeout(now: Millis): void {
    if (now < this.nextSweep) return;
    let next = Infinity;
    for (const a of [...this.byClient.values()]) {
      if (a.expiresAt <= now) {
        this.remove(a, "expired");
        continue;
      }
      next = Math.min(next, a.sweep(now));
    }
    this.nextSweep = next;
  }

  pollTransmit(): TurnServerTransmit | undefined {
    if (this.head >= this.transmits.length) return undefined;
    const t = this.transmits[this.head++];
    if (this.head === this.transmits.length) {
      this.transmits = [];
      this.head = 0;
    }
    return t;
  }

  pollEvent(): TurnServerEvent | undefined {
    return this.events.shift();
  }

  pollTimeout(): Millis | undefined {
    return this.nextSweep === Infinity ? undefined : this.nextSweep;
  }
}

/** MESSAGE-INTEGRITY-SHA256 with a SHA-256 key (RFC 8489 §9.2.4), MESSAGE-INTEGRITY otherwise. */
function signWith(b: StunBuilder, key: IntegrityKey, algorithm: number): void {
  if (algorithm === PasswordAlgorithm.SHA256) b.messageIntegritySha256(key);
  else b.messageIntegrity(key);
}

/** ChannelData on an RFC 5766 channel above 0x4FFF (legacyChannels): the same layout. */
function legacyChannelData(channel: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  out[0] = channel >>> 8;
  out[1] = channel;
  out[2] = payload.length >>> 8;
  out[3] = payload.length;
  out.set(payload, 4);
  return out;
}
