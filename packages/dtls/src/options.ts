/** Endpoint options, their defaults and validation (misuse throws at construction). */
import type { RandomSource } from "@tsrtc/base";
import type { DtlsCertificate, Fingerprint } from "./certificate/certificate.js";
import { cipherSuiteByName, DEFAULT_CIPHER_SUITES, type CipherSuiteInfo, type CipherSuiteName } from "./cipher-suites.js";
import { NamedGroup, SrtpProfile, type SrtpProfileName } from "./constants.js";

export type GroupName = "x25519" | "P-256" | "P-384";

export interface DtlsEndpointOptions {
  role: "client" | "server";
  certificate: DtlsCertificate;
  /** Fingerprints from signaling (a=fingerprint); the peer's certificate must match one. */
  remoteFingerprints?: Fingerprint[];
  /** Or a callback deciding on the peer's certificate (DER); both may be given (both must pass). */
  verifyRemoteCertificate?: (der: Uint8Array) => boolean;
  /**
   * The fingerprints will come later through `setRemoteFingerprints()` (an offerer whose answer
   * is still on its way when the answerer's ClientHello arrives). The handshake runs, but
   * "connected" waits for the fingerprints and a mismatch is then a fatal bad_certificate.
   */
  awaitRemoteFingerprints?: boolean;
  /** Offered (client) or accepted in our order of preference (server). Default: all four; [] disables use_srtp. */
  srtpProfiles?: SrtpProfileName[];
  cipherSuites?: CipherSuiteName[];
  groups?: GroupName[];
  /** Largest datagram we send during the handshake; default 1200. */
  mtu?: number;
  rng: RandomSource;
  /** Server: answer a cookie-less ClientHello with a HelloVerifyRequest (RFC 6347 §4.2.1). Default true. */
  helloVerifyRequest?: boolean;
  /** Refuse peers without extended_master_secret (RFC 7627 §5.2). Default true. */
  requireExtendedMasterSecret?: boolean;
  /**
   * A record that fails authentication: "drop" (RFC 6347 §4.1.2.7's recommendation, robust
   * against injected packets) or "fatal" (send bad_record_mac and close). Default "drop".
   */
  badRecordMac?: "drop" | "fatal";
  /** Retransmission timer (RFC 6347 §4.2.4.1): initial and cap, default 1000 and 60000 ms. */
  retransmitInitial?: number;
  retransmitMax?: number;
  /** Give up a handshake not complete this many ms after it started (error + closed "timeout"). Default: never. */
  handshakeTimeout?: number;
}

export interface ResolvedOptions {
  role: "client" | "server";
  certificate: DtlsCertificate;
  remoteFingerprints: Fingerprint[] | undefined;
  awaitRemoteFingerprints: boolean;
  verifyRemoteCertificate: ((der: Uint8Array) => boolean) | undefined;
  srtpProfiles: number[];
  cipherSuites: CipherSuiteInfo[];
  groups: number[];
  mtu: number;
  rng: RandomSource;
  helloVerifyRequest: boolean;
  requireExtendedMasterSecret: boolean;
  badRecordMac: "drop" | "fatal";
  retransmitInitial: number;
  retransmitMax: number;
  handshakeTimeout: number | undefined;
}

export const DEFAULT_SRTP_PROFILES: SrtpProfileName[] = [
  "SRTP_AEAD_AES_128_GCM",
  "SRTP_AEAD_AES_256_GCM",
  "SRTP_AES128_CM_HMAC_SHA1_80",
  "SRTP_AES128_CM_HMAC_SHA1_32",
];

const GROUPS: Record<GroupName, number> = { x25519: NamedGroup.x25519, "P-256": NamedGroup.secp256r1, "P-384": NamedGroup.secp384r1 };

export function resolveOptions(o: DtlsEndpointOptions): ResolvedOptions {
  if (o.role !== "client" && o.role !== "server") throw new TypeError(`role must be "client" or "server"`);
  if (!o.certificate?.der || !o.certificate.privateKey) throw new TypeError("a certificate is required");
  if (!o.rng) throw new TypeError("an rng is required");
  if (!o.remoteFingerprints && !o.verifyRemoteCertificate && !o.awaitRemoteFingerprints) {
    throw new TypeError(
      "remoteFingerprints, verifyRemoteCertificate or awaitRemoteFingerprints is required (WebRTC authenticates both peers)",
    );
  }
  const mtu = o.mtu ?? 1200;
  if (!Number.isInteger(mtu) || mtu < 200 || mtu > 65_507) throw new RangeError(`mtu must be 200..65507, got ${mtu}`);
  const kind = o.certificate.keyKind;
  const suites = (o.cipherSuites ?? DEFAULT_CIPHER_SUITES).map(cipherSuiteByName);
  // A server can only pick suites its certificate can sign for.
  const usable = o.role === "server" ? suites.filter((s) => s.auth === kind) : suites;
  if (usable.length === 0) throw new TypeError(`no cipher suite usable with a ${kind} certificate`);
  return {
    role: o.role,
    certificate: o.certificate,
    remoteFingerprints: o.remoteFingerprints,
    awaitRemoteFingerprints: o.awaitRemoteFingerprints === true,
    verifyRemoteCertificate: o.verifyRemoteCertificate,
    srtpProfiles: (o.srtpProfiles ?? DEFAULT_SRTP_PROFILES).map((p) => {
      const id = SrtpProfile[p];
      if (id === undefined) throw new TypeError(`unknown SRTP profile ${p}`);
      return id;
    }),
    cipherSuites: usable,
    groups: (o.groups ?? ["x25519", "P-256", "P-384"]).map((g) => {
      const id = GROUPS[g];
      if (id === undefined) throw new TypeError(`unknown group ${g}`);
      return id;
    }),
    mtu,
    rng: o.rng,
    helloVerifyRequest: o.helloVerifyRequest ?? true,
    requireExtendedMasterSecret: o.requireExtendedMasterSecret ?? true,
    badRecordMac: o.badRecordMac ?? "drop",
    retransmitInitial: o.retransmitInitial ?? 1000,
    retransmitMax: o.retransmitMax ?? 60_000,
    handshakeTimeout: o.handshakeTimeout,
  };
}
