/**
 * Test helper (a copy of @tsrtc/turn's test server: test files are not exported): a small TURN server (RFC 8656) core good enough to drive the client and the ICE
 * agent in tests: long-term credentials (MD5, or SHA-256 with PASSWORD-ALGORITHMS), Allocate,
 * Refresh, CreatePermission, ChannelBind, Send indications out and Data indications /
 * ChannelData in. One allocation per client 5-tuple; each allocation relays on its own port of
 * `relayHost`. Knobs let a test force errors and stale nonces.
 */
import { type Address, type Millis, addressKey, sameAddress } from "@tsrtc/base";
import {
  AttrType,
  type IntegrityKey,
  PasswordAlgorithm,
  StunBuilder,
  StunClass,
  StunMessage,
  StunMethod,
  longTermIntegrityKey,
} from "@tsrtc/stun";
import { channelDataLength, channelOf, encodeChannelData, securityFeatures } from "@tsrtc/turn";

export interface FakeAllocation {
  client: Address;
  relayed: Address;
  expiresAt: Millis;
  permissions: Map<string, Millis>;
  channels: Map<number, Address>;
  username: string;
}

export interface FakeTurnOptions {
  address: Address;
  realm?: string;
  users?: Record<string, string>;
  relayHost?: string;
  firstRelayPort?: number;
  /** Granted lifetime, seconds (default: what the client asks for, at most 3600). */
  lifetime?: number;
  nonce?: string;
  /** Offer PASSWORD-ALGORITHMS (with the nonce cookie). */
  algorithms?: number[];
  /** Force an error code for a method (e.g. { [StunMethod.Allocate]: 486 }). */
  errors?: Partial<Record<number, number>>;
  /** ALTERNATE-SERVER sent with a forced 300. */
  alternate?: Address;
  /** Sign error responses to authenticated requests (RFC 8489 §9.2.4). Default true. */
  signErrors?: boolean;
  /** Refuse permissions for these peer IPs with 403. */
  forbiddenPeers?: string[];
}

export interface Outgoing {
  to: Address;
  data: Uint8Array;
}

export class FakeTurnServer {
  readonly allocations = new Map<string, FakeAllocation>();
  /** Requests seen, decoded (copies). */
  readonly requests: StunMessage[] = [];
  /** Datagrams relayed to peers (from a relayed address). */
  readonly relayed: { from: Address; to: Address; data: Uint8Array }[] = [];
  nonce: string;
  private nextPort: number;
  private readonly b = new StunBuilder();
  private readonly realm: string;
  private readonly users: Record<string, string>;

  constructor(readonly opts: FakeTurnOptions) {
    this.realm = opts.realm ?? "example.org";
    this.users = opts.users ?? { user: "pass" };
    this.nextPort = opts.firstRelayPort ?? 50000;
    this.nonce = opts.nonce ?? (opts.algorithms ? "obMatJos2gAAAnonce-1" : "nonce-1");
  }

  get address(): Address {
    return this.opts.address;
  }

  private key(username: string, algorithm: number): IntegrityKey {
    return longTermIntegrityKey(username, this.realm, this.users[username] ?? "", algorithm);
  }

