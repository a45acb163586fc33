/**
 * Hostile input fed to two agents in every state they pass through (checking, nominating,
 * connected with consent running, after an ICE restart), not only to the parser:
 *  - noise: random bytes, STUN-shaped random bytes, and mutations (bit flips, truncations,
 *    extensions) of real datagrams, from the real peer's address or spoofed ones;
 *  - forged traffic that passes authentication: real datagrams re-signed after random edits
 *    (class swapped, transaction id reused or fresh, USE-CANDIDATE / ICE-CONTROLLING /
 *    ICE-CONTROLLED / PRIORITY / XOR-MAPPED-ADDRESS / ERROR-CODE / unknown attributes added),
 *    and replays of older datagrams.
 * Noise must change nothing: both agents connect on one agreed path as they would without it.
 * Forgeries may disturb the session (that is what credentials are for), but nothing may throw,
 * grow without bound or spin (the simulation throws on a core whose timer never advances).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { type Address, type Millis, SeededRandom, address, sameAddress } from "@tsrtc/base";
import { type IntegrityKey, StunBuilder, StunClass, StunMessage, StunTransactions, shortTermIntegrityKey } from "@tsrtc/stun";
import { Simulation } from "@tsrtc/testkit";
import type { IceAgent } from "../src/agent.js";
import { type Peer, bothConnected, drain, makePeer, signalAll } from "./peers.js";

type Mode = "noise" | "forged";

/** What the tests may look at inside an agent to check bounds. */
interface Internals {
  s: { txs: StunTransactions<unknown>; heldCandidates: unknown[]; mdnsPending: Map<string, unknown> };
}

function checkBounds(agent: IceAgent): void {
  const s = (agent as unknown as Internals).s;
  expect(agent.pairs.length).toBeLessThanOrEqual(100);
  expect(agent.remoteCandidates.length).toBeLessThanOrEqual(200);
  expect(agent.localCandidates.length).toBeLessThanOrEqual(64 + 8);
  expect(s.txs.size).toBeLessThanOrEqual(2000);
  expect(s.heldCandidates.length).toBeLessThanOrEqual(200);
  const t = agent.pollTimeout();
  if (t !== undefined) expect(Number.isFinite(t)).toBe(true);
}

class Injector {
  private readonly seen: { data: Uint8Array; from: Address }[] = [];
  injected = 0;

  constructor(
    private readonly rng: SeededRandom,
    private readonly mode: Mode,
    private readonly rate: number,
    /** The key that signs what arrives at each agent: its own for requests, the peer's for responses. */
    private readonly keys: () => { own: IntegrityKey; peer: IntegrityKey },
  ) {}

  /** After a real datagram reached `agent`, maybe feed it some hostile ones at the same instant. */
  afterReceive(agent: IceAgent, data: Uint8Array, from: Address, to: Address, now: Millis): void {
    if (this.seen.length < 64) this.seen.push({ data: data.slice(), from });
    else this.seen[this.rng.nextInt(64)] = { data: data.slice(), from };
    if (this.rng.nextInt(1000) >= this.rate * 1000) return;
    const n = 1 + this.rng.nextInt(4);
    for (let i = 0; i < n; i++) {
      const [bytes, src] = this.make(data, from);
      this.injected++;
      const v = agent.handlePacket(bytes, src, to, now);
      expect(["stun", "data", "dropped"]).toContain(v);
    }
    checkBounds(agent);
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[this.rng.nextInt(xs.length)];
  }

