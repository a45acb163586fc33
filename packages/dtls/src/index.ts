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
