/**
 * DTLS-SRTP keying (RFC 5764 §4.2): split the exporter output into the client and server master
 * keys and salts, and make the context that protects what we send and the one that unprotects
 * what the peer sends.
 */
import { SrtpContext, type SrtpContextOptions } from "./context.js";
import { keyingMaterialLength, srtpProfile, type SrtpProfile, type SrtpProfileId } from "./profiles.js";

export interface SrtpMasterKeys {
  clientKey: Uint8Array;
  serverKey: Uint8Array;
  clientSalt: Uint8Array;
  serverSalt: Uint8Array;
}

/**
 * client_write_SRTP_master_key | server_write_SRTP_master_key |
 * client_write_SRTP_master_salt | server_write_SRTP_master_salt (RFC 5764 §4.2).
 */
export function splitKeyingMaterial(profile: SrtpProfileId | SrtpProfile, material: Uint8Array): SrtpMasterKeys {
  const p = srtpProfile(profile);
  const need = keyingMaterialLength(p);
  if (material.length !== need) {
    throw new RangeError(`${p.name} keying material must be ${need} bytes, got ${material.length}`);
  }
  const k = p.keyLength;
  const s = p.saltLength;
  return {
    clientKey: material.slice(0, k),
    serverKey: material.slice(k, 2 * k),
    clientSalt: material.slice(2 * k, 2 * k + s),
    serverSalt: material.slice(2 * k + s, 2 * k + 2 * s),
  };
}

export interface SrtpSession {
  readonly profile: SrtpProfile;
  /** Protects what we send: keyed with our role's write key. */
  readonly local: SrtpContext;
  /** Unprotects what the peer sends: keyed with the peer's write key. */
  readonly remote: SrtpContext;
}

export function createSrtpSessionFromKeyingMaterial(
  profile: SrtpProfileId | SrtpProfile,
  material: Uint8Array,
  role: "client" | "server",
  options: SrtpContextOptions = {},
): SrtpSession {
  const p = srtpProfile(profile);
  const m = splitKeyingMaterial(p, material);
  const client = { masterKey: m.clientKey, masterSalt: m.clientSalt };
  const server = { masterKey: m.serverKey, masterSalt: m.serverSalt };
  const local = new SrtpContext(p, role === "client" ? client : server, options);
  const remote = new SrtpContext(p, role === "client" ? server : client, options);
  return { profile: p, local, remote };
}
