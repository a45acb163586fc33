/**
 * Peer restart and the handshake chunks that meet an existing association (RFC 9260 §5.2):
 * INIT while established (§5.2.2), the COOKIE ECHO table (§5.2.4), duplicate COOKIE ACK
 * (§5.2.5), Stale Cookie (§5.2.6), malformed INITs (§3.3.2), and what the data-channel table
 * does with a restart.
 */
import fc from "fast-check";
import { SeededRandom, address } from "@tsrtc/base";
import { Simulation, pointToPoint } from "@tsrtc/testkit";
import { describe, expect, it } from "vitest";
import { CAPS, chunksOf, events, make, packet, pump, tagOf, take, takeAll } from "./by-hand.js";
import { SctpAssociation, type SctpOptions } from "../src/association.js";
import { ChunkType, ErrorCause, ParamType, Ppid } from "../src/constants.js";
import { decodeCauses, encodeCookieEcho, encodeEmpty } from "../src/chunks/control.js";
import { decodeData, encodeData } from "../src/chunks/data.js";
import { decodeInit, encodeInit } from "../src/chunks/init.js";
import type { SctpEvent } from "../src/events.js";
import { type DataChannel, type DataChannelEvent } from "../src/datachannel/channel.js";
import { DataChannelTable } from "../src/datachannel/table.js";
import { encodeChunk } from "../src/packet.js";
import { summarizeInitParams } from "../src/params/init-params.js";

/** a connects, b answers (b never calls connect): the simplest established pair, driven by hand. */
function established(optsA: Partial<SctpOptions> = {}, optsB: Partial<SctpOptions> = {}) {
  const a = make(11, optsA);
  const b = make(22, optsB);
  a.connect(0);
  let cookieEcho: Uint8Array | undefined;
  for (let round = 0; round < 10; round++) {
    for (const d of takeAll(a)) {
      if (d[12] === ChunkType.COOKIE_ECHO) cookieEcho = d;
      b.handlePacket(d, 0);
    }
    for (const d of takeAll(b)) a.handlePacket(d, 0);
  }
  expect(a.isEstablished && b.isEstablished).toBe(true);
  expect(events(a)).toEqual([{ type: "connected" }]);
  expect(events(b)).toEqual([{ type: "connected" }]);
  return { a, b, cookieEcho: cookieEcho! };
}

/** One message a -> b and one b -> a, delivered. */
function exchange(a: SctpAssociation, b: SctpAssociation, now: number, seed = 1): void {
  const m1 = new SeededRandom(seed).fill(new Uint8Array(300));
  const m2 = new SeededRandom(seed + 1).fill(new Uint8Array(200));
  a.send(1, Ppid.BINARY, m1);
  b.send(2, Ppid.BINARY, m2);
  pump(a, b, now);
  const ea = events(a).filter((e) => e.type === "message");
  const eb = events(b).filter((e) => e.type === "message");
  expect(eb).toHaveLength(1);
  expect(ea).toHaveLength(1);
  expect(eb[0].type === "message" && eb[0].data).toEqual(m1);
  expect(ea[0].type === "message" && ea[0].data).toEqual(m2);
}

/** An INIT packet as a peer that ignores Cookie Preservatives sees it; other packets unchanged. */
function withoutPreservative(p: Uint8Array): Uint8Array {
  if (p[12] !== ChunkType.INIT) return p;
  const c = chunksOf(p)[0];
  const init = decodeInit(c.type, c.value);
  return packet(tagOf(p), encodeInit({ ...init, params: init.params.filter((x) => x.type !== ParamType.COOKIE_PRESERVATIVE) }));
}

function initTagOf(p: Uint8Array): number {
  const c = chunksOf(p)[0];
  expect(c.type).toBe(ChunkType.INIT);
  return decodeInit(c.type, c.value).initiateTag;
}

function initAckOf(p: Uint8Array) {
  const c = chunksOf(p)[0];
  expect(c.type).toBe(ChunkType.INIT_ACK);
  const ack = decodeInit(c.type, c.value);
  return { ack, cookie: summarizeInitParams(ack.params).cookie! };
}

function rawInitPacket(tag: number): Uint8Array {
  return packet(0, rawInit({ tag }));
}

function rawInit(fields: Partial<{ tag: number; os: number; mis: number; tsn: number }> = {}): Uint8Array {
  return encodeInit({
    type: ChunkType.INIT,
    initiateTag: fields.tag ?? 0x1234567,
    aRwnd: 65536,
    outStreams: fields.os ?? 16,
    inStreams: fields.mis ?? 16,
    initialTsn: fields.tsn ?? 99,
    params: CAPS,
  });
}

