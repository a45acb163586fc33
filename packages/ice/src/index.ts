/**
 * @tsrtc/ice: an ICE agent (RFC 8445) with trickle (RFC 8838), consent freshness (RFC 7675),
 * restart and mDNS host names, as a sans-IO core; the Node UDP glue is in "@tsrtc/ice/node".
 *
 *   const agent = new IceAgent({ controlling: true, stunServers, turnServers }, rng);
 *   agent.gather([{ address: boundSocketAddress }], now);        // host (+ srflx, relay) candidates
 *   agent.setRemoteCredentials({ ufrag, pwd }, now);             // from the remote description
 *   agent.addRemoteCandidate("candidate:... typ host", now);     // trickled; null = end
 *   agent.handlePacket(datagram, from, localSocket, now);        // "stun" | "data" | "relayed" | "dropped"
 *                                                                // "relayed": use agent.relayedPayload
 *   agent.send(bytes, now);                                      // on the selected pair
 *   agent.restart(now); agent.close(now);
 *   pollTransmit() -> { from, to, data }   pollEvent() -> IceAgentEvent   pollTimeout()
 *
 * Events: candidate, gathering-state, connection-state, selected-pair, role, mdns-query (answer
 * with resolvedMdns(name, ip | undefined, now)), mdns-register, candidate-error (TURN).
 *
 * TURN (RFC 8656 through @tsrtc/turn, over UDP, TCP or TLS to the server): `turnServers`
 * (resolveTurnServers in "@tsrtc/ice/node" builds them from RTCIceServer entries) give one relay
 * candidate per host and server; `iceTransportPolicy: "relay"` keeps only those. Messages to a
 * server over TCP/TLS are transmits `relayStream(t)` recognizes: the Node layer writes them to a
 * connection (TurnStreams in "@tsrtc/ice/node"), feeds back what it reads, one message at a time,
 * and reports its end with relayStreamClosed.
 */
export * from "./candidate.js";
export * from "./candidate-sdp.js";
export { validCredentials } from "./credentials.js";
export * from "./pair.js";
export { Checklist, DEFAULT_MAX_PAIRS } from "./checklist.js";
export * from "./mdns.js";
export * from "./types.js";
export { IceAgent, type SelectedPair } from "./agent.js";
