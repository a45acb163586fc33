import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { type Address, SeededRandom, address } from "@tsrtc/base";
import { StunBuilder, StunClass, StunMessage, StunMethod, shortTermIntegrityKey } from "@tsrtc/stun";
import { IceAgent } from "../src/agent.js";
import { parseCandidate } from "../src/candidate-sdp.js";

const LOCAL = address("10.0.0.2", 6000);
const PEER = address("10.0.0.1", 5000);
const CREDS = { ufrag: "bbbb", pwd: "bbbbbbbbbbbbbbbbbbbbbbbb" };
const PEER_CREDS = { ufrag: "aaaa", pwd: "aaaaaaaaaaaaaaaaaaaaaaaa" };

function agent(extra: Partial<ConstructorParameters<typeof IceAgent>[0]> = {}): IceAgent {
  const a = new IceAgent({ controlling: false, localCredentials: CREDS, ...extra }, new SeededRandom(5));
  a.gather([{ address: LOCAL }], 0);
  a.setRemoteCredentials(PEER_CREDS, 0);
  while (a.pollEvent());
  return a;
}

let txn = 0;
function request(opts: {
  username?: string;
  pwd?: string | null;
  fingerprint?: boolean;
  extra?: (b: StunBuilder) => void;
  controlling?: bigint;
  controlled?: bigint;
  useCandidate?: boolean;
}): Uint8Array {
  const id = new Uint8Array(12);
  new DataView(id.buffer).setUint32(8, ++txn);
  const b = new StunBuilder().begin(StunMethod.Binding, StunClass.Request, id);
  if (opts.username !== undefined) b.username(opts.username);
  b.priority(1845501695);
  if (opts.controlling !== undefined) b.iceControlling(opts.controlling);
  if (opts.controlled !== undefined) b.iceControlled(opts.controlled);
  if (opts.useCandidate) b.useCandidate();
  opts.extra?.(b);
  if (opts.pwd !== null) b.messageIntegrity(shortTermIntegrityKey(opts.pwd ?? CREDS.pwd));
  if (opts.fingerprint !== false) b.fingerprint();
  return b.finish();
}

function responses(a: IceAgent): { to: Address; msg: StunMessage }[] {
  const out: { to: Address; msg: StunMessage }[] = [];
  for (let t = a.pollTransmit(); t; t = a.pollTransmit()) {
    const m = StunMessage.decode(t.data);
    if (m.cls === StunClass.SuccessResponse || m.cls === StunClass.ErrorResponse) out.push({ to: t.to, msg: m });
  }
  return out;
}