describe("peer restart (RFC 9260 §5.2.2, §5.2.4 A)", () => {
  it("an INIT while established is answered per §5.2.2: INIT-ACK to the INIT's tag with a new Initiate Tag, the association untouched", () => {
    const { a, b } = established({ streams: 300 });
    const before = { ...a.negotiated! };
    const c = make(33);
    c.connect(0);
    const init = take(c);
    const cTag = initTagOf(init);
    a.handlePacket(init, 10);
    const reply = take(a, 10);
    expect(a.pollTransmit(10)).toBeUndefined();
    expect(tagOf(reply)).toBe(cTag);
    const { ack, cookie } = initAckOf(reply);
    expect(ack.initiateTag).not.toBe(0);
    expect(ack.initiateTag).not.toBe(before.localTag);
    expect(ack.initialTsn).not.toBe(before.localInitialTsn);
    // "other parameters ... copied from the existing parameters of the association"
    expect(ack.outStreams).toBe(300);
    expect(ack.inStreams).toBe(300);
    expect(cookie.length).toBeGreaterThan(0);
    // §5.2.2: "the existing association ... MUST NOT be changed"
    expect(a.state).toBe("established");
    expect(a.negotiated).toEqual(before);
    expect(events(a)).toEqual([]);
    expect(a.stats.initAnswered).toBe(1);
    expect(a.stats.restarts).toBe(0);
    exchange(a, b, 20);
  });

  it("a restarted peer: the handshake completes, 'restarted' (not 'connected'), new tags, TSN and SSN start over, old data is dropped", () => {
    const sim = new Simulation({ seed: 3, conditions: { delay: 10 } });
    const A = address("10.0.0.1", 5000);
    const B = address("10.0.0.2", 5000);
    const a = make(1);
    const evA: SctpEvent[] = [];
    const sentByA: { tsn: number; stream: number; ssn: number; ppid: number }[] = [];
    sim.addNode(pointToPoint(a, A, B, {
      afterInput: () => evA.push(...events(a)),
      poll: (x) => {
        const d = x.pollTransmit(sim.now);
        if (d) for (const c of chunksOf(d)) if (c.type === ChunkType.DATA || c.type === ChunkType.I_DATA) {
          const dc = decodeData(c.type, c.flags, c.value);
          sentByA.push({ tsn: dc.tsn, stream: dc.stream, ssn: dc.mid, ppid: dc.ppid });
        }
        return d;
      },
    }));
    const addPeer = (seed: number) => {
      const x = make(seed);
      const ev: SctpEvent[] = [];
      const node = pointToPoint(x, B, A, { afterInput: () => ev.push(...events(x)), poll: (y) => y.pollTransmit(sim.now) });
      sim.addNode(node);
      return { x, ev, node };
    };
    const b = addPeer(2);
    a.connect(0);
    b.x.connect(0);
    expect(sim.runUntil(() => a.isEstablished && b.x.isEstablished, { maxTime: 5000 })).toBe(true);
    for (let i = 0; i < 5; i++) a.send(0, Ppid.BINARY, Uint8Array.of(i, 1, 2, 3));
    expect(sim.runUntil(() => b.ev.filter((e) => e.type === "message").length === 5, { maxTime: 5000 })).toBe(true);
    const old = { ...a.negotiated! };
    const oldCount = sentByA.length;
    expect(sentByA.at(-1)!.ssn).toBe(4);

    // B loses its state; a fresh association takes its place on the same address and ports.
    sim.removeNode(b.node);
    a.send(0, Ppid.BINARY, new Uint8Array(5000)); // in flight or queued when the peer restarts
    sim.runFor(30);
    const b2 = addPeer(77);
    b2.x.connect(sim.now);
    expect(sim.runUntil(() => b2.x.isEstablished && evA.some((e) => e.type === "restarted"), { maxTime: 10_000 })).toBe(true);
    sim.runFor(100);

    expect(evA.filter((e) => e.type === "connected")).toHaveLength(1);
    expect(evA.filter((e) => e.type === "restarted")).toHaveLength(1);
    expect(evA.some((e) => e.type === "closed")).toBe(false);
    expect(a.stats.restarts).toBe(1);
    const now = a.negotiated!;
    const peer = b2.x.negotiated!;
    expect(now.localTag).not.toBe(old.localTag);
    expect(now.peerTag).not.toBe(old.peerTag);
    expect(now.localTag).toBe(peer.peerTag);
    expect(now.peerTag).toBe(peer.localTag);
    expect(now.localInitialTsn).toBe(peer.peerInitialTsn);
    expect(now.peerInitialTsn).toBe(peer.localInitialTsn);
    // what was queued or in flight went with the old association
    expect(a.bufferedAmount(0)).toBe(0);

    a.send(0, Ppid.BINARY, Uint8Array.of(9, 9, 9));
    b2.x.send(0, Ppid.BINARY, Uint8Array.of(8, 8));
    expect(sim.runUntil(() => evA.some((e) => e.type === "message" && e.data[0] === 8) && b2.ev.some((e) => e.type === "message"), { maxTime: 5000 })).toBe(true);
    const fresh = sentByA.slice(oldCount).filter((d) => d.ppid === Ppid.BINARY && d.stream === 0);
    const first = fresh.find((d) => ((d.tsn - now.localInitialTsn) >>> 0) < 0x80000000)!;
    // TSNs start again at the new initial TSN, stream sequence numbers at 0
    expect(first.tsn).toBe(now.localInitialTsn);
    expect(first.ssn).toBe(0);
    const got = b2.ev.filter((e) => e.type === "message");
    expect(got).toHaveLength(1);
    expect(got[0].type === "message" && Array.from(got[0].data)).toEqual([9, 9, 9]);
  });

  it("data channels across a restart: every channel gets error then close (the table's documented behaviour), ids are free again, new channels open and carry messages", () => {
    const sim = new Simulation({ seed: 9, conditions: { delay: 10 } });
    const A = address("10.0.0.1", 5000);
    const B = address("10.0.0.2", 5000);
    interface Side { assoc: SctpAssociation; table: DataChannelTable; log: string[]; incoming: DataChannel[]; got: Map<DataChannel, (string | Uint8Array)[]>; sctp: SctpEvent[] }
    const side = (seed: number, role: "client" | "server"): Side => {
      const assoc = make(seed);
      const table = new DataChannelTable();
      table.setRole(role);
      table.attach(assoc);
      return { assoc, table, log: [], incoming: [], got: new Map(), sctp: [] };
    };
    const pumpSide = (s: Side) => () => {
      for (let e = s.assoc.pollEvent(); e; e = s.assoc.pollEvent()) {
        s.sctp.push(e);
        s.table.handleEvent(e);
      }
      for (let e: DataChannelEvent | undefined = s.table.pollEvent(); e; e = s.table.pollEvent()) {
        if (e.type === "datachannel") s.incoming.push(e.channel);
        if (e.type === "message") {
          const list = s.got.get(e.channel) ?? [];
          list.push(e.data);
          s.got.set(e.channel, list);
        } else if (e.type !== "datachannel") s.log.push(`${e.channel.label}:${e.type}${e.type === "error" ? `:${e.message}` : ""}`);
      }
    };
    const a = side(1, "client");
    sim.addNode(pointToPoint(a.assoc, A, B, { afterInput: pumpSide(a), poll: (x) => x.pollTransmit(sim.now) }));
    const attachB = (seed: number) => {
      const s = side(seed, "server");
      const node = pointToPoint(s.assoc, B, A, { afterInput: pumpSide(s), poll: (x) => x.pollTransmit(sim.now) });
      sim.addNode(node);
      return { s, node };
    };
    const settle = (ms: number, ...sides: Side[]) => {
      sim.runFor(ms);
      for (const s of sides) pumpSide(s)();
    };
    const b = attachB(2);
    const x = a.table.create("x");
    const y = b.s.table.create("y");
    const nA = a.table.create("neg", { negotiated: true, id: 10 });
    const nB = b.s.table.create("neg", { negotiated: true, id: 10 });
    const v = a.table.create("v");
    a.assoc.connect(0);
    b.s.assoc.connect(0);
    settle(500, a, b.s);
    expect([x.state, y.state, nA.state, nB.state]).toEqual(["open", "open", "open", "open"]);
    expect(x.id).toBe(0);
    a.table.send(x, "hello");
    b.s.table.send(nB, "neg-hello");
    settle(500, a, b.s);
    expect(b.s.got.get(b.s.incoming.find((c) => c.label === "x")!)).toEqual(["hello"]);
    expect(a.got.get(nA)).toEqual(["neg-hello"]);
    const yAtA = a.incoming.find((c) => c.label === "y")!;
    a.log.length = 0;
    // B closes "v" by stream reset and then loses its state before our own reset gets through
    b.s.table.close(b.s.incoming.find((c) => c.label === "v")!);
    expect(sim.runUntil(() => a.log.includes("v:closing"), { maxTime: 1000 })).toBe(true);

    // B restarts: a new association (and table) on the same address sends INIT
    sim.removeNode(b.node);
    const b2 = attachB(3);
    b2.s.assoc.connect(sim.now);
    expect(sim.runUntil(() => b2.s.assoc.isEstablished && a.sctp.some((e) => e.type === "restarted"), { maxTime: 10_000 })).toBe(true);
    settle(100, a, b2.s);

    // RFC 9260 §5.2.4 A: the peer lost its channels with its old state, so each of ours ends in
    // error (sctp-failure) and then closes; the transport itself stays up.
    for (const ch of [x, yAtA, nA]) {
      expect(a.log.filter((l) => l.startsWith(`${ch.label}:`))).toEqual([`${ch.label}:error:sctp-failure: peer restarted`, `${ch.label}:close`]);
      expect(ch.state).toBe("closed");
    }
    // the channel the peer had already closed just finishes, without an error
    expect(a.log.filter((l) => l.startsWith("v:"))).toEqual(["v:closing", "v:close"]);
    expect(v.state).toBe("closed");
    expect(a.table.all()).toEqual([]);
    expect(a.table.isConnected).toBe(true);
    expect(a.sctp.some((e) => e.type === "closed")).toBe(false);
    expect(() => a.table.send(x, "late")).toThrow();

    // new channels both ways, on the ids the old ones held
    const z = a.table.create("z");
    expect(z.id).toBe(0);
    expect(z.state).toBe("open");
    const w = b2.s.table.create("w");
    const n2A = a.table.create("neg", { negotiated: true, id: 10 });
    const n2B = b2.s.table.create("neg", { negotiated: true, id: 10 });
    settle(300, a, b2.s);
    a.table.send(z, "after");
    b2.s.table.send(w, Uint8Array.of(1, 2, 3));
    a.table.send(n2A, "neg-after");
    settle(500, a, b2.s);
    const zAtB = b2.s.incoming.find((c) => c.label === "z")!;
    const wAtA = a.incoming.find((c) => c.label === "w")!;
    expect(zAtB.id).toBe(0);
    expect(b2.s.got.get(zAtB)).toEqual(["after"]);
    expect(a.got.get(wAtA)).toEqual([Uint8Array.of(1, 2, 3)]);
    expect(b2.s.got.get(n2B)).toEqual(["neg-after"]);
    expect(a.table.stats.idConflicts + b2.s.table.stats.idConflicts).toBe(0);
  });
});

