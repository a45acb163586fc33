/** Certificate (RFC 5246 §7.4.2): certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>. */
import { ByteReader, ByteWriter } from "@tsrtc/base";

export function encodeCertificate(chain: Uint8Array[]): Uint8Array {
  const w = new ByteWriter(1024);
  const at = w.reserve(3);
  for (const c of chain) w.vector24(c);
  w.setU24At(at, w.offset - 3);
  return w.finish();
}

export function decodeCertificate(body: Uint8Array): Uint8Array[] {
  const r = new ByteReader(body, "dtls");
  const list = r.sub(r.u24());
  if (r.remaining !== 0) r.fail("trailing", "bytes after certificate_list");
  const out: Uint8Array[] = [];
  while (list.remaining > 0) {
    const c = list.vector24();
    if (c.length === 0) list.fail("bad-length", "empty certificate");
    out.push(c);
  }
  return out;
}
