import { createHmac } from "node:crypto";
import { type Address, SeededRandom } from "@tsrtc/base";
import { AttrType, PasswordAlgorithm, StunBuilder, StunClass, StunMessage, StunMethod, TransportProtocol, longTermKey } from "@tsrtc/stun";
import { describe, expect, it } from "vitest";
import { TurnServer, encodeChannelData, restPassword } from "../src/index.js";
import { CLIENT, LISTEN, PEER, REALM, allocate, ask, codeOf, drain, makeServer, nonceFrom, request, txid } from "./server-harness.js";

const UDP = (b: { requestedTransport(p: number): unknown }): void => void b.requestedTransport(TransportProtocol.UDP);

describe("TurnServer: authentication (RFC 8489 §9.2.4)", () => {
  it("challenges an unsigned request with 401, REALM and a NONCE, then allocates the signed retry", () => {
    const s = makeServer();
    const challenge = ask(s, request(StunMethod.Allocate, UDP), 0);
    expect(codeOf(challenge)).toBe(401);
    expect(challenge.realm()).toBe(REALM);
    expect(challenge.nonce()!.length).toBeGreaterThan(8);
    expect(challenge.integrityAt).toBe(-1);
    expect(challenge.checkFingerprint()).toBe(true);
    const creds = { username: "user", password: "pass", nonce: challenge.nonce()! };
    const ok = ask(s, request(StunMethod.Allocate, UDP, creds), 1);
    expect(codeOf(ok)).toBe(0);
    expect(ok.checkIntegrity(longTermKey("user", REALM, "pass"))).toBe(true);
    expect(ok.xorRelayedAddress()).toEqual({ family: 4, host: "192.0.2.1", port: 50000 });
    expect(ok.xorMappedAddress()).toEqual(CLIENT);
    expect(ok.lifetime()).toBe(600);
    expect(s.pollEvent()).toEqual({ type: "allocated", client: CLIENT, relayed: ok.xorRelayedAddress(), username: "user", lifetime: 600 });
    expect(s.allocationCount).toBe(1);
  });

  it("answers a wrong password or an unknown user with 401, a missing USERNAME with 400", () => {
    const s = makeServer();
    const nonce = nonceFrom(s, 0);
    expect(codeOf(ask(s, request(StunMethod.Allocate, UDP, { username: "user", password: "bad", nonce }), 0))).toBe(401);
    expect(codeOf(ask(s, request(StunMethod.Allocate, UDP, { username: "nobody", password: "pass", nonce }), 0))).toBe(401);
    expect(codeOf(ask(s, request(StunMethod.Allocate, UDP, { username: "user", password: "pass", nonce, realm: "elsewhere" }), 0))).toBe(401);
    const noUser = request(StunMethod.Allocate, (b) => {
      UDP(b);
      b.realm(REALM).nonce(nonce).messageIntegrity(longTermKey("user", REALM, "pass"));
    });
    expect(codeOf(ask(s, noUser, 0))).toBe(400);
    expect(s.allocationCount).toBe(0);
  });

  it("answers a nonce that is not ours, or has expired, with 438 and a fresh nonce", () => {
    const s = makeServer({ nonceLifetime: 60_000 });
    const forged = ask(s, request(StunMethod.Allocate, UDP, { username: "user", password: "pass", nonce: "made-up" }), 0);
    expect(codeOf(forged)).toBe(438);
    const nonce = forged.nonce()!;
    expect(forged.realm()).toBe(REALM);
    const stale = ask(s, request(StunMethod.Allocate, UDP, { username: "user", password: "pass", nonce }), 60_000);
    expect(codeOf(stale)).toBe(438);
    expect(stale.nonce()).not.toBe(nonce);
    expect(codeOf(ask(s, request(StunMethod.Allocate, UDP, { username: "user", password: "pass", nonce: stale.nonce()! }), 60_001))).toBe(0);
    // Another server (another secret) does not take our nonces.
    const other = makeServer({ rng: new SeededRandom(77) });
    expect(codeOf(ask(other, request(StunMethod.Allocate, UDP, { username: "user", password: "pass", nonce: stale.nonce()! }), 60_001))).toBe(438);
  });

  it("offers PASSWORD-ALGORITHMS with the nonce cookie and checks SHA-256 integrity", () => {
    const s = makeServer({ passwordAlgorithms: [PasswordAlgorithm.MD5, PasswordAlgorithm.SHA256] });
    const ch = ask(s, request(StunMethod.Allocate, UDP), 0);
    expect(ch.nonce()!.startsWith("obMatJos2gAAA")).toBe(true);
    expect(ch.passwordAlgorithms()!.map((a) => a.algorithm)).toEqual([1, 2]);
    const key = longTermKey("user", REALM, "pass", PasswordAlgorithm.SHA256);
    const build = (list: number[]) =>
      request(StunMethod.Allocate, (b) => {
        UDP(b);
        b.username("user").realm(REALM).nonce(ch.nonce()!);
        b.passwordAlgorithms(list.map((algorithm) => ({ algorithm, parameters: new Uint8Array(0) })));
        b.passwordAlgorithm({ algorithm: 2, parameters: new Uint8Array(0) }).messageIntegritySha256(key);
      });
    // §9.2.4: the list must come back as offered (a downgrade attempt is refused).
    expect(codeOf(ask(s, build([2]), 0))).toBe(400);
    const ok = ask(s, build([1, 2]), 0);
    expect(codeOf(ok)).toBe(0);
    expect(ok.checkIntegritySha256(key)).toBe(true);
  });

  it("accepts time-limited REST credentials until their expiry (coturn use-auth-secret)", () => {
    let wall = 1_700_000_000;
    const s = makeServer({ users: undefined, rest: { secret: "s3cret", unixSeconds: () => wall } });
    const username = `${wall + 3600}:alice`;
    const password = restPassword("s3cret", username);
    expect(password).toBe(createHmac("sha1", "s3cret").update(username).digest("base64"));
    const nonce = nonceFrom(s, 0);
    expect(codeOf(ask(s, request(StunMethod.Allocate, UDP, { username, password: "guess", nonce }), 0))).toBe(401);
    const from2: Address = { ...CLIENT, port: 5001 };
    expect(codeOf(ask(s, request(StunMethod.Allocate, UDP, { username, password, nonce }), 0))).toBe(0);
    wall += 3600;
    expect(codeOf(ask(s, request(StunMethod.Allocate, UDP, { username, password, nonce }), 1, from2))).toBe(401);
    expect(codeOf(ask(s, request(StunMethod.Allocate, UDP, { username: "alice", password, nonce }), 1, from2))).toBe(401);
  });
});

