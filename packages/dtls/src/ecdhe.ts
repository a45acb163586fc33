/**
 * Ephemeral ECDH for the key exchange (RFC 8422 §5.4, §5.10): X25519 (RFC 7748) through
 * node:crypto KeyObjects, P-256 and P-384 through createECDH with uncompressed points.
 * A bad peer share is a fatal illegal_parameter (RFC 8422 §5.11 for X25519's all-zero result).
 */
import { createECDH, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from "node:crypto";
import { AlertDescription, NamedGroup } from "./constants.js";
import { fatal } from "./alert.js";


export interface EcdheKeyPair {
  group: number;
  publicKey: Uint8Array;
  /** The premaster secret with the peer's share; throws DtlsAlertError(illegal_parameter) on a bad share. */
  computeSecret(peer: Uint8Array): Uint8Array;
}

export function generateEcdhe(group: number): EcdheKeyPair {
  if (group === NamedGroup.x25519) return x25519Pair();
  if (group === NamedGroup.secp256r1) return nistPair(group, "prime256v1", 65);
  if (group === NamedGroup.secp384r1) return nistPair(group, "secp384r1", 97);
  throw new Error(`dtls: unsupported group ${group}`);
}

function x25519Pair(): EcdheKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("x25519");
  // JWK, not DER: OpenSSL 3's DER encoder/decoder costs ~200 µs a call, JWK ~10 µs (measured).
  const jwk = publicKey.export({ format: "jwk" });
  return {
    group: NamedGroup.x25519,
    publicKey: new Uint8Array(Buffer.from(jwk.x ?? "", "base64url")),
    computeSecret(peer) {
      if (peer.length !== 32) fatal(AlertDescription.illegalParameter, "X25519 share must be 32 bytes");
      let peerKey: KeyObject;
      try {
        peerKey = createPublicKey({ key: { kty: "OKP", crv: "X25519", x: Buffer.from(peer.buffer, peer.byteOffset, 32).toString("base64url") }, format: "jwk" });
      } catch {
        return fatal(AlertDescription.illegalParameter, "bad X25519 share");
      }
      const s = diffieHellman({ privateKey, publicKey: peerKey });
      let acc = 0;
      for (const b of s) acc |= b;
      if (acc === 0) fatal(AlertDescription.illegalParameter, "X25519 shared secret is zero");
      return new Uint8Array(s);
    },
  };
}

function nistPair(group: number, curve: string, pointLength: number): EcdheKeyPair {
  const ecdh = createECDH(curve);
  const pub = ecdh.generateKeys();
  return {
    group,
    publicKey: new Uint8Array(pub),
    computeSecret(peer) {
      // RFC 8422 §5.4.1: uncompressed points only.
      if (peer.length !== pointLength || peer[0] !== 4) fatal(AlertDescription.illegalParameter, "bad EC point");
      try {
        return new Uint8Array(ecdh.computeSecret(peer));
      } catch {
        return fatal(AlertDescription.illegalParameter, "EC point not on the curve");
      }
    },
  };
}
