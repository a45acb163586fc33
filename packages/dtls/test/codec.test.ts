/** Byte-exact round trips of every handshake message and extension, and fuzzed decoders. */
import { isProtocolError } from "@tsrtc/base";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeAlert, encodeAlert } from "../src/alert.js";
import { readExtensions, writeExtensions } from "../src/extensions/codec.js";
import { decodeEcPointFormats, decodeSignatureAlgorithms, decodeSupportedGroups, ecPointFormatsExtension, signatureAlgorithmsExtension, supportedGroupsExtension } from "../src/extensions/lists.js";
import { decodeUseSrtp, useSrtpExtension } from "../src/extensions/use-srtp.js";
import { encodeHandshakeFragment, readHandshakeFragment } from "../src/handshake/header.js";
import { decodeCertificate, encodeCertificate } from "../src/handshake/messages/certificate.js";
import { decodeCertificateRequest, encodeCertificateRequest } from "../src/handshake/messages/certificate-request.js";
import { decodeCertificateVerify, encodeCertificateVerify } from "../src/handshake/messages/certificate-verify.js";
import { decodeClientHello, encodeClientHello } from "../src/handshake/messages/client-hello.js";
import { decodeClientKeyExchange, encodeClientKeyExchange } from "../src/handshake/messages/client-key-exchange.js";
import { decodeFinished } from "../src/handshake/messages/finished.js";
import { decodeHelloVerifyRequest, encodeHelloVerifyRequest } from "../src/handshake/messages/hello-verify-request.js";
import { decodeServerHello, encodeServerHello } from "../src/handshake/messages/server-hello.js";
import { decodeServerHelloDone } from "../src/handshake/messages/server-hello-done.js";
import { decodeServerKeyExchange, encodeServerKeyExchange } from "../src/handshake/messages/server-key-exchange.js";
import { MAX_PIECES, Reassembler } from "../src/handshake/reassembler.js";
import { ByteReader, ByteWriter } from "@tsrtc/base";

const bytes = (n: number, v = 7) => new Uint8Array(n).fill(v);

describe("handshake message round trips", () => {
  it("ClientHello (with cookie and extensions)", () => {
    const m = {
      version: 0xfefd, random: bytes(32, 1), sessionId: bytes(0), cookie: bytes(20, 3), cipherSuites: [0xc02b, 0xc02f],
      compressionMethods: Uint8Array.of(0), extensions: [{ type: 23, data: bytes(0) }, { type: 0x1234, data: bytes(5) }],
    };
    const enc = encodeClientHello(m);
    expect(decodeClientHello(enc)).toEqual(m);
    expect(encodeClientHello(decodeClientHello(enc))).toEqual(enc);
    // no extensions block at all is legal (RFC 5246 §7.4.1.2)
    expect(decodeClientHello(encodeClientHello({ ...m, extensions: [] })).extensions).toEqual([]);
  });

  it("ServerHello, HelloVerifyRequest, Certificate, ServerKeyExchange, CertificateRequest, CKE, CV, Finished", () => {
    const sh = { version: 0xfefd, random: bytes(32, 2), sessionId: bytes(32, 9), cipherSuite: 0xc02b, compressionMethod: 0, extensions: [{ type: 14, data: Uint8Array.of(0, 2, 0, 7, 0) }] };
    expect(decodeServerHello(encodeServerHello(sh))).toEqual(sh);
    const hvr = { version: 0xfeff, cookie: bytes(20) };
    expect(decodeHelloVerifyRequest(encodeHelloVerifyRequest(hvr))).toEqual(hvr);
    const chain = [bytes(300, 1), bytes(5, 2)];
    expect(decodeCertificate(encodeCertificate(chain))).toEqual(chain);
    const ske = { group: 29, publicKey: bytes(32), scheme: 0x0403, signature: bytes(71) };
    const dske = decodeServerKeyExchange(encodeServerKeyExchange(ske));
    expect({ group: dske.group, publicKey: dske.publicKey, scheme: dske.scheme, signature: dske.signature }).toEqual(ske);
    expect(dske.params).toEqual(Uint8Array.of(3, 0, 29, 32, ...bytes(32)));
    const cr = { certificateTypes: [64, 1], signatureSchemes: [0x0403, 0x0804], authorities: [bytes(3)] };
    expect(decodeCertificateRequest(encodeCertificateRequest(cr))).toEqual(cr);
    expect(decodeClientKeyExchange(encodeClientKeyExchange(bytes(65, 4)))).toEqual(bytes(65, 4));
    const cv = { scheme: 0x0804, signature: bytes(256) };
    expect(decodeCertificateVerify(encodeCertificateVerify(cv))).toEqual(cv);
    expect(decodeFinished(bytes(12))).toEqual(bytes(12));
    expect(() => decodeFinished(bytes(11))).toThrow(/verify_data/);
    expect(() => decodeServerHelloDone(bytes(1))).toThrow();
  });

  it("extensions", () => {
    expect(decodeSupportedGroups(supportedGroupsExtension([29, 23]).data)).toEqual([29, 23]);
    expect(decodeSignatureAlgorithms(signatureAlgorithmsExtension([0x0403]).data)).toEqual([0x0403]);
    expect(decodeEcPointFormats(ecPointFormatsExtension().data)).toEqual([0]);
    expect(decodeUseSrtp(useSrtpExtension([1, 7], bytes(2)).data)).toEqual({ profiles: [1, 7], mki: bytes(2) });
    const w = new ByteWriter();
    writeExtensions(w, [{ type: 1, data: bytes(1) }, { type: 1, data: bytes(1) }]);
    expect(() => readExtensions(new ByteReader(w.finish(), "dtls"))).toThrow(/twice/);
  });

  it("alerts", () => {
    expect(decodeAlert(encodeAlert({ level: 2, description: 42 }))).toEqual({ level: 2, description: 42 });
    expect(decodeAlert(Uint8Array.of(3, 0))).toBeUndefined();
    expect(decodeAlert(Uint8Array.of(1))).toBeUndefined();
  });
});