describe("COOKIE ECHO when a TCB exists (RFC 9260 §5.2.4, Table 2)", () => {
  it("(D) tags match on both sides: a duplicate COOKIE ECHO gets a COOKIE ACK, no restart, no second 'connected'", () => {
    const { a, b, cookieEcho } = established();
    exchange(a, b, 5);
    const before = { ...b.negotiated! };
    b.handlePacket(cookieEcho, 10);
    const out = takeAll(b, 10);
    expect(out).toHaveLength(1);
    expect(chunksOf(out[0]).map((c) => c.type)).toEqual([ChunkType.COOKIE_ACK]);
    expect(tagOf(out[0])).toBe(before.peerTag);
    expect(events(b)).toEqual([]);
    expect(b.negotiated).toEqual(before);
    expect(b.stats.restarts).toBe(0);
    // a ignores the extra COOKIE ACK (§5.2.5) and the data path carries on where it was
    a.handlePacket(out[0], 11);
    expect(a.stats.unexpectedChunk).toBe(1);
    expect(events(a)).toEqual([]);
    exchange(a, b, 12, 5);
  });

  it("(D) holds even for a cookie past its lifetime: matching tags make it valid (§5.2.4 step 3)", () => {
    const { a, b, cookieEcho } = established({}, { cookieLifetime: 1000 });
    b.handlePacket(cookieEcho, 50_000);
    const out = takeAll(b, 50_000);
    expect(out.flatMap((p) => chunksOf(p).map((c) => c.type))).toEqual([ChunkType.COOKIE_ACK]);
    expect(b.stats.staleCookie).toBe(0);
    expect(events(b)).toEqual([]);
    exchange(a, b, 50_001);
  });

  it("a stale restart cookie (tags differ, lifetime passed) gets ERROR Stale Cookie and changes nothing (§5.2.4 step 3)", () => {
    const { a, b } = established({ cookieLifetime: 1000 });
    const before = { ...a.negotiated! };
    const c = make(33);
    c.connect(0);
    const cInit = take(c);
    a.handlePacket(cInit, 0);
    c.handlePacket(take(a), 1);
    const echo = take(c, 1);
    expect(echo[12]).toBe(ChunkType.COOKIE_ECHO);
    a.handlePacket(echo, 5000);
    const out = takeAll(a, 5000);
    expect(out).toHaveLength(1);
    const err = chunksOf(out[0])[0];
    expect(err.type).toBe(ChunkType.ERROR);
    expect(decodeCauses(err.value)[0].type).toBe(ErrorCause.STALE_COOKIE);
    expect(tagOf(out[0])).toBe(initTagOf(cInit));
    expect(a.stats.staleCookie).toBe(1);
    expect(a.stats.restarts).toBe(0);
    expect(events(a)).toEqual([]);
    expect(a.negotiated).toEqual(before);
    exchange(a, b, 5001);
  });

  it("(A) a fresh peer's COOKIE ECHO restarts the association; the same cookie again is then a duplicate (D): COOKIE ACK, no second restart", () => {
    const { a } = established();
    const c = make(33);
    c.connect(0);
    a.handlePacket(take(c), 1);
    c.handlePacket(take(a, 1), 2);
    const echo = take(c, 2);
    a.handlePacket(echo, 3);
    expect(events(a)).toEqual([{ type: "restarted", unsent: [] }]);
    const ack = takeAll(a, 3);
    expect(chunksOf(ack[0])[0].type).toBe(ChunkType.COOKIE_ACK);
    for (const d of ack) c.handlePacket(d, 4);
    expect(c.isEstablished).toBe(true);
    expect(events(c)).toEqual([{ type: "connected" }]);
    a.handlePacket(echo, 5);
    expect(events(a)).toEqual([]);
    expect(takeAll(a, 5).flatMap((p) => chunksOf(p).map((x) => x.type))).toEqual([ChunkType.COOKIE_ACK]);
    expect(a.stats.restarts).toBe(1);
    exchange(a, c, 6);
  });

  it("a superseded restart cookie (its tie-tags belong to an association that is gone) is discarded and counted", () => {
    const { a } = established();
    const c = make(33);
    c.connect(0);
    const init = take(c);
    a.handlePacket(init, 1);
    a.handlePacket(init, 2); // a retransmitted INIT: each answer carries its own new tag
    const first = take(a, 2);
    const second = initAckOf(take(a, 2));
    expect(second.ack.initiateTag).not.toBe(initAckOf(first).ack.initiateTag);
    c.handlePacket(first, 3);
    a.handlePacket(take(c, 3), 4);
    expect(events(a)).toEqual([{ type: "restarted", unsent: [] }]);
    for (const d of takeAll(a, 4)) c.handlePacket(d, 5);
    const after = { ...a.negotiated! };
    const dropped = a.stats.cookieDiscarded;
    a.handlePacket(packet(second.ack.initiateTag, encodeCookieEcho(second.cookie)), 6);
    expect(a.stats.cookieDiscarded).toBe(dropped + 1);
    expect(takeAll(a, 6)).toEqual([]);
    expect(events(a)).toEqual([]);
    expect(a.negotiated).toEqual(after);
    exchange(a, c, 7);
  });

  it("(C) a late cookie (our old tag, the peer's current tag, no tie-tags) is discarded and counted", () => {
    const a = make(11);
    const b = make(22);
    b.connect(0);
    a.handlePacket(take(b), 1); // a is CLOSED: a stateless INIT-ACK with a tag a never uses
    const late = initAckOf(take(a, 1));
    a.connect(2);
    pump(a, b, 3);
    expect(a.isEstablished && b.isEstablished).toBe(true);
    expect(a.negotiated!.localTag).not.toBe(late.ack.initiateTag);
    expect(a.negotiated!.peerTag).toBe(b.negotiated!.localTag);
    events(a);
    const before = { ...a.negotiated! };
    a.handlePacket(packet(late.ack.initiateTag, encodeCookieEcho(late.cookie)), 4);
    expect(a.stats.cookieDiscarded).toBe(1);
    expect(takeAll(a, 4)).toEqual([]);
    expect(events(a)).toEqual([]);
    expect(a.negotiated).toEqual(before);
    events(b);
    exchange(a, b, 5);
  });

  it("(B) our tag and a new peer tag: the peer's tag is taken from the cookie and a COOKIE ACK sent, no restart", () => {
    const a = make(11);
    const b = make(22);
    const c = make(33);
    a.connect(0);
    b.handlePacket(take(a), 1); // b CLOSED: stateless INIT-ACK
    a.handlePacket(take(b, 1), 2); // a: COOKIE-ECHOED with b's tag
    const echoToB = take(a, 2);
    c.connect(3); // the peer's INIT with a new tag reaches a in COOKIE-ECHOED (§5.2.1)
    const cInit = take(c, 3);
    const cInitTag = initTagOf(cInit);
    a.handlePacket(cInit, 4);
    c.handlePacket(take(a, 4), 5);
    const echoFromC = take(c, 5);
    b.handlePacket(echoToB, 6);
    for (const d of takeAll(b, 6)) a.handlePacket(d, 7);
    expect(a.isEstablished).toBe(true);
    expect(a.negotiated!.peerTag).toBe(b.negotiated!.localTag);
    expect(events(a)).toEqual([{ type: "connected" }]);
    a.handlePacket(echoFromC, 8);
    const out = takeAll(a, 8);
    expect(out.flatMap((p) => chunksOf(p).map((x) => x.type))).toEqual([ChunkType.COOKIE_ACK]);
    expect(tagOf(out[0])).toBe(cInitTag);
    for (const d of out) c.handlePacket(d, 9);
    expect(c.isEstablished).toBe(true);
    expect(a.negotiated!.peerTag).toBe(c.negotiated!.localTag);
    expect(a.state).toBe("established");
    expect(events(a)).toEqual([]);
    expect(a.stats.restarts).toBe(0);
    // a's packets now carry c's tag: c gets the data, b (left with the old tag) drops it
    a.send(1, Ppid.BINARY, Uint8Array.of(1, 2, 3));
    const data = take(a, 10);
    b.handlePacket(data, 10);
    expect(b.stats.badTag).toBe(1);
    c.handlePacket(data, 10);
    expect(events(c).filter((e) => e.type === "message")).toHaveLength(1);
  });

  it("SHUTDOWN-ACK-SENT: a restart cookie gets the SHUTDOWN ACK again and ERROR 'Cookie Received While Shutting Down', no restart", () => {
    const { a, b } = established();
    const c = make(33);
    c.connect(0);
    a.handlePacket(take(c), 1);
    c.handlePacket(take(a, 1), 2);
    const echo = take(c, 2);
    b.shutdown(3);
    a.handlePacket(take(b, 3), 3); // SHUTDOWN
    const shutdownAck = takeAll(a, 3);
    expect(shutdownAck.flatMap((p) => chunksOf(p).map((x) => x.type))).toContain(ChunkType.SHUTDOWN_ACK);
    expect(a.state).toBe("shutdown-ack-sent");
    a.handlePacket(echo, 4);
    const out = takeAll(a, 4);
    const types = out.flatMap((p) => chunksOf(p).map((x) => x.type));
    expect(types).toContain(ChunkType.SHUTDOWN_ACK);
    const err = out.flatMap(chunksOf).find((x) => x.type === ChunkType.ERROR)!;
    expect(decodeCauses(err.value)[0].type).toBe(ErrorCause.COOKIE_WHILE_SHUTTING_DOWN);
    expect(a.state).toBe("shutdown-ack-sent");
    expect(a.stats.restarts).toBe(0);
    expect(events(a).some((e) => e.type === "restarted")).toBe(false);
    // §9.2: an INIT now is not answered; the SHUTDOWN ACK goes out again to the current peer
    a.handlePacket(rawInitPacket(0x777), 4);
    const again = takeAll(a, 4);
    expect(again.flatMap((p) => chunksOf(p).map((x) => x.type))).toEqual([ChunkType.SHUTDOWN_ACK]);
    expect(tagOf(again[0])).toBe(a.negotiated!.peerTag);
    // the shutdown still completes with the old peer
    for (const d of shutdownAck) b.handlePacket(d, 5);
    pump(a, b, 6);
    expect(a.state).toBe("closed");
    expect(b.state).toBe("closed");
  });

  it("a COOKIE ACK while established is discarded and counted (§5.2.5)", () => {
    const { a, b } = established();
    const tag = a.negotiated!.localTag;
    a.handlePacket(packet(tag, encodeChunk(ChunkType.COOKIE_ACK, 0, new Uint8Array(0))), 1);
    expect(a.stats.unexpectedChunk).toBe(1);
    expect(takeAll(a, 1)).toEqual([]);
    expect(events(a)).toEqual([]);
    exchange(a, b, 2);
  });
});