describe("TurnServer: Allocate (RFC 8656 §7.2)", () => {
  it("relays UDP only (442), refuses DONT-FRAGMENT (420) and unserved families (440)", () => {
    const s = makeServer();
    const nonce = nonceFrom(s, 0);
    const creds = { username: "user", password: "pass", nonce };
    expect(codeOf(ask(s, request(StunMethod.Allocate, (b) => b.requestedTransport(TransportProtocol.TCP), creds), 0))).toBe(442);
    expect(codeOf(ask(s, request(StunMethod.Allocate, () => {}, creds), 0))).toBe(400);
    const df = ask(s, request(StunMethod.Allocate, (b) => b.requestedTransport(17).dontFragment(), creds), 0);
    expect(codeOf(df)).toBe(420);
    expect(df.unknownAttributes()).toEqual([AttrType.DontFragment]);
    const v6 = ask(s, request(StunMethod.Allocate, (b) => b.requestedTransport(17).requestedAddressFamily(2), creds), 0);
    expect(codeOf(v6)).toBe(440);
    // Errors after authentication are signed (§9.2.4).
    expect(v6.checkIntegrity(longTermKey("user", REALM, "pass"))).toBe(true);
    expect(s.allocationCount).toBe(0);
    const both = makeServer({ relayFamilies: [4, 6] });
    const n2 = nonceFrom(both, 0);
    const ok = ask(both, request(StunMethod.Allocate, (b) => b.requestedTransport(17).requestedAddressFamily(2), { ...creds, nonce: n2 }), 0);
    expect(ok.xorRelayedAddress()!.family).toBe(6);
  });

  it("answers a retransmitted Allocate again, another one on the same 5-tuple with 437", () => {
    const s = makeServer();
    const creds = { username: "user", password: "pass", nonce: nonceFrom(s, 0) };
    const id = txid();
    const first = ask(s, request(StunMethod.Allocate, UDP, creds, id), 0);
    const again = ask(s, request(StunMethod.Allocate, UDP, creds, id), 100);
    expect(codeOf(again)).toBe(0);
    expect(again.xorRelayedAddress()).toEqual(first.xorRelayedAddress());
    expect(codeOf(ask(s, request(StunMethod.Allocate, UDP, creds), 200))).toBe(437);
    // Requests without an allocation: 437 too.
    const other: Address = { ...CLIENT, port: 7777 };
    expect(codeOf(ask(s, request(StunMethod.Refresh, (b) => b.lifetime(600), creds), 0, other))).toBe(437);
    expect(codeOf(ask(s, request(StunMethod.CreatePermission, (b) => b.xorPeerAddress(PEER), creds), 0, other))).toBe(437);
  });

  it("grants the default 600 s, at most 3600 s, and the asked lifetime in between", () => {
    const s = makeServer();
    const creds = { username: "user", password: "pass", nonce: nonceFrom(s, 0) };
    const life = (asked: number | undefined, port: number) =>
      ask(s, request(StunMethod.Allocate, (b) => (asked === undefined ? UDP(b) : b.requestedTransport(17).lifetime(asked)), creds), 0, { ...CLIENT, port }).lifetime();
    expect(life(undefined, 1)).toBe(600);
    expect(life(60, 2)).toBe(600);
    expect(life(1200, 3)).toBe(1200);
    expect(life(99_999, 4)).toBe(3600);
  });

  it("keeps a per-user quota (486) and says 508 when no relayed address is left", () => {
    const s = makeServer({ maxAllocationsPerUser: 2 });
    allocate(s, 0, { ...CLIENT, port: 1 });
    allocate(s, 0, { ...CLIENT, port: 2 });
    const creds = { username: "user", password: "pass", nonce: nonceFrom(s, 0) };
    expect(codeOf(ask(s, request(StunMethod.Allocate, UDP, creds), 0, { ...CLIENT, port: 3 }))).toBe(486);
    // Another user is not counted against it.
    allocate(s, 0, { ...CLIENT, port: 4 }, "other", "word");
    // Released allocations give the slot back.
    const c1 = { ...creds };
    expect(codeOf(ask(s, request(StunMethod.Refresh, (b) => b.lifetime(0), c1), 1, { ...CLIENT, port: 1 }))).toBe(0);
    expect(codeOf(ask(s, request(StunMethod.Allocate, UDP, creds), 2, { ...CLIENT, port: 3 }))).toBe(0);
    const full = makeServer({ allocateRelay: () => undefined });
    const n = nonceFrom(full, 0);
    expect(codeOf(ask(full, request(StunMethod.Allocate, UDP, { ...creds, nonce: n }), 0))).toBe(508);
  });

  it("answers 441 when another user speaks for an allocation", () => {
    const s = makeServer();
    allocate(s, 0);
    const nonce = nonceFrom(s, 0, { ...CLIENT, port: 9 });
    expect(codeOf(ask(s, request(StunMethod.Refresh, (b) => b.lifetime(600), { username: "other", password: "word", nonce }), 0))).toBe(441);
  });

  it("redirects Allocate with 300 and ALTERNATE-SERVER when configured", () => {
    const alt: Address = { family: 4, host: "192.0.2.2", port: 3478 };
    const s = makeServer({ alternateServer: alt });
    const m = ask(s, request(StunMethod.Allocate, UDP), 0);
    expect(codeOf(m)).toBe(300);
    expect(m.alternateServer()).toEqual(alt);
  });

  it("answers Binding requests like a STUN server, without credentials", () => {
    const s = makeServer();
    const m = ask(s, request(StunMethod.Binding), 0);
    expect(codeOf(m)).toBe(0);
    expect(m.xorMappedAddress()).toEqual(CLIENT);
  });
});

