/** HelloVerifyRequest (RFC 6347 §4.2.1): server_version, cookie<0..2^8-1>. */
import { ByteReader, ByteWriter } from "@tsrtc/base";

export interface HelloVerifyRequest {
  version: number;
  cookie: Uint8Array;
}

export function encodeHelloVerifyRequest(m: HelloVerifyRequest): Uint8Array {
  return new ByteWriter(3 + m.cookie.length).u16(m.version).vector8(m.cookie).finish();
}

export function decodeHelloVerifyRequest(body: Uint8Array): HelloVerifyRequest {
  const r = new ByteReader(body, "dtls");
  const version = r.u16();
  const cookie = r.vector8();
  if (r.remaining !== 0) r.fail("trailing", "bytes after HelloVerifyRequest");
  return { version, cookie };
}
