/** ServerHelloDone (RFC 5246 §7.4.5): an empty body. */
import { ByteReader } from "@tsrtc/base";

export function decodeServerHelloDone(body: Uint8Array): void {
  if (body.length !== 0) new ByteReader(body, "dtls").fail("trailing", "ServerHelloDone is empty");
}
