/** Finished (RFC 5246 §7.4.9): verify_data, 12 bytes for every suite we speak. */
import { ByteReader } from "@tsrtc/base";

export function decodeFinished(body: Uint8Array): Uint8Array {
  if (body.length !== 12) new ByteReader(body, "dtls").fail("bad-length", "verify_data must be 12 bytes");
  return body;
}
