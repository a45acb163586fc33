import { createSocket, type Socket } from "node:dgram";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { Address } from "@tsrtc/base";
import { RTCPeerConnection, type RTCDataChannel, type RTCDataChannelEvent } from "@tsrtc/webrtc";
import { JUNK_KINDS, JunkFactory, type JunkKind } from "./harness/junk.js";

// Two tsrtc peers on loopback in this process stream messages both ways over one channel while
// 30 000 junk and forged datagrams (harness/junk.ts: every RFC 7983 range, forged STUN, broken
// DTLS records, RTP-looking noise, empty datagrams) hit both peers' ports, half from a stranger's
// socket and half from the peer's own address. No message may be lost or reordered, the
// connection must stay up, every drop must be counted by reason in getStats, and nothing may
// throw in this process.

const JUNK_TOTAL = 30_000;
/** Junk datagrams per source and target between pauses; the most a peer's socket may queue. */
const STEP = 10;
const MAX_QUEUED = 1024 * 1024;

const errors: string[] = [];
const onException = (e: unknown) => errors.push(`uncaughtException: ${(e as Error)?.stack ?? e}`);
const onRejection = (e: unknown) => errors.push(`unhandledRejection: ${(e as Error)?.stack ?? e}`);
const pcs: RTCPeerConnection[] = [];
const sockets: Socket[] = [];
const streams: Stream[] = [];
afterEach(() => {
  for (const s of streams.splice(0)) s.stop();
  for (const pc of pcs.splice(0)) pc.close();
  for (const s of sockets.splice(0)) s.close();
  process.off("uncaughtException", onException);
  process.off("unhandledRejection", onRejection);
});

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((r) => pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && r()));
}

/**
 * The peer's own UDP socket, to send junk from exactly the ip:port the other peer has validated.
 * There is no public API for that (nor should there be): the test reaches through the private
 * `driver` field of RTCPeerConnection to its UdpBundle, whose send(data, to, from) writes from
 * the socket bound at `from`.
 */
function ownSocket(pc: RTCPeerConnection): { send(data: Uint8Array, to: Address, from: Address): void } {
  return (pc as unknown as { driver: { udp: { send(data: Uint8Array, to: Address, from: Address): void } } }).driver.udp;
}

// ---- the legit stream: numbered messages, strings and binary, 1..3000 bytes --------------------

function message(i: number): string | Uint8Array {
  if (i % 2 === 0) return `m${i}:${"x".repeat(i % 1500)}`;
  const b = new Uint8Array(4 + ((i * 97) % 3000));
  new DataView(b.buffer).setUint32(0, i);
  for (let k = 4; k < b.length; k++) b[k] = (i + k) & 255;
  return b;
}

/** Index of a received message, or -1 when its contents are not what message(i) made. */
function indexOf(data: unknown): number {
  if (typeof data === "string") {
    const m = /^m(\d+):(x*)$/.exec(data);
    if (!m) return -1;
    const i = Number(m[1]);
    return m[2].length === i % 1500 && i % 2 === 0 ? i : -1;
  }
  const b = new Uint8Array(data as ArrayBuffer);
  if (b.length < 4) return -1;
  const i = new DataView(b.buffer, b.byteOffset).getUint32(0);
  if (i % 2 !== 1 || b.length !== 4 + ((i * 97) % 3000)) return -1;
  for (let k = 4; k < b.length; k++) if (b[k] !== ((i + k) & 255)) return -1;
  return i;
}

interface Stream {
  sent: number;
  received: number;
  /** The first wrong message (lost, reordered, altered), as text. */
  fault: string | undefined;
  stop(): void;
}

/**
 * Send numbered messages on `tx` at a steady pace (a few per 2 ms tick while its buffer holds
 * under 256 KiB, some MB/s: a busy channel that leaves the event loop room for the junk) and
 * check them in order on `rx`.
 */