  private randomBytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.rng.nextInt(256);
    return b;
  }

  private source(from: Address): Address {
    if (this.rng.nextInt(3) > 0) return from;
    return this.rng.nextInt(4) === 0
      ? address(`2001:db8::${this.rng.nextInt(0xffff).toString(16)}`, 1 + this.rng.nextInt(65535))
      : address(`10.${this.rng.nextInt(256)}.${this.rng.nextInt(256)}.${this.rng.nextInt(256)}`, 1 + this.rng.nextInt(65535));
  }

  private make(data: Uint8Array, from: Address): [Uint8Array, Address] {
    const src = this.source(from);
    if (this.mode === "forged" && this.rng.nextInt(4) > 0) {
      const forged = this.forge(this.rng.nextInt(3) === 0 ? this.pick(this.seen).data : data);
      if (forged) return [forged, src];
    }
    const noise = this.noise(src);
    // A mutation can leave a message authentic: a flip in FINGERPRINT's type turns it into an
    // attribute after MESSAGE-INTEGRITY, which §14.5 ignores. That is a replay, not noise.
    return this.mode === "noise" && this.authentic(noise[0]) ? [this.randomBytes(40), src] : noise;
  }

  private authentic(bytes: Uint8Array): boolean {
    let m: StunMessage;
    try {
      m = StunMessage.decode(bytes);
    } catch {
      return false;
    }
    const { own, peer } = this.keys();
    return m.checkIntegrity(own) || m.checkIntegrity(peer);
  }

  private noise(src: Address): [Uint8Array, Address] {
    switch (this.rng.nextInt(4)) {
      case 0:
        return [this.randomBytes(this.rng.nextInt(200)), src];
      case 1: {
        // STUN-shaped: right first bits, cookie and length, random body.
        const b = this.randomBytes(20 + 4 * this.rng.nextInt(30));
        b[0] &= 0x3f;
        b[1] = this.rng.nextInt(2) === 0 ? 0x01 : b[1];
        b.set([(b.length - 20) >> 8, (b.length - 20) & 0xff, 0x21, 0x12, 0xa4, 0x42], 2);
        return [b, src];
      }
      default: {
        // A real datagram, mutated: bits flipped at distinct places, so it never stays a replay
        // (an exact replay from a new address is authentic traffic: the forged test has those).
        const b = this.pick(this.seen).data.slice();
        const flips = Math.min(1 + this.rng.nextInt(4), b.length);
        const start = this.rng.nextInt(Math.max(1, b.length));
        for (let i = 0; i < flips; i++) b[(start + i) % b.length] ^= 1 << this.rng.nextInt(8);
        if (this.rng.nextInt(4) === 0) return [b.subarray(0, this.rng.nextInt(b.length + 1)), src];
        if (this.rng.nextInt(4) === 0) {
          const longer = new Uint8Array(b.length + 4 * (1 + this.rng.nextInt(8)));
          longer.set(b);
          return [longer, src];
        }
        return [b, src];
      }
    }
  }

  /** Re-sign a real STUN datagram after random edits, so it passes integrity checks. */
  private forge(data: Uint8Array): Uint8Array | undefined {
    let m: StunMessage;
    try {
      m = StunMessage.decode(data);
    } catch {
      return undefined; // not STUN (DTLS would be here in a full stack)
    }
    const cls = this.rng.nextInt(3) === 0 ? this.pick([0, 1, 2, 3] as const) : m.cls;
    const txid = this.rng.nextInt(4) === 0 ? this.randomBytes(12) : m.transactionId.slice();
    // Now and then another method: TURN's, or any 12-bit value.
    const method = this.rng.nextInt(8) === 0 ? this.pick([3, 6, 8, this.rng.nextInt(0x1000)]) : m.method;
    const b = new StunBuilder().begin(method, cls, txid);
    const keys = this.keys();
    for (let i = 0; i < m.count; i++) {
      const t = m.attributeType(i);
      if (t === 0x0008 || t === 0x001c || t === 0x8028) continue; // trailers are redone
      if (this.rng.nextInt(6) === 0) continue; // drop an attribute now and then
      b.bytes(t, m.attributeValue(i));
    }
    const extras = this.rng.nextInt(4);
    for (let i = 0; i < extras; i++) {
      switch (this.rng.nextInt(8)) {
        case 0:
          b.useCandidate();
          break;
        case 1:
          b.iceControlling(BigInt(this.rng.nextInt(4)) << 62n | BigInt(this.rng.nextInt(1 << 30)));
          break;
        case 2:
          b.iceControlled(BigInt(this.rng.nextInt(4)) << 62n | BigInt(this.rng.nextInt(1 << 30)));
          break;
        case 3:
          b.priority(this.rng.nextInt(2) === 0 ? 0 : 0xffffffff);
          break;
        case 4:
          b.xorMappedAddress(this.source(address("10.0.0.1", 1)));
          break;
        case 5:
          b.errorCode(this.pick([400, 401, 420, 487, 500, 300, 699]), "forged");
          break;
        case 6:
          b.bytes(0x7000 + this.rng.nextInt(0x1000), this.randomBytes(this.rng.nextInt(12)));
          break;
        default:
          b.bytes(AttrTypeUsername, new TextEncoder().encode(this.pick(["", ":", "x:y", "\u00ff"])));
      }
    }
    // Requests reaching an agent are signed with its own password, responses with its peer's.
    b.messageIntegrity(cls === StunClass.Request ? keys.own : keys.peer);
    if (this.rng.nextInt(8) > 0) b.fingerprint();
    return b.finish();
  }
}

const AttrTypeUsername = 0x0006;
/** Runs per property; raise it (ICE_FUZZ_RUNS=500) for a deeper search. */
const RUNS = Number(process.env.ICE_FUZZ_RUNS ?? 15);
const TIMEOUT = 30_000 + RUNS * 3000;

