/**
 * The server's side of the full handshake (RFC 6347 §4.2.4 figure 1, RFC 5246 §7.3), with the
 * stateless cookie exchange of RFC 6347 §4.2.1 and client authentication required (WebRTC is
 * mutual, RFC 8827 §6.5). Negotiation ignores what DTLS 1.2 does not know (supported_versions,
 * key_share, TLS 1.3 suites: Chromium offers them), and uses our own preference order for
 * cipher suite, group and SRTP profile, as Chromium does as a server.
 */
import { constantTimeEqual, type Millis } from "@tsrtc/base";
import type { KeyObject } from "node:crypto";
import { fatal } from "../alert.js";
import type { CipherSuiteInfo } from "../cipher-suites.js";
import { ClientCertificateType, AlertDescription, DTLS_1_0, DTLS_1_2, ExtensionType, HandshakeType, NamedGroup, RENEGOTIATION_SCSV, srtpProfileName } from "../constants.js";
import { CookieFactory } from "../cookie.js";
import { generateEcdhe, type EcdheKeyPair } from "../ecdhe.js";
import { findExtension, type Extension } from "../extensions/codec.js";
import { decodeSignatureAlgorithms, decodeSupportedGroups, decodeEcPointFormats, ecPointFormatsExtension } from "../extensions/lists.js";
import { extendedMasterSecretExtension, isInitialRenegotiationInfo, renegotiationInfoExtension } from "../extensions/simple.js";
import { decodeUseSrtp, useSrtpExtension } from "../extensions/use-srtp.js";
import { encodeWholeMessage } from "../handshake/header.js";
import { decodeCertificate, encodeCertificate } from "../handshake/messages/certificate.js";
import { encodeCertificateRequest } from "../handshake/messages/certificate-request.js";
import { decodeCertificateVerify } from "../handshake/messages/certificate-verify.js";
import { decodeClientHello, type ClientHello } from "../handshake/messages/client-hello.js";
import { decodeClientKeyExchange } from "../handshake/messages/client-key-exchange.js";
import { decodeFinished } from "../handshake/messages/finished.js";
import { encodeHelloVerifyRequest } from "../handshake/messages/hello-verify-request.js";
import { encodeServerHello } from "../handshake/messages/server-hello.js";
import { encodeEcdhParams, encodeServerKeyExchange } from "../handshake/messages/server-key-exchange.js";
import type { HandshakeMessage } from "../handshake/reassembler.js";
import { Transcript } from "../handshake/transcript.js";
import { finishedVerifyData, keyBlock, masterSecret } from "../keying.js";
import { chooseSignatureScheme, signData, SUPPORTED_SIGNATURE_SCHEMES, verifyData } from "../signature.js";
import { checkMessageEpoch, checkPeerCertificate, newRandom, type Handshake, type HandshakeHost, type Session } from "./context.js";
import type { FlightItem } from "./retransmit.js";

type State = "hello" | "certificate" | "key-exchange" | "certificate-verify" | "finished" | "done";

export type HelloOutcome =
  | { kind: "verify"; helloVerifyRequest: Uint8Array }
  | { kind: "accepted" }
  | { kind: "ignored" };

export class ServerHandshake implements Handshake {
  private state: State = "hello";
  private readonly transcript = new Transcript();
  private readonly cookies: CookieFactory;
  private readonly random: Uint8Array;
  private clientRandom: Uint8Array = new Uint8Array(0);
  private sendSeq = 0;
  private suite: CipherSuiteInfo | undefined;
  private ems = false;
  private srtp: number | undefined;
  private ecdhe: EcdheKeyPair | undefined;
  private clientKey: KeyObject | undefined;
  private clientCert: Uint8Array = new Uint8Array(0);
  private master: Uint8Array = new Uint8Array(0);
  session: Session | undefined;

  constructor(private readonly host: HandshakeHost) {
    this.cookies = new CookieFactory(host.options.rng);
    this.random = newRandom(host.options);
  }

  get waitingForHello(): boolean {
    return this.state === "hello" && this.pendingHello === undefined;
  }

  /**
   * A complete ClientHello while no handshake is under way. Without a valid cookie the answer
   * is a HelloVerifyRequest built from the hello alone, and nothing is kept (RFC 6347 §4.2.1).
   */
  onClientHello(m: HandshakeMessage): HelloOutcome {
    if (m.msgType !== HandshakeType.clientHello || m.epoch !== 0) return { kind: "ignored" };
    const ch = decodeClientHello(m.body);
    const o = this.host.options;
    if (o.helloVerifyRequest && !this.cookies.verify(ch)) {
      // RFC 6347 §4.2.1: a DTLS 1.2 server SHOULD put DTLS 1.0 in HelloVerifyRequest whatever it
      // will negotiate (clients must not read anything into it).
      const body = encodeHelloVerifyRequest({ version: DTLS_1_0, cookie: this.cookies.compute(ch) });
      return { kind: "verify", helloVerifyRequest: encodeWholeMessage(HandshakeType.helloVerifyRequest, m.messageSeq, body) };
    }
    this.pendingHello = { ch, m };
    return { kind: "accepted" };
  }

