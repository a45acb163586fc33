import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { RTCCertificate, RTCError, RTCIceCandidate, RTCPeerConnection, RTCSessionDescription } from "../src/index.js";
import { closeAll, connect, makePc, once } from "./helpers.js";

const open: RTCPeerConnection[] = [];
afterEach(() => closeAll(...open.splice(0)));
function pc(extra = {}): RTCPeerConnection {
  const p = makePc(extra);
  open.push(p);
  return p;
}
const named = (name: string) => expect.objectContaining({ name });
const chromeOffer = readFileSync("/work/shared/fixtures/sdp/chromium-156-offer-dc.sdp", "utf8");

describe("W3C errors", () => {
  it("createDataChannel: TypeError for bad parameters, InvalidStateError once closed, OperationError for an id in use", () => {
    const a = pc();
    expect(() => a.createDataChannel("x", { maxPacketLifeTime: 10, maxRetransmits: 1 })).toThrow(TypeError);
    expect(() => a.createDataChannel("x", { negotiated: true })).toThrow(TypeError);
    expect(() => a.createDataChannel("x", { negotiated: true, id: 65535 })).toThrow(TypeError);
    expect(() => a.createDataChannel("x", { maxRetransmits: 70000 })).toThrow(TypeError);
    expect(() => a.createDataChannel("x".repeat(65536))).toThrow(TypeError);
    expect(() => a.createDataChannel("x", { protocol: "p".repeat(65536) })).toThrow(TypeError);
    expect(() => a.createDataChannel("x", { priority: "urgent" as "high" })).toThrow(TypeError);
    // id is ignored unless negotiated (W3C §6.1 step 12)
    expect(a.createDataChannel("x", { id: 7 }).id).toBeNull();
    a.createDataChannel("n", { negotiated: true, id: 3 });
    expect(() => a.createDataChannel("n2", { negotiated: true, id: 3 })).toThrow(named("OperationError"));
    a.close();
    expect(() => a.createDataChannel("late")).toThrow(named("InvalidStateError"));
    try {
      a.createDataChannel("late");
    } catch (e) {
      expect(e).toBeInstanceOf(DOMException);
    }
  });

  it("send on a channel that is not open is an InvalidStateError", () => {
    const a = pc();
    const dc = a.createDataChannel("x");
    expect(dc.readyState).toBe("connecting");
    expect(() => dc.send("too early")).toThrow(named("InvalidStateError"));
    dc.close();
    expect(dc.readyState).toBe("closed");
    expect(() => dc.send("too late")).toThrow(named("InvalidStateError"));
  });

  it("signaling methods in the wrong state reject with InvalidStateError", async () => {
    const a = pc();
    await expect(a.createAnswer()).rejects.toMatchObject({ name: "InvalidStateError" });
    await expect(a.setRemoteDescription({ type: "answer", sdp: chromeOffer })).rejects.toMatchObject({ name: "InvalidStateError" });
    await expect(a.setLocalDescription({ type: "rollback" })).rejects.toMatchObject({ name: "InvalidStateError" });
    await expect(a.addIceCandidate({ candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host", sdpMid: "0" })).rejects.toMatchObject({
      name: "InvalidStateError",
    });
    await expect(a.setLocalDescription({ type: "answer" })).rejects.toMatchObject({ name: "InvalidStateError" });
    await expect(a.setRemoteDescription({ type: "bogus" as "offer", sdp: "" })).rejects.toBeInstanceOf(TypeError);
  });

  it("a malformed description rejects with an RTCError (sdp-syntax-error) naming the line", async () => {
    const a = pc();
    const bad = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=application nine UDP/DTLS/SCTP webrtc-datachannel\r\n";
    const err = await a.setRemoteDescription({ type: "offer", sdp: bad }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RTCError);
    expect((err as RTCError).name).toBe("OperationError");
    expect((err as RTCError).errorDetail).toBe("sdp-syntax-error");
    expect((err as RTCError).sdpLineNumber).toBe(5);
    await expect(a.setRemoteDescription({ type: "offer", sdp: "hello" })).rejects.toMatchObject({ name: "OperationError" });
    expect(a.signalingState).toBe("stable");
  });

  it("a description missing what WebRTC requires rejects with InvalidAccessError", async () => {
    const a = pc();
    const noFingerprint = chromeOffer.replace(/a=fingerprint:[^\r\n]*\r\n/, "");
    await expect(a.setRemoteDescription({ type: "offer", sdp: noFingerprint })).rejects.toMatchObject({ name: "InvalidAccessError" });
    const noUfrag = chromeOffer.replace(/a=ice-ufrag:[^\r\n]*\r\n/, "");
    await expect(a.setRemoteDescription({ type: "offer", sdp: noUfrag })).rejects.toMatchObject({ name: "InvalidAccessError" });
    // an answer may not say actpass (RFC 8842 §5.1)
    const b = pc();
    b.createDataChannel("x");
    await b.setLocalDescription();
    const answerLike = chromeOffer; // setup:actpass
    await expect(b.setRemoteDescription({ type: "answer", sdp: answerLike })).rejects.toMatchObject({ name: "InvalidAccessError" });
    expect(b.signalingState).toBe("have-local-offer");
  });

  it("setLocalDescription with an offer that is not the last one created is an InvalidModificationError", async () => {
    const a = pc();
    const offer = await a.createOffer();
    const munged = { type: "offer" as const, sdp: offer.sdp!.replace("a=max-message-size:262144", "a=max-message-size:1") };
    await expect(a.setLocalDescription(munged)).rejects.toMatchObject({ name: "InvalidModificationError" });
    await a.setLocalDescription(offer);
    expect(a.signalingState).toBe("have-local-offer");
  });

  it("addIceCandidate: TypeError without mid and index, OperationError for an unknown mid or a bad candidate", async () => {
    const a = pc();
    await a.setRemoteDescription({ type: "offer", sdp: chromeOffer });
    const line = "candidate:1 1 udp 2122260223 127.0.0.1 9999 typ host";
    await expect(a.addIceCandidate({ candidate: line })).rejects.toBeInstanceOf(TypeError);
    await expect(a.addIceCandidate({ candidate: line, sdpMid: "nope" })).rejects.toMatchObject({ name: "OperationError" });
    await expect(a.addIceCandidate({ candidate: line, sdpMLineIndex: 4 })).rejects.toMatchObject({ name: "OperationError" });
    await expect(a.addIceCandidate({ candidate: "candidate:garbage", sdpMid: "0" })).rejects.toMatchObject({ name: "OperationError" });
    await a.addIceCandidate({ candidate: line, sdpMid: "0" });
    await a.addIceCandidate({ candidate: line, sdpMLineIndex: 0 });
    expect(a.remoteDescription!.sdp).toContain("a=candidate:1 1 udp 2122260223 127.0.0.1 9999 typ host");
    await a.addIceCandidate(); // end-of-candidates
    await a.addIceCandidate({ candidate: "", sdpMid: "0" });
    expect(a.remoteDescription!.sdp).toContain("a=end-of-candidates");
  });

  it("every method of a closed connection fails the W3C way", async () => {
    const a = pc();
    a.close();
    a.close(); // idempotent
    await expect(a.createOffer()).rejects.toMatchObject({ name: "InvalidStateError" });
    await expect(a.createAnswer()).rejects.toMatchObject({ name: "InvalidStateError" });
    await expect(a.setLocalDescription()).rejects.toMatchObject({ name: "InvalidStateError" });
    await expect(a.setRemoteDescription({ type: "offer", sdp: chromeOffer })).rejects.toMatchObject({ name: "InvalidStateError" });
    await expect(a.addIceCandidate()).rejects.toMatchObject({ name: "InvalidStateError" });
    expect(() => a.setConfiguration({})).toThrow(named("InvalidStateError"));
    expect(a.signalingState).toBe("closed");
    expect(a.connectionState).toBe("closed");
  });

  it("validates the configuration: SyntaxError, InvalidAccessError, TypeError, InvalidModificationError", async () => {
    expect(() => new RTCPeerConnection({ iceServers: [{ urls: "http://example.com" }] })).toThrow(named("SyntaxError"));
    expect(() => new RTCPeerConnection({ iceServers: [{ urls: [] }] })).toThrow(named("SyntaxError"));
    expect(() => new RTCPeerConnection({ iceServers: [{ urls: "turn:127.0.0.1" }] })).toThrow(named("InvalidAccessError"));
    expect(() => new RTCPeerConnection({ bundlePolicy: "most" as "balanced" })).toThrow(TypeError);
    expect(() => new RTCPeerConnection({ iceTransportPolicy: "none" as "all" })).toThrow(TypeError);
    expect(() => new RTCPeerConnection({ iceCandidatePoolSize: 256 })).toThrow(TypeError);
    const a = pc({ iceServers: [{ urls: ["stun:127.0.0.1:3478", "turn:127.0.0.1?transport=udp"], username: "u", credential: "p" }], bundlePolicy: "max-bundle" });
    const conf = a.getConfiguration();
    expect(conf.bundlePolicy).toBe("max-bundle");
    expect(conf.rtcpMuxPolicy).toBe("require");
    expect(conf.iceTransportPolicy).toBe("all");
    expect(conf.iceServers?.[0].username).toBe("u");
    expect(conf.certificates?.length).toBe(1);
    expect(() => a.setConfiguration({ bundlePolicy: "balanced" })).toThrow(named("InvalidModificationError"));
    const other = await RTCPeerConnection.generateCertificate({ name: "ECDSA", namedCurve: "P-256" });
    expect(() => a.setConfiguration({ bundlePolicy: "max-bundle", certificates: [other] })).toThrow(named("InvalidModificationError"));
    a.setConfiguration({ bundlePolicy: "max-bundle", iceTransportPolicy: "relay" });
    expect(a.getConfiguration().iceTransportPolicy).toBe("relay");
  });

  it("generateCertificate: ECDSA and RSA, fingerprints, expiry; unsupported algorithms and expired certificates refused", async () => {
    const ec = await RTCPeerConnection.generateCertificate({ name: "ECDSA", namedCurve: "P-256" });
    expect(ec).toBeInstanceOf(RTCCertificate);
    expect(ec.getFingerprints()[0].algorithm).toBe("sha-256");
    expect(ec.getFingerprints()[0].value).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(ec.expires).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const rsa = await RTCPeerConnection.generateCertificate({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, hash: "SHA-256" });
    expect(rsa.getFingerprints()[0].value).not.toBe(ec.getFingerprints()[0].value);
    await expect(RTCPeerConnection.generateCertificate({ name: "Ed448" })).rejects.toMatchObject({ name: "NotSupportedError" });
    const shortLived = await RTCPeerConnection.generateCertificate({ name: "ECDSA", namedCurve: "P-256", expires: 1 });
    await new Promise((r) => setTimeout(r, 5));
    expect(() => new RTCPeerConnection({ certificates: [shortLived] })).toThrow(named("InvalidAccessError"));
    // The configured certificate is the one the connection uses.
    const a = pc({ certificates: [ec] });
    const offer = await a.createOffer();
    expect(offer.sdp).toContain(ec.getFingerprints()[0].value);
  });

  it("RTCSessionDescription and RTCIceCandidate validate and parse", () => {
    expect(() => new RTCSessionDescription({ type: "nope" as "offer" })).toThrow(TypeError);
    const d = new RTCSessionDescription({ type: "offer", sdp: "v=0" });
    expect(d.toJSON()).toEqual({ type: "offer", sdp: "v=0" });
    expect(() => new RTCIceCandidate({ candidate: "candidate:1 1 udp 1 1.2.3.4 5 typ host" })).toThrow(TypeError);
    const c = new RTCIceCandidate({
      candidate: "candidate:842163049 1 udp 1677729535 203.0.113.7 61665 typ srflx raddr 10.0.0.2 rport 61665 generation 0 ufrag EsAw network-cost 999",
      sdpMid: "0",
    });
    expect(c.foundation).toBe("842163049");
    expect(c.component).toBe("rtp");
    expect(c.protocol).toBe("udp");
    expect(c.priority).toBe(1677729535);
    expect(c.address).toBe("203.0.113.7");
    expect(c.port).toBe(61665);
    expect(c.type).toBe("srflx");
    expect(c.relatedAddress).toBe("10.0.0.2");
    expect(c.relatedPort).toBe(61665);
    expect(c.usernameFragment).toBe("EsAw");
    expect(c.sdpMLineIndex).toBeNull();
    expect(c.toJSON().sdpMid).toBe("0");
  });

  it("fires each state event once per change and negotiationneeded once while pending", async () => {
    const a = pc();
    const b = pc();
    const counts = new Map<string, number>();
    for (const t of ["connectionstatechange", "iceconnectionstatechange", "signalingstatechange", "icegatheringstatechange", "negotiationneeded"]) {
      a.addEventListener(t, () => counts.set(t, (counts.get(t) ?? 0) + 1));
    }
    const dc = a.createDataChannel("x");
    const nn = once(a, "negotiationneeded");
    await nn;
    a.createDataChannel("y"); // still not negotiated: no second event while one is pending
    await connect(a, b);
    await once(dc, "open");
    expect(counts.get("negotiationneeded")).toBe(1);
    expect(counts.get("signalingstatechange")).toBe(2);
    expect(counts.get("connectionstatechange")).toBe(2);
    expect(counts.get("icegatheringstatechange")).toBe(2);
  });

  it("rollback: from either offer state through either method, never from stable or pranswer", async () => {
    const a = pc();
    await a.setRemoteDescription({ type: "offer", sdp: chromeOffer });
    await a.setRemoteDescription({ type: "rollback" });
    expect(a.signalingState).toBe("stable");
    expect(a.remoteDescription).toBeNull();
    await a.setRemoteDescription({ type: "offer", sdp: chromeOffer });
    await a.setLocalDescription({ type: "rollback" });
    expect(a.signalingState).toBe("stable");
    await a.setRemoteDescription({ type: "offer", sdp: chromeOffer });
    const answer = await a.createAnswer();
    await a.setLocalDescription({ type: "pranswer", sdp: answer.sdp });
    expect(a.signalingState).toBe("have-local-pranswer");
    await expect(a.setLocalDescription({ type: "rollback" })).rejects.toMatchObject({ name: "InvalidStateError" });
    await a.setLocalDescription({ type: "answer", sdp: answer.sdp });
    expect(a.signalingState).toBe("stable");
    await expect(a.setRemoteDescription({ type: "rollback" })).rejects.toMatchObject({ name: "InvalidStateError" });
    // the spent answer is not reused: an offer with an empty sdp is a fresh one
    await a.setLocalDescription({ type: "offer", sdp: "" });
    expect(a.signalingState).toBe("have-local-offer");
    expect(a.localDescription!.sdp).toContain("a=setup:actpass");
  });
});
