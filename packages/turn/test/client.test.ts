import { type Address, type Millis, SeededRandom } from "@tsrtc/base";
import { AttrType, PasswordAlgorithm, StunClass, StunMessage, StunMethod, longTermKey } from "@tsrtc/stun";
import { describe, expect, it } from "vitest";
import { TurnClient, type TurnClientConfig, type TurnClientEvent } from "../src/index.js";
import { FakeTurnServer, type FakeTurnOptions, announcesAlgorithms } from "./fake-server.js";

const SERVER: Address = { family: 4, host: "192.0.2.1", port: 3478 };
const LOCAL: Address = { family: 4, host: "10.0.0.1", port: 5000 };
const PEER: Address = { family: 4, host: "198.51.100.7", port: 6000 };

interface Rig {
  client: TurnClient;
  server: FakeTurnServer;
  events: TurnClientEvent[];
  /** Every datagram the client sent, decoded when STUN. */
  sent: Uint8Array[];
  /** Run the exchange until both sides are quiet. */
  pump(now: Millis): void;
  /** Advance the virtual clock to `until`, firing the client's timers on the way. */
  advance(from: Millis, until: Millis): Millis;
}

function rig(cfg: Partial<TurnClientConfig> = {}, srv: Partial<FakeTurnOptions> = {}): Rig {
  const server = new FakeTurnServer({ address: SERVER, users: { user: "pass" }, ...srv });
  const client = new TurnClient({ server: SERVER, username: "user", password: "pass", local: LOCAL, rng: new SeededRandom(1), ...cfg });
  const events: TurnClientEvent[] = [];
  const sent: Uint8Array[] = [];
  const pump = (now: Millis): void => {
    for (let i = 0; i < 100; i++) {
      let moved = false;
      for (let t = client.pollTransmit(); t; t = client.pollTransmit()) {
        moved = true;
        sent.push(t.data);
        expect(t.from).toEqual(LOCAL);
        const target = server.opts.address;
        if (t.to.host !== target.host || t.to.port !== target.port) continue;
        for (const o of server.handle(t.data, LOCAL, now)) client.handlePacket(o.data, target, now);
      }
      for (let e = client.pollEvent(); e; e = client.pollEvent()) events.push(e);
      if (!moved) return;
    }
  };
  const advance = (from: Millis, until: Millis): Millis => {
    let now = from;
    for (let i = 0; i < 10_000; i++) {
      const t = client.pollTimeout();
      if (t === undefined || t > until) break;
      now = Math.max(now, t);
      client.handleTimeout(now);
      pump(now);
    }
    return until;
  };
  return { client, server, events, sent, pump, advance };
}

function decodeSent(r: Rig, method: number): StunMessage[] {
  return r.sent.filter((d) => d[0] < 4).map((d) => StunMessage.decode(d)).filter((m) => m.method === method && m.cls === StunClass.Request);
}

function allocated(cfg: Partial<TurnClientConfig> = {}, srv: Partial<FakeTurnOptions> = {}): Rig {
  const r = rig(cfg, srv);
  r.client.allocate(0);
  r.pump(0);
  expect(r.client.state).toBe("allocated");
  return r;
}

