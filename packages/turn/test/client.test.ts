import { type Address, type Millis, SeededRandom } from "@tsrtc/base";
import { AttrType, PasswordAlgorithm, StunBuilder, StunClass, StunMessage, StunMethod, longTermKey } from "@tsrtc/stun";
import { describe, expect, it } from "vitest";
import {
  FEATURE_PASSWORD_ALGORITHMS,
  TurnClient,
  type TurnClientConfig,
  type TurnClientEvent,
  TurnServer,
  type TurnServerOptions,
  securityFeatures,
} from "../src/index.js";

const SERVER: Address = { family: 4, host: "192.0.2.1", port: 3478 };
const LOCAL: Address = { family: 4, host: "10.0.0.1", port: 5000 };
const PEER: Address = { family: 4, host: "198.51.100.7", port: 6000 };

/** Our TurnServer core, relaying on ports 50000, 50001... of the server's IP. */
function turnServer(opts: Partial<TurnServerOptions> = {}): TurnServer {
  let port = 50000;
  const listening = opts.listening ?? SERVER;
  return new TurnServer({
    listening,
    realm: "example.org",
    users: { user: "pass", other: "pass" },
    rng: new SeededRandom(3),
    allocateRelay: () => ({ family: 4, host: listening.host, port: port++ }),
    // One nonce for the whole test unless a test asks otherwise: the timer tests count requests
    // over many minutes, and a 438 retry would add one (the 438 test sets its own lifetime).
    nonceLifetime: 86_400_000,
    ...opts,
  });
}

interface Rig {
  client: TurnClient;
  server: TurnServer;
  events: TurnClientEvent[];
  /** Every datagram the client sent, decoded when STUN. */
  sent: Uint8Array[];
  /** Every answer the server sent the client. */
  answers: Uint8Array[];
  /** Datagrams the server relayed to peers (from a relayed address). */
  relayed: { from: Address; to: Address; data: Uint8Array }[];
  /** Hand one datagram to the server; returns what it sent the client. */
  handle(data: Uint8Array, now: Millis): Uint8Array[];
  /** A peer sends `data` to the relayed address: what the server sends the client (undefined: dropped). */
  fromPeer(peer: Address, data: Uint8Array, now: Millis): Uint8Array | undefined;
  /** Run the exchange until both sides are quiet. */
  pump(now: Millis): void;
  /** Advance the virtual clock to `until`, firing the client's and the server's timers on the way. */
  advance(from: Millis, until: Millis): Millis;
}

/**
 * `force` answers the signed requests of one method with an error code the client cannot
 * provoke from the real server (442: our client only ever asks for UDP): a signed error
 * response built here, as a server that refuses would send it.
 */
function rig(cfg: Partial<TurnClientConfig> = {}, srv: Partial<TurnServerOptions> = {}, force?: { method: number; code: number }): Rig {
  const server = turnServer(srv);
  const client = new TurnClient({ server: SERVER, username: "user", password: "pass", local: LOCAL, rng: new SeededRandom(1), ...cfg });
  const events: TurnClientEvent[] = [];
  const sent: Uint8Array[] = [];
  const answers: Uint8Array[] = [];
  const relayed: Rig["relayed"] = [];
  const handle = (data: Uint8Array, now: Millis): Uint8Array[] => {
    if (force && data[0] < 4) {
      const m = StunMessage.decode(data.slice());
      if (m.method === force.method && m.cls === StunClass.Request && m.integrityAt >= 0) {
        const b = new StunBuilder().beginResponse(m, StunClass.ErrorResponse).errorCode(force.code, `error ${force.code}`);
        return [b.messageIntegrity(longTermKey("user", m.realm()!, "pass")).fingerprint().finish()];
      }
    }
    server.handlePacket(data, LOCAL, now);
    const out: Uint8Array[] = [];
    for (let t = server.pollTransmit(); t; t = server.pollTransmit()) {
      if (t.via === "relay") relayed.push({ from: t.from, to: t.to, data: t.data });
      else out.push(t.data);
    }
    answers.push(...out);
    return out;
  };
  const fromPeer = (peer: Address, data: Uint8Array, now: Millis): Uint8Array | undefined => {
    server.handleRelayed(data, client.relayed!, peer, now);
    const t = server.pollTransmit();
    expect(server.pollTransmit()).toBeUndefined();
    if (t) expect([t.via, t.from, t.to]).toEqual(["listening", SERVER, LOCAL]);
    return t?.data;
  };
  const pump = (now: Millis): void => {
    for (let i = 0; i < 100; i++) {
      let moved = false;
      for (let t = client.pollTransmit(); t; t = client.pollTransmit()) {
        moved = true;
        sent.push(t.data);
        expect(t.from).toEqual(LOCAL);
        if (t.to.host !== SERVER.host || t.to.port !== SERVER.port) continue;
        for (const o of handle(t.data, now)) client.handlePacket(o, SERVER, now);
      }
      for (let e = client.pollEvent(); e; e = client.pollEvent()) events.push(e);
      if (!moved) return;
    }
  };
  const advance = (from: Millis, until: Millis): Millis => {
    let now = from;
    for (let i = 0; i < 10_000; i++) {
      const t = Math.min(client.pollTimeout() ?? Infinity, server.pollTimeout() ?? Infinity);
      if (t === Infinity || t > until) break;
      now = Math.max(now, t);
      client.handleTimeout(now);
      server.handleTimeout(now);
      pump(now);
    }
    return until;
  };
  return { client, server, events, sent, answers, relayed, handle, fromPeer, pump, advance };
}