describe("restart while shutting down", () => {
  it("a shutdown our user asked for goes on with the restarted association and completes", () => {
    const { a, b } = established();
    a.send(1, Ppid.BINARY, new Uint8Array(100));
    takeAll(a, 1); // lost with the old peer: still outstanding
    a.shutdown(2);
    expect(a.state).toBe("shutdown-pending");
    expect(events(a).map((e) => e.type)).not.toContain("closed");
    const c = make(33);
    c.connect(3);
    a.handlePacket(take(c, 3), 3);
    c.handlePacket(take(a, 3), 4);
    a.handlePacket(take(c, 4), 5);
    expect(events(a)).toEqual([{ type: "restarted", unsent: [] }]);
    expect(a.state).toBe("shutdown-pending");
    expect(() => a.send(1, Ppid.BINARY, Uint8Array.of(1))).toThrow(/shutting down/);
    pump(a, c, 6);
    expect(a.state).toBe("closed");
    expect(c.state).toBe("closed");
    expect(events(a)).toEqual([{ type: "closed", reason: "shutdown complete", byPeer: true, error: false }]);
    expect(events(c).map((e) => e.type)).toEqual(["connected", "closed"]);
    expect(b.isEstablished).toBe(true);
  });
});

describe("Stale Cookie in COOKIE-ECHOED (RFC 9260 §5.2.6)", () => {
  it("the setup starts over with a new INIT and completes", () => {
    const a = make(11);
    const b = make(22, { cookieLifetime: 500 });
    a.connect(0);
    b.handlePacket(take(a), 1);
    a.handlePacket(take(b, 1), 2);
    const echo = take(a, 2);
    expect(a.state).toBe("cookie-echoed");
    b.handlePacket(echo, 900); // delayed past the lifetime
    const err = take(b, 900);
    expect(chunksOf(err)[0].type).toBe(ChunkType.ERROR);
    a.handlePacket(err, 901);
    expect(a.stats.staleCookieReceived).toBe(1);
    expect(a.state).toBe("cookie-wait");
    const again = take(a, 901);
    expect(again[12]).toBe(ChunkType.INIT);
    expect(tagOf(again)).toBe(0);
    b.handlePacket(again, 902);
    pump(a, b, 903);
    expect(a.isEstablished && b.isEstablished).toBe(true);
    events(a);
    events(b);
    exchange(a, b, 904);
  });

  it("a peer that always finds our cookie stale ends the setup in failure after Max.Init.Retransmits rounds, not in a loop", () => {
    const a = make(11, { maxInitRetransmits: 3 });
    const b = make(22, { cookieLifetime: 0 });
    a.connect(0);
    let t = 0;
    for (let round = 0; round < 40 && a.state !== "closed"; round++) {
      // everything reaches b 5 ms later, and b ignores the Cookie Preservative (§3.3.2.1 lets it): every cookie is stale
      for (const d of takeAll(a, t)) b.handlePacket(withoutPreservative(d), t + 5);
      for (const d of takeAll(b, t + 5)) a.handlePacket(d, t + 6);
      t += 10;
    }
    expect(a.state).toBe("closed");
    const closed = events(a).filter((e) => e.type === "closed");
    expect(closed).toHaveLength(1);
    expect(closed[0].type === "closed" && closed[0].error).toBe(true);
    expect(closed[0].type === "closed" && closed[0].reason).toMatch(/stale/);
    expect(a.stats.staleCookieReceived).toBe(4);
    expect(b.stats.staleCookie).toBe(4);
    expect(b.state).toBe("closed");
  });

  it("a Stale Cookie ERROR while established is only reported", () => {
    const { a, b } = established();
    const err = encodeChunk(ChunkType.ERROR, 0, Uint8Array.of(0, 3, 0, 8, 0, 0, 0, 1));
    a.handlePacket(packet(a.negotiated!.localTag, err), 1);
    expect(a.state).toBe("established");
    expect(events(a).map((e) => e.type)).toEqual(["peer-error"]);
    expect(takeAll(a, 1)).toEqual([]);
    exchange(a, b, 2);
  });
});

