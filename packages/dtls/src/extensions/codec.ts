/**
 * The extensions block of Hello messages (RFC 5246 §7.4.1.4): a 16-bit-length list of
 * type(2) + opaque data<0..2^16-1>. Unknown types are kept raw so callers can ignore them.
 */
import { ByteReader, ByteWriter, ParseError } from "@tsrtc/base";

export interface Extension {
  type: number;
  data: Uint8Array;
}

/** Read the optional extensions block that ends a Hello message. */
export function readExtensions(r: ByteReader): Extension[] {
  const out: Extension[] = [];
  if (r.remaining === 0) return out; // extensions are optional (RFC 5246 §7.4.1.2)
  const block = r.sub(r.u16());
  const seen = new Set<number>();
  while (block.remaining > 0) {
    const type = block.u16();
    const data = block.vector16();
    // RFC 5246 §7.4.1.4: there MUST NOT be more than one extension of the same type.
    if (seen.has(type)) throw new ParseError("dtls", "duplicate-extension", `extension ${type} twice`, block.offset);
    seen.add(type);
    out.push({ type, data });
  }
  if (r.remaining !== 0) r.fail("trailing", "bytes after extensions");
  return out;
}

export function writeExtensions(w: ByteWriter, exts: Extension[]): void {
  if (exts.length === 0) return;
  const at = w.reserve(2);
  const start = w.offset;
  for (const e of exts) w.u16(e.type).vector16(e.data);
  w.setU16At(at, w.offset - start);
}

export function findExtension(exts: Extension[], type: number): Extension | undefined {
  for (const e of exts) if (e.type === type) return e;
  return undefined;
}