function stream(tx: RTCDataChannel, rx: RTCDataChannel): Stream {
  const s: Stream = { sent: 0, received: 0, fault: undefined, stop: () => clearInterval(timer) };
  rx.onmessage = (e) => {
    const i = indexOf(e.data);
    if (i !== s.received && s.fault === undefined) s.fault = `expected message ${s.received}, got ${i === -1 ? "a corrupted one" : i}`;
    s.received++;
  };
  const timer = setInterval(() => {
    for (let k = 0; k < 4 && tx.readyState === "open" && tx.bufferedAmount < 256 * 1024; k++) tx.send(message(s.sent++));
  }, 2);
  streams.push(s);
  return s;
}

// ---- junk ---------------------------------------------------------------------------------------

/**
 * The kernel's view of our UDP sockets on `ports` (Linux /proc/net/udp): bytes waiting in their
 * receive queues, and datagrams dropped because a queue was full.
 */
function kernelQueues(ports: number[]): { queued: number; drops: Map<number, number> } {
  let queued = 0;
  const drops = new Map<number, number>();
  for (const line of readFileSync("/proc/net/udp", "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 13) continue;
    const port = parseInt(f[1].split(":")[1], 16);
    if (!ports.includes(port)) continue;
    queued += parseInt(f[4].split(":")[1], 16);
    drops.set(port, Number(f[12]));
  }
  return { queued, drops };
}

type Drops = Record<string, number>;

async function transportOf(pc: RTCPeerConnection): Promise<Record<string, unknown>> {
  const r = await pc.getStats();
  return [...r.values()].find((s) => s.type === "transport")!;
}

const sum = (d: Drops, pred: (k: string) => boolean = () => true) => Object.entries(d).reduce((n, [k, v]) => (pred(k) ? n + v : n), 0);

describe("hostile traffic at a live connection", () => {
  it(`${JUNK_TOTAL} junk and forged datagrams from a stranger and from the peer's own address: no message lost or reordered, the connection stays up, every drop counted by reason, nothing thrown`, async () => {
    process.on("uncaughtException", onException);
    process.on("unhandledRejection", onRejection);
    const cfg = { tsrtc: { hosts: ["127.0.0.1"] } };
    const a = new RTCPeerConnection(cfg);
    const b = new RTCPeerConnection(cfg);
    pcs.push(a, b);
    const changes: string[] = [];
    for (const [name, pc] of [["a", a], ["b", b]] as const) {
      pc.onconnectionstatechange = () => changes.push(`${name} connection ${pc.connectionState}`);
      pc.oniceconnectionstatechange = () => changes.push(`${name} ice ${pc.iceConnectionState}`);
    }
    const dcA = a.createDataChannel("stream");
    const remote = new Promise<RTCDataChannel>((r) => (b.ondatachannel = (e: RTCDataChannelEvent) => r(e.channel)));
    await a.setLocalDescription();
    await gathered(a);
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription();
    await gathered(b);
    await a.setRemoteDescription(b.localDescription!);
    const dcB = await remote;
    await until(() => dcA.readyState === "open" && dcB.readyState === "open", 10_000, "the channel to open");
    const channelEvents: string[] = [];
    for (const [name, dc] of [["a", dcA], ["b", dcB]] as const) {
      dc.onclose = () => channelEvents.push(`${name} close`);
      dc.onerror = () => channelEvents.push(`${name} error`);
    }
    changes.length = 0;

    const pairA = a.sctp!.transport.iceTransport.getSelectedCandidatePair()!;
    const addrA: Address = { family: 4, host: pairA.local.address!, port: pairA.local.port! };
    const addrB: Address = { family: 4, host: pairA.remote.address!, port: pairA.remote.port! };
    const ufragA = a.sctp!.transport.iceTransport.getLocalParameters()!.usernameFragment;
    const ufragB = b.sctp!.transport.iceTransport.getLocalParameters()!.usernameFragment;
    const before = { a: (await transportOf(a)).tsrtcDropped as Drops, b: (await transportOf(b)).tsrtcDropped as Drops };

    const ab = stream(dcA, dcB);
    const ba = stream(dcB, dcA);
    await until(() => ab.received > 50 && ba.received > 50, 10_000, "the streams to flow");

    const stranger = createSocket("udp4");
    sockets.push(stranger);
    await new Promise<void>((r) => stranger.bind(0, "127.0.0.1", () => r()));
    const junkForA = new JunkFactory(1, { targetUfrag: ufragA, remoteUfrag: ufragB });
    const junkForB = new JunkFactory(2, { targetUfrag: ufragB, remoteUfrag: ufragA });
    const sentKinds = { a: new Map<JunkKind, number>(), b: new Map<JunkKind, number>() };
    const count = (m: Map<JunkKind, number>, k: JunkKind) => m.set(k, (m.get(k) ?? 0) + 1);
    const sentTo = { a: 0, b: 0 };
    const dropDeltas = async (): Promise<Record<"a" | "b", Drops>> => {
      const out: Record<"a" | "b", Drops> = { a: {}, b: {} };
      for (const [name, pc] of [["a", a], ["b", b]] as const) {
        const d = (await transportOf(pc)).tsrtcDropped as Drops;
        for (const [k, v] of Object.entries(d)) if (v - (before[name][k] ?? 0) > 0) out[name][k] = v - (before[name][k] ?? 0);
      }
      return out;
    };
    // What a peer counted: its drops (ice.unknownSource repeats engine.unknownSource).
    const accountedOf = (d: Record<"a" | "b", Drops>, name: "a" | "b") => sum(d[name], (k) => k !== "ice.unknownSource");
    /**
     * Error responses coming back to a peer: the other peer refuses (400/401) each Binding
     * request forged from this peer's socket, and answers this peer's address.
     */
    const echoesTo = { a: 0, b: 0 };
    const answered: ReadonlySet<JunkKind> = new Set(["stun-wrong-password", "stun-wrong-ufrag", "stun-no-integrity"]);
    const send = (name: "a" | "b", fromPeer: boolean) => {
      const j = (name === "a" ? junkForA : junkForB).next();
      count(sentKinds[name], j.kind);
      sentTo[name]++;
      const [to, peer] = name === "a" ? [addrA, addrB] : [addrB, addrA];
      // From the peer's own socket (the very ip:port the target has validated), or a stranger's.
      if (fromPeer) ownSocket(name === "a" ? b : a).send(j.data, to, peer);
      else stranger.send(j.data, to.port, to.host);
      if (fromPeer && answered.has(j.kind)) echoesTo[name === "a" ? "b" : "a"]++;
    };
    // Paced: STEP datagrams from each source to each peer, a pause, and a wait while the peers'
    // sockets hold more than MAX_QUEUED unread bytes, so the junk does not just fill the kernel's
    // receive queues: a datagram lost there would be the kernel's loss, not ours. The kernel
    // counts such losses (legit or junk), and the count below allows for them.
    const ports = [addrA.port, addrB.port];
    const kernelBefore = kernelQueues(ports).drops;
    const t0 = performance.now();
    let waits = 0;
    for (let i = 0; i < JUNK_TOTAL / 4; i++) {
      send("a", false);
      send("a", true);
      send("b", false);
      send("b", true);
      if (i % STEP !== STEP - 1) continue;
      await new Promise((r) => setTimeout(r, 1));
      for (let w = 0; w < 10 && kernelQueues(ports).queued > MAX_QUEUED; w++, waits++) await new Promise((r) => setTimeout(r, 2));
    }
    const junkMs = performance.now() - t0;
    // The streams go on a little after the junk, then stop; everything sent must arrive.
    const mark = { ab: ab.received, ba: ba.received };
    await until(() => ab.received > mark.ab + 50 && ba.received > mark.ba + 50, 10_000, "the streams to go on after the junk");
    ab.stop();
    ba.stop();
    await until(() => ab.received === ab.sent && ba.received === ba.sent, 20_000, `every message (a→b ${ab.received}/${ab.sent}, b→a ${ba.received}/${ba.sent})`);

    expect(ab.fault).toBeUndefined();
    expect(ba.fault).toBeUndefined();
    expect(changes).toEqual([]);
    expect(channelEvents).toEqual([]);
    for (const pc of [a, b]) {
      expect(pc.connectionState).toBe("connected");
      expect(pc.sctp!.state).toBe("connected");
      expect(pc.sctp!.transport.state).toBe("connected");
    }
    expect(dcA.readyState).toBe("open");
    expect(a.sctp!.transport.iceTransport.role).toBe("controlling");
    expect(b.sctp!.transport.iceTransport.role).toBe("controlled");

    // Every junk datagram that reached a peer is counted as dropped (or refused: a Binding
    // request that fails MESSAGE-INTEGRITY is answered 401, RFC 8489 §9.1.3), by reason.
    const deltas = await dropDeltas();
    const kernelAfter = kernelQueues(ports).drops;
    const kernelDrops = { a: kernelAfter.get(addrA.port)! - kernelBefore.get(addrA.port)!, b: kernelAfter.get(addrB.port)! - kernelBefore.get(addrB.port)! };
    for (const name of ["a", "b"] as const) {
      const delta = deltas[name];
      const kinds = sentKinds[name];
      expect(sentTo[name]).toBe(JUNK_TOTAL / 2);
      expect([...kinds.keys()].sort()).toEqual([...JUNK_KINDS].sort());
      // Non-STUN junk from the stranger: refused by source before anything else looks at it.
      expect(delta["engine.unknownSource"]).toBeGreaterThan(0);
      // From the peer's address, by first byte and then by what DTLS found wrong.
      expect(delta["engine.empty"]).toBeGreaterThan(0);
      expect(delta["engine.rtp"]).toBeGreaterThan(0);
      expect(delta["engine.rtcp"]).toBeGreaterThan(0);
      expect(delta["engine.unknownKind"]).toBeGreaterThan(0);
      for (const k of ["truncated", "unknownEpoch", "badMac", "unexpected", "badVersion"]) expect(delta[`dtls.${k}`], `dtls.${k}`).toBeGreaterThan(0);
      // STUN, from both sources.
      for (const k of ["malformed", "badFingerprint", "unmatched"]) expect(delta[`ice.${k}`], `ice.${k}`).toBeGreaterThan(0);
      expect(delta["ice.refused401"] ?? 0).toBeGreaterThan(0);
      expect(delta["ice.refused400"] ?? 0).toBeGreaterThan(0);
      // Forged ICE-CONTROLLING never got as far as a role conflict (integrity is checked first).
      expect(delta["ice.refused487"]).toBeUndefined();
      // Nothing reached SCTP: junk cannot get through DTLS.
      expect(sum(delta, (k) => k.startsWith("sctp."))).toBe(0);
      // Every junk datagram is accounted for, once (a well-formed epoch-0 ChangeCipherSpec too:
      // dtls.unexpected). The exceptions: the other peer's refusals of the requests forged from
      // this peer's socket come back here as unmatched responses (echoes); the kernel may have
      // dropped a few datagrams from a full queue (it says how many); and a random datagram in
      // the DTLS range may parse as several records, each counted. Hence the 1% either way.
      const accounted = accountedOf(deltas, name);
      const expected = sentTo[name] + echoesTo[name];
      const detail = `${name}: sent ${JSON.stringify(Object.fromEntries(kinds))}, echoes ${echoesTo[name]}, kernel drops ${kernelDrops[name]}, dropped ${JSON.stringify(delta)}`;
      expect(accounted, detail).toBeGreaterThanOrEqual(0.99 * (expected - kernelDrops[name]));
      expect(accounted, detail).toBeLessThanOrEqual(1.01 * expected);
    }
    expect(errors).toEqual([]);
    console.log(`hostile traffic: ${JUNK_TOTAL} junk datagrams in ${junkMs.toFixed(0)} ms (${waits} waits for the kernel queues, kernel drops ${JSON.stringify(kernelDrops)}); streamed a→b ${ab.sent}, b→a ${ba.sent} messages; drops at a ${JSON.stringify(deltas.a)}`);
  }, 90_000);
});
