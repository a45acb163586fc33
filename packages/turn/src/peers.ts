/**
 * Per-peer state of a TURN allocation: permissions (RFC 8656 §9: one per peer IP address,
 * 300 s lifetime, refreshed before) and channel bindings (§12: one channel number per peer
 * transport address, 10 min lifetime, refreshed before). Plain records; client.ts drives them.
 */
import { type Address, type Millis, bytesToIp, ipToBytes } from "@tsrtc/base";
import { CHANNEL_MAX, CHANNEL_MIN } from "./channel-data.js";

/** RFC 8656 §9: a permission lives 300 s unless refreshed. */
export const PERMISSION_LIFETIME = 300_000;
/** RFC 8656 §12: a channel binding lives 10 min unless refreshed. */
export const CHANNEL_LIFETIME = 600_000;

export type PeerState = "pending" | "installed" | "failed";

export interface Permission {
  /** The peer IP in canonical text form (the key). */
  readonly ip: string;
  /** An address with that IP, for XOR-PEER-ADDRESS (the port is ignored, §9.1). */
  readonly peer: Address;
  state: PeerState;
  /** When to send the next CreatePermission (undefined while one is in flight or none is due). */
  refreshAt: Millis | undefined;
  /** When the server forgets it unless refreshed (meaningful once installed). */
  expiresAt: Millis;
  txKey: string | undefined;
  /** Datagrams waiting for the permission (to peers with this IP). */
  queue: { peer: Address; data: Uint8Array }[];
}

export interface Channel {
  readonly number: number;
  readonly peer: Address;
  state: PeerState;
  refreshAt: Millis | undefined;
  expiresAt: Millis;
  txKey: string | undefined;
}

/**
 * A permission's or channel's request failed (code 0: timed out). A timeout while it is still
 * installed and alive is retried after `retryAfter`; anything else marks it failed. Returns
 * true when it failed.
 */
export function settleFailure(x: Permission | Channel, code: number, now: Millis, retryAfter: Millis): boolean {
  x.txKey = undefined;
  if (code === 0 && x.state === "installed" && now + retryAfter < x.expiresAt) {
    x.refreshAt = now + retryAfter;
    return false;
  }
  x.state = "failed";
  x.refreshAt = undefined;
  return true;
}

/** The canonical text of an IP literal (so "2001:DB8::1" and "2001:db8::1" share a permission). */
export function canonicalIp(host: string): string {
  return host.includes(":") ? bytesToIp(ipToBytes(host)) : host;
}

/** The permissions and channels of one allocation, looked up by peer IP, address or number. */
export class PeerTable {
  private readonly permissions = new Map<string, Permission>();
  readonly channels: Channel[] = [];
  private readonly byNumber = new Map<number, Channel>();
  private nextNumber = CHANNEL_MIN;

  permission(host: string): Permission | undefined {
    return this.permissions.get(canonicalIp(host));
  }

  /** A new pending permission for `peer`'s IP (call `permission` first). */
  addPermission(peer: Address): Permission {
    const ip = canonicalIp(peer.host);
    const p: Permission = { ip, peer, state: "pending", refreshAt: undefined, expiresAt: 0, txKey: undefined, queue: [] };
    this.permissions.set(ip, p);
    return p;
  }

  get permissionCount(): number {
    return this.permissions.size;
  }

  /**
   * Make room for one more permission under `max`: forget the oldest one whose IP carries no
   * channel (it is no longer refreshed, so the server lets it lapse). Returns the datagrams its
   * queue held (dropped), or -1 when nothing can go.
   */
  evictOldest(max: number): number {
    if (this.permissions.size < max) return 0;
    for (const [ip, p] of this.permissions) {
      if (this.channels.some((ch) => ch.state !== "failed" && canonicalIp(ch.peer.host) === ip)) continue;
      this.permissions.delete(ip);
      return p.queue.length;
    }
    return -1;
  }

  allPermissions(): IterableIterator<Permission> {
    return this.permissions.values();
  }

  channel(n: number): Channel | undefined {
    return this.byNumber.get(n);
  }

  findChannel(peer: Address): Channel | undefined {
    for (const ch of this.channels) if (ch.peer.port === peer.port && ch.peer.host === peer.host) return ch;
    return undefined;
  }

  /** A new pending channel for `peer`, with the next free number; undefined when all 4096 are used. */
  addChannel(peer: Address): Channel | undefined {
    if (this.nextNumber > CHANNEL_MAX) return undefined;
    const ch: Channel = { number: this.nextNumber++, peer, state: "pending", refreshAt: undefined, expiresAt: 0, txKey: undefined };
    this.channels.push(ch);
    this.byNumber.set(ch.number, ch);
    return ch;
  }

  /** Stop every refresh and drop the queued datagrams; returns how many were dropped. */
  stop(): number {
    let dropped = 0;
    for (const p of this.permissions.values()) {
      dropped += p.queue.length;
      p.queue = [];
      p.refreshAt = undefined;
    }
    for (const ch of this.channels) ch.refreshAt = undefined;
    return dropped;
  }

  /** The earliest refresh due (of those without a request in flight). */
  nextDeadline(): Millis | undefined {
    let at = Infinity;
    for (const p of this.permissions.values()) if (p.refreshAt !== undefined && !p.txKey) at = Math.min(at, p.refreshAt);
    for (const ch of this.channels) if (ch.refreshAt !== undefined && !ch.txKey) at = Math.min(at, ch.refreshAt);
    return at === Infinity ? undefined : at;
  }
}
