/**
 * Hostile input in every handshake state, not only into a fresh or a connected endpoint: a
 * handshake is delivered one datagram at a time, and before the k-th delivery (k = 0 .. all,
 * so every state of both roles: waiting for a hello, after the HelloVerifyRequest, flight 4
 * sent, keys installed but Finished not yet seen, last flight kept, connected) both endpoints
 * are fed generated datagrams.
 *
 * - Noise that cannot be genuine (garbage, foreign versions, records of epochs whose keys it
 *   cannot have): the handshake must still complete (retransmission timers allowed) with the
 *   same keys on both sides.
 * - Anything at all (epoch-0 records with arbitrary handshake fragments, alerts, CCS, replays
 *   and bit flips of another session's datagrams): nothing throws or counts as an internal error,
 *   buffered state stays bounded, the exchange settles, and an endpoint that connects on both
 *   sides agrees on the keys. (Epoch 0 is unauthenticated: a forged alert may end a handshake.)
 */
import { SeededRandom, toHex } from "@tsrtc/base";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DtlsEndpoint } from "../src/index.js";
import { makeCert, makePair, type Pair } from "./helpers.js";

const ecA = makeCert(31);
const ecB = makeCert(32);

/** The datagrams of a clean handshake between other endpoints (replay material). */
function capture(): Uint8Array[] {
  const p = makePair(ecA, ecB, {}, 77);
  const out: Uint8Array[] = [];
  run(p, -1, [], (d) => out.push(Uint8Array.from(d)));
  return out;
}

/**
 * Deliver the handshake one datagram at a time, in order; before delivery `at` hand every
 * datagram of `inject` to both endpoints. Then drive the retransmission timers until both are
 * connected or closed (bounded). Returns how many datagrams were delivered.
 */
function run(p: Pair, at: number, inject: Uint8Array[], seen?: (d: Uint8Array) => void): number {
  const q: { to: DtlsEndpoint; d: Uint8Array }[] = [];
  const collect = (): void => {
    let d: Uint8Array | undefined;
    while ((d = p.client.pollTransmit())) q.push({ to: p.server, d });
    while ((d = p.server.pollTransmit())) q.push({ to: p.client, d });
    while (p.client.pollEvent());
    while (p.server.pollEvent());
  };
  let now = 0;
  let step = 0;
  p.client.start(now);
  collect();
  for (let timeouts = 0; timeouts < 12; timeouts++) {
    while (q.length > 0) {
      if (step === at) {
        for (const d of inject) {
          p.server.handlePacket(d, now);
          p.client.handlePacket(d, now);
        }
        collect();
      }
      const x = q.shift()!;
      seen?.(x.d);
      x.to.handlePacket(x.d, now);
      collect();
      if (++step > 500) throw new Error("the exchange does not settle");
    }
    if (step <= at) {
      // Connected before the injection point: inject now (the connected state).
      for (const d of inject) {
        p.server.handlePacket(d, now);
        p.client.handlePacket(d, now);
      }
      step = at + 1;
      collect();
      continue;
    }
    const settled = (e: DtlsEndpoint) => e.state === "connected" || e.state === "closed";
    if (settled(p.client) && settled(p.server) && q.length === 0) break;
    const next = Math.min(p.client.pollTimeout() ?? Infinity, p.server.pollTimeout() ?? Infinity);
    if (next === Infinity) break;
    now = Math.max(now, next);
    p.client.handleTimeout(now);
    p.server.handleTimeout(now);
    collect();
  }
  return step;
}

const clean = capture();
const STEPS = clean.length;

function record(type: number, version: number, epoch: number, seq: number, body: Uint8Array): Uint8Array {
  const r = new Uint8Array(13 + body.length);
  r.set([type, version >> 8, version & 255, epoch >> 8, epoch & 255, 0, 0, 0, 0, seq >> 8, seq & 255, body.length >> 8, body.length & 255]);
  r.set(body, 13);
  return r;
}

/** Cannot be genuine: not a DTLS content type, a foreign version, or an epoch without keys. */
const noise = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => {
    b[0] = b[0] < 20 ? b[0] : 24 + (b[0] % 200); // not 20..23
    return b;
  }),
  fc.tuple(fc.constantFrom(20, 21, 22, 23), fc.nat(300), fc.uint8Array({ maxLength: 120 })).map(([t, s, b]) => record(t, 0x0303, 0, s, b)),
  fc.tuple(fc.constantFrom(20, 21, 22, 23), fc.integer({ min: 1, max: 3 }), fc.nat(300), fc.uint8Array({ maxLength: 120 })).map(([t, e, s, b]) =>
    record(t, 0xfefd, e, s, b),
  ),
);

