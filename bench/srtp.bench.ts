/**
 * SRTP protect/unprotect of RTP packets with a 1200-byte payload, per profile, in packets/s:
 * tsrtc vs werift-rtp's SrtpSession (the profiles it supports: AES128_CM_HMAC_SHA1_80 and
 * AEAD_AES_128_GCM) vs the "ceiling": node:crypto alone on the same buffers, one cipher object
 * per packet (AES-CTR + HMAC-SHA1 for the AES-CM profiles, AES-GCM for the AEAD profiles) with
 * no header parsing, no ROC, no replay check and no output assembly beyond what the calls return.
 *
 * Fairness: protect and unprotect cycle through 256 packet buffers (300 KB, the ceilings too)
 * with consecutive sequence numbers; each protect contender writes the next number of its own
 * endless stream into the packet. Consecutive numbers matter: ours computes the keystream of a
 * stream's next packets ahead in one ECB call, which re-protecting one number would flatter. werift takes the payload and a parsed header
 * (its API; parsed up front). Ours has a replay window, so its receiver drops the SSRC state
 * (removeSsrc) at each cycle start, once per 256 packets, and werift's receiver is made anew at
 * the same point (it tracks the ROC too; that costs werift about 0.1 µs per packet).
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { createSrtpSessionFromKeyingMaterial, keyingMaterialLength, type SrtpProfileId, srtpProfile } from "@tsrtc/srtp";
import { RtpPacket, SrtpSession } from "werift-rtp";
import { performance } from "node:perf_hooks";
import { type Contender, pairedRatio, printResults, type Result, runScenario } from "./harness.js";

const PAYLOAD = 1200;
/**
 * Many short interleaved rounds: on a shared 2-core machine, load from other processes swings
 * any one 200 ms batch by 2x; the median of 31 rounds of 40 ms per contender is steadier.
 * BENCH_ROUNDS / BENCH_MS still override.
 */
const OPTS = { rounds: Number(process.env.BENCH_ROUNDS ?? 31), minMs: Number(process.env.BENCH_MS ?? 40) };
const CYCLE = 256;
const SSRC = 0x12345678;

function rtpPacket(seq: number): Buffer {
  const p = Buffer.alloc(12 + PAYLOAD);
  p[0] = 0x80;
  p[1] = 96;
  p.writeUInt16BE(seq & 0xffff, 2);
  p.writeUInt32BE(seq * 960, 4);
  p.writeUInt32BE(SSRC, 8);
  for (let i = 12; i < p.length; i++) p[i] = (i * 7 + seq) & 0xff;
  return p;
}

const PROFILES: ReadonlyArray<{ id: SrtpProfileId; werift: boolean }> = [
  { id: 0x0001, werift: true },
  { id: 0x0002, werift: false },
  { id: 0x0007, werift: true },
  { id: 0x0008, werift: false },
];

/**
 * The ceilings cycle through the same 256 packet buffers as the contenders (so the memory they
 * touch is the same). The AES-GCM ceiling comes in two forms: "strict", with each packet's
 * header, payload and tag views made once up front (which no code handed a fresh packet can
 * do), and "views per packet", which takes them out of the packet on every call, the cheapest
 * way (plain Uint8Array views: a Buffer's `subarray` goes through @@species and costs more).
 * Neither assembles an output packet: one allocation and the copies of header, cipher text and
 * tag into one contiguous packet, which any protect/unprotect returning a packet must do (Node's
 * cipher objects only return fresh buffers), cost about 8% of the strict ceiling by themselves.
 * The AES-CM ceiling is the straightforward per-packet AES-128-CTR cipher object plus createHmac.
 */
const view = (p: Uint8Array, from: number, to: number) => new Uint8Array(p.buffer, p.byteOffset + from, to - from);
interface Parts {
  header: Buffer;
  body: Buffer;
  tag: Buffer;
  whole: Buffer;
}

function gcmAlg(key: Buffer): "aes-256-gcm" | "aes-128-gcm" {
  return key.length === 32 ? "aes-256-gcm" : "aes-128-gcm";
}