describe("TurnClient: Allocate with the long-term credential mechanism (RFC 8489 §9.2)", () => {
  it("sends an unauthenticated Allocate, answers the 401 with USERNAME/REALM/NONCE/MESSAGE-INTEGRITY, and allocates", () => {
    const r = rig({}, { realm: "tsrtc.test", lifetime: 600 });
    r.client.allocate(0);
    r.pump(0);
    const allocs = decodeSent(r, StunMethod.Allocate);
    expect(allocs).toHaveLength(2);
    expect(allocs[0].requestedTransport()).toBe(17);
    expect(allocs[0].integrityAt).toBe(-1);
    expect(allocs[0].username()).toBeUndefined();
    expect(allocs[1].username()).toBe("user");
    expect(allocs[1].realm()).toBe("tsrtc.test");
    expect(allocs[1].nonce()).toBe("nonce-1");
    expect(allocs[1].checkIntegrity(longTermKey("user", "tsrtc.test", "pass"))).toBe(true);
    expect(allocs[1].checkFingerprint()).toBe(true);
    const ev = r.events.find((e) => e.type === "allocated");
    expect(ev).toEqual({ type: "allocated", relayed: { family: 4, host: "192.0.2.1", port: 50000 }, mapped: LOCAL, lifetime: 600 });
    expect(r.client.relayed).toEqual({ family: 4, host: "192.0.2.1", port: 50000 });
    expect(r.client.stats.authChallenges).toBe(1);
  });

  it("uses SHA-256 and PASSWORD-ALGORITHM(S) when the nonce cookie announces them", () => {
    const r = rig({}, { algorithms: [PasswordAlgorithm.MD5, PasswordAlgorithm.SHA256] });
    expect(announcesAlgorithms(r.server.nonce)).toBe(true);
    r.client.allocate(0);
    r.pump(0);
    expect(r.client.state).toBe("allocated");
    const signed = decodeSent(r, StunMethod.Allocate)[1];
    expect(signed.passwordAlgorithm()?.algorithm).toBe(PasswordAlgorithm.SHA256);
    expect(signed.passwordAlgorithms()?.map((a) => a.algorithm)).toEqual([1, 2]);
    expect(signed.integritySha256At).toBeGreaterThan(0);
    expect(signed.integrityAt).toBe(-1);
    expect(signed.checkIntegritySha256(longTermKey("user", "example.org", "pass", PasswordAlgorithm.SHA256))).toBe(true);
  });

  it("fails with a fatal 401 when the password is wrong, without looping", () => {
    const r = rig({ password: "wrong" });
    r.client.allocate(0);
    r.pump(0);
    expect(r.client.state).toBe("failed");
    expect(decodeSent(r, StunMethod.Allocate)).toHaveLength(2);
    expect(r.events).toContainEqual(expect.objectContaining({ type: "error", operation: "allocate", code: 401, fatal: true }));
    expect(r.events.at(-1)).toEqual({ type: "closed", reason: "failed" });
  });

  it("retries with the fresh nonce of a 438 (Stale Nonce)", () => {
    const r = allocated();
    r.server.nonce = "nonce-2";
    r.client.createPermission(PEER, 10);
    r.pump(10);
    const perms = decodeSent(r, StunMethod.CreatePermission);
    expect(perms.map((m) => m.nonce())).toEqual(["nonce-1", "nonce-2"]);
    expect(r.client.stats.staleNonces).toBe(1);
    expect(r.client.hasPermission(PEER)).toBe(true);
    expect(r.events).toContainEqual({ type: "permission", peer: PEER.host });
  });

  it.each([
    [486, "Allocation Quota Reached"],
    [508, "Insufficient Capacity"],
    [442, "Unsupported Transport Protocol"],
    [441, "Wrong Credentials"],
    [437, "Allocation Mismatch"],
  ])("turns an Allocate error %i into a fatal error event", (code) => {
    const r = rig({}, { errors: { [StunMethod.Allocate]: code } });
    r.client.allocate(0);
    r.pump(0);
    expect(r.client.state).toBe("failed");
    expect(r.events).toContainEqual(expect.objectContaining({ type: "error", operation: "allocate", code, fatal: true }));
  });

  it("follows a 300 (Try Alternate) to the ALTERNATE-SERVER", () => {
    const alt: Address = { family: 4, host: "192.0.2.2", port: 3478 };
    const r = rig({}, { errors: { [StunMethod.Allocate]: 300 }, alternate: alt });
    const second = new FakeTurnServer({ address: alt, users: { user: "pass" } });
    const c = r.client;
    c.allocate(0);
    for (let i = 0; i < 10; i++) {
      for (let t = c.pollTransmit(); t; t = c.pollTransmit()) {
        const srv = t.to.host === alt.host ? second : r.server;
        for (const o of srv.handle(t.data, LOCAL, 0)) c.handlePacket(o.data, srv.address, 0);
      }
    }
    for (let e = c.pollEvent(); e; e = c.pollEvent()) r.events.push(e);
    expect(r.events).toContainEqual({ type: "redirected", server: alt });
    expect(c.server).toEqual(alt);
    expect(c.state).toBe("allocated");
    expect(second.allocations.size).toBe(1);
    expect(r.server.allocations.size).toBe(0);
  });

  it("asks for an IPv6 relayed address with REQUESTED-ADDRESS-FAMILY, and reports 440 as fatal", () => {
    const r = rig({ relayFamily: 6 }, { errors: { [StunMethod.Allocate]: 440 } });
    r.client.allocate(0);
    r.pump(0);
    const allocs = decodeSent(r, StunMethod.Allocate);
    expect(allocs[0].requestedAddressFamily()).toBe(2);
    expect(allocs[1].requestedAddressFamily()).toBe(2);
    expect(r.events).toContainEqual(expect.objectContaining({ type: "error", operation: "allocate", code: 440, fatal: true }));
    const v4 = allocated();
    expect(decodeSent(v4, StunMethod.Allocate)[0].requestedAddressFamily()).toBeUndefined();
  });

  it("matches the server's datagrams by the canonical form of its IP literal", () => {
    const c = new TurnClient({ server: { family: 6, host: "2001:DB8:0::1", port: 3478 }, username: "u", password: "p" });
    expect(c.server).toEqual({ family: 6, host: "2001:db8::1", port: 3478 });
    expect(c.handlePacket(new Uint8Array([1]), { family: 6, host: "2001:db8::1", port: 3478 }, 0)).toBe("dropped");
    expect(c.handlePacket(new Uint8Array([1]), { family: 6, host: "2001:db8::2", port: 3478 }, 0)).toBe("foreign");
  });

  it("times out an Allocate nobody answers after the RFC 8489 retransmissions", () => {
    const client = new TurnClient({ server: SERVER, username: "u", password: "p", rng: new SeededRandom(2) });
    client.allocate(0);
    let sends = 0;
    let now = 0;
    for (let i = 0; i < 20; i++) {
      while (client.pollTransmit()) sends++;
      const t = client.pollTimeout();
      if (t === undefined) break;
      now = t;
      client.handleTimeout(now);
    }
    expect(sends).toBe(7);
    expect(now).toBe(39_500);
    expect(client.state).toBe("failed");
  });
});

