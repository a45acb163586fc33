import { describe, expect, it } from "vitest";
import { type Address, SeededRandom, address } from "@tsrtc/base";
import { StunBuilder, StunClass, StunMessage, StunMethod, shortTermIntegrityKey } from "@tsrtc/stun";
import { IceAgent } from "../src/agent.js";

const LOCAL = address("10.0.0.1", 5000);
const OTHER_LOCAL = address("10.0.0.9", 5009);
const PEER = address("10.0.0.2", 6000);
const PEER_CREDS = { ufrag: "peer", pwd: "peerpeerpeerpeerpeerpeer" };
const peerKey = shortTermIntegrityKey(PEER_CREDS.pwd);

function success(req: StunMessage, mapped: Address): Uint8Array {
  return new StunBuilder()
    .begin(StunMethod.Binding, StunClass.SuccessResponse, req.transactionId)
    .xorMappedAddress(mapped)
    .messageIntegrity(peerKey)
    .fingerprint()
    .finish();
}

describe("RFC 7675 §5.1: what refreshes consent", () => {
  it("only an answer that comes back from where the check went, to where it left from", () => {
    const a = new IceAgent({ controlling: true }, new SeededRandom(4));
    a.gather([{ address: LOCAL }, { address: OTHER_LOCAL }], 0);
    a.setRemoteCredentials(PEER_CREDS, 0);
    a.addRemoteCandidate(`candidate:1 1 udp 2122260223 ${PEER.host} ${PEER.port} typ host`, 0);
    a.addRemoteCandidate(null, 0);
    let connectedAt: number | undefined;
    let consentChecks = 0;
    for (let t = 0; t <= 20_000; t += 10) {
      a.handleTimeout(t);
      for (let x = a.pollTransmit(); x; x = a.pollTransmit()) {
        const m = StunMessage.decode(x.data.slice());
        if (m.cls !== StunClass.Request) continue;
        if (connectedAt === undefined) {
          a.handlePacket(success(m, x.from!), PEER, x.from!, t); // checks: answered where they left from
        } else {
          consentChecks++;
          a.handlePacket(success(m, x.from!), PEER, OTHER_LOCAL, t); // consent: answered to the wrong socket
        }
      }
      if (connectedAt === undefined && a.selectedPair) connectedAt = t;
    }
    expect(connectedAt).toBeLessThan(2000);
    expect(a.selectedPair!.localAddress).toEqual(LOCAL);
    expect(consentChecks).toBeGreaterThanOrEqual(2);
    // The misdirected answers did not count: consent is late, the state shows it.
    expect(a.connectionState).toBe("disconnected");
  });
});

describe("STUN before data (RFC 7675 §5.1: a saturated data path must not starve consent)", () => {
  it("a due consent check and a check's answer leave before a long backlog of queued data", () => {
    const a = new IceAgent({ controlling: true }, new SeededRandom(7));
    a.gather([{ address: LOCAL }], 0);
    a.setRemoteCredentials(PEER_CREDS, 0);
    a.addRemoteCandidate(`candidate:1 1 udp 2122260223 ${PEER.host} ${PEER.port} typ host`, 0);
    a.addRemoteCandidate(null, 0);
    let t = 0;
    for (; t <= 5000 && !a.selectedPair; t += 10) {
      a.handleTimeout(t);
      for (let x = a.pollTransmit(); x; x = a.pollTransmit()) {
        const m = StunMessage.decode(x.data.slice());
        if (m.cls === StunClass.Request) a.handlePacket(success(m, x.from!), PEER, x.from!, t);
      }
    }
    expect(a.selectedPair).toBeDefined();
    for (let x = a.pollTransmit(); x; x = a.pollTransmit()); // drain
    // Fill the data path, then let the consent check come due.
    for (let i = 0; i < 500; i++) expect(a.send(new Uint8Array([0x17, 0xfe, 0xfd, i & 0xff]), t)).toBe(true);
    const sentBefore = a.stats.consentChecksSent;
    let due = t;
    for (let i = 0; i < 20 && a.stats.consentChecksSent === sentBefore; i++) {
      due = a.pollTimeout()!;
      a.handleTimeout(due);
    }
    expect(a.stats.consentChecksSent).toBe(sentBefore + 1);
    expect(due).toBeGreaterThan(t + 3000); // RFC 7675 §5.1: ~5 s after the selection
    // The peer's check arrives too: its answer is STUN as well.
    const peerCheck = new StunBuilder()
      .begin(StunMethod.Binding, StunClass.Request, new Uint8Array(12).fill(9))
      .username(`${a.localCredentials.ufrag}:${PEER_CREDS.ufrag}`)
      .iceControlled(1n)
      .priority(1)
      .messageIntegrity(shortTermIntegrityKey(a.localCredentials.pwd))
      .fingerprint()
      .finish();
    expect(a.handlePacket(peerCheck, PEER, LOCAL, due)).toBe("stun");
    const first = [a.pollTransmit()!, a.pollTransmit()!, a.pollTransmit()!];
    const kinds = first.map((x) => (x.data[0] < 4 ? StunMessage.decode(x.data.slice()).cls : "data"));
    expect(kinds).toEqual([StunClass.SuccessResponse, StunClass.Request, "data"]);
    // Then the data follows, all of it and in order.
    let n = 1;
    for (let x = a.pollTransmit(); x; x = a.pollTransmit()) {
      expect(x.data[0]).toBe(0x17);
      expect(x.data[3]).toBe(n & 0xff);
      n++;
    }
    expect(n).toBe(500);
  });
});