/** Genuine GCM wire forms of the plain packets under key/iv, so that final() verifies. */
function gcmWires(key: Buffer, iv: Buffer, plains: Buffer[]): Parts[] {
  return plains.map((pl) => {
    const c = createCipheriv(gcmAlg(key), key, iv);
    c.setAAD(pl.subarray(0, 12));
    const ct = c.update(pl.subarray(12));
    c.final();
    const whole = Buffer.concat([pl.subarray(0, 12), ct, c.getAuthTag()]);
    const end = whole.length - 16;
    return { header: whole.subarray(0, 12), body: whole.subarray(12, end), tag: whole.subarray(end), whole };
  });
}

function ceilingProtect(kind: string, key: Buffer, authKey: Buffer, plains: Buffer[], viewsPerPacket = false): () => unknown {
  const iv16 = randomBytes(16);
  const iv12 = randomBytes(12);
  const parts = plains.map((pl) => ({ header: pl.subarray(0, 12), payload: pl.subarray(12), whole: pl }));
  const roc = Buffer.alloc(4);
  let n = 0;
  if (kind === "aead-gcm") {
    const alg = gcmAlg(key);
    if (viewsPerPacket) {
      return () => {
        const pl = plains[n++ & (CYCLE - 1)];
        const c = createCipheriv(alg, key, iv12);
        c.setAAD(view(pl, 0, 12));
        const ct = c.update(view(pl, 12, pl.length));
        c.final();
        return [ct, c.getAuthTag()];
      };
    }
    return () => {
      const x = parts[n++ & (CYCLE - 1)];
      const c = createCipheriv(alg, key, iv12);
      c.setAAD(x.header);
      const ct = c.update(x.payload);
      c.final();
      return [ct, c.getAuthTag()];
    };
  }
  return () => {
    const x = parts[n++ & (CYCLE - 1)];
    const c = createCipheriv("aes-128-ctr", key, iv16);
    const ct = c.update(x.payload);
    return [ct, createHmac("sha1", authKey).update(x.header).update(ct).update(roc).digest()];
  };
}

/** `packets`: the plain RTP packets for GCM (it makes its own genuine wire forms), SRTP ones for AES-CM. */
function ceilingUnprotect(kind: string, key: Buffer, authKey: Buffer, packets: Buffer[], viewsPerPacket = false): () => unknown {
  const iv16 = randomBytes(16);
  const iv12 = randomBytes(12);
  const roc = Buffer.alloc(4);
  let n = 0;
  if (kind === "aead-gcm") {
    const alg = gcmAlg(key);
    const wires = gcmWires(key, iv12, packets);
    if (viewsPerPacket) {
      return () => {
        const w = wires[n++ & (CYCLE - 1)].whole;
        const end = w.length - 16;
        const d = createDecipheriv(alg, key, iv12);
        d.setAAD(view(w, 0, 12));
        d.setAuthTag(view(w, end, w.length));
        const pt = d.update(view(w, 12, end));
        d.final();
        return pt;
      };
    }
    return () => {
      const x = wires[n++ & (CYCLE - 1)];
      const d = createDecipheriv(alg, key, iv12);
      d.setAAD(x.header);
      d.setAuthTag(x.tag);
      const pt = d.update(x.body);
      d.final();
      return pt;
    };
  }
  const parts = packets.map((w) => ({ body: w.subarray(0, w.length - 10), payload: w.subarray(12, w.length - 10) }));
  return () => {
    const x = parts[n++ & (CYCLE - 1)];
    const mac = createHmac("sha1", authKey).update(x.body).update(roc).digest();
    const d = createDecipheriv("aes-128-ctr", key, iv16);
    return [mac, d.update(x.payload)];
  };
}

