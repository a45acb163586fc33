/** What the client and server handshakes share with the endpoint that drives them. */
import type { KeyObject } from "node:crypto";
import type { Millis } from "@tsrtc/base";
import { fatal } from "../alert.js";
import { matchesFingerprint } from "../certificate/certificate.js";
import { certificatePublicKey } from "../certificate/public-key.js";
import type { CipherSuiteInfo } from "../cipher-suites.js";
import { AlertDescription, HandshakeType, type SrtpProfileName } from "../constants.js";
import type { HandshakeMessage } from "../handshake/reassembler.js";
import type { KeyBlock } from "../keying.js";
import type { ResolvedOptions } from "../options.js";
import { keyKind } from "../signature.js";
import type { FlightItem } from "./retransmit.js";

export interface Session {
  suite: CipherSuiteInfo;
  clientRandom: Uint8Array;
  serverRandom: Uint8Array;
  masterSecret: Uint8Array;
  extendedMasterSecret: boolean;
  srtpProfile: SrtpProfileName | undefined;
  group: number;
  remoteCertificate: Uint8Array;
}

export interface HandshakeHost {
  readonly options: ResolvedOptions;
  /** Send a new flight; `armTimer` false for the final flight (kept only to answer retransmissions). */
  sendFlight(items: FlightItem[], now: Millis, armTimer: boolean): void;
  /** Epoch-1 keys are known: install the read and write states. */
  installKeys(suite: CipherSuiteInfo, keys: KeyBlock): void;
  /** The handshake finished. */
  complete(session: Session, now: Millis): void;
}

export interface Handshake {
  handle(msg: HandshakeMessage, now: Millis): void;
  /** The session once complete. */
  readonly session: Session | undefined;
}

/**
 * Check the peer's certificate against signaling (RFC 8122 §5, RFC 8827 §6.5): a mismatch is a
 * fatal bad_certificate. Returns its public key.
 */
export function checkPeerCertificate(chain: Uint8Array[], o: ResolvedOptions, wantKind: "ecdsa" | "rsa" | undefined): KeyObject {
  if (chain.length === 0) fatal(AlertDescription.handshakeFailure, "peer sent no certificate; WebRTC requires one");
  const der = chain[0];
  if (o.remoteFingerprints && !matchesFingerprint(der, o.remoteFingerprints)) {
    fatal(AlertDescription.badCertificate, "certificate does not match the fingerprint from signaling");
  }
  let ok = true;
  if (o.verifyRemoteCertificate) {
    try {
      ok = o.verifyRemoteCertificate(der) === true;
    } catch {
      ok = false;
    }
  }
  if (!ok) fatal(AlertDescription.badCertificate, "certificate refused by the verify callback");
  let key: KeyObject;
  try {
    key = certificatePublicKey(der);
  } catch {
    return fatal(AlertDescription.badCertificate, "certificate does not parse");
  }
  const kind = keyKind(key);
  if (!kind) fatal(AlertDescription.unsupportedCertificate, `unsupported key type ${key.asymmetricKeyType}`);
  if (wantKind && kind !== wantKind) fatal(AlertDescription.unsupportedCertificate, `suite needs a ${wantKind} certificate`);
  return key;
}

/**
 * In a full handshake only Finished travels under the new keys (RFC 5246 §7.4.9, after
 * ChangeCipherSpec); every other message is epoch 0. A protected non-Finished message would be
 * a renegotiation, which we refuse.
 */
export function checkMessageEpoch(m: HandshakeMessage): void {
  if (m.msgType === HandshakeType.finished) {
    if (m.epoch === 0) fatal(AlertDescription.unexpectedMessage, "Finished must be protected");
  } else if (m.epoch !== 0) {
    fatal(AlertDescription.unexpectedMessage, "renegotiation is not supported");
  }
}

export function newRandom(o: ResolvedOptions): Uint8Array {
  // RFC 5246 §7.4.1.2 suggests gmt_unix_time in the first 4 bytes; all 32 random is common practice
  // (and a sans-IO core has no wall clock).
  return o.rng.fill(new Uint8Array(32));
}