  private pendingHello: { ch: ClientHello; m: HandshakeMessage } | undefined;

  /** Go on with the ClientHello that `onClientHello` accepted: negotiate and send flight 4. */
  continueHandshake(now: Millis): void {
    const p = this.pendingHello;
    if (!p) throw new Error("dtls: no accepted ClientHello");
    this.pendingHello = undefined;
    const { ch, m } = p;
    this.negotiate(ch);
    this.clientRandom = ch.random.slice();
    // RFC 6347 §4.2.2: after a cookie exchange our message_seq continues from the client's.
    this.sendSeq = m.messageSeq;
    this.transcript.add(encodeWholeMessage(m.msgType, m.messageSeq, m.body));
    this.state = "certificate";
    this.sendFlight4(ch, now);
  }

  private negotiate(ch: ClientHello): void {
    const o = this.host.options;
    // RFC 6347 §4.1: lower wire values are higher versions; we need at least DTLS 1.2.
    if (ch.version > DTLS_1_2) fatal(AlertDescription.protocolVersion, `client offers only ${ch.version.toString(16)}`);
    if (!ch.compressionMethods.includes(0)) fatal(AlertDescription.illegalParameter, "no null compression");
    const suite = o.cipherSuites.find((s) => ch.cipherSuites.includes(s.id));
    if (!suite) fatal(AlertDescription.handshakeFailure, "no cipher suite in common");
    this.suite = suite;
    this.ems = findExtension(ch.extensions, ExtensionType.extendedMasterSecret) !== undefined;
    if (!this.ems && o.requireExtendedMasterSecret) fatal(AlertDescription.handshakeFailure, "client lacks extended_master_secret");
    const reneg = findExtension(ch.extensions, ExtensionType.renegotiationInfo);
    if (reneg && !isInitialRenegotiationInfo(reneg.data)) fatal(AlertDescription.handshakeFailure, "bad renegotiation_info");
    const groupsExt = findExtension(ch.extensions, ExtensionType.supportedGroups);
    // RFC 8422 §4: without supported_groups, P-256 is assumed.
    const offeredGroups = groupsExt ? decodeSupportedGroups(groupsExt.data) : [NamedGroup.secp256r1];
    const group = o.groups.find((g) => offeredGroups.includes(g));
    if (group === undefined) fatal(AlertDescription.handshakeFailure, "no group in common");
    const pf = findExtension(ch.extensions, ExtensionType.ecPointFormats);
    if (pf && !decodeEcPointFormats(pf.data).includes(0)) fatal(AlertDescription.illegalParameter, "uncompressed points refused");
    this.ecdhe = generateEcdhe(group);
    const srtpExt = findExtension(ch.extensions, ExtensionType.useSrtp);
    if (srtpExt && o.srtpProfiles.length > 0) {
      const offered = decodeUseSrtp(srtpExt.data).profiles;
      this.srtp = o.srtpProfiles.find((p) => offered.includes(p));
    }
  }