describe("malformed INIT while established (RFC 9260 §3.3.2, §8.5.1)", () => {
  it("Initiate Tag 0: silently discarded and counted", () => {
    const { a, b } = established();
    a.handlePacket(packet(0, rawInit({ tag: 0 })), 1);
    expect(a.stats.invalidInit).toBe(1);
    expect(takeAll(a, 1)).toEqual([]);
    expect(events(a)).toEqual([]);
    exchange(a, b, 2);
  });

  for (const [os, mis] of [[0, 16], [16, 0], [0, 0]]) {
    it(`OS ${os} / MIS ${mis}: ABORT to the INIT's tag with Invalid Mandatory Parameter; the association stays`, () => {
      const { a, b } = established();
      const before = { ...a.negotiated! };
      a.handlePacket(packet(0, rawInit({ tag: 0xabcdef, os, mis })), 1);
      expect(a.stats.invalidInit).toBe(1);
      const out = takeAll(a, 1);
      expect(out).toHaveLength(1);
      expect(tagOf(out[0])).toBe(0xabcdef);
      const abort = chunksOf(out[0])[0];
      expect(abort.type).toBe(ChunkType.ABORT);
      expect(abort.flags & 1).toBe(0);
      expect(decodeCauses(abort.value)[0].type).toBe(ErrorCause.INVALID_MANDATORY_PARAM);
      expect(a.state).toBe("established");
      expect(a.negotiated).toEqual(before);
      expect(events(a)).toEqual([]);
      // the old peer would drop that ABORT: it does not carry its tag
      b.handlePacket(out[0], 1);
      expect(b.stats.badTag).toBe(1);
      expect(b.isEstablished).toBe(true);
      exchange(a, b, 2);
    });
  }

  it("truncated INIT, a parameter overrunning the chunk, a non-zero tag, INIT bundled with DATA: dropped and counted, nothing sent", () => {
    const { a, b } = established();
    const good = rawInit();
    const truncated = encodeChunk(ChunkType.INIT, 0, good.subarray(4, 14));
    const overrun = good.slice();
    // stretch the first parameter's length past the end of the chunk
    overrun[4 + 16 + 2] = 0x0f;
    overrun[4 + 16 + 3] = 0xf0;
    const dataChunk = encodeData({ iData: false, flags: 3, tsn: 1, stream: 0, mid: 0, fsn: 0, ppid: 53, payload: Uint8Array.of(1) });
    const s0 = { ...a.stats };
    a.handlePacket(packet(0, truncated), 1);
    a.handlePacket(packet(0, overrun), 1);
    a.handlePacket(packet(0x55, good), 1);
    a.handlePacket(packet(0, good, dataChunk), 1);
    const s1 = a.stats;
    const dropped = s1.malformed - s0.malformed + (s1.badTag - s0.badTag) + (s1.invalidInit - s0.invalidInit);
    expect(dropped).toBe(4);
    expect(s1.initAnswered).toBe(s0.initAnswered);
    expect(takeAll(a, 1)).toEqual([]);
    expect(events(a)).toEqual([]);
    expect(a.state).toBe("established");
    exchange(a, b, 2);
  });

  it("an INIT with an unknown 'stop' parameter is still answered, reporting it (§3.2.1)", () => {
    const { a, b } = established();
    const init = encodeInit({ type: ChunkType.INIT, initiateTag: 77, aRwnd: 65536, outStreams: 4, inStreams: 4, initialTsn: 5, params: [{ type: 0x4123, value: Uint8Array.of(1, 2, 3, 4) }, ...CAPS] });
    a.handlePacket(packet(0, init), 1);
    const { ack } = initAckOf(take(a, 1));
    expect(ack.params.some((p) => p.type === ParamType.UNRECOGNIZED_PARAMETER)).toBe(true);
    expect(a.state).toBe("established");
    exchange(a, b, 2);
  });
});

