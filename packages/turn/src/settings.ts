/**
 * The TurnClient's configuration checked and its defaults filled in (RFC 8656 lifetimes: an
 * allocation asks for 600 s, §7.2; permissions live 300 s, §9; channel bindings 10 min, §12).
 */
import type { Millis } from "@tsrtc/base";
import { CHANNEL_LIFETIME, PERMISSION_LIFETIME } from "./peers.js";
import type { TurnClientConfig } from "./types.js";

export interface TurnSettings {
  lifetime: number;
  rto: Millis;
  rc: number;
  permissionRefresh: Millis;
  channelRefresh: Millis;
  maxQueued: number;
  maxPermissions: number;
  followAlternate: boolean;
}

/** Throws a TypeError or RangeError on a configuration no client can run with (programmer misuse). */
export function turnSettings(config: TurnClientConfig): TurnSettings {
  if (!config.server || !config.server.host || !(config.server.port > 0)) throw new TypeError("a TURN server address is required");
  if (typeof config.username !== "string" || typeof config.password !== "string") {
    throw new TypeError("TURN needs a username and a password");
  }
  const s: TurnSettings = {
    lifetime: config.lifetime ?? 600,
    rto: config.rto ?? 500,
    rc: config.requestSends ?? 7,
    permissionRefresh: config.permissionRefresh ?? 240_000,
    channelRefresh: config.channelRefresh ?? 300_000,
    maxQueued: config.maxQueuedPerPeer ?? 32,
    maxPermissions: config.maxPermissions ?? 256,
    followAlternate: config.followAlternate ?? true,
  };
  if (s.permissionRefresh >= PERMISSION_LIFETIME) throw new RangeError("permissionRefresh must be under 300 s (RFC 8656 §9)");
  if (s.channelRefresh >= CHANNEL_LIFETIME) throw new RangeError("channelRefresh must be under 10 min (RFC 8656 §12)");
  return s;
}
