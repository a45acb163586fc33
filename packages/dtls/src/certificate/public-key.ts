/**
 * The public key of a peer's X.509 certificate (RFC 5280 §4.1), fast. OpenSSL 3's DER decoders
 * behind `new X509Certificate()` and `createPublicKey({format: "der"})` cost ~250-300 µs each
 * on this machine, most of a handshake's budget; importing the same key as a JWK costs ~10 µs.
 * So we walk the DER to subjectPublicKeyInfo ourselves and import EC P-256/P-384 and RSA keys
 * as JWK, falling back to node's X509Certificate for anything else. Trust never rests on this
 * parse: the certificate is checked against the signaled fingerprint (a hash of all its bytes).
 */
import { createPublicKey, X509Certificate, type KeyObject } from "node:crypto";

interface Tlv {
  tag: number;
  start: number; // content start
  end: number; // content end
}

function readTlv(d: Uint8Array, at: number, limit: number): Tlv {
  if (at + 2 > limit) throw new Error("der: truncated");
  const tag = d[at];
  let len = d[at + 1];
  let p = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || p + n > limit) throw new Error("der: bad length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + d[p + i];
    p += n;
  }
  if (p + len > limit) throw new Error("der: truncated");
  return { tag, start: p, end: p + len };
}

const OID_EC = "2a8648ce3d0201";
const OID_RSA = "2a864886f70d010101";
const CURVES: Record<string, { crv: string; size: number }> = {
  "2a8648ce3d030107": { crv: "P-256", size: 32 },
  "2b81040022": { crv: "P-384", size: 48 },
};

const hex = (d: Uint8Array, s: number, e: number): string => Buffer.from(d.buffer, d.byteOffset + s, e - s).toString("hex");
const b64u = (d: Uint8Array, s: number, e: number): string => Buffer.from(d.buffer, d.byteOffset + s, e - s).toString("base64url");

function fromSpki(d: Uint8Array, spki: Tlv): KeyObject | undefined {
  const alg = readTlv(d, spki.start, spki.end);
  const oid = readTlv(d, alg.start, alg.end);
  if (oid.tag !== 0x06) return undefined;
  const bits = readTlv(d, alg.end, spki.end);
  if (bits.tag !== 0x03 || d[bits.start] !== 0) return undefined;
  const key = bits.start + 1;
  const algOid = hex(d, oid.start, oid.end);
  if (algOid === OID_EC) {
    const param = readTlv(d, oid.end, alg.end);
    const curve = param.tag === 0x06 ? CURVES[hex(d, param.start, param.end)] : undefined;
    if (!curve || bits.end - key !== 1 + 2 * curve.size || d[key] !== 4) return undefined;
    const x = b64u(d, key + 1, key + 1 + curve.size);
    const y = b64u(d, key + 1 + curve.size, bits.end);
    return createPublicKey({ key: { kty: "EC", crv: curve.crv, x, y }, format: "jwk" });
  }
  if (algOid === OID_RSA) {
    const seq = readTlv(d, key, bits.end);
    const n = readTlv(d, seq.start, seq.end);
    const e = readTlv(d, n.end, seq.end);
    if (n.tag !== 0x02 || e.tag !== 0x02) return undefined;
    let ns = n.start;
    while (ns < n.end - 1 && d[ns] === 0) ns++; // strip the sign byte
    return createPublicKey({ key: { kty: "RSA", n: b64u(d, ns, n.end), e: b64u(d, e.start, e.end) }, format: "jwk" });
  }
  return undefined;
}

/** The certificate's subject public key; throws when the DER does not parse. */
export function certificatePublicKey(der: Uint8Array): KeyObject {
  let key: KeyObject | undefined;
  try {
    const cert = readTlv(der, 0, der.length);
    if (cert.tag !== 0x30 || cert.end !== der.length) throw new Error("der: not a certificate");
    const tbs = readTlv(der, cert.start, cert.end);
    let at = tbs.start;
    let f = readTlv(der, at, tbs.end);
    if (f.tag === 0xa0) f = readTlv(der, (at = f.end), tbs.end); // [0] version
    // serialNumber, signature, issuer, validity, subject, then subjectPublicKeyInfo
    for (let i = 0; i < 5; i++) f = readTlv(der, (at = f.end), tbs.end);
    if (f.tag !== 0x30) throw new Error("der: no subjectPublicKeyInfo");
    key = fromSpki(der, f);
  } catch {
    key = undefined;
  }
  return key ?? new X509Certificate(der).publicKey;
}