describe("bad input to the agent", () => {
  it("answers a good request with a signed success carrying XOR-MAPPED-ADDRESS", () => {
    const a = agent();
    expect(a.handlePacket(request({ username: "bbbb:aaaa", controlling: 1n }), PEER, LOCAL, 1)).toBe("stun");
    const [r] = responses(a);
    expect(r.msg.cls).toBe(StunClass.SuccessResponse);
    expect(r.msg.xorMappedAddress()).toEqual(PEER);
    expect(r.msg.checkIntegrity(shortTermIntegrityKey(CREDS.pwd))).toBe(true);
    expect(r.msg.checkFingerprint()).toBe(true);
    expect(a.stats.successSent).toBe(1);
  });

  it("wrong password → 401 unsigned", () => {
    const a = agent();
    a.handlePacket(request({ username: "bbbb:aaaa", pwd: "wrongwrongwrongwrongwrong", controlling: 1n }), PEER, LOCAL, 1);
    const [r] = responses(a);
    expect(r.msg.cls).toBe(StunClass.ErrorResponse);
    expect(r.msg.errorCode()!.code).toBe(401);
    expect(r.msg.integrityAt).toBe(-1);
    expect(a.stats.errorsSent[401]).toBe(1);
    expect(a.remoteCandidates).toHaveLength(0); // nothing learned from an unauthenticated request
  });

  it("unknown ufrag → 401", () => {
    const a = agent();
    a.handlePacket(request({ username: "zzzz:aaaa", controlling: 1n }), PEER, LOCAL, 1);
    expect(responses(a)[0].msg.errorCode()!.code).toBe(401);
  });

  it("missing MESSAGE-INTEGRITY or USERNAME → 400", () => {
    const a = agent();
    a.handlePacket(request({ username: "bbbb:aaaa", pwd: null, controlling: 1n }), PEER, LOCAL, 1);
    a.handlePacket(request({ controlling: 1n }), PEER, LOCAL, 1);
    const rs = responses(a);
    expect(rs.map((r) => r.msg.errorCode()!.code)).toEqual([400, 400]);
    expect(a.stats.errorsSent[400]).toBe(2);
  });

  it("wrong FINGERPRINT → dropped silently and counted", () => {
    const a = agent();
    const pkt = request({ username: "bbbb:aaaa", controlling: 1n });
    pkt[pkt.length - 1] ^= 0xff;
    expect(a.handlePacket(pkt, PEER, LOCAL, 1)).toBe("stun");
    expect(responses(a)).toHaveLength(0);
    expect(a.stats.droppedBadFingerprint).toBe(1);
  });

  it("unknown comprehension-required attribute → 420 with UNKNOWN-ATTRIBUTES, signed", () => {
    const a = agent();
    a.handlePacket(
      request({ username: "bbbb:aaaa", controlling: 1n, extra: (b) => b.bytes(0x7f01, new Uint8Array([1, 2, 3, 4])) }),
      PEER,
      LOCAL,
      1,
    );
    const [r] = responses(a);
    expect(r.msg.errorCode()!.code).toBe(420);
    expect(r.msg.unknownAttributes()).toEqual([0x7f01]);
    expect(r.msg.checkIntegrity(shortTermIntegrityKey(CREDS.pwd))).toBe(true);
    // Comprehension-optional unknowns (and Chromium's GOOG-NETWORK-INFO) are ignored.
    a.handlePacket(
      request({
        username: "bbbb:aaaa",
        controlling: 1n,
        extra: (b) => {
          b.bytes(0xc0ff, new Uint8Array(4));
          b.googNetworkInfo({ networkId: 1, networkCost: 999 });
        },
      }),
      PEER,
      LOCAL,
      1,
    );
    expect(responses(a)[0].msg.cls).toBe(StunClass.SuccessResponse);
  });

  it("a request or indication of another method is discarded without an answer and counted (RFC 8489 §6.3)", () => {
    const a = agent();
    const key = shortTermIntegrityKey(CREDS.pwd);
    const id = new Uint8Array(12).fill(9);
    // Correctly signed with our credentials, so only the method is wrong: Allocate (0x003).
    const allocate = new StunBuilder().begin(StunMethod.Allocate, StunClass.Request, id).username("bbbb:aaaa").messageIntegrity(key).fingerprint().finish();
    expect(a.handlePacket(allocate, PEER, LOCAL, 1)).toBe("stun");
    // An unassigned method (0x0ff), unsigned, and a Send indication.
    const odd = new StunBuilder().begin(0x0ff, StunClass.Request, id).fingerprint().finish();
    expect(a.handlePacket(odd, PEER, LOCAL, 1)).toBe("stun");
    const send = new StunBuilder().begin(StunMethod.Send, StunClass.Indication, id).data(new Uint8Array([1])).fingerprint().finish();
    expect(a.handlePacket(send, PEER, LOCAL, 1)).toBe("stun");
    expect(responses(a)).toHaveLength(0);
    expect(a.stats.droppedUnknownMethod).toBe(3);
    expect(a.stats.droppedMalformed).toBe(0);
    expect(a.stats.requestsIn + a.stats.indicationsIn).toBe(0);
    expect(a.stats.errorsSent).toEqual({});
    // A Binding indication (keepalive) is still taken.
    const keepalive = new StunBuilder().begin(StunMethod.Binding, StunClass.Indication, id).fingerprint().finish();
    a.handlePacket(keepalive, PEER, LOCAL, 1);
    expect(a.stats.indicationsIn).toBe(1);
  });

  it("authentication comes before the unknown-attribute check (RFC 8489 §6.3): a bad signature gets 401, not 420", () => {
    const a = agent();
    a.handlePacket(
      request({ username: "bbbb:aaaa", pwd: "wrongwrongwrongwrongwrong", extra: (b) => b.bytes(0x7f01, new Uint8Array(4)) }),
      PEER,
      LOCAL,
      1,
    );
    const [r] = responses(a);
    expect(r.msg.errorCode()!.code).toBe(401);
    expect(a.stats.errorsSent).toEqual({ 401: 1 });
  });

  it("role conflict with a bigger tie-breaker on our side → 487", () => {
    const a = new IceAgent({ controlling: true, localCredentials: CREDS }, new SeededRandom(5));
    a.gather([{ address: LOCAL }], 0);
    a.setRemoteCredentials(PEER_CREDS, 0);
    a.handlePacket(request({ username: "bbbb:aaaa", controlling: 0n }), PEER, LOCAL, 1);
    const rs = responses(a);
    expect(rs[0].msg.errorCode()!.code).toBe(487);
    expect(a.controlling).toBe(true);
    // And a bigger one on theirs: we switch to controlled and answer success.
    a.handlePacket(request({ username: "bbbb:aaaa", controlling: 0xffffffffffffffffn }), PEER, LOCAL, 2);
    expect(responses(a)[0].msg.cls).toBe(StunClass.SuccessResponse);
    expect(a.controlling).toBe(false);
  });

  it("role conflict between two controlled agents: the bigger tie-breaker takes control (§7.3.1.1)", () => {
    const a = agent(); // controlled
    const mine = a.tieBreaker;
    a.handlePacket(request({ username: "bbbb:aaaa", controlled: 0xffffffffffffffffn }), PEER, LOCAL, 1);
    expect(responses(a)[0].msg.errorCode()!.code).toBe(487);
    expect(a.controlling).toBe(false);
    // ICE-CONTROLLING from the peer is no conflict for a controlled agent, whatever its value.
    a.handlePacket(request({ username: "bbbb:aaaa", controlling: mine + 1n }), PEER, LOCAL, 2);
    expect(responses(a)[0].msg.cls).toBe(StunClass.SuccessResponse);
    expect(a.controlling).toBe(false);
    a.handlePacket(request({ username: "bbbb:aaaa", controlled: mine > 0n ? mine - 1n : 0n }), PEER, LOCAL, 3);
    expect(responses(a)[0].msg.cls).toBe(StunClass.SuccessResponse);
    expect(a.controlling).toBe(mine > 0n);
  });

  it("garbage, truncated STUN, and non-STUN from strangers never throw", () => {
    const a = agent();
    expect(a.handlePacket(new Uint8Array([0, 1, 0, 0]), PEER, LOCAL, 1)).toBe("stun");
    expect(a.handlePacket(new Uint8Array([]), PEER, LOCAL, 1)).toBe("dropped");
    expect(a.handlePacket(new Uint8Array([23, 254, 253]), address("192.0.2.9", 9), LOCAL, 1)).toBe("dropped");
    expect(a.stats.droppedUnknownSource).toBe(2);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.boolean(), (bytes, stunish) => {
        if (stunish && bytes.length >= 20) {
          bytes[0] &= 0x3f;
          bytes.set([0x21, 0x12, 0xa4, 0x42], 4);
          bytes[2] = (bytes.length - 20) >> 8;
          bytes[3] = (bytes.length - 20) & 0xfc;
        }
        const v = a.handlePacket(bytes, PEER, LOCAL, 1);
        expect(["stun", "data", "dropped"]).toContain(v);
        responses(a);
      }),
      { numRuns: 3000 },
    );
    // A response matching no transaction is dropped.
    const id = new Uint8Array(12).fill(7);
    const resp = new StunBuilder().begin(StunMethod.Binding, StunClass.SuccessResponse, id).xorMappedAddress(LOCAL).fingerprint().finish();
    const before = a.stats.droppedUnmatched;
    a.handlePacket(resp, PEER, LOCAL, 1);
    expect(a.stats.droppedUnmatched).toBe(before + 1);
  });

  it("a flood of authenticated requests from many addresses stays bounded", () => {
    const a = agent({ maxPeerReflexive: 20, maxPairs: 30 });
    for (let i = 0; i < 5000; i++) {
      const from = address(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 1024 + (i % 60000));
      a.handlePacket(request({ username: "bbbb:aaaa", controlling: 1n }), from, LOCAL, i);
      if (i % 50 === 0) a.handleTimeout(i);
      responses(a);
    }
    expect(a.remoteCandidates.length).toBeLessThanOrEqual(20);
    expect(a.pairs.length).toBeLessThanOrEqual(30);
    expect(a.stats.prflxCapped).toBeGreaterThan(4000);
    expect(a.stats.successSent).toBe(5000); // still answered: consent for a known peer must work
  });

  it("a flood of unauthenticated requests is answered with 401 and learns nothing", () => {
    const a = agent();
    for (let i = 0; i < 2000; i++) {
      a.handlePacket(request({ username: "bbbb:aaaa", pwd: "nopenopenopenopenopenope", controlling: 1n }), address("10.9.0.1", 1000 + i), LOCAL, i);
    }
    expect(responses(a)).toHaveLength(2000);
    expect(a.stats.errorsSent[401]).toBe(2000);
    expect(a.remoteCandidates).toHaveLength(0);
    expect(a.pairs).toHaveLength(0);
  });

  it("refuses credentials outside RFC 8839 §5.4 where they are handed in, not later in a check", () => {
    const a = new IceAgent({ controlling: true, localCredentials: CREDS }, new SeededRandom(5));
    a.gather([{ address: LOCAL }], 0);
    a.addRemoteCandidate(`candidate:1 1 udp 2122260223 ${PEER.host} ${PEER.port} typ host`, 0);
    for (const bad of [
      { ufrag: "u".repeat(70_000), pwd: PEER_CREDS.pwd },
      { ufrag: "abc", pwd: PEER_CREDS.pwd },
      { ufrag: "ab:c", pwd: PEER_CREDS.pwd },
      { ufrag: "abcd", pwd: "short" },
      { ufrag: "abcd", pwd: "\u00e9".repeat(30) },
    ]) {
      expect(() => a.setRemoteCredentials(bad, 0)).toThrow(/RFC 8839/);
    }
    expect(a.remoteCredentials).toBeUndefined();
    // The agent runs on, and valid credentials still work.
    for (let t = 0; t <= 1000; t += 50) a.handleTimeout(t);
    a.setRemoteCredentials(PEER_CREDS, 1000);
    a.handleTimeout(1000);
    expect(a.stats.checksSent).toBe(1);
    expect(() => new IceAgent({ controlling: true, localCredentials: { ufrag: "a b c", pwd: CREDS.pwd } })).toThrow(/RFC 8839/);
  });

  it("remote candidates at unspecified, multicast or broadcast addresses are dropped, never checked", () => {
    const a = agent();
    const hosts = ["0.0.0.0", "0.1.2.3", "224.0.0.251", "239.1.1.1", "255.255.255.255", "::", "ff02::1"];
    for (const h of hosts) a.addRemoteCandidate(`candidate:1 1 udp 2122260223 ${h} 5000 typ host`, 1);
    a.addRemoteCandidate("candidate:2 1 udp 2122260223 x.local 5000 typ host", 1);
    a.resolvedMdns("x.local", "224.0.0.1", 1);
    expect(a.stats.droppedCandidates).toBe(hosts.length + 1);
    expect(a.pairs).toHaveLength(0);
    // Ordinary unicast addresses of both families, loopback included, are kept.
    for (const h of ["10.0.0.1", "127.0.0.1", "2001:db8::1", "::1"]) a.addRemoteCandidate(`candidate:3 1 udp 1 ${h} 5000 typ host`, 1);
    expect(a.remoteCandidates.map((c) => c.address)).toEqual(["10.0.0.1", "127.0.0.1", "2001:db8::1", "::1"]);
  });

  it("datagrams from source port 0 are dropped and counted, never answered", () => {
    const a = agent();
    const zero = address("10.0.0.1", 0);
    expect(a.handlePacket(request({ username: "bbbb:aaaa", controlling: 1n }), zero, LOCAL, 1)).toBe("dropped");
    expect(a.handlePacket(request({ username: "zzzz:aaaa", controlling: 1n }), zero, LOCAL, 1)).toBe("dropped");
    expect(a.pollTransmit()).toBeUndefined();
    expect(a.stats.droppedBadSource).toBe(2);
    expect(a.remoteCandidates).toHaveLength(0);
  });

  it("a remote candidate on port 0 is dropped: no pair, no check sent to port 0", () => {
    const a = agent();
    a.addRemoteCandidate("candidate:1 1 udp 2122260223 10.0.0.1 0 typ host", 1);
    a.addRemoteCandidate({ ...parseCandidate("candidate:2 1 udp 2122260223 10.0.0.3 5000 typ host"), port: 0 }, 1);
    expect(a.stats.droppedCandidates).toBe(2);
    expect(a.remoteCandidates).toHaveLength(0);
    expect(a.pairs).toHaveLength(0);
    for (let t = 0; t <= 2000; t += 50) a.handleTimeout(t);
    for (let t = a.pollTransmit(); t; t = a.pollTransmit()) expect(t.to.port).not.toBe(0);
  });

  it("remote candidates: bad lines, other ufrags, FQDNs and the cap are dropped and counted", () => {
    const a = agent({ maxRemoteCandidates: 5 });
    a.addRemoteCandidate("candidate:garbage", 1);
    a.addRemoteCandidate("candidate:1 1 udp 2122260223 10.0.0.1 5000 typ host ufrag other", 1);
    a.addRemoteCandidate("candidate:1 1 udp 2122260223 example.com 5000 typ host", 1);
    // The other ufrag may be a newer generation: held, not paired, not dropped (yet).
    expect(a.stats.droppedCandidates).toBe(2);
    expect(a.remoteCandidates).toHaveLength(0);
    for (let i = 0; i < 10; i++) a.addRemoteCandidate(`candidate:1 1 udp 2122260223 10.0.0.${i + 10} 5000 typ host`, 1);
    expect(a.remoteCandidates).toHaveLength(5);
    expect(a.stats.droppedCandidates).toBe(7);
    // Credentials of yet another generation: the held candidate does not match it and is dropped.
    a.setRemoteCredentials({ ufrag: "third", pwd: "thirdthirdthirdthirdthird" }, 2);
    expect(a.stats.droppedCandidates).toBe(8);
    // Many candidates for unknown ufrags stay bounded.
    for (let i = 0; i < 1000; i++) a.addRemoteCandidate(`candidate:1 1 udp 1 10.1.${i >> 8}.${i & 255} 5000 typ host ufrag u${i}`, 3);
    expect(a.stats.droppedCandidates).toBeGreaterThanOrEqual(8 + 995);
  });
});
