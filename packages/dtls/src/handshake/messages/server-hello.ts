/** ServerHello (RFC 5246 §7.4.1.3). */
import { ByteReader, ByteWriter } from "@tsrtc/base";
import { readExtensions, writeExtensions, type Extension } from "../../extensions/codec.js";

export interface ServerHello {
  version: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuite: number;
  compressionMethod: number;
  extensions: Extension[];
}

export function encodeServerHello(m: ServerHello): Uint8Array {
  const w = new ByteWriter(128).u16(m.version).bytes(m.random).vector8(m.sessionId).u16(m.cipherSuite).u8(m.compressionMethod);
  writeExtensions(w, m.extensions);
  return w.finish();
}

export function decodeServerHello(body: Uint8Array): ServerHello {
  const r = new ByteReader(body, "dtls");
  const version = r.u16();
  const random = r.bytes(32);
  const sessionId = r.vector8();
  if (sessionId.length > 32) r.fail("bad-length", "session_id longer than 32");
  const cipherSuite = r.u16();
  const compressionMethod = r.u8();
  const extensions = readExtensions(r);
  return { version, random, sessionId, cipherSuite, compressionMethod, extensions };
}
