/**
 * The list-shaped extensions: supported_groups (RFC 8422 §5.1.1), signature_algorithms
 * (RFC 5246 §7.4.1.4.1), ec_point_formats (RFC 8422 §5.1.2).
 */
import { ByteReader, ByteWriter } from "@tsrtc/base";
import { ExtensionType } from "../constants.js";
import type { Extension } from "./codec.js";

function u16List(data: Uint8Array): number[] {
  const r = new ByteReader(data, "dtls");
  const list = r.sub(r.u16());
  if (r.remaining !== 0) r.fail("trailing", "bytes after list");
  if ((list.remaining & 1) !== 0) list.fail("bad-length", "odd u16 list");
  const out: number[] = [];
  while (list.remaining > 0) out.push(list.u16());
  return out;
}

function u16ListData(values: readonly number[]): Uint8Array {
  const w = new ByteWriter(2 + 2 * values.length).u16(2 * values.length);
  for (const v of values) w.u16(v);
  return w.finish();
}

export function supportedGroupsExtension(groups: readonly number[]): Extension {
  return { type: ExtensionType.supportedGroups, data: u16ListData(groups) };
}
export const decodeSupportedGroups = u16List;

export function signatureAlgorithmsExtension(schemes: readonly number[]): Extension {
  return { type: ExtensionType.signatureAlgorithms, data: u16ListData(schemes) };
}
export const decodeSignatureAlgorithms = u16List;

/** We only ever speak uncompressed points (RFC 8422 §5.1.2). */
export function ecPointFormatsExtension(): Extension {
  return { type: ExtensionType.ecPointFormats, data: Uint8Array.of(1, 0) };
}

export function decodeEcPointFormats(data: Uint8Array): number[] {
  const r = new ByteReader(data, "dtls");
  const list = r.vector8();
  if (r.remaining !== 0) r.fail("trailing", "bytes after ec_point_formats");
  return [...list];
}
