/**
 * Builders of DTLS 1.2 datagrams for the sniffer tests (RFC 6347 §4.1 record header,
 * §4.2.2 handshake header). Bodies are plausible, not complete: the sniffers read headers,
 * plus a ClientHello's cookie.
 */

export function record(contentType: number, epoch: number, seq: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(13 + body.length);
  out[0] = contentType;
  out[1] = 0xfe;
  out[2] = 0xfd;
  out[3] = epoch >> 8;
  out[4] = epoch & 255;
  for (let i = 0; i < 6; i++) out[10 - i] = Math.floor(seq / 2 ** (8 * i)) & 255;
  out[11] = body.length >> 8;
  out[12] = body.length & 255;
  out.set(body, 13);
  return out;
}

/** One handshake fragment: the message `body` (whole), cut to [offset, offset + length). */
export function handshake(type: number, messageSeq: number, body: Uint8Array, offset = 0, length = body.length - offset): Uint8Array {
  const out = new Uint8Array(12 + length);
  const u24 = (at: number, v: number): void => {
    out[at] = v >> 16;
    out[at + 1] = (v >> 8) & 255;
    out[at + 2] = v & 255;
  };
  out[0] = type;
  u24(1, body.length);
  out[4] = messageSeq >> 8;
  out[5] = messageSeq & 255;
  u24(6, offset);
  u24(9, length);
  out.set(body.subarray(offset, offset + length), 12);
  return out;
}

export function clientHelloBody(cookie: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + 32 + 1 + 1 + cookie.length + 2 + 2 + 2);
  out.set([0xfe, 0xfd]);
  out.fill(0xab, 2, 34); // random
  out[34] = 0; // session id length
  out[35] = cookie.length;
  out.set(cookie, 36);
  let at = 36 + cookie.length;
  out.set([0, 2, 0xc0, 0x2b, 1, 0], at); // one suite, null compression
  at += 6;
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const HS = 22;
const CCS = 20;
const cookie = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
const cert = new Uint8Array(1500).fill(0x30);

/** A full DTLS 1.2 handshake with a cookie exchange and client authentication, by flight. */
export function handshakeDatagrams(withCookie = true) {
  const ch = (seq: number, msgSeq: number, c: Uint8Array) => record(HS, 0, seq, handshake(1, msgSeq, clientHelloBody(c)));
  const ch1 = ch(0, 0, new Uint8Array(0));
  const hvr = record(HS, 0, 0, handshake(3, 0, concatBytes(Uint8Array.of(0xfe, 0xff, cookie.length), cookie)));
  const ch2 = ch(1, 1, cookie);
  const s = withCookie ? 1 : 0; // the server's message_seq continues after HelloVerifyRequest
  const c = withCookie ? 2 : 1;
  const f4a = concatBytes(
    record(HS, 0, 1, handshake(2, s, new Uint8Array(70))),
    record(HS, 0, 2, handshake(11, s + 1, cert, 0, 1000)),
  );
  const f4b = concatBytes(
    record(HS, 0, 3, handshake(11, s + 1, cert, 1000)),
    record(HS, 0, 4, handshake(12, s + 2, new Uint8Array(100))),
    record(HS, 0, 5, handshake(13, s + 3, new Uint8Array(20))),
    record(HS, 0, 6, handshake(14, s + 4, new Uint8Array(0))),
  );
  const f5a = concatBytes(
    record(HS, 0, 2, handshake(11, c, new Uint8Array(400))),
    record(HS, 0, 3, handshake(16, c + 1, new Uint8Array(33))),
    record(HS, 0, 4, handshake(15, c + 2, new Uint8Array(72))),
  );
  const f5b = concatBytes(record(CCS, 0, 5, Uint8Array.of(1)), record(HS, 1, 0, new Uint8Array(40)));
  const f6 = concatBytes(record(CCS, 0, 7, Uint8Array.of(1)), record(HS, 1, 0, new Uint8Array(40)));
  const app = record(23, 1, 1, new Uint8Array(60));
  return { ch1, hvr, ch2, f4a, f4b, f5a, f5b, f6, app };
}