export default async function (): Promise<void> {
  const results: Result[] = [];
  const summary: string[] = [];
  const paired: string[] = [];
  for (const { id, werift } of PROFILES) {
    const p = srtpProfile(id);
    const material = randomBytes(keyingMaterialLength(p));
    const client = createSrtpSessionFromKeyingMaterial(p, material, "client");
    const server = createSrtpSessionFromKeyingMaterial(p, material, "server");
    const k = p.keyLength;
    const s = p.saltLength;
    const clientKey = material.subarray(0, k);
    const serverKey = material.subarray(k, 2 * k);
    const clientSalt = material.subarray(2 * k, 2 * k + s);
    const serverSalt = material.subarray(2 * k + s, 2 * k + 2 * s);
    const authKey = randomBytes(20);

    const packet = rtpPacket(1);
    const plains = Array.from({ length: CYCLE }, (_, i) => rtpPacket(i));
    const outBuf = new Uint8Array(packet.length + 64);
    const wires = plains.map((plain) => {
      const w = client.local.protectRtp(plain);
      if (!w) throw new Error("protect failed");
      return Buffer.from(w);
    });

    // --- protect (a second sender context per contender, so each sees its own stream)
    const tx1 = createSrtpSessionFromKeyingMaterial(p, material, "client").local;
    const tx2 = createSrtpSessionFromKeyingMaterial(p, material, "client").local;
    // Each contender sends its own endless stream: sequence numbers keep counting (and wrap).
    const next = (n: number) => {
      const pl = plains[n & (CYCLE - 1)];
      pl[2] = (n >>> 8) & 0xff;
      pl[3] = n & 0xff;
      return pl;
    };
    let n1 = 0;
    let n2 = 0;
    const protect: Contender[] = [
      { impl: "tsrtc", op: () => tx1.protectRtp(next(n1++)) },
      { impl: "tsrtc (caller's buffer)", op: () => tx2.protectRtp(next(n2++), outBuf) },
    ];
    if (p.kind === "aead-gcm") {
      // The same contexts with node:crypto's GCM for every packet (gcm: "node", the constant-time choice).
      const txNode = createSrtpSessionFromKeyingMaterial(p, material, "client", { gcm: "node" }).local;
      let n4 = 0;
      protect.push({ impl: "tsrtc (gcm: node)", op: () => txNode.protectRtp(next(n4++)) });
    }
    let wSession: SrtpSession | undefined;
    if (werift) {
      wSession = new SrtpSession({
        profile: id,
        keys: {
          localMasterKey: Buffer.from(clientKey),
          localMasterSalt: Buffer.from(clientSalt),
          remoteMasterKey: Buffer.from(clientKey),
          remoteMasterSalt: Buffer.from(clientSalt),
        },
      });
      const parsed = plains.map((pl) => RtpPacket.deSerialize(pl));
      const ws = wSession;
      let n3 = 0;
      protect.push({
        impl: "werift-rtp",
        op: () => {
          const x = parsed[n3 & (CYCLE - 1)];
          x.header.sequenceNumber = n3++ & 0xffff;
          return ws.encrypt(x.payload, x.header);
        },
      });
    }
    protect.push({ impl: "node:crypto ceiling", op: ceilingProtect(p.kind, Buffer.from(clientKey), authKey, plains) });
    if (p.kind === "aead-gcm") {
      protect.push({ impl: "node:crypto ceiling (views per packet)", op: ceilingProtect(p.kind, Buffer.from(clientKey), authKey, plains, true) });
    }
    const pr = runScenario({ name: `${p.name} protect`, unit: "pkt/s", contenders: protect }, OPTS);
    results.push(...pr);

    // --- unprotect
    let i = 0;
    const rx = server.remote;
    const unprotect: Contender[] = [
      {
        impl: "tsrtc",
        op: () => {
          if (i === CYCLE) {
            i = 0;
            rx.removeSsrc(SSRC);
          }
          const r = rx.unprotectRtp(wires[i++]);
          if (r === undefined) throw new Error(`unprotect failed: ${rx.lastError}`);
          return r;
        },
      },
    ];
    if (p.kind === "aead-gcm") {
      const rxNode = createSrtpSessionFromKeyingMaterial(p, material, "server", { gcm: "node" }).remote;
      let k = 0;
      unprotect.push({
        impl: "tsrtc (gcm: node)",
        op: () => {
          if (k === CYCLE) {
            k = 0;
            rxNode.removeSsrc(SSRC);
          }
          const r = rxNode.unprotectRtp(wires[k++]);
          if (r === undefined) throw new Error(`unprotect failed: ${rxNode.lastError}`);
          return r;
        },
      });
    }
    if (wSession) {
      let j = 0;
      const config = wSession.config;
      let ws = new SrtpSession(config);
      unprotect.push({
        impl: "werift-rtp",
        op: () => {
          if (j === CYCLE) {
            // werift tracks the ROC too: a fresh session per cycle, as ours drops the SSRC.
            j = 0;
            ws = new SrtpSession(config);
          }
          return ws.decrypt(wires[j++]);
        },
      });
    }
    const ceilingInput = p.kind === "aead-gcm" ? plains : wires;
    unprotect.push({ impl: "node:crypto ceiling", op: ceilingUnprotect(p.kind, Buffer.from(serverKey), authKey, ceilingInput) });
    if (p.kind === "aead-gcm") {
      unprotect.push({ impl: "node:crypto ceiling (views per packet)", op: ceilingUnprotect(p.kind, Buffer.from(serverKey), authKey, ceilingInput, true) });
    }
    const ur = runScenario({ name: `${p.name} unprotect`, unit: "pkt/s", contenders: unprotect }, OPTS);
    results.push(...ur);
    void serverSalt;

    const op = (cs: Contender[], impl: string) => cs.find((c) => c.impl === impl)!.op;
    const ceilingName = p.kind === "aead-gcm" ? "node:crypto ceiling" : undefined;
    for (const [dir, cs] of [
      ["protect", protect],
      ["unprotect", unprotect],
    ] as const) {
      const parts = [`${p.name} ${dir} (paired):`];
      if (werift) parts.push(`${pairedRatio(op(cs, "tsrtc"), op(cs, "werift-rtp")).toFixed(2)}x werift-rtp`);
      if (ceilingName) {
        parts.push(`${(100 * pairedRatio(op(cs, "tsrtc"), op(cs, `${ceilingName} (views per packet)`))).toFixed(0)}% of the ceiling taking its views per packet,`);
        parts.push(`${(100 * pairedRatio(op(cs, "tsrtc"), op(cs, ceilingName))).toFixed(0)}% of the strict ceiling (views made up front);`);
        parts.push(`${pairedRatio(op(cs, "tsrtc"), op(cs, "tsrtc (gcm: node)")).toFixed(2)}x tsrtc with gcm: "node"`);
      }
      if (parts.length > 1) paired.push(parts.join(" "));
    }

    const rate = (rs: Result[], impl: string) => rs.find((r) => r.impl === impl)?.rate ?? NaN;
    for (const [dir, rs] of [
      ["protect", pr],
      ["unprotect", ur],
    ] as const) {
      const ours = rate(rs, "tsrtc");
      const parts = [`${p.name} ${dir}: tsrtc ${Math.round(ours)} pkt/s`];
      if (werift) parts.push(`${(ours / rate(rs, "werift-rtp")).toFixed(2)}x werift-rtp`);
      parts.push(`${((100 * ours) / rate(rs, "node:crypto ceiling")).toFixed(0)}% of the node:crypto per-packet ceiling`);
      if (p.kind === "aead-gcm") {
        parts.push(`${((100 * ours) / rate(rs, "node:crypto ceiling (views per packet)")).toFixed(0)}% of the ceiling with views per packet`);
      }
      summary.push(parts.join(", "));
    }
  }
  printResults("SRTP: RTP packets with a 1200-byte payload", results);
  console.log("\n(ratio column: first row's rate / this row's rate, so >1 means tsrtc is faster)\n");
  for (const line of summary) console.log(`- ${line}`);
  console.log("\nPaired ratios (median over adjacent 32-op batches in ABBA order; the targets are these):\n");
  for (const line of paired) console.log(`- ${line}`);
}
