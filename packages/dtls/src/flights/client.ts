/**
 * The client's side of the full handshake (RFC 6347 §4.2.4 figure 1, RFC 5246 §7.3):
 *   flight 1: ClientHello                    → flight 2: HelloVerifyRequest (optional)
 *   flight 3: ClientHello + cookie           → flight 4: ServerHello, Certificate, ServerKeyExchange,
 *                                                        CertificateRequest, ServerHelloDone
 *   flight 5: Certificate, ClientKeyExchange, CertificateVerify, [CCS], Finished
 *                                            → flight 6: [CCS], Finished
 */
import { constantTimeEqual, type Millis } from "@tsrtc/base";
import type { KeyObject } from "node:crypto";
import { fatal } from "../alert.js";
import { cipherSuiteById, type CipherSuiteInfo } from "../cipher-suites.js";
import { AlertDescription, DTLS_1_0, DTLS_1_2, ExtensionType, HandshakeType, srtpProfileName } from "../constants.js";
import { generateEcdhe, type EcdheKeyPair } from "../ecdhe.js";
import { findExtension, type Extension } from "../extensions/codec.js";
import { ecPointFormatsExtension, signatureAlgorithmsExtension, supportedGroupsExtension } from "../extensions/lists.js";
import { extendedMasterSecretExtension, isInitialRenegotiationInfo, renegotiationInfoExtension } from "../extensions/simple.js";
import { decodeUseSrtp, useSrtpExtension } from "../extensions/use-srtp.js";
import { encodeWholeMessage } from "../handshake/header.js";
import { decodeCertificate, encodeCertificate } from "../handshake/messages/certificate.js";
import { decodeCertificateRequest } from "../handshake/messages/certificate-request.js";
import { encodeCertificateVerify } from "../handshake/messages/certificate-verify.js";
import { encodeClientHello, type ClientHello } from "../handshake/messages/client-hello.js";
import { encodeClientKeyExchange } from "../handshake/messages/client-key-exchange.js";
import { decodeFinished } from "../handshake/messages/finished.js";
import { decodeHelloVerifyRequest } from "../handshake/messages/hello-verify-request.js";
import { decodeServerHello } from "../handshake/messages/server-hello.js";
import { decodeServerHelloDone } from "../handshake/messages/server-hello-done.js";
import { decodeServerKeyExchange } from "../handshake/messages/server-key-exchange.js";
import type { HandshakeMessage } from "../handshake/reassembler.js";
import { Transcript } from "../handshake/transcript.js";
import { finishedVerifyData, keyBlock, masterSecret } from "../keying.js";
import { chooseSignatureScheme, signData, SUPPORTED_SIGNATURE_SCHEMES, verifyData } from "../signature.js";
import { checkMessageEpoch, checkPeerCertificate, newRandom, type Handshake, type HandshakeHost, type Session } from "./context.js";
import type { FlightItem } from "./retransmit.js";

type State = "hello" | "certificate" | "key-exchange" | "certificate-request" | "hello-done" | "finished" | "done";

const MAX_HELLO_VERIFY = 4;

export class ClientHandshake implements Handshake {
  private state: State = "hello";
  private readonly transcript = new Transcript();
  private readonly random: Uint8Array;
  private hello: ClientHello;
  private helloWhole: Uint8Array = new Uint8Array(0);
  private sendSeq = 0;
  private verifyCount = 0;
  private suite: CipherSuiteInfo | undefined;
  private serverRandom: Uint8Array = new Uint8Array(0);
  private ems = false;
  private srtp: number | undefined;
  private serverKey: KeyObject | undefined;
  private serverCert: Uint8Array = new Uint8Array(0);
  private ecdhe: EcdheKeyPair | undefined;
  private preMaster: Uint8Array | undefined;
  private certRequested: number | undefined | "none";
  private master: Uint8Array = new Uint8Array(0);
  session: Session | undefined;

  constructor(private readonly host: HandshakeHost) {
    const o = host.options;
    this.random = newRandom(o);
    const exts: Extension[] = [
      supportedGroupsExtension(o.groups),
      ecPointFormatsExtension(),
      signatureAlgorithmsExtension(SUPPORTED_SIGNATURE_SCHEMES),
      extendedMasterSecretExtension(),
      renegotiationInfoExtension(),
    ];
    if (o.srtpProfiles.length > 0) exts.push(useSrtpExtension(o.srtpProfiles));
    this.hello = {
      version: DTLS_1_2,
      random: this.random,
      sessionId: new Uint8Array(0),
      cookie: new Uint8Array(0),
      cipherSuites: o.cipherSuites.map((s) => s.id),
      compressionMethods: Uint8Array.of(0),
      extensions: exts,
    };
  }