/** The NONCE of the server's first 401 challenge. */
function firstNonce(r: Rig): string {
  return StunMessage.decode(r.answers[0]).nonce()!;
}

function decodeSent(r: Rig, method: number): StunMessage[] {
  return r.sent.filter((d) => d[0] < 4).map((d) => StunMessage.decode(d)).filter((m) => m.method === method && m.cls === StunClass.Request);
}

function allocated(cfg: Partial<TurnClientConfig> = {}, srv: Partial<TurnServerOptions> = {}): Rig {
  const r = rig(cfg, srv);
  r.client.allocate(0);
  r.pump(0);
  expect(r.client.state).toBe("allocated");
  return r;
}

/**
 * A rig whose server answers the signed Allocate with `code`, each the real way where one
 * exists: quota 0 (486), no relayed address left (508), another user's allocation on our
 * 5-tuple (441), another allocation of ours on it (437); 442 is forced (see rig).
 */
function allocateErrorRig(code: number): Rig {
  switch (code) {
    case 486:
      return rig({}, { maxAllocationsPerUser: 0 });
    case 508:
      return rig({}, { allocateRelay: () => undefined });
    case 441:
    case 437: {
      const r = rig();
      const squatter = new TurnClient({ server: SERVER, username: code === 441 ? "other" : "user", password: "pass", local: LOCAL, rng: new SeededRandom(9) });
      squatter.allocate(0);
      for (let i = 0; i < 4; i++) {
        for (let t = squatter.pollTransmit(); t; t = squatter.pollTransmit()) for (const o of r.handle(t.data, 0)) squatter.handlePacket(o, SERVER, 0);
      }
      expect(squatter.state).toBe("allocated");
      r.answers.length = 0;
      return r;
    }
    default:
      return rig({}, {}, { method: StunMethod.Allocate, code });
  }
}