describe("TurnServer: Refresh and lifetimes on the virtual clock (§7, §8)", () => {
  it("expires an allocation at the end of its lifetime; Refresh extends it; LIFETIME 0 deletes it", () => {
    const s = makeServer();
    const { creds, relayed } = allocate(s, 0);
    s.pollEvent();
    expect(s.pollTimeout()).toBe(600_000);
    s.handleTimeout(599_999);
    expect(s.allocationCount).toBe(1);
    expect(codeOf(ask(s, request(StunMethod.Refresh, (b) => b.lifetime(700), creds), 500_000))).toBe(0);
    s.handleTimeout(600_000);
    expect(s.allocationCount).toBe(1);
    s.handleTimeout(1_200_000);
    expect(s.allocationCount).toBe(0);
    expect(s.pollEvent()).toEqual({ type: "deallocated", client: CLIENT, relayed, reason: "expired" });
    // Released on request.
    const again = allocate(s, 1_300_000);
    const r = ask(s, request(StunMethod.Refresh, (b) => b.lifetime(0), again.creds), 1_300_001);
    expect(r.lifetime()).toBe(0);
    expect(s.allocationCount).toBe(0);
    expect(codeOf(ask(s, request(StunMethod.Refresh, (b) => b.lifetime(600), again.creds), 1_300_002))).toBe(437);
  });
});