  /** A datagram from a client: the answers (to that client). */
  handle(data: Uint8Array, from: Address, now: Millis): Outgoing[] {
    const out: Outgoing[] = [];
    let alloc = this.allocations.get(addressKey(from));
    if (alloc && now >= alloc.expiresAt) {
      // Its lifetime ran out without a refresh (RFC 8656 §7): forgotten.
      this.allocations.delete(addressKey(from));
      alloc = undefined;
    }
    if (data[0] >= 0x40 && data[0] <= 0x4f) {
      const len = channelDataLength(data);
      const peer = alloc?.channels.get(channelOf(data));
      if (alloc && peer && len >= 0) this.relayed.push({ from: alloc.relayed, to: peer, data: data.slice(4, 4 + len) });
      return out;
    }
    const m = StunMessage.decode(data.slice());
    if (m.cls === StunClass.Indication) {
      if (m.method === StunMethod.Send && alloc) {
        const peer = m.xorPeerAddress()!;
        if (alloc.permissions.has(peer.host)) this.relayed.push({ from: alloc.relayed, to: peer, data: m.dataValue()!.slice() });
      }
      return out;
    }
    if (m.cls !== StunClass.Request) return out;
    this.requests.push(m);
    if (m.method === StunMethod.Binding) {
      // Also a plain STUN server (RFC 8489 §6.3): no credentials needed.
      return [{ to: from, data: this.b.beginResponse(m, StunClass.SuccessResponse).xorMappedAddress(from).fingerprint().finish() }];
    }
    // Authentication (RFC 8489 §9.2.4).
    const username = m.username();
    if (m.integrityAt < 0 && m.integritySha256At < 0) return [this.error(m, from, 401)];
    const algo: number = m.passwordAlgorithm()?.algorithm ?? PasswordAlgorithm.MD5;
    if (username === undefined || !(username in this.users)) return [this.error(m, from, 401)];
    const key = this.key(username, algo);
    const ok = m.integritySha256At >= 0 ? m.checkIntegritySha256(key) : m.checkIntegrity(key);
    if (!ok) return [this.error(m, from, 401)];
    if (m.nonce() !== this.nonce) return [this.error(m, from, 438)];
    const forced = this.opts.errors?.[m.method];
    if (forced) return [this.error(m, from, forced, key, algo)];
    switch (m.method) {
      case StunMethod.Allocate: {
        if (alloc) return [this.error(m, from, 437, key, algo)];
        const lifetime = this.opts.lifetime ?? Math.min(m.lifetime() ?? 600, 3600);
        const relayed: Address = { family: 4, host: this.opts.relayHost ?? this.address.host, port: this.nextPort++ };
        this.allocations.set(addressKey(from), {
          client: from,
          relayed,
          expiresAt: now + lifetime * 1000,
          permissions: new Map(),
          channels: new Map(),
          username,
        });
        const b = this.b.beginResponse(m, StunClass.SuccessResponse).xorRelayedAddress(relayed).xorMappedAddress(from).lifetime(lifetime);
        return [this.signed(b, from, key, algo)];
      }
      case StunMethod.Refresh: {
        if (!alloc) return [this.error(m, from, 437, key, algo)];
        const lifetime = m.lifetime() ?? 600;
        if (lifetime === 0) this.allocations.delete(addressKey(from));
        else alloc.expiresAt = now + lifetime * 1000;
        return [this.signed(this.b.beginResponse(m, StunClass.SuccessResponse).lifetime(lifetime), from, key, algo)];
      }
      case StunMethod.CreatePermission: {
        if (!alloc) return [this.error(m, from, 437, key, algo)];
        for (const p of m.xorPeerAddresses()) {
          if (this.opts.forbiddenPeers?.includes(p.host)) return [this.error(m, from, 403, key, algo)];
          alloc.permissions.set(p.host, now + 300_000);
        }
        return [this.signed(this.b.beginResponse(m, StunClass.SuccessResponse), from, key, algo)];
      }
      case StunMethod.ChannelBind: {
        if (!alloc) return [this.error(m, from, 437, key, algo)];
        const n = m.channelNumber()!;
        const peer = m.xorPeerAddress()!;
        alloc.channels.set(n, peer);
        alloc.permissions.set(peer.host, now + 300_000);
        return [this.signed(this.b.beginResponse(m, StunClass.SuccessResponse), from, key, algo)];
      }
      default:
        return [this.error(m, from, 400, key, algo)];
    }
  }

  /** A peer sends `data` to `relayed`: what the server sends the client (undefined: dropped). */
  fromPeer(peer: Address, relayed: Address, data: Uint8Array): Outgoing | undefined {
    for (const a of this.allocations.values()) {
      if (!sameAddress(a.relayed, relayed)) continue;
      if (!a.permissions.has(peer.host)) return undefined;
      for (const [n, p] of a.channels) if (sameAddress(p, peer)) return { to: a.client, data: encodeChannelData(n, data) };
      const tid = new Uint8Array(12).fill(7);
      const ind = this.b.begin(StunMethod.Data, StunClass.Indication, tid).xorPeerAddress(peer).data(data).finish();
      return { to: a.client, data: ind };
    }
    return undefined;
  }

  private signed(b: StunBuilder, to: Address, key: IntegrityKey, algo: number): Outgoing {
    if (algo === PasswordAlgorithm.SHA256) b.messageIntegritySha256(key);
    else b.messageIntegrity(key);
    return { to, data: b.fingerprint().finish() };
  }

  private error(m: StunMessage, to: Address, code: number, key?: IntegrityKey, algo: number = PasswordAlgorithm.MD5): Outgoing {
    const b = this.b.beginResponse(m, StunClass.ErrorResponse).errorCode(code, `error ${code}`);
    if (code === 401 || code === 438) {
      b.realm(this.realm).nonce(this.nonce);
      if (this.opts.algorithms) {
        b.passwordAlgorithms(this.opts.algorithms.map((algorithm) => ({ algorithm, parameters: new Uint8Array(0) })));
      }
    }
    if (code === 300 && this.opts.alternate) b.alternateServer(this.opts.alternate);
    if (key && this.opts.signErrors !== false) return this.signed(b, to, key, algo);
    return { to, data: b.fingerprint().finish() };
  }
}

/** Feature bits check used by tests: the default SHA-256 nonce announces password algorithms. */
export function announcesAlgorithms(nonce: string): boolean {
  return (securityFeatures(nonce) & 0x800000) !== 0;
}

export { AttrType };