describe("TurnClient: Allocate with the long-term credential mechanism (RFC 8489 §9.2)", () => {
  it("sends an unauthenticated Allocate, answers the 401 with USERNAME/REALM/NONCE/MESSAGE-INTEGRITY, and allocates", () => {
    const r = rig({}, { realm: "tsrtc.test" });
    r.client.allocate(0);
    r.pump(0);
    const allocs = decodeSent(r, StunMethod.Allocate);
    expect(allocs).toHaveLength(2);
    expect(allocs[0].requestedTransport()).toBe(17);
    expect(allocs[0].integrityAt).toBe(-1);
    expect(allocs[0].username()).toBeUndefined();
    expect(allocs[1].username()).toBe("user");
    expect(allocs[1].realm()).toBe("tsrtc.test");
    expect(allocs[1].nonce()).toBe(firstNonce(r));
    expect(allocs[1].checkIntegrity(longTermKey("user", "tsrtc.test", "pass"))).toBe(true);
    expect(allocs[1].checkFingerprint()).toBe(true);
    const ev = r.events.find((e) => e.type === "allocated");
    expect(ev).toEqual({ type: "allocated", relayed: { family: 4, host: "192.0.2.1", port: 50000 }, mapped: LOCAL, lifetime: 600 });
    expect(r.client.relayed).toEqual({ family: 4, host: "192.0.2.1", port: 50000 });
    expect(r.client.stats.authChallenges).toBe(1);
  });

  it("uses SHA-256 and PASSWORD-ALGORITHM(S) when the nonce cookie announces them", () => {
    const r = rig({}, { passwordAlgorithms: [PasswordAlgorithm.MD5, PasswordAlgorithm.SHA256] });
    r.client.allocate(0);
    r.pump(0);
    expect(securityFeatures(firstNonce(r)) & FEATURE_PASSWORD_ALGORITHMS).not.toBe(0);
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
    // Nonces live 5 ms here: the one the allocation used is stale by t = 10.
    const r = allocated({}, { nonceLifetime: 5 });
    r.client.createPermission(PEER, 10);
    r.pump(10);
    const perms = decodeSent(r, StunMethod.CreatePermission);
    const stale = StunMessage.decode(r.answers.at(-2)!);
    expect(stale.errorCode()?.code).toBe(438);
    expect(perms.map((m) => m.nonce())).toEqual([firstNonce(r), stale.nonce()]);
    expect(stale.nonce()).not.toBe(firstNonce(r));
    expect(r.client.stats.staleNonces).toBe(1);
    expect(r.client.hasPermission(PEER)).toBe(true);
    expect(r.events).toContainEqual({ type: "permission", peer: PEER.host });
  });

  it.each([
    [486, "Allocation Quota Reached"],
    [508, "Insufficient Capacity"],
    [442, "Unsupported Transport Protocol"],
    [441, "Wrong Credentials"],
  ])("turns an Allocate error %i into a fatal error event", (code) => {
    const r = allocateErrorRig(code);
    r.client.allocate(0);
    r.pump(0);
    expect(r.client.state).toBe("failed");
    expect(r.events).toContainEqual(expect.objectContaining({ type: "error", operation: "allocate", code, fatal: true }));
  });

  it("retries an Allocate answered 437 once, 2 RTO later; a second 437 is fatal", () => {
    const r = allocateErrorRig(437);
    r.client.allocate(0);
    r.pump(0);
    expect(r.client.state).toBe("allocating");
    expect(r.client.pollTimeout()).toBe(1000);
    r.advance(0, 999);
    expect(decodeSent(r, StunMethod.Allocate)).toHaveLength(2);
    r.advance(999, 1000);
    expect(decodeSent(r, StunMethod.Allocate)).toHaveLength(3);
    expect(r.client.state).toBe("failed");
    expect(r.events).toContainEqual(expect.objectContaining({ type: "error", operation: "allocate", code: 437, fatal: true }));
  });

  it("after a 437 the retry allocates once the other allocation on the 5-tuple is released (RFC 8656 §7.2)", () => {
    const r = rig();
    // An allocation of ours on the same 5-tuple, about to be released (a dropped ICE agent's).
    const old = new TurnClient({ server: SERVER, username: "user", password: "pass", local: LOCAL, rng: new SeededRandom(9) });
    const exchange = (c: TurnClient, now: Millis) => {
      for (let i = 0; i < 4; i++) for (let t = c.pollTransmit(); t; t = c.pollTransmit()) for (const o of r.handle(t.data, now)) c.handlePacket(o, SERVER, now);
    };
    old.allocate(0);
    exchange(old, 0);
    expect(old.state).toBe("allocated");
    r.client.allocate(0);
    r.pump(0);
    expect(r.server.stats.responses[437]).toBe(1);
    expect(r.client.state).toBe("allocating");
    old.close(500);
    exchange(old, 500);
    expect(old.state).toBe("closed");
    expect(r.server.allocationCount).toBe(0);
    r.advance(500, 1000);
    expect(r.client.state).toBe("allocated");
    expect(r.server.allocationCount).toBe(1);
    expect(r.events.some((e) => e.type === "error")).toBe(false);
  });

  it("close() while the authenticated Allocate is in flight: stays closing, and releases the allocation its answer reports", () => {
    const r = rig();
    const c = r.client;
    c.allocate(0);
    // The unauthenticated Allocate and its 401, then the authenticated one reaches the server.
    for (const o of r.handle(c.pollTransmit()!.data, 0)) c.handlePacket(o, SERVER, 0);
    const signed = c.pollTransmit()!;
    const success = r.handle(signed.data, 0);
    expect(r.server.allocationCount).toBe(1);
    c.close(1);
    expect(c.state).toBe("closing");
    expect(c.pollTimeout()).toBeDefined();
    expect(c.handlePacket(success[0], SERVER, 2)).toBe("consumed");
    const release = c.pollTransmit()!;
    const m = StunMessage.decode(release.data.slice());
    expect([m.method, m.lifetime()]).toEqual([StunMethod.Refresh, 0]);
    for (const o of r.handle(release.data, 2)) c.handlePacket(o, SERVER, 2);
    expect(r.server.allocationCount).toBe(0);
    expect(c.state).toBe("closed");
    const events: TurnClientEvent[] = [];
    for (let e = c.pollEvent(); e; e = c.pollEvent()) events.push(e);
    expect(events).toEqual([{ type: "closed", reason: "released" }]);
  });

  it("close() while an Allocate is in flight: a lost answer is asked again by retransmission; an error answer ends it with nothing to release", () => {
    const r = rig();
    const c = r.client;
    c.allocate(0);
    for (const o of r.handle(c.pollTransmit()!.data, 0)) c.handlePacket(o, SERVER, 0);
    r.handle(c.pollTransmit()!.data, 0); // made; the answer is lost
    c.close(1);
    // The retransmission gets the same answer (§7.2): the allocation is then released.
    r.advance(1, 600);
    expect(decodeSent(r, StunMethod.Refresh).map((m) => m.lifetime())).toEqual([0]);
    expect(r.server.allocationCount).toBe(0);
    expect(c.state).toBe("closed");
    // Closed before the 401 came: no authenticated retry, nothing made.
    const r2 = rig();
    r2.client.allocate(0);
    const first = r2.client.pollTransmit()!;
    r2.client.close(0);
    for (const o of r2.handle(first.data, 0)) r2.client.handlePacket(o, SERVER, 0);
    expect(r2.client.state).toBe("closed");
    expect(r2.client.pollTransmit()).toBeUndefined();
    expect(r2.server.allocationCount).toBe(0);
  });

  it("follows a 300 (Try Alternate) to the ALTERNATE-SERVER", () => {
    const alt: Address = { family: 4, host: "192.0.2.2", port: 3478 };
    const r = rig({}, { alternateServer: alt });
    const second = turnServer({ listening: alt });
    const c = r.client;
    c.allocate(0);
    for (let i = 0; i < 10; i++) {
      for (let t = c.pollTransmit(); t; t = c.pollTransmit()) {
        const srv = t.to.host === alt.host ? second : r.server;
        srv.handlePacket(t.data, LOCAL, 0);
        for (let o = srv.pollTransmit(); o; o = srv.pollTransmit()) c.handlePacket(o.data, o.from, 0);
      }
    }
    for (let e = c.pollEvent(); e; e = c.pollEvent()) r.events.push(e);
    expect(r.events).toContainEqual({ type: "redirected", server: alt });
    expect(c.server).toEqual(alt);
    expect(c.state).toBe("allocated");
    expect(second.allocationCount).toBe(1);
    expect(r.server.allocationCount).toBe(0);
  });

  it("asks for an IPv6 relayed address with REQUESTED-ADDRESS-FAMILY, and reports 440 as fatal", () => {
    const r = rig({ relayFamily: 6 }, { relayFamilies: [4] });
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
    const r = allocated();
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
    expect(r.server.allocationCount).toBe(0);
  });

  it("refreshes a short allocation half-way", () => {
    const r = allocated({ lifetime: 60 }, { defaultLifetime: 60 });
    r.advance(0, 29_000);
    expect(decodeSent(r, StunMethod.Refresh)).toHaveLength(0);
    r.advance(29_000, 31_000);
    expect(decodeSent(r, StunMethod.Refresh)).toHaveLength(1);
  });

  it("refreshes permissions every 4 minutes and channel bindings every 5 (under 300 s and 10 min)", () => {
    const r = allocated({ lifetime: 3600 });
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
    const r = allocated();
    r.server.deallocate(LOCAL);
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
    expect(r.relayed).toEqual([{ from: r.client.relayed, to: PEER, data: payload }]);
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
    const ind = r.fromPeer(PEER, new Uint8Array([9, 8, 7]), 1)!;
    expect(r.client.handlePacket(ind, SERVER, 1)).toBe("data");
    expect(r.client.peer).toEqual(PEER);
    expect(Array.from(r.client.payload!)).toEqual([9, 8, 7]);
    r.client.bindChannel(PEER, 1);
    r.pump(1);
    const cd = r.fromPeer(PEER, new Uint8Array([6, 5]), 2)!;
    expect(cd[0]).toBe(0x40);
    expect(r.client.handlePacket(cd, SERVER, 2)).toBe("data");
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
    const r = allocated({}, { deniedPeers: [PEER.host] });
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
    const answer = r.handle(req.data, 1)[0];
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
    // Forge a Data indication from a stranger (the server would not relay it: build it by hand).
    const stranger: Address = { family: 4, host: "203.0.113.9", port: 1 };
    r.server.handleRelayed(new Uint8Array([1]), c.relayed!, stranger, 1);
    expect(r.server.pollTransmit()).toBeUndefined();
    const ind = new StunBuilder().begin(StunMethod.Data, StunClass.Indication, new Uint8Array(12).fill(7)).xorPeerAddress(stranger).data(new Uint8Array([1])).finish();
    expect(c.handlePacket(ind, SERVER, 1)).toBe("dropped");
    expect(c.stats.droppedNoPermission).toBe(1);
    // Not from the server at all: not the client's business.
    expect(c.handlePacket(ind, PEER, 1)).toBe("foreign");
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
