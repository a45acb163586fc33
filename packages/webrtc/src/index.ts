/**
 * @tsrtc/webrtc: the W3C RTCPeerConnection for data channels, in TypeScript for Node.js.
 *
 *   import { RTCPeerConnection } from "@tsrtc/webrtc";
 *   const pc = new RTCPeerConnection();              // gathers on every non-loopback interface
 *   const dc = pc.createDataChannel("chat");
 *   pc.onicecandidate = (e) => signal({ candidate: e.candidate });
 *   await pc.setLocalDescription();                 // then signal(pc.localDescription)
 *
 * tsrtc-only options live under `configuration.tsrtc` (browsers have no such knobs):
 * `hosts: ["127.0.0.1"]` or `includeLoopback: true` to gather on loopback (browsers skip lo),
 * `interfaces`, `ipv6`, `port`, `maxMessageSize` (the a=max-message-size we advertise; default
 * 262144 like Chromium, so both behave alike) and `maxReceiveMessageSize` (what we reassemble
 * whatever we advertise; default 4 MiB, since Chromium sends up to what the peer advertises and
 * other stacks may ignore it), `remoteMaxMessageSize` (non-standard: obey this instead of the
 * peer's a=max-message-size, for peers known to accept more than they advertise, as Chromium
 * does; unset, send() throws TypeError above the advertised limit), `ice` (agent timers). No STUN server is contacted unless
 * `iceServers` names one.
 *
 * Layers: engine/ (sans-IO: JSEP, ICE/DTLS/SCTP wiring over one BUNDLE transport, RFC 7983
 * demultiplexing, data channels with DCEP, counters), io/ (the UDP sockets, one timer, the
 * clock), api/ (the W3C objects, events and errors). `PeerEngine` is exported for
 * deterministic tests over a virtual network.
 */
export { RTCPeerConnection, type RTCOfferOptions } from "./api/peer-connection.js";
export { RTCDataChannel, type RTCDataChannelInit, type RTCDataChannelState, type BinaryType, type RTCPriorityType } from "./api/data-channel.js";
export { RTCSessionDescription, type RTCSdpType, type RTCSessionDescriptionInit, type RTCLocalSessionDescriptionInit } from "./api/session-description.js";
export { RTCIceCandidate, type RTCIceCandidateInit } from "./api/ice-candidate.js";
export { RTCCertificate, type RTCDtlsFingerprint, type AlgorithmIdentifier } from "./api/certificate.js";
export { RTCIceTransport, RTCDtlsTransport, RTCSctpTransport, type RTCIceCandidatePair, type RTCIceParameters, type RTCIceRole } from "./api/transports.js";
export { RTCPeerConnectionIceEvent, RTCPeerConnectionIceErrorEvent, RTCDataChannelEvent, RTCErrorEvent } from "./api/events.js";
export { RTCError, type RTCErrorDetailType, type RTCErrorInit } from "./api/errors.js";
export { RTCStatsReport, type RTCStats } from "./api/stats.js";
export type { RTCConfiguration, RTCIceServer, RTCIceTransportPolicy, RTCBundlePolicy, RTCRtcpMuxPolicy, TsrtcOptions } from "./api/config.js";
export type { SignalingState as RTCSignalingState, PeerConnectionState as RTCPeerConnectionState, IceConnectionState as RTCIceConnectionState, IceGatheringState as RTCIceGatheringState, DtlsTransportState as RTCDtlsTransportState, SctpTransportState as RTCSctpTransportState } from "./engine/types.js";
export { PeerEngine, type Description, type CandidateInit } from "./engine/engine.js";
export { type EngineConfig, type EngineEvent, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MAX_RECEIVE_MESSAGE_SIZE } from "./engine/types.js";