describe("hostile INIT / COOKIE ECHO into an established association", () => {
  it("random INITs and COOKIE ECHOs never throw and never tear the association down", () => {
    const { a, b } = established();
    const before = { ...a.negotiated! };
    // a genuine cookie to mutate: the answer to a stranger's INIT
    a.handlePacket(packet(0, rawInit({ tag: 4242 })), 1);
    const real = initAckOf(take(a, 1));
    const paramArb = fc.record({ type: fc.integer({ min: 0, max: 0xffff }), value: fc.uint8Array({ maxLength: 24 }) });
    const initArb = fc.record({
      kind: fc.constant("init" as const),
      vtag: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) }),
      tag: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 6, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) }),
      os: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 6, arbitrary: fc.integer({ min: 0, max: 0xffff }) }),
      mis: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 6, arbitrary: fc.integer({ min: 0, max: 0xffff }) }),
      tsn: fc.integer({ min: 0, max: 0xffffffff }),
      params: fc.array(paramArb, { maxLength: 4 }),
      cut: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(40) }),
    });
    const echoArb = fc.record({
      kind: fc.constant("echo" as const),
      vtag: fc.oneof(fc.constant(before.localTag), fc.constant(real.ack.initiateTag), fc.integer({ min: 0, max: 0xffffffff })),
      body: fc.oneof(
        fc.uint8Array({ maxLength: 80 }),
        fc.tuple(fc.nat(real.cookie.length * 8 - 1), fc.nat(real.cookie.length * 8 - 1)).map(([i, j]) => {
          const m = real.cookie.slice();
          m[i >> 3] ^= 1 << (i & 7);
          if (j !== i) m[j >> 3] ^= 1 << (j & 7);
          return m;
        }),
      ),
    });
    let t = 2;
    fc.assert(
      fc.property(fc.array(fc.oneof(initArb, echoArb), { minLength: 1, maxLength: 3 }), (items) => {
        for (const it of items) {
          let p: Uint8Array;
          if (it.kind === "init") {
            let chunk = encodeInit({ type: ChunkType.INIT, initiateTag: it.tag, aRwnd: 65536, outStreams: it.os, inStreams: it.mis, initialTsn: it.tsn, params: it.params });
            if (it.cut > 0 && it.cut < chunk.length) {
              // a chunk length that lies about the value
              chunk = chunk.slice();
              chunk[2] = 0;
              chunk[3] = Math.max(4, chunk.length - it.cut);
            }
            p = packet(it.vtag, chunk);
          } else p = packet(it.vtag, encodeCookieEcho(it.body));
          expect(() => a.handlePacket(p, t)).not.toThrow();
          takeAll(a, t);
          t++;
        }
        expect(a.state).toBe("established");
        expect(a.stats.internalErrors).toBe(0);
        expect(a.stats.restarts).toBe(0);
        expect(events(a).filter((e) => e.type !== "peer-error")).toEqual([]);
      }),
      { numRuns: 1500 },
    );
    expect(a.negotiated).toEqual(before);
    expect(a.stats.initAnswered).toBeGreaterThan(100);
    exchange(a, b, t);
  });
});