  /** Flight 1. */
  start(now: Millis): void {
    this.sendHello(now);
  }

  private sendHello(now: Millis): void {
    const seq = this.sendSeq++;
    const body = encodeClientHello(this.hello);
    this.helloWhole = encodeWholeMessage(HandshakeType.clientHello, seq, body);
    this.host.sendFlight([{ kind: "handshake", msgType: HandshakeType.clientHello, messageSeq: seq, body, epoch: 0 }], now, true);
  }

  handle(m: HandshakeMessage, now: Millis): void {
    const whole = encodeWholeMessage(m.msgType, m.messageSeq, m.body);
    checkMessageEpoch(m);
    switch (this.state) {
      case "hello":
        if (m.msgType === HandshakeType.helloVerifyRequest) return this.onHelloVerify(m.body, now);
        if (m.msgType !== HandshakeType.serverHello) break;
        // RFC 6347 §4.2.6: the transcript starts at the ClientHello the server answered.
        this.transcript.reset();
        this.transcript.add(this.helloWhole);
        this.onServerHello(m.body);
        this.transcript.add(whole);
        this.state = "certificate";
        return;
      case "certificate":
        if (m.msgType !== HandshakeType.certificate) break;
        const chain = decodeCertificate(m.body);
        this.serverKey = checkPeerCertificate(chain, this.host.options, this.suite!.auth);
        this.serverCert = chain[0];
        this.transcript.add(whole);
        this.state = "key-exchange";
        return;
      case "key-exchange":
        if (m.msgType !== HandshakeType.serverKeyExchange) break;
        this.onServerKeyExchange(m.body);
        this.transcript.add(whole);
        this.state = "certificate-request";
        return;
      case "certificate-request":
        if (m.msgType === HandshakeType.certificateRequest) {
          const cr = decodeCertificateRequest(m.body);
          const scheme = chooseSignatureScheme(this.host.options.certificate.privateKey, cr.signatureSchemes);
          if (scheme === undefined) fatal(AlertDescription.handshakeFailure, "no signature scheme in common for our certificate");
          this.certRequested = scheme;
          this.transcript.add(whole);
          this.state = "hello-done";
          return;
        }
        if (m.msgType !== HandshakeType.serverHelloDone) break;
        this.certRequested = "none";
        return this.onServerHelloDone(m.body, whole, now);
      case "hello-done":
        if (m.msgType !== HandshakeType.serverHelloDone) break;
        return this.onServerHelloDone(m.body, whole, now);
      case "finished":
        if (m.msgType !== HandshakeType.finished) break;
        return this.onFinished(m.body, now);
      case "done":
        break;
    }
    fatal(AlertDescription.unexpectedMessage, `handshake type ${m.msgType} in state ${this.state}`);
  }

  private onHelloVerify(body: Uint8Array, now: Millis): void {
    const hvr = decodeHelloVerifyRequest(body);
    // RFC 6347 §4.2.1: the server may answer with DTLS 1.0 here whatever it will negotiate.
    if (hvr.version !== DTLS_1_2 && hvr.version !== DTLS_1_0) fatal(AlertDescription.protocolVersion, "HelloVerifyRequest version");
    if (++this.verifyCount > MAX_HELLO_VERIFY) fatal(AlertDescription.unexpectedMessage, "too many HelloVerifyRequests");
    this.hello = { ...this.hello, cookie: hvr.cookie.slice() };
    this.sendHello(now);
  }

