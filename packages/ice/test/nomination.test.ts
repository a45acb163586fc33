import { describe, expect, it } from "vitest";
import { SeededRandom, address } from "@tsrtc/base";
import { AttrType, StunBuilder, StunClass, StunMessage, StunMethod, shortTermIntegrityKey } from "@tsrtc/stun";
import { IceAgent } from "../src/agent.js";

const LOCAL = address("10.0.0.1", 5000);
const PEER = address("10.0.0.2", 6000);
const PEER_CREDS = { ufrag: "peer", pwd: "peerpeerpeerpeerpeerpeer" };
const peerKey = shortTermIntegrityKey(PEER_CREDS.pwd);

function answer(req: StunMessage, code?: number): Uint8Array {
  const cls = code === undefined ? StunClass.SuccessResponse : StunClass.ErrorResponse;
  const b = new StunBuilder().begin(StunMethod.Binding, cls, req.transactionId);
  if (code !== undefined) b.errorCode(code, "");
  else b.xorMappedAddress(LOCAL);
  return b.messageIntegrity(peerKey).fingerprint().finish();
}

describe("RFC 8445 §8.1.1: a nomination the peer refuses", () => {
  it("is not sent again and again to the same pair: the pair is no longer valid", () => {
    const a = new IceAgent({ controlling: true }, new SeededRandom(9));
    a.gather([{ address: LOCAL }], 0);
    a.setRemoteCredentials(PEER_CREDS, 0);
    a.addRemoteCandidate(`candidate:1 1 udp 2122260223 ${PEER.host} ${PEER.port} typ host`, 0);
    a.addRemoteCandidate(null, 0);
    const nominations = new Set<string>();
    let refused = 0;
    for (let t = 0; t <= 20_000; t += 10) {
      a.handleTimeout(t);
      for (let x = a.pollTransmit(); x; x = a.pollTransmit()) {
        const m = StunMessage.decode(x.data.slice());
        if (m.cls !== StunClass.Request) continue;
        if (!m.has(AttrType.UseCandidate)) {
          a.handlePacket(answer(m), PEER, LOCAL, t); // ordinary checks succeed
        } else {
          nominations.add(m.transactionKey);
          refused++;
          a.handlePacket(answer(m, 400), PEER, LOCAL, t); // every nomination is refused
        }
      }
    }
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(nominations.size).toBe(1);
    expect(a.selectedPair).toBeUndefined();
    expect(a.pairs[0].valid).toBe(false);
    expect(a.connectionState).toBe("failed");
  });
});

describe("RFC 8445 §8.1.1: the nominating check", () => {
  it("goes out as soon as the pair is valid, not one Ta later", () => {
    const a = new IceAgent({ controlling: true, ta: 50 }, new SeededRandom(3));
    a.gather([{ address: LOCAL }], 0);
    a.setRemoteCredentials(PEER_CREDS, 0);
    a.addRemoteCandidate(`candidate:1 1 udp 2122260223 ${PEER.host} ${PEER.port} typ host`, 0);
    a.addRemoteCandidate(null, 0);
    let t = 0;
    let firstCheck: StunMessage | undefined;
    for (; t < 100 && !firstCheck; t++) {
      a.handleTimeout(t);
      for (let x = a.pollTransmit(); x; x = a.pollTransmit()) {
        const m = StunMessage.decode(x.data.slice());
        if (m.cls === StunClass.Request) firstCheck = m;
      }
    }
    expect(firstCheck?.has(AttrType.UseCandidate)).toBe(false);
    const answeredAt = t + 2; // a 2 ms round trip
    a.handlePacket(answer(firstCheck!), PEER, LOCAL, answeredAt);
    const due = a.pollTimeout();
    expect(due).toBeDefined();
    expect(due!).toBeLessThanOrEqual(answeredAt);
    a.handleTimeout(answeredAt);
    const sent: StunMessage[] = [];
    for (let x = a.pollTransmit(); x; x = a.pollTransmit()) sent.push(StunMessage.decode(x.data.slice()));
    expect(sent.filter((m) => m.cls === StunClass.Request && m.has(AttrType.UseCandidate))).toHaveLength(1);
  });
});

describe("RFC 8445 §9: after an ICE restart", () => {
  it("data from the retired generation's remote address is still accepted once the new pair is selected", () => {
    const PEER2 = address("10.0.0.2", 6002);
    const CREDS2 = { ufrag: "peer2", pwd: "peer2peer2peer2peer2peer2" };
    const key2 = shortTermIntegrityKey(CREDS2.pwd);
    const a = new IceAgent({ controlling: true }, new SeededRandom(5));
    a.gather([{ address: LOCAL }], 0);
    const connect = (creds: typeof PEER_CREDS, key: typeof peerKey, peer: typeof PEER, from: number): number => {
      a.setRemoteCredentials(creds, from);
      a.addRemoteCandidate(`candidate:1 1 udp 2122260223 ${peer.host} ${peer.port} typ host`, from);
      a.addRemoteCandidate(null, from);
      let t = from;
      for (; t < from + 5000 && a.selectedPair?.remoteAddress.port !== peer.port; t += 5) {
        a.handleTimeout(t);
        for (let x = a.pollTransmit(); x; x = a.pollTransmit()) {
          const m = StunMessage.decode(x.data.slice());
          if (m.cls !== StunClass.Request || x.to.port !== peer.port) continue;
          const ok = new StunBuilder().begin(StunMethod.Binding, StunClass.SuccessResponse, m.transactionId);
          a.handlePacket(ok.xorMappedAddress(LOCAL).messageIntegrity(key).fingerprint().finish(), peer, LOCAL, t);
        }
      }
      return t;
    };
    let t = connect(PEER_CREDS, peerKey, PEER, 0);
    expect(a.selectedPair?.remoteAddress.port).toBe(PEER.port);
    a.restart(t);
    t = connect(CREDS2, key2, PEER2, t);
    expect(a.selectedPair?.remoteAddress.port).toBe(PEER2.port);
    // A DTLS record (first byte 23) the peer still sends on the old pair.
    expect(a.handlePacket(new Uint8Array([23, 0xfe, 0xfd]), PEER, LOCAL, t + 10)).toBe("data");
    expect(a.handlePacket(new Uint8Array([23, 0xfe, 0xfd]), address("10.0.0.9", 6000), LOCAL, t + 10)).toBe("dropped");
  });
});