  private sendFlight4(ch: ClientHello, now: Millis): void {
    const o = this.host.options;
    const suite = this.suite!;
    const exts: Extension[] = [];
    if (this.ems) exts.push(extendedMasterSecretExtension());
    if (findExtension(ch.extensions, ExtensionType.renegotiationInfo) || ch.cipherSuites.includes(RENEGOTIATION_SCSV)) {
      exts.push(renegotiationInfoExtension());
    }
    if (this.srtp !== undefined) exts.push(useSrtpExtension([this.srtp]));
    if (findExtension(ch.extensions, ExtensionType.ecPointFormats)) exts.push(ecPointFormatsExtension());
    const sigExt = findExtension(ch.extensions, ExtensionType.signatureAlgorithms);
    const clientSchemes = sigExt ? decodeSignatureAlgorithms(sigExt.data) : [];
    const scheme = chooseSignatureScheme(o.certificate.privateKey, clientSchemes);
    if (scheme === undefined) fatal(AlertDescription.handshakeFailure, "no signature scheme in common");

    const items: FlightItem[] = [];
    const push = (msgType: number, body: Uint8Array): void => {
      const seq = this.sendSeq++;
      items.push({ kind: "handshake", msgType, messageSeq: seq, body, epoch: 0 });
      this.transcript.add(encodeWholeMessage(msgType, seq, body));
    };
    push(HandshakeType.serverHello, encodeServerHello({
      version: DTLS_1_2,
      random: this.random,
      sessionId: new Uint8Array(0),
      cipherSuite: suite.id,
      compressionMethod: 0,
      extensions: exts,
    }));
    push(HandshakeType.certificate, encodeCertificate([o.certificate.der]));
    const params = encodeEcdhParams(this.ecdhe!.group, this.ecdhe!.publicKey);
    const signed = new Uint8Array(64 + params.length);
    signed.set(this.clientRandom, 0);
    signed.set(this.random, 32);
    signed.set(params, 64);
    push(HandshakeType.serverKeyExchange, encodeServerKeyExchange({
      group: this.ecdhe!.group,
      publicKey: this.ecdhe!.publicKey,
      scheme,
      signature: signData(o.certificate.privateKey, scheme, signed),
    }));
    push(HandshakeType.certificateRequest, encodeCertificateRequest({
      certificateTypes: [ClientCertificateType.ecdsaSign, ClientCertificateType.rsaSign],
      signatureSchemes: [...SUPPORTED_SIGNATURE_SCHEMES],
      authorities: [],
    }));
    push(HandshakeType.serverHelloDone, new Uint8Array(0));
    this.host.sendFlight(items, now, true);
  }

  handle(m: HandshakeMessage, now: Millis): void {
    const whole = encodeWholeMessage(m.msgType, m.messageSeq, m.body);
    checkMessageEpoch(m);
    switch (this.state) {
      case "certificate":
        if (m.msgType !== HandshakeType.certificate) {
          if (m.msgType === HandshakeType.clientKeyExchange) fatal(AlertDescription.handshakeFailure, "client sent no certificate");
          break;
        }
        const chain = decodeCertificate(m.body);
        this.clientKey = checkPeerCertificate(chain, this.host.options, undefined);
        this.clientCert = chain[0].slice();
        this.transcript.add(whole);
        this.state = "key-exchange";
        return;
      case "key-exchange": {
        if (m.msgType !== HandshakeType.clientKeyExchange) break;
        const suite = this.suite!;
        const preMaster = this.ecdhe!.computeSecret(decodeClientKeyExchange(m.body));
        this.transcript.add(whole);
        const sessionHash = this.ems ? this.transcript.hash(suite.prfHash) : undefined;
        this.master = masterSecret(suite.prfHash, preMaster, this.clientRandom, this.random, sessionHash);
        this.host.installKeys(suite, keyBlock(suite, this.master, this.clientRandom, this.random));
        this.state = "certificate-verify";
        return;
      }
      case "certificate-verify": {
        if (m.msgType !== HandshakeType.certificateVerify) break;
        const cv = decodeCertificateVerify(m.body);
        if (!SUPPORTED_SIGNATURE_SCHEMES.includes(cv.scheme)) fatal(AlertDescription.illegalParameter, "unoffered signature scheme");
        if (!verifyData(this.clientKey!, cv.scheme, this.transcript.bytes(), cv.signature)) {
          fatal(AlertDescription.decryptError, "CertificateVerify signature does not verify");
        }
        this.transcript.add(whole);
        this.state = "finished";
        return;
      }
      case "finished": {
        if (m.msgType !== HandshakeType.finished) break;
        const suite = this.suite!;
        const got = decodeFinished(m.body);
        const want = finishedVerifyData(suite.prfHash, this.master, "client", this.transcript.hash(suite.prfHash));
        if (!constantTimeEqual(got, want)) fatal(AlertDescription.decryptError, "client Finished verify_data is wrong");
        this.transcript.add(whole);
        const seq = this.sendSeq++;
        const fin = finishedVerifyData(suite.prfHash, this.master, "server", this.transcript.hash(suite.prfHash));
        this.state = "done";
        // Flight 6 is the last flight: no timer, kept to answer a retransmitted flight 5.
        this.host.sendFlight([{ kind: "ccs", epoch: 0 }, { kind: "handshake", msgType: HandshakeType.finished, messageSeq: seq, body: fin, epoch: 1 }], now, false);
        this.session = {
          suite,
          clientRandom: this.clientRandom,
          serverRandom: this.random,
          masterSecret: this.master,
          extendedMasterSecret: this.ems,
          srtpProfile: this.srtp === undefined ? undefined : srtpProfileName(this.srtp),
          group: this.ecdhe!.group,
          remoteCertificate: this.clientCert,
        };
        this.host.complete(this.session, now);
        return;
      }
      case "hello":
      case "done":
        break;
    }
    fatal(AlertDescription.unexpectedMessage, `handshake type ${m.msgType} in state ${this.state}`);
  }
}