  private onServerHello(body: Uint8Array): void {
    const o = this.host.options;
    const sh = decodeServerHello(body);
    if (sh.version !== DTLS_1_2) fatal(AlertDescription.protocolVersion, `server chose version ${sh.version.toString(16)}`);
    const suite = cipherSuiteById(sh.cipherSuite);
    if (!suite || !o.cipherSuites.includes(suite)) fatal(AlertDescription.illegalParameter, "server chose a suite we did not offer");
    if (sh.compressionMethod !== 0) fatal(AlertDescription.illegalParameter, "compression");
    this.suite = suite;
    this.serverRandom = sh.random.slice();
    const offered = new Set(this.hello.extensions.map((e) => e.type));
    for (const e of sh.extensions) {
      // RFC 5246 §7.4.1.4: an extension in ServerHello must have been offered.
      if (!offered.has(e.type)) fatal(AlertDescription.unsupportedExtension, `unsolicited extension ${e.type}`);
    }
    this.ems = findExtension(sh.extensions, ExtensionType.extendedMasterSecret) !== undefined;
    if (!this.ems && o.requireExtendedMasterSecret) fatal(AlertDescription.handshakeFailure, "server refused extended_master_secret");
    const reneg = findExtension(sh.extensions, ExtensionType.renegotiationInfo);
    if (reneg && !isInitialRenegotiationInfo(reneg.data)) fatal(AlertDescription.handshakeFailure, "bad renegotiation_info");
    const srtp = findExtension(sh.extensions, ExtensionType.useSrtp);
    if (srtp) {
      const u = decodeUseSrtp(srtp.data);
      // RFC 5764 §4.1.1: exactly one profile, one we offered; an MKI we did not send is refused.
      if (u.profiles.length !== 1 || !o.srtpProfiles.includes(u.profiles[0]) || u.mki.length !== 0) {
        fatal(AlertDescription.illegalParameter, "bad use_srtp answer");
      }
      this.srtp = u.profiles[0];
    }
  }

  private onServerKeyExchange(body: Uint8Array): void {
    const o = this.host.options;
    const ske = decodeServerKeyExchange(body);
    if (!o.groups.includes(ske.group)) fatal(AlertDescription.illegalParameter, `server chose group ${ske.group}`);
    if (!SUPPORTED_SIGNATURE_SCHEMES.includes(ske.scheme)) fatal(AlertDescription.illegalParameter, "unoffered signature scheme");
    const signed = new Uint8Array(64 + ske.params.length);
    signed.set(this.random, 0);
    signed.set(this.serverRandom, 32);
    signed.set(ske.params, 64);
    if (!verifyData(this.serverKey!, ske.scheme, signed, ske.signature)) {
      fatal(AlertDescription.decryptError, "ServerKeyExchange signature does not verify");
    }
    this.ecdhe = generateEcdhe(ske.group);
    this.preMaster = this.ecdhe.computeSecret(ske.publicKey);
  }

  private onServerHelloDone(body: Uint8Array, whole: Uint8Array, now: Millis): void {
    decodeServerHelloDone(body);
    this.transcript.add(whole);
    const o = this.host.options;
    const suite = this.suite!;
    const items: FlightItem[] = [];
    const push = (msgType: number, b: Uint8Array, epoch: number): void => {
      const seq = this.sendSeq++;
      items.push({ kind: "handshake", msgType, messageSeq: seq, body: b, epoch });
      this.transcript.add(encodeWholeMessage(msgType, seq, b));
    };
    if (typeof this.certRequested === "number") push(HandshakeType.certificate, encodeCertificate([o.certificate.der]), 0);
    push(HandshakeType.clientKeyExchange, encodeClientKeyExchange(this.ecdhe!.publicKey), 0);
    // RFC 7627 §4: session_hash covers the transcript through ClientKeyExchange.
    const sessionHash = this.ems ? this.transcript.hash(suite.prfHash) : undefined;
    this.master = masterSecret(suite.prfHash, this.preMaster!, this.random, this.serverRandom, sessionHash);
    this.preMaster = undefined;
    if (typeof this.certRequested === "number") {
      const sig = signData(o.certificate.privateKey, this.certRequested, this.transcript.bytes());
      push(HandshakeType.certificateVerify, encodeCertificateVerify({ scheme: this.certRequested, signature: sig }), 0);
    }
    this.host.installKeys(suite, keyBlock(suite, this.master, this.random, this.serverRandom));
    items.push({ kind: "ccs", epoch: 0 });
    push(HandshakeType.finished, finishedVerifyData(suite.prfHash, this.master, "client", this.transcript.hash(suite.prfHash)), 1);
    this.state = "finished";
    this.host.sendFlight(items, now, true);
  }

  private onFinished(body: Uint8Array, now: Millis): void {
    const suite = this.suite!;
    const got = decodeFinished(body);
    const want = finishedVerifyData(suite.prfHash, this.master, "server", this.transcript.hash(suite.prfHash));
    if (!constantTimeEqual(got, want)) fatal(AlertDescription.decryptError, "server Finished verify_data is wrong");
    this.state = "done";
    this.session = {
      suite,
      clientRandom: this.random,
      serverRandom: this.serverRandom,
      masterSecret: this.master,
      extendedMasterSecret: this.ems,
      srtpProfile: this.srtp === undefined ? undefined : srtpProfileName(this.srtp),
      group: this.ecdhe!.group,
      remoteCertificate: this.serverCert.slice(),
    };
    this.host.complete(this.session, now);
  }

}
