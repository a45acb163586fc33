/**
 * @tsrtc/testkit (private): deterministic, faster-than-real-time tests of sans-IO cores.
 *
 * - `Simulation`: a VirtualClock, a seeded `Network`, NATs and `SimNode`s; `step()` runs the
 *   earliest event (arrival or timeout), `runUntil(pred, { maxTime, maxSteps })`, `runFor(ms)`.
 * - Nodes: `pointToPoint(core, local, remote, hooks?)` for bare-datagram cores (DTLS, SCTP),
 *   `transmitNode(core, addresses, hooks?)` for Transmit cores (ICE), `replyNode` for
 *   request/response servers (STUN), `simNode({...})` from functions, `twoPeers(a, b, opts)`.
 * - Link conditions: delay, jitter, loss, duplicate, reorder, mtu, bandwidth, per link or default;
 *   `cut`/`restore`; `stats` counters; `trace` hook (`traceRecorder`, `formatTraceEvent`).
 * - Filters: `dropNth`, `dropWhere`, `dropMatching` with predicates `isStun`, `isStunMethod`,
 *   `isDtls`, `isDtlsHandshake`, `dtlsFlight`, `dtlsNthFlight`, `sctpHasDataTsn`,
 *   `sctpHasChunk`, `sentFrom`, `sentTo`, `allOf`, `anyOf`, `not`.
 * - `Nat` with RFC 4787 mapping and filtering behaviours (`NatTypes.symmetric`, ...).
 */
export * from "./clock.js";
export * from "./conditions.js";
export * from "./dtls-sniff.js";
export * from "./filters.js";
export * from "./nat.js";
export * from "./network.js";
export * from "./node.js";
export * from "./pair.js";
export * from "./simulation.js";
export * from "./sniff.js";
export * from "./trace.js";
