/**
 * One allocation's state on the server (RFC 8656 §7): its 5-tuple (client address; one
 * listening address, UDP), relayed address, owner and key, lifetime, permissions (§9: by peer
 * IP, 300 s) and channel bindings (§12: number <-> peer transport address, 10 min).
 */
import type { Address, Millis } from "@tsrtc/base";
import type { IntegrityKey } from "@tsrtc/stun";
import { canonicalIp } from "../peers.js";

/** RFC 8656 §9: a permission lives 300 s unless refreshed. */
export const SERVER_PERMISSION_LIFETIME: Millis = 300_000;
/** RFC 8656 §12: a channel binding lives 10 minutes unless refreshed. */
export const SERVER_CHANNEL_LIFETIME: Millis = 600_000;
/**
 * RFC 8656 §12: after a binding expires, neither its number nor its peer may be bound to
 * something else for 5 more minutes (data in flight on the old binding must not be misread).
 */
export const CHANNEL_COOLING: Millis = 300_000;

export interface ChannelBinding {
  readonly number: number;
  readonly peer: Address;
  expiresAt: Millis;
}

export class Allocation {
  /** Peer IP (canonical) -> expiry. */
  readonly permissions = new Map<string, Millis>();
  readonly channels = new Map<number, ChannelBinding>();
  /** Peer addressKey -> binding. */
  readonly channelByPeer = new Map<string, ChannelBinding>();
  expiresAt: Millis;
  /** The Allocate's transaction id (hex), so a retransmission gets the same answer (§7.2). */
  allocateTxid: string;

  constructor(
    readonly client: Address,
    readonly relayed: Address,
    readonly username: string,
    /** The long-term key (and its algorithm) the allocation was made with. */
    readonly key: IntegrityKey,
    readonly algorithm: number,
    public lifetime: number,
    now: Millis,
    txid: string,
  ) {
    this.expiresAt = now + lifetime * 1000;
    this.allocateTxid = txid;
  }

  hasPermission(host: string, now: Millis): boolean {
    const at = this.permissions.get(canonicalIp(host));
    return at !== undefined && at > now;
  }

  permit(host: string, now: Millis): void {
    this.permissions.set(canonicalIp(host), now + SERVER_PERMISSION_LIFETIME);
  }

  /** A live binding of `peer`, if any. */
  channelFor(peer: Address, now: Millis): ChannelBinding | undefined {
    const ch = this.channelByPeer.get(peerKey(peer));
    return ch && ch.expiresAt > now ? ch : undefined;
  }

  /** The live binding of channel `n`, if any. */
  channel(n: number, now: Millis): ChannelBinding | undefined {
    const ch = this.channels.get(n);
    return ch && ch.expiresAt > now ? ch : undefined;
  }

  /**
   * Bind or refresh channel `n` to `peer` (§12.2). Returns false on a conflict: the number is
   * bound to another peer, or the peer to another number (400).
   */
  bind(n: number, peer: Address, now: Millis): boolean {
    // Bindings still cooling down count for conflicts (and are revived by a matching bind).
    const byNumber = this.cooling(this.channels.get(n), now);
    const byPeer = this.cooling(this.channelByPeer.get(peerKey(peer)), now);
    if (byNumber !== byPeer) return false;
    if (byNumber) {
      byNumber.expiresAt = now + SERVER_CHANNEL_LIFETIME;
    } else {
      this.unbind(n);
      const key = peerKey(peer);
      const stale = this.channelByPeer.get(key);
      if (stale) this.unbind(stale.number);
      const ch: ChannelBinding = { number: n, peer: { family: peer.family, host: canonicalIp(peer.host), port: peer.port }, expiresAt: now + SERVER_CHANNEL_LIFETIME };
      this.channels.set(n, ch);
      this.channelByPeer.set(key, ch);
    }
    this.permit(peer.host, now);
    return true;
  }

  private cooling(ch: ChannelBinding | undefined, now: Millis): ChannelBinding | undefined {
    return ch && ch.expiresAt + CHANNEL_COOLING > now ? ch : undefined;
  }

  private unbind(n: number): void {
    const ch = this.channels.get(n);
    if (!ch) return;
    this.channels.delete(n);
    this.channelByPeer.delete(peerKey(ch.peer));
  }

  /** Forget expired permissions and channels; returns the earliest expiry left (or Infinity). */
  sweep(now: Millis): Millis {
    let next = this.expiresAt;
    for (const [ip, at] of this.permissions) {
      if (at <= now) this.permissions.delete(ip);
      else if (at < next) next = at;
    }
    for (const ch of this.channels.values()) {
      const gone = ch.expiresAt + CHANNEL_COOLING;
      if (gone <= now) this.unbind(ch.number);
      else next = Math.min(next, ch.expiresAt > now ? ch.expiresAt : gone);
    }
    return next;
  }
}

function peerKey(a: Address): string {
  return `${canonicalIp(a.host)}|${a.port}`;
}