/** Handshake fragments with plausible headers: msg_type, length, message_seq, offset. */
const fragment = fc
  .tuple(fc.integer({ min: 0, max: 25 }), fc.nat(300), fc.nat(8), fc.nat(64), fc.uint8Array({ maxLength: 80 }))
  .map(([type, length, seq, offset, frag]) => {
    const f = new Uint8Array(12 + frag.length);
    f.set([type, length >> 16, length >> 8, length & 255, seq >> 8, seq & 255, 0, offset >> 8, offset & 255, 0, frag.length >> 8, frag.length & 255]);
    f.set(frag, 12);
    return f;
  });

const anything = fc.oneof(
  noise,
  fc.tuple(fragment, fc.nat(300)).map(([f, s]) => record(22, 0xfefd, 0, s, f)),
  fc.tuple(fc.constantFrom(1, 2), fc.nat(255), fc.nat(300)).map(([l, d, s]) => record(21, 0xfefd, 0, s, Uint8Array.of(l, d))),
  fc.nat(300).map((s) => record(20, 0xfefd, 0, s, Uint8Array.of(1))),
  fc.nat(STEPS - 1).map((i) => clean[i]),
  fc.tuple(fc.nat(STEPS - 1), fc.nat(1500), fc.nat(255)).map(([i, at, v]) => {
    const d = Uint8Array.from(clean[i]);
    d[at % d.length] = v;
    return d;
  }),
);

function checkInvariants(p: Pair): void {
  for (const e of [p.client, p.server]) {
    expect(e.stats.internalErrors).toBe(0);
    expect(["connected", "closed", "handshaking"]).toContain(e.state);
    expect(e.bufferedHandshakeState).toBeLessThanOrEqual(16 + 16 + 16);
  }
  if (p.client.state === "connected" && p.server.state === "connected") {
    expect(toHex(p.client.srtpKeyingMaterial()!.raw)).toBe(toHex(p.server.srtpKeyingMaterial()!.raw));
  }
}

describe("hostile input in every handshake state", () => {
  it("the handshake has the states we mean to cover (HelloVerifyRequest included)", () => {
    // ClientHello, HelloVerifyRequest, ClientHello+cookie, flight 4, flight 5, flight 6 (at
    // least: large flights take several datagrams).
    expect(STEPS).toBeGreaterThanOrEqual(6);
  });

  for (let at = 0; at <= STEPS; at++) {
    it(`noise before delivery ${at} does not stop the handshake`, () => {
      fc.assert(
        fc.property(fc.array(noise, { minLength: 1, maxLength: 24 }), fc.nat(1000), (ds, seed) => {
          const p = makePair(ecA, ecB, {}, seed + 1);
          run(p, at, ds);
          checkInvariants(p);
          // The noise did arrive, and was dropped and counted.
          const dropped = (e: DtlsEndpoint) => Object.values(e.stats.dropped).reduce((x, y) => x + y, 0);
          expect(dropped(p.client) + dropped(p.server)).toBeGreaterThanOrEqual(ds.length);
          expect(p.client.state).toBe("connected");
          expect(p.server.state).toBe("connected");
        }),
        { numRuns: 40, seed: 1000 + at },
      );
    });

    it(`anything before delivery ${at}: no throw, no internal error, bounded, settles`, () => {
      fc.assert(
        fc.property(fc.array(anything, { minLength: 1, maxLength: 24 }), fc.nat(1000), (ds, seed) => {
          const p = makePair(ecA, ecB, {}, seed + 1);
          run(p, at, ds);
          checkInvariants(p);
        }),
        { numRuns: 80, seed: 2000 + at },
      );
    });
  }

  it("a replayed flight of another session, at every step, never connects to the wrong peer", () => {
    const rng = new SeededRandom(3);
    for (let at = 0; at <= STEPS; at++) {
      const p = makePair(ecA, ecB, {}, 500 + at);
      run(p, at, clean.filter(() => rng.nextFloat() < 0.5));
      checkInvariants(p);
    }
  });
});
