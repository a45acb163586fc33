/**
 * The handshake transcript (RFC 5246 §7.4.9, RFC 6347 §4.2.6): every handshake message in
 * its unfragmented DTLS form, except HelloVerifyRequest and the ClientHello that drew it.
 */
import { createHash } from "node:crypto";

export class Transcript {
  private parts: Uint8Array[] = [];
  private length = 0;

  add(wholeMessage: Uint8Array): void {
    this.parts.push(wholeMessage);
    this.length += wholeMessage.length;
  }

  reset(): void {
    this.parts = [];
    this.length = 0;
  }

  /** All messages so far, concatenated (what CertificateVerify signs). */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  hash(alg: "sha256" | "sha384"): Uint8Array {
    const h = createHash(alg);
    for (const p of this.parts) h.update(p);
    return new Uint8Array(h.digest());
  }
}
