/**
 * Per-peer state of a TURN allocation: permissions (RFC 8656 §9: one per peer IP address,
 * 300 s lifetime, refreshed before) and channel bindings (§12: one channel number per peer
 * transport address, 10 min lifetime, refreshed before). Plain records; client.ts drives them.
 */
import { type Address, type Millis, bytesToIp, ipToBytes } from "@tsrtc/base";

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

/** The canonical text of an IP literal (so "2001:DB8::1" and "2001:db8::1" share a permission). */
export function canonicalIp(host: string): string {
  return host.includes(":") ? bytesToIp(ipToBytes(host)) : host;
}