describe("TurnClient: timers on a virtual clock", () => {
  it("refreshes the allocation a minute before it expires, and releases it with LIFETIME 0", () => {
    const r = allocated({}, { lifetime: 600 });
    let now = r.advance(0, 539_000);
    expect(decodeSent(r, StunMethod.Refresh)).toHaveLength(0);
    now = r.advance(now, 541_000);
    const refreshes = decodeSent(r, StunMethod.Refresh);
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0].lifetime()).toBe(600);
    expect(r.events).toContainEqual({ type: "refreshed", lifetime: 600 });
    // The next one is due 540 s after that one succeeded.
    now = r.advance(now, 540_000 + 539_000);
    expect(decodeSent(r, StunMethod.Refresh)).toHaveLength(1);
    now = r.advance(now, 540_000 + 541_000);
    expect(decodeSent(r, StunMethod.Refresh)).toHaveLength(2);
    r.client.close(now);
    r.pump(now);
    const last = decodeSent(r, StunMethod.Refresh).at(-1)!;
    expect(last.lifetime()).toBe(0);
    expect(r.client.state).toBe("closed");
    expect(r.events.at(-1)).toEqual({ type: "closed", reason: "released" });
    expect(r.server.allocations.size).toBe(0);
  });

  it("refreshes a short allocation half-way", () => {
    const r = allocated({ lifetime: 60 }, { lifetime: 60 });
    r.advance(0, 29_000);
    expect(decodeSent(r, StunMethod.Refresh)).toHaveLength(0);
    r.advance(29_000, 31_000);
    expect(decodeSent(r, StunMethod.Refresh)).toHaveLength(1);
  });

  it("refreshes permissions every 4 minutes and channel bindings every 5 (under 300 s and 10 min)", () => {
    const r = allocated({}, { lifetime: 3600 });
    r.client.createPermission(PEER, 0);
    r.client.bindChannel({ ...PEER, port: 6001 }, 0);
    r.pump(0);
    expect(decodeSent(r, StunMethod.CreatePermission)).toHaveLength(1);
    expect(decodeSent(r, StunMethod.ChannelBind)).toHaveLength(1);
    r.advance(0, 239_000);
    expect(decodeSent(r, StunMethod.CreatePermission)).toHaveLength(1);
    r.advance(239_000, 241_000);
    expect(decodeSent(r, StunMethod.CreatePermission)).toHaveLength(2);
    r.advance(241_000, 299_000);
    expect(decodeSent(r, StunMethod.ChannelBind)).toHaveLength(1);
    r.advance(299_000, 301_000);
    const binds = decodeSent(r, StunMethod.ChannelBind);
    expect(binds).toHaveLength(2);
    expect(binds[1].channelNumber()).toBe(0x4000);
    r.advance(301_000, 1_000_000);
    // Channel: 300, 600, 900 s. Each ChannelBind also refreshes the peer's permission (§12.1),
    // so the permission's own refreshes come 240 s after the latest of either: 240, 540, 840 s.
    expect(decodeSent(r, StunMethod.CreatePermission)).toHaveLength(4);
    expect(decodeSent(r, StunMethod.ChannelBind)).toHaveLength(4);
    expect(r.client.state).toBe("allocated");
  });

  it("reports a lost allocation (437 to a Refresh) as fatal", () => {
    const r = allocated({}, { lifetime: 600 });
    r.server.allocations.clear();
    r.advance(0, 541_000);
    expect(r.client.state).toBe("failed");
    expect(r.events).toContainEqual(expect.objectContaining({ type: "error", operation: "refresh", code: 437, fatal: true }));
  });
});