describe("TurnServer: permissions, channels and data (§9-§12)", () => {
  function ready(opts = {}) {
    const s = makeServer(opts);
    const { creds, relayed } = allocate(s, 0);
    return { s, creds, relayed };
  }

  it("relays a Send indication only with a permission, and data from the peer back as a Data indication", () => {
    const { s, creds, relayed } = ready();
    const indication = (): Uint8Array =>
      new StunBuilder().begin(StunMethod.Send, StunClass.Indication, txid()).xorPeerAddress(PEER).data(new Uint8Array([1, 2, 3])).finish();
    s.handlePacket(indication(), CLIENT, 1);
    expect(drain(s)).toEqual([]);
    expect(s.stats.droppedNoPermission).toBe(1);
    s.handleRelayed(new Uint8Array([9]), relayed, PEER, 1);
    expect(drain(s)).toEqual([]);
    expect(s.stats.droppedFromPeers).toBe(1);

    expect(codeOf(ask(s, request(StunMethod.CreatePermission, (b) => b.xorPeerAddress(PEER), creds), 2))).toBe(0);
    s.handlePacket(indication(), CLIENT, 3);
    expect(drain(s)).toEqual([{ via: "relay", from: relayed, to: PEER, data: new Uint8Array([1, 2, 3]) }]);
    // Any port of the permitted IP may answer (§9).
    const otherPort: Address = { ...PEER, port: 9999 };
    s.handleRelayed(new Uint8Array([9, 8]), relayed, otherPort, 4);
    const [t] = drain(s);
    expect(t.via).toBe("listening");
    expect(t.from).toEqual(LISTEN);
    expect(t.to).toEqual(CLIENT);
    const m = StunMessage.decode(t.data);
    expect([m.method, m.cls]).toEqual([StunMethod.Data, StunClass.Indication]);
    expect(m.xorPeerAddress()).toEqual(otherPort);
    expect(Array.from(m.dataValue()!)).toEqual([9, 8]);
    // Permissions last 300 s unless refreshed.
    s.handleTimeout(302_000);
    s.handlePacket(indication(), CLIENT, 302_000);
    expect(drain(s)).toEqual([]);
    expect(s.stats.droppedNoPermission).toBe(2);
  });

  it("binds channels (0x4000-0x4FFF), carries ChannelData both ways, and refuses conflicts with 400", () => {
    const { s, creds, relayed } = ready({ nonceLifetime: 86_400_000 }); // one nonce for the long run
    const bind = (n: number, peer: Address, now = 1) => codeOf(ask(s, request(StunMethod.ChannelBind, (b) => b.channelNumber(n).xorPeerAddress(peer), creds), now));
    expect(bind(0x3fff, PEER)).toBe(400);
    expect(bind(0x5000, PEER)).toBe(400);
    expect(bind(0x4001, PEER)).toBe(0);
    expect(bind(0x4001, PEER)).toBe(0); // a refresh
    expect(bind(0x4002, PEER)).toBe(400); // the peer has another number
    expect(bind(0x4001, { ...PEER, port: 1 })).toBe(400); // the number has another peer
    s.handlePacket(encodeChannelData(0x4001, new Uint8Array([5, 6])), CLIENT, 2);
    expect(drain(s)).toEqual([{ via: "relay", from: relayed, to: PEER, data: new Uint8Array([5, 6]) }]);
    s.handleRelayed(new Uint8Array([7]), relayed, PEER, 3);
    expect(drain(s).map((t) => Array.from(t.data))).toEqual([[0x40, 0x01, 0, 1, 7]]);
    // Unknown channel, truncated ChannelData: dropped and counted.
    s.handlePacket(encodeChannelData(0x4002, new Uint8Array([1])), CLIENT, 4);
    s.handlePacket(new Uint8Array([0x40, 0x01, 0, 9, 1]), CLIENT, 4);
    expect(drain(s)).toEqual([]);
    expect([s.stats.droppedUnknownChannel, s.stats.droppedTruncated]).toEqual([1, 1]);
    // The binding (and its permission) expire after 10 minutes without a refresh; the
    // permission installed by the bind lasts 300 s.
    s.handleTimeout(301_000);
    s.handleRelayed(new Uint8Array([7]), relayed, PEER, 301_000);
    expect(drain(s)).toEqual([]);
    expect(bind(0x4001, PEER, 400_000)).toBe(0);
    expect(codeOf(ask(s, request(StunMethod.Refresh, (b) => b.lifetime(3600), creds), 400_000))).toBe(0);
    s.handleTimeout(1_000_001);
    s.handlePacket(encodeChannelData(0x4001, new Uint8Array([1])), CLIENT, 1_000_001);
    expect(drain(s)).toEqual([]);
    // Expired at 1 000 000: for 5 more minutes neither the number nor the peer can be bound
    // to something else (§12), though the same pair may be bound again.
    expect(bind(0x4003, PEER, 1_100_000)).toBe(400);
    expect(bind(0x4001, { ...PEER, port: 2 }, 1_100_000)).toBe(400);
    expect(bind(0x4001, PEER, 1_100_000)).toBe(0);
    s.handleTimeout(2_000_000);
    expect(bind(0x4003, { ...PEER, port: 3 }, 2_000_000)).toBe(0);
    s.handleTimeout(2_000_000 + 600_000 + 300_000);
    expect(bind(0x4001, { ...PEER, port: 4 }, 2_000_000 + 600_000 + 300_000)).toBe(0);
  });

  it("takes RFC 5766 channel numbers up to 0x7FFF only with legacyChannels, and relays on them", () => {
    const strict = ready();
    const bind = (w: { s: TurnServer; creds: Parameters<typeof request>[2] }) =>
      codeOf(ask(w.s, request(StunMethod.ChannelBind, (b) => b.channelNumber(0x6001).xorPeerAddress(PEER), w.creds), 1));
    expect(bind(strict)).toBe(400);
    const legacy = ready({ legacyChannels: true });
    expect(bind(legacy)).toBe(0);
    legacy.s.handlePacket(new Uint8Array([0x60, 0x01, 0, 1, 42]), CLIENT, 2);
    expect(drain(legacy.s).map((t) => [t.to, Array.from(t.data)])).toEqual([[PEER, [42]]]);
    legacy.s.handleRelayed(new Uint8Array([43]), legacy.relayed, PEER, 3);
    expect(drain(legacy.s).map((t) => Array.from(t.data))).toEqual([[0x60, 0x01, 0, 1, 43]]);
  });

  it("refuses private, loopback, link-local and reserved peers with 403 unless allowed; denied peers always", () => {
    const { s, creds } = ready();
    const perm = (srv: TurnServer, host: string, c = creds) => codeOf(ask(srv, request(StunMethod.CreatePermission, (b) => b.xorPeerAddress({ family: 4, host, port: 1 }), c), 1));
    for (const host of ["10.0.0.2", "127.0.0.1", "169.254.1.1", "192.168.1.1", "172.16.0.1", "100.64.0.1", "0.0.0.0"]) {
      expect(perm(s, host), host).toBe(403);
    }
    expect(codeOf(ask(s, request(StunMethod.ChannelBind, (b) => b.channelNumber(0x4000).xorPeerAddress({ family: 4, host: "10.0.0.2", port: 1 }), creds), 1))).toBe(403);
    expect(perm(s, "8.8.8.8")).toBe(0);
    const v6 = codeOf(ask(s, request(StunMethod.CreatePermission, (b) => b.xorPeerAddress({ family: 6, host: "2a00::1", port: 1 }), creds), 1));
    expect(v6).toBe(443);
    const open = ready({ allowPrivatePeers: true, deniedPeers: ["10.9.9.9"] });
    expect(perm(open.s, "10.0.0.2", open.creds)).toBe(0);
    expect(perm(open.s, "10.9.9.9", open.creds)).toBe(403);
  });
});

