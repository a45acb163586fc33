/**
 * @tsrtc/turn: a TURN client (RFC 8656) over UDP, TCP or TLS as a sans-IO core (over a byte
 * stream, TurnStreamFramer cuts the bytes into messages for handlePacket).
 *
 *   const client = new TurnClient({ server, username, password, local, rng });
 *   client.allocate(now);
 *   client.handlePacket(datagram, from, now);   // "foreign" | "consumed" | "data" | "dropped"
 *   client.createPermission(peer, now); client.bindChannel(peer, now); client.send(peer, data, now);
 *   client.close(now);
 *   pollTransmit() -> { to: server, from: local, data }   pollEvent() -> TurnClientEvent   pollTimeout()
 *
 * Also: ChannelData framing (RFC 8656 §12.4), the long-term credential state (RFC 8489 §9.2)
 * and `parseTurnUrl` for turn:/turns: URIs (RFC 7065).
 *
 * TurnServer: the server side (RFC 8656) as a sans-IO core; its UDP runner is "@tsrtc/turn/node".
 */
export { TurnClient } from "./client.js";
export { LongTermAuth, NONCE_COOKIE, securityFeatures, FEATURE_PASSWORD_ALGORITHMS } from "./auth.js";
export {
  CHANNEL_MIN,
  CHANNEL_MAX,
  CHANNEL_DATA_HEADER,
  isChannelData,
  isValidChannel,
  channelOf,
  channelDataLength,
  encodeChannelData,
} from "./channel-data.js";
export { PERMISSION_LIFETIME, CHANNEL_LIFETIME, canonicalIp } from "./peers.js";
export { type TurnUrl, parseTurnUrl } from "./url.js";
export { TurnStreamFramer, type TurnStreamStats, streamFrameLength, channelDataStreamLength } from "./stream.js";
export { STREAM_TRANSACTION_TIMEOUT } from "./settings.js";
export * from "./types.js";
export * from "./server/index.js";