function run(seed: number, mode: Mode, rate: number, restartAt: number | undefined) {
  const sim = new Simulation({ seed, conditions: { delay: 5 + (seed % 20), jitter: seed % 7, loss: seed % 3 === 0 ? 0.1 : 0 } });
  const rng = new SeededRandom(seed ^ 0x5eed);
  const peers: Peer[] = [];
  const keysOf = (i: number) => () => ({
    own: shortTermIntegrityKey(peers[i].agent.localCredentials.pwd),
    peer: shortTermIntegrityKey(peers[1 - i].agent.localCredentials.pwd),
  });
  const inj = [new Injector(rng, mode, rate, keysOf(0)), new Injector(rng, mode, rate, keysOf(1))];
  const mk = (i: number, name: string, addrs: Address[], controlling: boolean) =>
    makePeer(sim, name, addrs, { controlling }, seed + i, {
      afterReceive: (d, from, to, now) => {
        inj[i].afterReceive(peers[i].agent, d, from, to, now);
        drain(peers[i], now);
      },
    });
  peers.push(mk(0, "A", [address("10.0.0.1", 5000), address("2001:db8::a", 5000)], true));
  peers.push(mk(1, "B", [address("10.0.0.2", 6000), address("2001:db8::b", 6000)], false));
  const [a, b] = peers;
  signalAll(a, b, 0);
  const connected = sim.runUntil(bothConnected(a, b), { maxTime: 20_000 });
  if (restartAt !== undefined) {
    sim.runFor(restartAt);
    a.agent.restart(sim.now);
    b.agent.setRemoteCredentials(a.agent.localCredentials, sim.now);
    a.agent.setRemoteCredentials(b.agent.localCredentials, sim.now);
    drain(a, sim.now);
    drain(b, sim.now);
    for (const c of a.outbox.splice(0)) b.agent.addRemoteCandidate(c, sim.now);
    for (const c of b.outbox.splice(0)) a.agent.addRemoteCandidate(c, sim.now);
  }
  // Application data both ways (what DTLS would send) gives the fuzzer more moments to strike;
  // consent checks run every ~5 s: stay long enough to fuzz them too.
  const app = Uint8Array.from([23, 254, 253, 0, 1, 2, 3, 4]);
  for (let t = 0; t < 12_000; t += 25) {
    a.agent.send(app, sim.now);
    b.agent.send(app, sim.now);
    sim.runFor(25);
  }
  for (const p of peers) checkBounds(p.agent);
  return { a, b, connected, injected: inj[0].injected + inj[1].injected };
}

describe("agents fed hostile datagrams in every state (property)", () => {
  it("noise never changes the outcome: both connect on one agreed path", () => {
    let injected = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom(0.3, 1),
        fc.option(fc.integer({ min: 0, max: 6000 }), { nil: undefined }),
        (seed, rate, restartAt) => {
          const r = run(seed, "noise", rate, restartAt);
          injected += r.injected;
          expect(r.connected).toBe(true);
          const pa = r.a.agent.selectedPair!;
          const pb = r.b.agent.selectedPair!;
          expect(sameAddress(pa.localAddress, pb.remoteAddress)).toBe(true);
          expect(sameAddress(pa.remoteAddress, pb.localAddress)).toBe(true);
          expect(["connected", "completed"]).toContain(r.a.agent.connectionState);
          expect(["connected", "completed"]).toContain(r.b.agent.connectionState);
          // Nothing learned from noise: remote candidates are the signaled ones only.
          for (const c of [...r.a.agent.remoteCandidates, ...r.b.agent.remoteCandidates]) expect(c.type).toBe("host");
        },
      ),
      { numRuns: RUNS },
    );
    expect(injected).toBeGreaterThan(500);
  }, TIMEOUT);

  it("authenticated forgeries and replays never throw, grow without bound or spin", () => {
    let injected = 0;
    const states = new Set<string>();
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom(0.2, 0.6),
        fc.option(fc.integer({ min: 0, max: 6000 }), { nil: undefined }),
        (seed, rate, restartAt) => {
          const r = run(seed, "forged", rate, restartAt);
          injected += r.injected;
          for (const p of [r.a, r.b]) for (const s of p.states) states.add(s);
        },
      ),
      { numRuns: RUNS },
    );
    expect(injected).toBeGreaterThan(500);
    // The forgeries reached the state machine, not only the parser.
    expect(states.has("checking")).toBe(true);
    expect(states.has("connected")).toBe(true);
  }, TIMEOUT);
});