describe("TurnClient: data through the relay", () => {
  it("holds data until the permission is installed, then sends Send indications; ChannelData once bound", () => {
    const r = allocated();
    const payload = new Uint8Array([1, 2, 3, 4, 5]);
    expect(r.client.send(PEER, payload, 0)).toBe(true);
    // Nothing relayed before the CreatePermission success: the datagram waited.
    const before = r.sent.length;
    r.pump(0);
    expect(r.server.relayed).toEqual([{ from: r.client.relayed, to: PEER, data: payload }]);
    const ind = r.sent.slice(before).map((d) => StunMessage.decode(d)).find((m) => m.method === StunMethod.Send)!;
    expect(ind.cls).toBe(StunClass.Indication);
    expect(ind.xorPeerAddress()).toEqual(PEER);
    expect(r.client.stats.sendIndicationsOut).toBe(1);

    expect(r.client.bindChannel(PEER, 1)).toBe(0x4000);
    r.pump(1);
    expect(r.events).toContainEqual({ type: "channel", peer: PEER, channel: 0x4000 });
    r.client.send(PEER, payload, 2);
    const t = r.client.pollTransmit()!;
    expect(Array.from(t.data)).toEqual([0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5]);
    expect(r.client.stats.channelDataOut).toBe(1);
  });

  it("hands back data from Data indications and ChannelData as coming from the peer", () => {
    const r = allocated();
    r.client.createPermission(PEER, 0);
    r.pump(0);
    const ind = r.server.fromPeer(PEER, r.client.relayed!, new Uint8Array([9, 8, 7]))!;
    expect(r.client.handlePacket(ind.data, SERVER, 1)).toBe("data");
    expect(r.client.peer).toEqual(PEER);
    expect(Array.from(r.client.payload!)).toEqual([9, 8, 7]);
    r.client.bindChannel(PEER, 1);
    r.pump(1);
    const cd = r.server.fromPeer(PEER, r.client.relayed!, new Uint8Array([6, 5]))!;
    expect(cd.data[0]).toBe(0x40);
    expect(r.client.handlePacket(cd.data, SERVER, 2)).toBe("data");
    expect(r.client.peer).toEqual(PEER);
    expect(Array.from(r.client.payload!)).toEqual([6, 5]);
    // Padding to 4 bytes is allowed over UDP (RFC 8656 §12.5).
    const padded = new Uint8Array([0x40, 0x00, 0x00, 0x02, 6, 5, 0, 0]);
    expect(r.client.handlePacket(padded, SERVER, 3)).toBe("data");
    expect(r.client.payload!.length).toBe(2);
    expect(r.client.stats.channelDataIn).toBe(2);
    expect(r.client.stats.dataIndicationsIn).toBe(1);
  });

  it("keeps at most maxPermissions permissions, forgetting the oldest without a channel", () => {
    const r = allocated({ maxPermissions: 3 });
    const peer = (i: number): Address => ({ family: 4, host: `198.51.100.${i}`, port: 7000 });
    r.client.bindChannel(peer(1), 0);
    for (let i = 2; i <= 5; i++) r.client.createPermission(peer(i), 0);
    r.pump(0);
    // 1 has a channel and stays; 2 and 3 were forgotten to make room for 4 and 5.
    expect([1, 2, 3, 4, 5].map((i) => r.client.hasPermission(peer(i)))).toEqual([true, false, false, true, true]);
    const before = decodeSent(r, StunMethod.CreatePermission).length;
    r.advance(0, 250_000);
    const refreshed = decodeSent(r, StunMethod.CreatePermission).slice(before).map((m) => m.xorPeerAddress()!.host);
    expect(refreshed.sort()).toEqual(["198.51.100.1", "198.51.100.4", "198.51.100.5"]);
  });

  it("reports a 403 permission refusal without losing the allocation", () => {
    const r = allocated({}, { forbiddenPeers: [PEER.host] });
    r.client.send(PEER, new Uint8Array([1]), 0);
    r.pump(0);
    expect(r.events).toContainEqual(expect.objectContaining({ type: "error", operation: "permission", code: 403, fatal: false }));
    expect(r.client.state).toBe("allocated");
    expect(r.client.stats.droppedOutgoing).toBe(1);
    expect(r.client.send(PEER, new Uint8Array([1]), 1)).toBe(false);
  });
});

