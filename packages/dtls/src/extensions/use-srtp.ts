/**
 * use_srtp (RFC 5764 §4.1.1): SRTPProtectionProfiles<2..2^16-1> then srtp_mki<0..255>.
 * The server answers with exactly one profile (§4.1.1); the MKI we send is always empty.
 */
import { ByteReader, ByteWriter } from "@tsrtc/base";
import { ExtensionType } from "../constants.js";
import type { Extension } from "./codec.js";

export interface UseSrtp {
  profiles: number[];
  mki: Uint8Array;
}

export function useSrtpExtension(profiles: readonly number[], mki: Uint8Array = new Uint8Array(0)): Extension {
  const w = new ByteWriter(8).u16(2 * profiles.length);
  for (const p of profiles) w.u16(p);
  w.vector8(mki);
  return { type: ExtensionType.useSrtp, data: w.finish() };
}

export function decodeUseSrtp(data: Uint8Array): UseSrtp {
  const r = new ByteReader(data, "dtls");
  const list = r.sub(r.u16());
  if (list.remaining === 0 || (list.remaining & 1) !== 0) list.fail("bad-length", "use_srtp profile list");
  const profiles: number[] = [];
  while (list.remaining > 0) profiles.push(list.u16());
  const mki = r.vector8();
  if (r.remaining !== 0) r.fail("trailing", "bytes after use_srtp");
  return { profiles, mki };
}
