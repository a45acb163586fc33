/** ClientHello (RFC 5246 §7.4.1.2 with the DTLS cookie of RFC 6347 §4.2.1). */
import { ByteReader, ByteWriter } from "@tsrtc/base";
import { readExtensions, writeExtensions, type Extension } from "../../extensions/codec.js";

export interface ClientHello {
  version: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cookie: Uint8Array;
  cipherSuites: number[];
  compressionMethods: Uint8Array;
  extensions: Extension[];
}

export function encodeClientHello(m: ClientHello): Uint8Array {
  const w = new ByteWriter(256).u16(m.version).bytes(m.random).vector8(m.sessionId).vector8(m.cookie);
  w.u16(2 * m.cipherSuites.length);
  for (const s of m.cipherSuites) w.u16(s);
  w.vector8(m.compressionMethods);
  writeExtensions(w, m.extensions);
  return w.finish();
}

export function decodeClientHello(body: Uint8Array): ClientHello {
  const r = new ByteReader(body, "dtls");
  const version = r.u16();
  const random = r.bytes(32);
  const sessionId = r.vector8();
  if (sessionId.length > 32) r.fail("bad-length", "session_id longer than 32");
  const cookie = r.vector8();
  const suites = r.sub(r.u16());
  if (suites.remaining < 2 || (suites.remaining & 1) !== 0) suites.fail("bad-length", "cipher_suites");
  const cipherSuites: number[] = [];
  while (suites.remaining > 0) cipherSuites.push(suites.u16());
  const compressionMethods = r.vector8();
  if (compressionMethods.length < 1) r.fail("bad-length", "compression_methods");
  const extensions = readExtensions(r);
  return { version, random, sessionId, cookie, cipherSuites, compressionMethods, extensions };
}