describe("TurnServer: hostile input never throws", () => {
  it("answers malformed requests with 400 or 420, drops other garbage, and counts it", () => {
    const { s } = { s: makeServer() };
    allocate(s, 0);
    // A request with a comprehension-required attribute nobody knows: 420 with UNKNOWN-ATTRIBUTES.
    const unknown = request(StunMethod.Allocate, (b) => b.bytes(0x7777, new Uint8Array(4)));
    const m = ask(s, unknown, 1);
    expect(codeOf(m)).toBe(420);
    expect(m.unknownAttributes()).toEqual([0x7777]);
    // A bad XOR-PEER-ADDRESS value: 400.
    const bad = request(StunMethod.Binding, (b) => b.bytes(AttrType.XorPeerAddress, new Uint8Array([0, 9, 0, 0])));
    expect(codeOf(ask(s, bad, 1))).toBe(400);
    const rng = new SeededRandom(3);
    for (let i = 0; i < 4000; i++) {
      const n = rng.nextInt(120);
      const d = rng.fill(new Uint8Array(n));
      if (i % 3 === 0 && n >= 20) {
        d[0] = rng.nextInt(2);
        d[1] = [0x01, 0x03, 0x04, 0x08, 0x09, 0x16, 0x11][rng.nextInt(7)];
        d[2] = 0;
        d[3] = (n - 20) & ~3;
        d.set([0x21, 0x12, 0xa4, 0x42], 4);
      } else if (i % 3 === 1 && n > 0) d[0] = 0x40;
      const sliced = i % 3 === 0 && n >= 20 ? d.subarray(0, 20 + ((n - 20) & ~3)) : d;
      expect(() => s.handlePacket(sliced, CLIENT, 2 + i)).not.toThrow();
      expect(() => s.handleRelayed(d, { family: 4, host: "192.0.2.1", port: 50000 }, PEER, 2 + i)).not.toThrow();
    }
    drain(s);
    const st = s.stats;
    expect(st.droppedMalformed + st.droppedTruncated + st.droppedUnknownChannel + st.droppedUnexpected).toBeGreaterThan(0);
    expect(st.droppedFromPeers).toBeGreaterThan(0);
    expect(s.allocationCount).toBe(1);
  });
});
