/** CertificateVerify (RFC 5246 §7.4.8): a digitally-signed struct, SignatureAndHashAlgorithm + signature<0..2^16-1>. */
import { ByteReader, ByteWriter } from "@tsrtc/base";

export interface DigitallySigned {
  scheme: number;
  signature: Uint8Array;
}

export function encodeCertificateVerify(m: DigitallySigned): Uint8Array {
  return new ByteWriter(4 + m.signature.length).u16(m.scheme).vector16(m.signature).finish();
}

export function decodeCertificateVerify(body: Uint8Array): DigitallySigned {
  const r = new ByteReader(body, "dtls");
  const scheme = r.u16();
  const signature = r.vector16();
  if (r.remaining !== 0) r.fail("trailing", "bytes after CertificateVerify");
  return { scheme, signature };
}