describe("handshake fragments and reassembly (RFC 6347 §4.2.3)", () => {
  it("reassembles out-of-order, overlapping and duplicate fragments, in message_seq order", () => {
    const body = Uint8Array.from({ length: 100 }, (_, i) => i);
    const r = new Reassembler();
    const frag = (seq: number, off: number, len: number) => readHandshakeFragment(encodeHandshakeFragment(11, seq, body, off, len), 0).fragment;
    expect(r.add(frag(1, 0, 100), 0)).toBe("accepted"); // next message first
    expect(r.add(frag(0, 60, 40), 0)).toBe("accepted");
    expect(r.pop()).toBeUndefined();
    expect(r.add(frag(0, 0, 30), 0)).toBe("accepted");
    expect(r.add(frag(0, 20, 50), 0)).toBe("accepted"); // overlaps both
    expect(r.add(frag(0, 20, 50), 0)).toBe("accepted"); // duplicate
    const m0 = r.pop()!;
    expect(m0.messageSeq).toBe(0);
    expect(m0.body).toEqual(body);
    expect(r.pop()!.messageSeq).toBe(1);
    expect(r.add(frag(0, 0, 10), 0)).toBe("old");
    expect(r.add(frag(40, 0, 10), 0)).toBe("too-far");
    expect(r.add(frag(2, 0, 10), 0)).toBe("accepted");
    expect(r.add({ ...frag(2, 10, 10), length: 99 }, 0)).toBe("inconsistent");
    expect(() => readHandshakeFragment(encodeHandshakeFragment(11, 0, body, 90, 10).map((b, i) => (i === 8 ? 95 : b)), 0)).toThrow(/beyond/);
  });
});

describe("reassembly cost is bounded", () => {
  it("a message held in more than MAX_PIECES disjoint pieces refuses new gaps, and still completes", () => {
    const body = Uint8Array.from({ length: 4 * MAX_PIECES + 100 }, (_, i) => i & 255);
    const r = new Reassembler();
    const frag = (off: number, len: number) => readHandshakeFragment(encodeHandshakeFragment(11, 0, body, off, len), 0).fragment;
    // One-byte fragments with one-byte gaps: each would be a new piece.
    const results = Array.from({ length: 2 * MAX_PIECES }, (_, i) => r.add(frag(2 * i, 1), 0));
    expect(results.slice(0, MAX_PIECES).every((x) => x === "accepted")).toBe(true);
    expect(results.slice(MAX_PIECES).every((x) => x === "too-fragmented")).toBe(true);
    expect(r.pieces(0)).toBe(MAX_PIECES);
    // A fragment that fills gaps merges pieces and is always taken: the genuine message completes.
    expect(r.add(frag(0, body.length), 0)).toBe("accepted");
    expect(r.pieces(0)).toBe(1);
    expect(r.pop()!.body).toEqual(body);
  });
});

describe("decoders on random bytes", () => {
  const decoders: [string, (b: Uint8Array) => unknown][] = [
    ["ClientHello", decodeClientHello],
    ["ServerHello", decodeServerHello],
    ["HelloVerifyRequest", decodeHelloVerifyRequest],
    ["Certificate", decodeCertificate],
    ["ServerKeyExchange", decodeServerKeyExchange],
    ["CertificateRequest", decodeCertificateRequest],
    ["ClientKeyExchange", decodeClientKeyExchange],
    ["CertificateVerify", decodeCertificateVerify],
    ["use_srtp", decodeUseSrtp],
    ["supported_groups", decodeSupportedGroups],
    ["handshake header", (b) => readHandshakeFragment(b, 0)],
  ];
  for (const [name, decode] of decoders) {
    it(`${name} returns or throws a ParseError, nothing else`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 120 }), (b) => {
          try {
            decode(b);
          } catch (e) {
            expect(isProtocolError(e)).toBe(true);
          }
        }),
        { numRuns: 500, seed: 11 },
      );
    });
  }
});
