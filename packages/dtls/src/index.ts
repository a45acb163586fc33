/**
 * @tsrtc/dtls: DTLS 1.2 (RFC 6347) with DTLS-SRTP (RFC 5764) for WebRTC, as a sans-IO core.
 *
 * ```ts
 * const cert = generateCertificate({ rng: cryptoRandom, notBefore: Date.now() });
 * const dtls = new DtlsEndpoint({ role: "client", certificate: cert, rng: cryptoRandom,
 *   remoteFingerprints: [{ algorithm: "sha-256", value: "AB:CD:..." }] });
 * dtls.start(now);                       // client: first ClientHello (handleTimeout does it too)
 * dtls.handlePacket(datagram, now);      // every DTLS datagram from the peer (RFC 7983 demux)
 * dtls.handleTimeout(now);               // at pollTimeout()
 * let d; while ((d = dtls.pollTransmit())) socket.send(d);
 * let e; while ((e = dtls.pollEvent())) ...  // connected | data | alert | error | closed
 * dtls.send(bytes); dtls.srtpKeyingMaterial(); dtls.exportKeyingMaterial(label, ctx, n); dtls.close();
 * ```
 */
export { DtlsEndpoint, type DtlsEvent, type DtlsState, type DtlsCloseReason } from "./endpoint.js";
export type { DtlsEndpointOptions, GroupName } from "./options.js";
export { DEFAULT_SRTP_PROFILES } from "./options.js";
export type { DtlsStats, DtlsDropCounters } from "./stats.js";
export {
  generateCertificate,
  certificateFromPem,
  fingerprint,
  matchesFingerprint,
  type DtlsCertificate,
  type Fingerprint,
  type FingerprintAlgorithm,
  type GenerateCertificateOptions,
} from "./certificate/certificate.js";
export { CipherSuite, DEFAULT_CIPHER_SUITES, type CipherSuiteName } from "./cipher-suites.js";
export { AlertDescription, SrtpProfile, SRTP_PROFILE_KEYS, type SrtpProfileName } from "./constants.js";
export { DTLS_SRTP_LABEL, type SrtpKeyingMaterial } from "./keying.js";
export { DtlsAlertError } from "./alert.js";
