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
