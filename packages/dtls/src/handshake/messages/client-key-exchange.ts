/** ClientKeyExchange for ECDHE (RFC 8422 §5.7): ClientECDiffieHellmanPublic, point<1..2^8-1>. */
import { ByteReader, ByteWriter } from "@tsrtc/base";

export function encodeClientKeyExchange(publicKey: Uint8Array): Uint8Array {
  return new ByteWriter(1 + publicKey.length).vector8(publicKey).finish();
}

export function decodeClientKeyExchange(body: Uint8Array): Uint8Array {
  const r = new ByteReader(body, "dtls");
  const point = r.vector8();
  if (point.length === 0) r.fail("bad-length", "empty ECDH point");
  if (r.remaining !== 0) r.fail("trailing", "bytes after ClientKeyExchange");
  return point;
}
