/**
 * Key schedule of TLS 1.2 as DTLS 1.2 uses it: the PRF (RFC 5246 §5), the master secret
 * (RFC 5246 §8.1, with the extended master secret of RFC 7627 §4), the key block (RFC 5246
 * §6.3), Finished verify_data (RFC 5246 §7.4.9) and the keying material exporter (RFC 5705 §4)
 * that DTLS-SRTP draws its keys from (RFC 5764 §4.2).
 */
import { createHmac, createHash } from "node:crypto";
import { utf8Encode } from "@tsrtc/base";
import type { CipherSuiteInfo } from "./cipher-suites.js";
import { SRTP_PROFILE_KEYS, type SrtpProfileName } from "./constants.js";

export type PrfHash = "sha256" | "sha384";

/** P_hash(secret, seed) of RFC 5246 §5, `length` bytes. */
export function pHash(hash: PrfHash, secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let a: Uint8Array = createHmac(hash, secret).update(seed).digest(); // A(1)
  let at = 0;
  while (at < length) {
    const block = createHmac(hash, secret).update(a).update(seed).digest();
    const n = Math.min(block.length, length - at);
    out.set(block.subarray(0, n), at);
    at += n;
    if (at < length) a = createHmac(hash, secret).update(a).digest();
  }
  return out;
}

/** PRF(secret, label, seed) = P_<hash>(secret, label + seed) (RFC 5246 §5). */
export function prf(hash: PrfHash, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const l = utf8Encode(label);
  const s = new Uint8Array(l.length + seed.length);
  s.set(l, 0);
  s.set(seed, l.length);
  return pHash(hash, secret, s, length);
}

export function hashOf(hash: PrfHash, data: Uint8Array): Uint8Array {
  return createHash(hash).update(data).digest();
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * master_secret: with EMS, PRF(pms, "extended master secret", session_hash) where session_hash
 * is the hash of the transcript up to and including ClientKeyExchange (RFC 7627 §4); without,
 * PRF(pms, "master secret", client_random + server_random) (RFC 5246 §8.1).
 */
export function masterSecret(
  hash: PrfHash,
  preMaster: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  sessionHash: Uint8Array | undefined,
): Uint8Array {
  if (sessionHash) return prf(hash, preMaster, "extended master secret", sessionHash, 48);
  return prf(hash, preMaster, "master secret", join(clientRandom, serverRandom), 48);
}

export interface DirectionKeys {
  key: Uint8Array;
  /** The fixed IV (GCM salt or ChaCha20 IV). */
  iv: Uint8Array;
}

export interface KeyBlock {
  client: DirectionKeys;
  server: DirectionKeys;
}

/** key_block = PRF(master, "key expansion", server_random + client_random) (RFC 5246 §6.3). AEAD: no MAC keys. */
export function keyBlock(
  suite: CipherSuiteInfo,
  master: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): KeyBlock {
  const k = suite.keyLength;
  const v = suite.fixedIvLength;
  const block = prf(suite.prfHash, master, "key expansion", join(serverRandom, clientRandom), 2 * k + 2 * v);
  return {
    client: { key: block.slice(0, k), iv: block.slice(2 * k, 2 * k + v) },
    server: { key: block.slice(k, 2 * k), iv: block.slice(2 * k + v, 2 * k + 2 * v) },
  };
}

/** verify_data = PRF(master, finished_label, Hash(handshake_messages))[0..11] (RFC 5246 §7.4.9). */
export function finishedVerifyData(
  hash: PrfHash,
  master: Uint8Array,
  role: "client" | "server",
  transcriptHash: Uint8Array,
): Uint8Array {
  return prf(hash, master, role === "client" ? "client finished" : "server finished", transcriptHash, 12);
}

/**
 * RFC 5705 §4: PRF(master, label, client_random + server_random [+ context_length + context]).
 * Labels reserved by RFC 5705 §4 for TLS itself are refused.
 */
export function exportKeyingMaterial(
  hash: PrfHash,
  master: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  label: string,
  context: Uint8Array | undefined,
  length: number,
): Uint8Array {
  if (RESERVED_LABELS.has(label)) throw new TypeError(`exporter label "${label}" is reserved`);
  if (!Number.isInteger(length) || length <= 0 || length > 0xffff) throw new RangeError("bad exporter length");
  let seed = join(clientRandom, serverRandom);
  if (context) {
    if (context.length > 0xffff) throw new RangeError("exporter context too long");
    const c = new Uint8Array(2 + context.length);
    c[0] = context.length >> 8;
    c[1] = context.length;
    c.set(context, 2);
    seed = join(seed, c);
  }
  return prf(hash, master, label, seed, length);
}

const RESERVED_LABELS = new Set(["client finished", "server finished", "master secret", "key expansion", "extended master secret"]);

export const DTLS_SRTP_LABEL = "EXTRACTOR-dtls_srtp";

export interface SrtpKeyingMaterial {
  profile: SrtpProfileName;
  clientKey: Uint8Array;
  clientSalt: Uint8Array;
  serverKey: Uint8Array;
  serverSalt: Uint8Array;
  /** client_write_SRTP_master_key | server key | client salt | server salt, as exported. */
  raw: Uint8Array;
}

/** RFC 5764 §4.2: split the exported block into the two master keys and salts. */
export function splitSrtpKeyingMaterial(profile: SrtpProfileName, raw: Uint8Array): SrtpKeyingMaterial {
  const { keyLength: k, saltLength: s } = SRTP_PROFILE_KEYS[profile];
  return {
    profile,
    clientKey: raw.slice(0, k),
    serverKey: raw.slice(k, 2 * k),
    clientSalt: raw.slice(2 * k, 2 * k + s),
    serverSalt: raw.slice(2 * k + s, 2 * k + 2 * s),
    raw,
  };
}

export function srtpKeyingMaterialLength(profile: SrtpProfileName): number {
  const { keyLength, saltLength } = SRTP_PROFILE_KEYS[profile];
  return 2 * (keyLength + saltLength);
}