describe("TurnClient: hostile input is dropped and counted, never thrown", () => {
  it("drops a response with a bad MESSAGE-INTEGRITY and keeps waiting for the real one", () => {
    const r = rig();
    r.client.allocate(0);
    r.pump(0); // allocated through the 401 round
    const c = r.client;
    c.createPermission(PEER, 1);
    const req = c.pollTransmit()!;
    const answer = r.server.handle(req.data, LOCAL, 1)[0].data;
    // Without its FINGERPRINT (so that check passes), and one bit of MESSAGE-INTEGRITY flipped.
    const forged = answer.slice(0, answer.length - 8);
    forged[3] -= 8;
    forged[forged.length - 1] ^= 0x01;
    expect(c.handlePacket(forged, SERVER, 2)).toBe("dropped");
    expect(c.stats.droppedBadIntegrity).toBe(1);
    expect(c.hasPermission(PEER)).toBe(false);
    expect(c.handlePacket(answer, SERVER, 3)).toBe("consumed");
    expect(c.hasPermission(PEER)).toBe(true);
    // A replay of the same answer matches no transaction any more.
    expect(c.handlePacket(answer, SERVER, 4)).toBe("dropped");
    expect(c.stats.droppedUnmatched).toBe(1);
  });

  it("drops truncated ChannelData, unknown channels, and Data indications from peers without permission", () => {
    const r = allocated();
    r.client.bindChannel(PEER, 0);
    r.pump(0);
    const c = r.client;
    expect(c.handlePacket(new Uint8Array([0x40, 0x00, 0x00, 0x08, 1, 2]), SERVER, 1)).toBe("dropped");
    expect(c.handlePacket(new Uint8Array([0x40, 0x00]), SERVER, 1)).toBe("dropped");
    expect(c.handlePacket(new Uint8Array([0x40, 0x00, 0x00, 0x01, 1, 0, 0, 0, 0]), SERVER, 1)).toBe("dropped");
    expect(c.stats.droppedTruncated).toBe(3);
    expect(c.handlePacket(new Uint8Array([0x40, 0x07, 0x00, 0x01, 1]), SERVER, 1)).toBe("dropped");
    expect(c.stats.droppedUnknownChannel).toBe(1);
    // Forge a Data indication from a stranger (the fake server would not relay it: build it by hand).
    const stranger: Address = { family: 4, host: "203.0.113.9", port: 1 };
    const forgeFrom = new FakeTurnServer({ address: SERVER });
    forgeFrom.allocations.set("x", {
      client: LOCAL,
      relayed: c.relayed!,
      expiresAt: Infinity,
      permissions: new Map([[stranger.host, Infinity]]),
      channels: new Map(),
      username: "user",
    });
    const ind = forgeFrom.fromPeer(stranger, c.relayed!, new Uint8Array([1]))!;
    expect(c.handlePacket(ind.data, SERVER, 1)).toBe("dropped");
    expect(c.stats.droppedNoPermission).toBe(1);
    // Not from the server at all: not the client's business.
    expect(c.handlePacket(ind.data, PEER, 1)).toBe("foreign");
  });

  it("survives random datagrams from the server address", () => {
    const r = allocated();
    r.client.bindChannel(PEER, 0);
    r.pump(0);
    const rng = new SeededRandom(99);
    for (let i = 0; i < 3000; i++) {
      const n = rng.nextInt(80);
      const d = rng.fill(new Uint8Array(n));
      if (i % 3 === 0 && n >= 20) {
        // A STUN-looking header with random attributes.
        d[0] = rng.nextInt(4);
        d[2] = 0;
        d[3] = (n - 20) & ~3;
        d[4] = 0x21;
        d[5] = 0x12;
        d[6] = 0xa4;
        d[7] = 0x42;
      } else if (i % 3 === 1 && n > 0) d[0] = 0x40;
      expect(() => r.client.handlePacket(d, SERVER, i)).not.toThrow();
    }
    expect(r.client.state).toBe("allocated");
    const s = r.client.stats;
    expect(s.droppedMalformed + s.droppedTruncated + s.droppedUnknownChannel + s.droppedUnmatched + s.droppedUnexpected).toBeGreaterThan(0);
  });

  it("ignores a success response carrying an unknown transaction id", () => {
    const r = allocated();
    const data = encode(new Uint8Array(12).fill(3));
    expect(r.client.handlePacket(data, SERVER, 1)).toBe("dropped");
    expect(r.client.stats.droppedUnmatched).toBe(1);
  });
});

function encode(tid: Uint8Array): Uint8Array {
  // A Refresh success response for a transaction nobody started.
  const out = new Uint8Array(20 + 8);
  out[0] = 0x01;
  out[1] = 0x04;
  out[3] = 8;
  out.set([0x21, 0x12, 0xa4, 0x42], 4);
  out.set(tid, 8);
  out.set([0x00, AttrType.Lifetime, 0, 4, 0, 0, 2, 88], 20);
  return out;
}
