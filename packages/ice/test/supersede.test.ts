import { describe, expect, it } from "vitest";
import { SeededRandom, address } from "@tsrtc/base";
import { StunBuilder, StunClass, StunMessage, StunMethod, shortTermIntegrityKey } from "@tsrtc/stun";
import { IceAgent } from "../src/agent.js";

const LOCAL = address("10.0.0.2", 6000);
const PEER = address("10.0.0.1", 5000);
const CREDS = { ufrag: "bbbb", pwd: "bbbbbbbbbbbbbbbbbbbbbbbb" };
const PEER_CREDS = { ufrag: "aaaa", pwd: "aaaaaaaaaaaaaaaaaaaaaaaa" };
const peerKey = shortTermIntegrityKey(PEER_CREDS.pwd);

/** Requests the agent sent, by transaction id (hex), in order. */
function sentRequests(a: IceAgent): StunMessage[] {
  const out: StunMessage[] = [];
  for (let t = a.pollTransmit(); t; t = a.pollTransmit()) {
    const m = StunMessage.decode(t.data.slice());
    if (m.cls === StunClass.Request) out.push(m);
  }
  return out;
}

function answer(req: StunMessage, cls: number, code?: number): Uint8Array {
  const b = new StunBuilder().begin(StunMethod.Binding, cls, req.transactionId);
  if (code !== undefined) b.errorCode(code, "");
  else b.xorMappedAddress(LOCAL);
  return b.messageIntegrity(peerKey).fingerprint().finish();
}

function peerCheck(n: number): Uint8Array {
  const id = new Uint8Array(12).fill(n);
  return new StunBuilder()
    .begin(StunMethod.Binding, StunClass.Request, id)
    .username(`${CREDS.ufrag}:${PEER_CREDS.ufrag}`)
    .priority(1845501695)
    .iceControlling(1n)
    .messageIntegrity(shortTermIntegrityKey(CREDS.pwd))
    .fingerprint()
    .finish();
}

/** An agent whose first check was superseded at 600 ms by a triggered one; returns both requests. */
function superseded(): { a: IceAgent; first: StunMessage; second: StunMessage } {
  const a = new IceAgent({ controlling: false, localCredentials: CREDS }, new SeededRandom(3));
  a.gather([{ address: LOCAL }], 0);
  a.setRemoteCredentials(PEER_CREDS, 0);
  a.addRemoteCandidate(`candidate:1 1 udp 2122260223 ${PEER.host} ${PEER.port} typ host`, 0);
  a.handleTimeout(0);
  const [first] = sentRequests(a);
  a.handleTimeout(500);
  expect(sentRequests(a).map((m) => m.transactionKey)).toEqual([first.transactionKey]); // a retransmission
  // The peer's check arrives while ours is late: answered, and a triggered check replaces ours.
  a.handlePacket(peerCheck(1), PEER, LOCAL, 600);
  a.handleTimeout(600);
  const next = sentRequests(a);
  expect(next).toHaveLength(1);
  expect(next[0].transactionKey).not.toBe(first.transactionKey);
  // The old check never leaves again.
  for (let t = 650; t <= 3000; t += 50) {
    a.handleTimeout(t);
    for (const m of sentRequests(a)) expect(m.transactionKey).not.toBe(first.transactionKey);
  }
  return { a, first, second: next[0] };
}

describe("RFC 8445 §7.3.1.4: a check superseded by a triggered check", () => {
  it("stops retransmitting, and its late success still proves the pair", () => {
    const { a, first } = superseded();
    expect(a.pairs[0].state).toBe("in-progress");
    a.handlePacket(answer(first, StunClass.SuccessResponse), PEER, LOCAL, 3100);
    expect(a.stats.droppedUnmatched).toBe(0);
    expect(a.pairs[0].valid).toBe(true);
    expect(a.pairs[0].state).toBe("succeeded");
  });

  it("ignores its stale error: no role switch, no failed pair, the newer check still decides", () => {
    const { a, first, second } = superseded();
    a.handlePacket(answer(first, StunClass.ErrorResponse, 487), PEER, LOCAL, 3000);
    expect(a.controlling).toBe(false);
    expect(a.stats.roleConflicts).toBe(0);
    expect(a.pairs[0].state).toBe("in-progress");
    a.handlePacket(answer(second, StunClass.SuccessResponse), PEER, LOCAL, 3100);
    expect(a.pairs[0].valid).toBe(true);
  });

  it("forgets the superseded check after a while: a very late answer is unmatched", () => {
    const { a, first } = superseded();
    for (let t = 3000; t <= 20_000; t += 100) a.handleTimeout(t);
    sentRequests(a);
    a.handlePacket(answer(first, StunClass.SuccessResponse), PEER, LOCAL, 20_000);
    expect(a.stats.droppedUnmatched).toBe(1);
  });
});
