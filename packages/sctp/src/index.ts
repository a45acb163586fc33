/**
 * @tsrtc/sctp — SCTP (RFC 9260) as a sans-IO core for WebRTC data channels (RFC 8261, 8831, 8832).
 *
 * SctpAssociation: `connect(now)` sends INIT (both WebRTC peers do; collisions are handled),
 * `handlePacket(bytes, now)` takes a decrypted DTLS record (the association keeps views into it:
 * do not reuse the buffer), `pollTransmit(now)` yields bare SCTP packets to encrypt,
 * `handleTimeout(now)` / `pollTimeout()` drive the one timer, `pollEvent()` reports connected /
 * message / stream-reset / buffered-amount-low / peer-error / closed. `send(stream, ppid, bytes,
 * { unordered, maxRetransmits, maxLifetime })` queues a message; `resetStreams`, `shutdown`,
 * `abort`; `maxMessageSize` is settable from the peer's a=max-message-size.
 *
 * DataChannelTable (datachannel/): the data channels of an association (the records the W3C
 * RTCDataChannel wraps) — DCEP open/ack, negotiated ids, even/odd ids once the DTLS role is set,
 * PPIDs 51/53/56/57, close by stream reset, per-channel counters. `attach(association)`, then
 * hand it every association event (`handleEvent`); its own events go to the callback given, or
 * to `pollEvent()`.
 */
export * from "./constants.js";
export * from "./tsn.js";
export * from "./packet.js";
export * from "./events.js";
export { State as AssociationState } from "./handshake.js";
export type { Negotiated } from "./handshake.js";
export { SctpAssociation } from "./association.js";
export type { SctpOptions, SendOptions } from "./options.js";
export * from "./datachannel/dcep.js";
export * from "./datachannel/channel.js";
export * from "./datachannel/table.js";
export * from "./chunks/data.js";
export * from "./chunks/init.js";
export * from "./chunks/sack.js";
export * from "./chunks/forward-tsn.js";
export * from "./chunks/reconfig.js";
export * from "./chunks/control.js";
export * from "./params/param.js";
export * from "./params/init-params.js";