/** c restarts against a (established with someone else): c's INIT answered, c's COOKIE ECHO returned (not yet delivered). */
function restartCookie(a: SctpAssociation, now: number): { c: SctpAssociation; echo: Uint8Array; cTag: number } {
  const c = make(33);
  c.connect(now);
  const init = take(c, now);
  a.handlePacket(init, now);
  c.handlePacket(take(a, now), now);
  return { c, echo: take(c, now), cTag: initTagOf(init) };
}

describe("review of the restart work", () => {
  it("SHUTDOWN-ACK-SENT: the restarting peer answers our SHUTDOWN ACK with a T-bit SHUTDOWN COMPLETE under its own tag, and that closes us cleanly (§9.2, §8.4)", () => {
    const { a, b } = established();
    const { c, echo, cTag } = restartCookie(a, 1);
    b.shutdown(2);
    a.handlePacket(take(b, 2), 2); // SHUTDOWN
    expect(a.state).toBe("shutdown-ack-sent");
    takeAll(a, 2); // the SHUTDOWN ACK to b: lost, b is gone
    events(a);
    a.handlePacket(echo, 3);
    const out = takeAll(a, 3);
    expect(out).toHaveLength(1);
    expect(tagOf(out[0])).toBe(cTag);
    expect(chunksOf(out[0]).map((x) => x.type)).toEqual([ChunkType.SHUTDOWN_ACK, ChunkType.ERROR]);
    // a T-bit SHUTDOWN COMPLETE under some other tag is still refused
    const badTag = a.stats.badTag;
    a.handlePacket(packet(0x0badf00d, encodeEmpty(ChunkType.SHUTDOWN_COMPLETE, 1)), 4);
    expect(a.stats.badTag).toBe(badTag + 1);
    expect(a.state).toBe("shutdown-ack-sent");
    // c, in COOKIE-ECHOED, treats the SHUTDOWN ACK as out of the blue
    c.handlePacket(out[0], 4);
    const reply = takeAll(c, 4);
    expect(reply).toHaveLength(1);
    expect(tagOf(reply[0])).toBe(cTag);
    const sc = chunksOf(reply[0]);
    expect(sc.map((x) => x.type)).toEqual([ChunkType.SHUTDOWN_COMPLETE]);
    expect(sc[0].flags & 1).toBe(1);
    expect(c.state).toBe("cookie-echoed");
    a.handlePacket(reply[0], 5);
    expect(a.state).toBe("closed");
    expect(events(a)).toEqual([{ type: "closed", reason: "shutdown complete", byPeer: true, error: false }]);
    expect(a.pollTimeout()).toBeUndefined();
  });

  for (const st of ["cookie-wait", "cookie-echoed"] as const) {
    it(`a SHUTDOWN ACK in ${st} is out of the blue whatever its tag: a stand-alone SHUTDOWN COMPLETE with the T bit and that tag; the setup goes on (§8.5.1, §9.2)`, () => {
      const a = make(11);
      const b = make(22);
      a.connect(0);
      const init = take(a, 0);
      if (st === "cookie-echoed") {
        b.handlePacket(init, 1);
        a.handlePacket(take(b, 1), 2);
        take(a, 2); // the COOKIE ECHO, held back
      }
      expect(a.state).toBe(st);
      const t1 = a.pollTimeout();
      a.handlePacket(packet(0x7777, encodeEmpty(ChunkType.SHUTDOWN_ACK)), 3);
      const out = takeAll(a, 3);
      expect(out).toHaveLength(1);
      expect(tagOf(out[0])).toBe(0x7777);
      const sc = chunksOf(out[0]);
      expect(sc.map((x) => x.type)).toEqual([ChunkType.SHUTDOWN_COMPLETE]);
      expect(sc[0].flags & 1).toBe(1);
      expect(a.state).toBe(st);
      expect(a.pollTimeout()).toBe(t1);
      expect(events(a)).toEqual([]);
      // T1 still drives the setup to completion
      for (let t = 3; t < 20_000 && !(a.isEstablished && b.isEstablished); t += 100) {
        a.handleTimeout(t);
        b.handleTimeout(t);
        pump(a, b, t);
      }
      expect(a.isEstablished && b.isEstablished).toBe(true);
    });
  }

  it("heartbeat state does not leak across a restart: an unanswered probe of the old peer costs the new association nothing", () => {
    const { a } = established({ heartbeatInterval: 1000, maxRetransmits: 0 });
    a.handleTimeout(1000);
    const probe = takeAll(a, 1000);
    expect(probe.flatMap((p) => chunksOf(p).map((x) => x.type))).toEqual([ChunkType.HEARTBEAT]); // lost with the old peer
    const { c, echo } = restartCookie(a, 1100);
    a.handlePacket(echo, 1101);
    expect(events(a)).toEqual([{ type: "restarted", unsent: [] }]);
    for (const d of takeAll(a, 1101)) c.handlePacket(d, 1102);
    expect(c.isEstablished).toBe(true);
    expect(a.pollTimeout()).toBe(2101);
    a.handleTimeout(2101);
    // the new association's first probe, not an error count inherited from the old one
    expect(events(a)).toEqual([]);
    expect(a.isEstablished).toBe(true);
    const hb = takeAll(a, 2101);
    expect(hb.flatMap((p) => chunksOf(p).map((x) => x.type))).toEqual([ChunkType.HEARTBEAT]);
    for (const d of hb) c.handlePacket(d, 2102);
    for (const d of takeAll(c, 2102)) a.handlePacket(d, 2103);
    a.handleTimeout(a.pollTimeout()!);
    expect(a.isEstablished).toBe(true);
    expect(events(a).filter((e) => e.type === "closed")).toEqual([]);
  });

  it("the Stale Cookie ERROR that ends the setup is reported before 'closed'; nothing follows 'closed'", () => {
    const a = make(11, { maxInitRetransmits: 2 });
    const b = make(22, { cookieLifetime: 0 });
    a.connect(0);
    const ev: SctpEvent[] = [];
    let t = 0;
    for (let round = 0; round < 40 && a.state !== "closed"; round++) {
      for (const d of takeAll(a, t)) b.handlePacket(withoutPreservative(d), t + 5);
      for (const d of takeAll(b, t + 5)) a.handlePacket(d, t + 6);
      ev.push(...events(a));
      t += 10;
    }
    expect(ev.map((e) => e.type)).toEqual(["peer-error", "peer-error", "peer-error", "closed"]);
  });

  it("an expired cookie that carries our current Verification Tag is not stale (§5.2.4 step 3 compares the cookie's tag with the association's): a crossed INIT's late COOKIE ECHO completes the setup", () => {
    const a = make(11, { cookieLifetime: 1000 });
    const c = make(33);
    a.connect(0);
    take(a, 0); // a's INIT, lost
    c.connect(0);
    a.handlePacket(take(c, 0), 1); // COOKIE-WAIT: answered with a's own tag (§5.2.1)
    c.handlePacket(take(a, 1), 2);
    const echo = take(c, 2);
    a.handlePacket(echo, 5000); // long past the lifetime
    expect(a.stats.staleCookie).toBe(0);
    expect(a.isEstablished).toBe(true);
    const out = takeAll(a, 5000);
    expect(out.flatMap((p) => chunksOf(p).map((x) => x.type))).toEqual([ChunkType.COOKIE_ACK]);
    for (const d of out) c.handlePacket(d, 5001);
    expect(c.isEstablished).toBe(true);
    exchange(a, c, 5002);
  });

  it("a restart drops stand-alone packets still queued under the old peer's tag (a SHUTDOWN not yet polled); the shutdown goes on with the new peer", () => {
    const { a } = established();
    const old = a.negotiated!.peerTag;
    const { c, echo } = restartCookie(a, 1);
    a.shutdown(2); // nothing outstanding: SHUTDOWN queued at once under the old tag, not polled
    a.handlePacket(echo, 3);
    expect(events(a)).toEqual([{ type: "restarted", unsent: [] }]);
    const out = takeAll(a, 3);
    expect(out.length).toBeGreaterThan(0);
    expect(out.map(tagOf).filter((x) => x === old)).toEqual([]);
    for (const d of out) c.handlePacket(d, 4);
    pump(a, c, 5);
    expect(a.state).toBe("closed");
    expect(c.state).toBe("closed");
    expect(events(a)).toEqual([{ type: "closed", reason: "shutdown complete", byPeer: true, error: false }]);
  });

  it("an INIT bundled after other chunks is not processed: the packet is dropped and counted (§6.10)", () => {
    const { a, b, cookieEcho } = established();
    const s0 = { ...b.stats };
    // after a chunk under the right tag
    b.handlePacket(packet(b.negotiated!.localTag, encodeEmpty(ChunkType.COOKIE_ACK), rawInit({ tag: 0x4444 })), 1);
    // after a (duplicate) COOKIE ECHO, whose packet carries the cookie's tag
    b.handlePacket(packet(tagOf(cookieEcho), encodeCookieEcho(chunksOf(cookieEcho)[0].value), rawInit({ tag: 0x5555 })), 2);
    expect(b.stats.initAnswered).toBe(s0.initAnswered);
    expect(b.stats.malformed).toBe(s0.malformed + 2);
    expect(b.stats.unexpectedChunk).toBe(s0.unexpectedChunk);
    expect(takeAll(b, 2)).toEqual([]);
    expect(events(b)).toEqual([]);
    expect(b.isEstablished).toBe(true);
    exchange(a, b, 3);
  });
});
