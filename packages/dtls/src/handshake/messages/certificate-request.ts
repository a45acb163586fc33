/**
 * CertificateRequest (RFC 5246 §7.4.4): certificate_types<1..2^8-1>,
 * supported_signature_algorithms<2..2^16-2>, certificate_authorities<0..2^16-1>.
 */
import { ByteReader, ByteWriter } from "@tsrtc/base";

export interface CertificateRequest {
  certificateTypes: number[];
  signatureSchemes: number[];
  authorities: Uint8Array[];
}

export function encodeCertificateRequest(m: CertificateRequest): Uint8Array {
  const w = new ByteWriter(64).vector8(Uint8Array.from(m.certificateTypes));
  w.u16(2 * m.signatureSchemes.length);
  for (const s of m.signatureSchemes) w.u16(s);
  const at = w.reserve(2);
  for (const a of m.authorities) w.vector16(a);
  w.setU16At(at, w.offset - at - 2);
  return w.finish();
}

export function decodeCertificateRequest(body: Uint8Array): CertificateRequest {
  const r = new ByteReader(body, "dtls");
  const types = r.vector8();
  if (types.length === 0) r.fail("bad-length", "certificate_types");
  const algs = r.sub(r.u16());
  if (algs.remaining < 2 || (algs.remaining & 1) !== 0) algs.fail("bad-length", "supported_signature_algorithms");
  const signatureSchemes: number[] = [];
  while (algs.remaining > 0) signatureSchemes.push(algs.u16());
  const cas = r.sub(r.u16());
  const authorities: Uint8Array[] = [];
  while (cas.remaining > 0) authorities.push(cas.vector16());
  if (r.remaining !== 0) r.fail("trailing", "bytes after CertificateRequest");
  return { certificateTypes: [...types], signatureSchemes, authorities };
}
