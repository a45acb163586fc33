/**
 * A ClientHello shaped like Chromium 156's (shared/notes/browsers-on-the-wire.md §2): DTLS 1.3
 * offered through supported_versions, a 1216-byte X25519MLKEM768 key share, TLS 1.3 suites,
 * 1433 bytes fragmented over two datagrams. Our server must reassemble it, ignore what DTLS 1.2
 * does not know, and answer cleanly with DTLS 1.2.
 */
import { ByteWriter, SeededRandom } from "@tsrtc/base";
import { dtlsHandshakes } from "@tsrtc/testkit";
import { describe, expect, it } from "vitest";
import { DtlsEndpoint, fingerprint } from "../src/index.js";
import { ExtensionType, HandshakeType } from "../src/constants.js";
import { decodeHelloVerifyRequest } from "../src/handshake/messages/hello-verify-request.js";
import { encodeClientHello, type ClientHello } from "../src/handshake/messages/client-hello.js";
import { decodeServerHello } from "../src/handshake/messages/server-hello.js";
import { decodeServerKeyExchange } from "../src/handshake/messages/server-key-exchange.js";
import { decodeUseSrtp } from "../src/extensions/use-srtp.js";
import { encodeHandshakeFragment } from "../src/handshake/header.js";
import { makeCert } from "./helpers.js";

const u16s = (xs: number[]) => {
  const w = new ByteWriter().u16(2 * xs.length);
  for (const x of xs) w.u16(x);
  return w.finish();
};

function chromiumHello(random: Uint8Array, cookie: Uint8Array): ClientHello {
  const keyShare = new ByteWriter();
  const shares = new ByteWriter().u16(0x11ec).vector16(new Uint8Array(1216).fill(0x42)).u16(29).vector16(new Uint8Array(32).fill(9)).finish();
  keyShare.vector16(shares);
  const versions = new ByteWriter().u8(4).u16(0xfefc).u16(0xfefd).finish();
  return {
    version: 0xfefd,
    random,
    sessionId: new Uint8Array(0),
    cookie,
    cipherSuites: [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc009, 0xc013, 0xc00a, 0xc014, 0x009c, 0x002f, 0x0035],
    compressionMethods: Uint8Array.of(0),
    extensions: [
      { type: 45, data: Uint8Array.of(1, 1) }, // psk_key_exchange_modes
      { type: ExtensionType.useSrtp, data: new ByteWriter().bytes(u16s([0x0001, 0x0008, 0x0007])).u8(0).finish() },
      { type: ExtensionType.ecPointFormats, data: Uint8Array.of(1, 0) },
      { type: 51, data: keyShare.finish() }, // key_share
      { type: 43, data: versions }, // supported_versions
      { type: ExtensionType.signatureAlgorithms, data: u16s([0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0201]) },
      { type: ExtensionType.renegotiationInfo, data: Uint8Array.of(0) },
      { type: ExtensionType.extendedMasterSecret, data: new Uint8Array(0) },
      { type: ExtensionType.supportedGroups, data: u16s([0x11ec, 29, 23, 24]) },
    ],
  };
}

/** Two records in two datagrams, as Chromium sends it (record version 0xfeff). */
function fragmented(body: Uint8Array, messageSeq: number, recordSeq: number): Uint8Array[] {
  const cut = 1200;
  return [
    [0, cut],
    [cut, body.length - cut],
  ].map(([off, len], i) => {
    const frag = encodeHandshakeFragment(HandshakeType.clientHello, messageSeq, body, off, len);
    const rec = new Uint8Array(13 + frag.length);
    rec.set([22, 0xfe, 0xff, 0, 0, 0, 0, 0, 0, 0, recordSeq + i, frag.length >> 8, frag.length & 255]);
    rec.set(frag, 13);
    return rec;
  });
}

describe("a Chromium-shaped ClientHello", () => {
  it("is reassembled, cookie-checked and answered with a clean DTLS 1.2 flight", () => {
    const serverCert = makeCert(41);
    const server = new DtlsEndpoint({ role: "server", certificate: serverCert, remoteFingerprints: [fingerprint(makeCert(42).der)], rng: new SeededRandom(3) });
    const random = new SeededRandom(4).fill(new Uint8Array(32));
    const first = encodeClientHello(chromiumHello(random, new Uint8Array(0)));
    expect(first.length + 12).toBeGreaterThan(1400); // about Chromium's 1433 bytes
    const [a, b] = fragmented(first, 0, 0);
    server.handlePacket(a, 0);
    expect(server.pollTransmit()).toBeUndefined(); // half a hello: nothing to answer yet
    server.handlePacket(b, 0);
    const hvr = server.pollTransmit()!;
    const hvrMsg = dtlsHandshakes(hvr)[0];
    expect(hvrMsg.type).toBe(HandshakeType.helloVerifyRequest);
    const hvrBody = decodeHelloVerifyRequest(hvr.subarray(hvrMsg.bodyOffset, hvrMsg.bodyOffset + hvrMsg.fragmentLength));
    expect(hvrBody.version).toBe(0xfeff); // DTLS 1.0 here, as RFC 6347 §4.2.1 recommends
    const cookie = hvrBody.cookie;

    const second = encodeClientHello(chromiumHello(random, cookie));
    for (const d of fragmented(second, 1, 2)) server.handlePacket(d, 1);
    const flight: Uint8Array[] = [];
    let d: Uint8Array | undefined;
    while ((d = server.pollTransmit())) flight.push(d);
    expect(flight.every((x) => x.length <= 1200)).toBe(true);
    const bodies = new Map<number, Uint8Array>();
    for (const x of flight) for (const h of dtlsHandshakes(x)) if (h.fragmentOffset === 0 && h.fragmentLength === h.length) bodies.set(h.type, x.subarray(h.bodyOffset, h.bodyOffset + h.length));
    expect([...bodies.keys()]).toEqual([2, 11, 12, 13, 14]);
    const sh = decodeServerHello(bodies.get(HandshakeType.serverHello)!);
    expect(sh.version).toBe(0xfefd);
    expect(sh.cipherSuite).toBe(0xc02b);
    const types = sh.extensions.map((e) => e.type);
    expect(types).toContain(ExtensionType.extendedMasterSecret);
    expect(types).toContain(ExtensionType.renegotiationInfo);
    expect(types).not.toContain(43); // no supported_versions: this is DTLS 1.2
    expect(types).not.toContain(51);
    expect(decodeUseSrtp(sh.extensions.find((e) => e.type === ExtensionType.useSrtp)!.data).profiles).toEqual([0x0007]);
    expect(decodeServerKeyExchange(bodies.get(HandshakeType.serverKeyExchange)!).group).toBe(29); // x25519, not the hybrid
    expect(server.state).toBe("handshaking");
    expect(server.stats.internalErrors).toBe(0);
  });

  it("a client offering only DTLS 1.0 gets protocol_version", () => {
    const server = new DtlsEndpoint({ role: "server", certificate: makeCert(43), remoteFingerprints: [fingerprint(makeCert(44).der)], rng: new SeededRandom(3), helloVerifyRequest: false });
    const hello = { ...chromiumHello(new Uint8Array(32), new Uint8Array(0)), version: 0xfeff };
    for (const d of fragmented(encodeClientHello(hello), 0, 0)) server.handlePacket(d, 0);
    let e;
    const alerts = [];
    while ((e = server.pollEvent())) if (e.type === "alert") alerts.push(e.description);
    expect(alerts).toEqual([70]);
    expect(server.state).toBe("closed");
  });
});
