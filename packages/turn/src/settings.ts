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
  /** Over TCP/TLS (RFC 8656 §3.1). */
  stream: boolean;
  /** Multiple of RTO waited after the last request: over a stream, RTO * rm = Ti (39.5 s). */
  rm: number;
}

/** RFC 8489 §6.2.2: over a reliable transport a transaction times out after Ti = 39.5 s. */
export const STREAM_TRANSACTION_TIMEOUT: Millis = 39_500;

/** Throws a TypeError or RangeError on a configuration no client can run with (programmer misuse). */
export function turnSettings(config: TurnClientConfig): TurnSettings {
  if (!config.server || !config.server.host || !(config.server.port > 0)) throw new TypeError("a TURN server address is required");
  if (typeof config.username !== "string" || typeof config.password !== "string") {
    throw new TypeError("TURN needs a username and a password");
  }
  const transport = config.transport ?? "udp";
  if (transport !== "udp" && transport !== "tcp" && transport !== "tls") throw new TypeError(`unknown TURN transport ${String(transport)}`);
  const stream = transport !== "udp";
  const rto = config.rto ?? 500;
  const s: TurnSettings = {
    lifetime: config.lifetime ?? 600,
    rto,
    // RFC 8489 §6.2.2: no retransmission over a reliable transport.
    rc: stream ? 1 : (config.requestSends ?? 7),
    rm: stream ? STREAM_TRANSACTION_TIMEOUT / rto : 16,
    stream,
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
