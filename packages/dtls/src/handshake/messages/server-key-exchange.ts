/**
 * ServerKeyExchange for ECDHE (RFC 8422 §5.4): ServerECDHParams {curve_type = named_curve(3),
 * namedcurve(2), point<1..2^8-1>} followed by a digitally-signed struct (RFC 5246 §4.7:
 * SignatureAndHashAlgorithm(2) + signature<0..2^16-1>) over client_random + server_random + params.
 */
import { ByteReader, ByteWriter } from "@tsrtc/base";

export const NAMED_CURVE = 3;

export interface ServerKeyExchange {
  group: number;
  publicKey: Uint8Array;
  scheme: number;
  signature: Uint8Array;
}

/** The ServerECDHParams bytes, which is also what the signature covers after the randoms. */
export function encodeEcdhParams(group: number, publicKey: Uint8Array): Uint8Array {
  return new ByteWriter(4 + publicKey.length).u8(NAMED_CURVE).u16(group).vector8(publicKey).finish();
}

export function encodeServerKeyExchange(m: ServerKeyExchange): Uint8Array {
  return new ByteWriter(160)
    .bytes(encodeEcdhParams(m.group, m.publicKey))
    .u16(m.scheme)
    .vector16(m.signature)
    .finish();
}

export function decodeServerKeyExchange(body: Uint8Array): ServerKeyExchange & { params: Uint8Array } {
  const r = new ByteReader(body, "dtls");
  if (r.u8() !== NAMED_CURVE) r.fail("unsupported", "only named_curve ECDHE params");
  const group = r.u16();
  const publicKey = r.vector8();
  if (publicKey.length === 0) r.fail("bad-length", "empty ECDH point");
  const params = body.subarray(0, r.offset);
  const scheme = r.u16();
  const signature = r.vector16();
  if (r.remaining !== 0) r.fail("trailing", "bytes after ServerKeyExchange");
  return { group, publicKey, scheme, signature, params };
}
