/**
 * tsrtc's RTCPeerConnection against headless Chromium, data channels only. Run inside a private
 * namespace by run-in-netns.ts (chromium-datachannel.test.ts asserts on the RESULT line).
 *
 * One browser launch serves every run. Two browser contexts: one without media permission
 * (Chromium hides its host addresses behind mDNS `.local` names) and one granted camera and
 * microphone (raw 198.18.0.x host candidates). In each, Node offers once and Chromium offers
 * once, one of the two trickling candidates and the other exchanging complete descriptions:
 *
 *   - three channels (labels a, b, c, with protocols) open at once;
 *   - strings (ASCII, multi-byte, empty, 60 000 characters) and binary (0..65536 bytes)
 *     interleaved over the three channels both ways, checked for content and order;
 *   - a 256 KiB message each way (Chromium's own sending limit);
 *   - send() above the peer's limit: TypeError with the advertised 262144; with
 *     tsrtc.remoteMaxMessageSize = 1 MiB a 1 MiB message reaches Chromium intact;
 *   - getStats on both sides: the selected pair (addresses and ports, crosswise), the DTLS
 *     cipher and version, the certificate fingerprints;
 *   - channels opened on the live connection by either side (in-band DCEP, ids by DTLS role),
 *     a negotiated one, an unordered partially reliable one;
 *   - in the trickle runs, an ICE restart by the offerer, the channels carrying on;
 *   - a channel closed by Node, another by Chromium, the third still carrying messages; then the
 *     peer connection closed by the answerer's side (Chromium when Node offered, Node when
 *     Chromium offered), seen as the channel closing on the other side.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { RTCPeerConnection, type RTCDataChannel, type RTCStats } from "@tsrtc/webrtc";
import { launchChromium } from "../harness/chromium.js";
import { servePages } from "../harness/page-server.js";

const here = dirname(fileURLToPath(import.meta.url));
const pageScript = readFileSync(join(here, "chromium-dc-page.js"), "utf8");

const nodeErrors: string[] = [];
process.on("uncaughtException", (e) => nodeErrors.push(`uncaughtException: ${e.stack ?? e}`));
process.on("unhandledRejection", (e) => nodeErrors.push(`unhandledRejection: ${(e as Error)?.stack ?? e}`));

const CHROMIUM_LIMIT = 262144;
const OVERRIDE = 1 << 20;
const LABELS = [
  { label: "a", protocol: "" },
  { label: "b", protocol: "json" },
  { label: "c", protocol: "bin" },
];

// ---- messages: the same pattern and descriptions as chromium-dc-page.js ----------------------

function pattern(len: number): Uint8Array {
  const b = new Uint8Array(len);
  const seed = len & 255;
  for (let i = 0; i < len; i++) b[i] = (i * 31 + seed) & 255;
  return b;
}

function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16);
}

function makeText(spec: string): string {
  const n = Number(spec.slice(1));
  let s = "";
  while (s.length < n) s += "é✓a€";
  return s.slice(0, n);
}

function describeMessage(data: unknown): string {
  if (typeof data === "string") return data.length <= 64 ? `s:${data}` : `S:${data.length}:${fnv(data)}`;
  const b = new Uint8Array(data as ArrayBuffer);
  const seed = b.length & 255;
  for (let i = 0; i < b.length; i++) if (b[i] !== ((i * 31 + seed) & 255)) return `b:${b.length}:bad@${i}`;
  return `b:${b.length}:ok`;
}

type PlanItem = [label: string, kind: "s" | "t" | "b", value: string | number];

/** What one side sends: interleaved over a, b, c, then the 256 KiB message on a. */
function plan(from: string): PlanItem[] {
  const sizes = [0, 1, 100, 1199, 1200, 1300, 5000, 65536];
  const out: PlanItem[] = [];
  for (let i = 0; i < 24; i++) {
    for (const { label } of LABELS) {
      if (i % 2 === 0) out.push([label, "s", i === 4 ? "" : `${from}-${label}-${i}-ünï✓`]);
      else out.push([label, "b", sizes[(i >> 1) % sizes.length]]);
    }
  }
  out.push(["b", "t", "T60000"]);
  out.push(["a", "b", CHROMIUM_LIMIT]);
  return out;
}

function expected(p: PlanItem[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [label, kind, value] of p) {
    (out[label] ??= []).push(kind === "s" ? describeMessage(value) : kind === "t" ? describeMessage(makeText(String(value))) : `b:${value}:ok`);
  }
  return out;
}

function send(ch: RTCDataChannel, kind: PlanItem[1], value: PlanItem[2]): void {
  ch.send(kind === "s" ? String(value) : kind === "t" ? makeText(String(value)) : pattern(Number(value)));
}

// ---- waiting ----------------------------------------------------------------------------------

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!(await cond())) {
    if (performance.now() > end) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((r) => pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && r()));
}

// ---- stats ------------------------------------------------------------------------------------

interface PeerStats {
  local?: { address: unknown; port: unknown; candidateType: unknown; protocol: unknown };
  remote?: { address: unknown; port: unknown; candidateType: unknown; protocol: unknown };
  pairState?: unknown;
  dtlsCipher?: unknown;
  tlsVersion?: unknown;
  dtlsRole?: unknown;
  iceRole?: unknown;
  localFingerprint?: unknown;
  remoteFingerprint?: unknown;
  error?: string;
}

async function nodeStats(pc: RTCPeerConnection): Promise<PeerStats> {
  const r = await pc.getStats();
  const t = [...r.values()].find((s) => s.type === "transport");
  if (!t || typeof t.selectedCandidatePairId !== "string") return { error: "no selected pair" };
  const pair = r.get(t.selectedCandidatePairId)!;
  const cand = (c: RTCStats) => ({ address: c.address, port: c.port, candidateType: c.candidateType, protocol: c.protocol });
  return {
    local: cand(r.get(pair.localCandidateId as string)!),
    remote: cand(r.get(pair.remoteCandidateId as string)!),
    pairState: pair.state,
    dtlsCipher: t.dtlsCipher,
    tlsVersion: t.tlsVersion,
    dtlsRole: t.dtlsRole,
    iceRole: t.iceRole,
    localFingerprint: r.get(t.localCertificateId as string)?.fingerprint,
    remoteFingerprint: r.get(t.remoteCertificateId as string)?.fingerprint,
  };
}

// ---- one connection ---------------------------------------------------------------------------

export interface ChannelView {
  label: string;
  protocol: string;
  id: number | null;
  ordered: boolean;
  maxRetransmits: number | null;
  maxPacketLifeTime: number | null;
  negotiated: boolean;
}

export interface RunResult {
  name: string;
  mode: "mdns" | "raw";
  nodeOffers: boolean;
  trickle: boolean;
  override: boolean;
  error?: string;
  browserCandidates: string[];
  openMs?: number;
  dataMs?: number;
  nodeChannels?: { label: string; protocol: string; id: number | null }[];
  browserChannels?: { label: string; protocol: string; id: number | null }[];
  maxMessageSize?: number;
  browserMaxMessageSize?: number;
  /** Node → Chromium and Chromium → Node: what arrived against what was sent, per channel. */
  atBrowser?: { expected: Record<string, string[]>; got: Record<string, string[]> };
  atNode?: { expected: Record<string, string[]>; got: Record<string, string[]> };
  browserSendErrors?: string[];
  /** send() above the limit: the error name ("none" when it did not throw). */
  aboveLimit?: string;
  /** With the override: the 1 MiB message as Chromium described it. */
  megabyte?: string;
  megabyteMs?: number;
  nodeStats?: PeerStats;
  browserStats?: PeerStats;
  /**
   * Channels opened on the live connection: one by each side (in-band DCEP, ids by DTLS role,
   * RFC 8832 §6), a negotiated one (id 40 on both), and a partially reliable unordered one; as
   * each side sees them, and the messages that crossed them.
   */
  later?: {
    nodeView: ChannelView[];
    browserView: ChannelView[];
    atNode: Record<string, string[]>;
    atBrowser: Record<string, string[]>;
  };
  /** Trickle runs: the offerer restarted ICE; what both sides showed after it. */
  restart?: {
    by: "node" | "browser";
    remoteUfragChanged: boolean;
    localUfragChanged: boolean;
    nodeIce: string;
    browserIce: string;
    signaling: string;
    atNode: string[];
    atBrowser: string[];
  };
  /** After Node closed b and Chromium closed c. */
  closes?: { nodeB: string; browserB: boolean; nodeC: string; browserC: boolean; nodeAState: string; afterClose: { atNode: string[]; atBrowser: string[] } };
  /** The answerer's side closed the whole peer connection. */
  pcClose?: { by: "browser" | "node"; otherChannelClosed: boolean; otherState: string };
  browserErrors?: string[];
}

async function runConnection(ctx: BrowserContext, url: string, mode: "mdns" | "raw", nodeOffers: boolean, trickle: boolean): Promise<RunResult> {
  const override = !nodeOffers;
  const res: RunResult = {
    name: `${mode}, ${nodeOffers ? "Node" : "Chromium"} offers, ${trickle ? "trickle" : "complete descriptions"}`,
    mode,
    nodeOffers,
    trickle,
    override,
    browserCandidates: [],
  };
  const page: Page = await ctx.newPage();
  page.on("console", (m) => console.error(`PAGE ${m.text()}`));
  page.on("pageerror", (e) => nodeErrors.push(`page error: ${e.message}`));
  const pc = new RTCPeerConnection(override ? { tsrtc: { remoteMaxMessageSize: OVERRIDE } } : {});
  const channels = new Map<string, RTCDataChannel>();
  const atNode: Record<string, string[]> = {};
  const closedAtNode = new Set<string>();
  const track = (ch: RTCDataChannel) => {
    channels.set(ch.label, ch);
    atNode[ch.label] = [];
    ch.onmessage = (m) => atNode[ch.label].push(describeMessage(m.data));
    ch.onclose = () => closedAtNode.add(ch.label);
  };
  pc.ondatachannel = (e) => track(e.channel);
  // Signaling: Node → page in order through one chain; page → Node candidates wait for the
  // remote description (they may overtake the answer that page.evaluate returns).
  let toPage: Promise<unknown> = Promise.resolve();
  const post = (js: string) => (toPage = toPage.then(() => page.evaluate(js)));
  let remoteSet!: () => void;
  let remoteReady = new Promise<void>((r) => (remoteSet = r));
  /** A new round of descriptions (ICE restart): candidates wait for its remote description. */
  const newRound = () => (remoteReady = new Promise<void>((r) => (remoteSet = r)));
  let fromPage: Promise<unknown> = Promise.resolve();
  await page.exposeFunction("toNode", (json: string) => {
    const m = JSON.parse(json) as { candidate: { candidate: string; sdpMid: string; sdpMLineIndex: number } | null };
    if (m.candidate) res.browserCandidates.push(m.candidate.candidate);
    const ready = remoteReady;
    fromPage = fromPage.then(async () => {
      await ready;
      await pc.addIceCandidate(m.candidate ?? undefined);
    }).catch((e) => nodeErrors.push(`addIceCandidate: ${e}`));
  });
  if (trickle) pc.onicecandidate = (e) => void post(`T.addCandidate(${JSON.stringify(e.candidate ? e.candidate.toJSON() : null)})`);
  await page.goto(url);
  const t0 = performance.now();
  try {
    const candidatesIn = (sdp: string) => sdp.split("\r\n").filter((l) => l.startsWith("a=candidate:")).map((l) => l.slice(2));
    if (nodeOffers) {
      for (const l of LABELS) track(pc.createDataChannel(l.label, { protocol: l.protocol }));
      await pc.setLocalDescription();
      if (!trickle) await gathered(pc);
      const answer = (await post(`T.answer(${JSON.stringify(pc.localDescription!.sdp)}, ${trickle})`)) as string;
      res.browserCandidates.push(...candidatesIn(answer));
      await pc.setRemoteDescription({ type: "answer", sdp: answer });
      remoteSet();
    } else {
      const offer = (await page.evaluate(`T.offer(${trickle}, ${JSON.stringify(LABELS)})`)) as string;
      res.browserCandidates.push(...candidatesIn(offer));
      await pc.setRemoteDescription({ type: "offer", sdp: offer });
      remoteSet();
      await pc.setLocalDescription();
      if (!trickle) await gathered(pc);
      await post(`T.setAnswer(${JSON.stringify(pc.localDescription!.sdp)})`);
    }
    const labels = LABELS.map((l) => l.label);
    await until(() => labels.every((l) => channels.get(l)?.readyState === "open"), 15_000, `channels open at Node (state ${pc.connectionState})`);
    await page.evaluate(`T.waitFor(() => T.openLabels().length === 3, 15000, "channels open in Chromium")`);
    res.openMs = performance.now() - t0;
    res.nodeChannels = [...channels.values()].map((c) => ({ label: c.label, protocol: c.protocol, id: c.id }));
    res.browserChannels = (await page.evaluate("T.channelInfo()")) as RunResult["browserChannels"];
    res.maxMessageSize = pc.sctp!.maxMessageSize;
    res.browserMaxMessageSize = (await page.evaluate("T.pc.sctp.maxMessageSize")) as number;

    // Both streams at once.
    const nodePlan = plan("node");
    const browserPlan = plan("chromium");
    const t1 = performance.now();
    const browserSending = page.evaluate(`T.sendPlan(${JSON.stringify(browserPlan)})`) as Promise<string[]>;
    for (const [label, kind, value] of nodePlan) send(channels.get(label)!, kind, value);
    res.browserSendErrors = await browserSending;
    const expBrowser = expected(nodePlan);
    const expNode = expected(browserPlan);
    const total = (e: Record<string, string[]>) => Object.values(e).reduce((n, l) => n + l.length, 0);
    await until(() => total(atNode) >= total(expNode), 20_000, "Chromium's messages at Node");
    await page.evaluate(`T.waitFor(() => Object.values(T.counts()).reduce((a, b) => a + b, 0) >= ${total(expBrowser)}, 20000, "Node's messages in Chromium")`);
    res.dataMs = performance.now() - t1;
    res.atNode = { expected: expNode, got: structuredClone(atNode) };
    res.atBrowser = { expected: expBrowser, got: (await page.evaluate("T.received")) as Record<string, string[]> };

    // Above the limit: TypeError (W3C §6.2), the channel stays open. With the override, 1 MiB.
    const a = channels.get("a")!;
    const limit = override ? OVERRIDE : CHROMIUM_LIMIT;
    try {
      a.send(new Uint8Array(limit + 1));
      res.aboveLimit = "none";
    } catch (e) {
      res.aboveLimit = (e as Error).name;
    }
    if (override) {
      const before = ((await page.evaluate("T.received.a.length")) as number);
      const t2 = performance.now();
      a.send(pattern(OVERRIDE));
      await page.evaluate(`T.waitFor(() => T.received.a.length > ${before}, 20000, "the 1 MiB message")`);
      res.megabyteMs = performance.now() - t2;
      res.megabyte = (await page.evaluate(`T.received.a[${before}]`)) as string;
    }

    res.nodeStats = await nodeStats(pc);
    res.browserStats = (await page.evaluate("T.stats()")) as PeerStats;

    // Channels opened on the live connection, by either side.
    const LATER = ["from-node", "from-chromium", "neg", "partial"];
    const partial = nodeOffers ? { ordered: false, maxRetransmits: 0 } : { ordered: false, maxPacketLifeTime: 500 };
    track(pc.createDataChannel("from-node", { protocol: "n" }));
    await page.evaluate(`T.create("from-chromium", { protocol: "c" })`);
    track(pc.createDataChannel("neg", { negotiated: true, id: 40 }));
    await page.evaluate(`T.create("neg", { negotiated: true, id: 40 })`);
    if (nodeOffers) track(pc.createDataChannel("partial", partial));
    else await page.evaluate(`T.create("partial", ${JSON.stringify(partial)})`);
    await until(() => LATER.every((l) => channels.get(l)?.readyState === "open"), 10_000, "the later channels open at Node");
    await page.evaluate(`T.waitFor(() => ${JSON.stringify(LATER)}.every((l) => T.channels[l] && T.channels[l].readyState === "open"), 10000, "the later channels open in Chromium")`);
    for (const l of LATER) {
      for (let i = 0; i < 20; i++) channels.get(l)!.send(`${l}-n${i}`);
      await page.evaluate(`for (let i = 0; i < 20; i++) T.channels[${JSON.stringify(l)}].send(${JSON.stringify(l)} + "-c" + i)`);
    }
    const countIn = (rec: Record<string, string[]>) => LATER.reduce((n, l) => n + (rec[l]?.length ?? 0), 0);
    await until(() => countIn(atNode) >= 80, 10_000, "messages on the later channels at Node").catch(() => undefined);
    await page.evaluate(`T.waitFor(() => ${JSON.stringify(LATER)}.reduce((n, l) => n + T.received[l].length, 0) >= 80, 10000, "messages on the later channels in Chromium")`).catch(() => undefined);
    const view = (c: RTCDataChannel): ChannelView => ({
      label: c.label,
      protocol: c.protocol,
      id: c.id,
      ordered: c.ordered,
      maxRetransmits: c.maxRetransmits,
      maxPacketLifeTime: c.maxPacketLifeTime,
      negotiated: c.negotiated,
    });
    const browserAll = (await page.evaluate("T.channelInfo()")) as ChannelView[];
    const received = (await page.evaluate("T.received")) as Record<string, string[]>;
    res.later = {
      nodeView: LATER.map((l) => view(channels.get(l)!)),
      browserView: LATER.map((l) => browserAll.find((c) => c.label === l)!),
      atNode: Object.fromEntries(LATER.map((l) => [l, atNode[l]])),
      atBrowser: Object.fromEntries(LATER.map((l) => [l, received[l]])),
    };

    // ICE restart (trickle runs): by Node when it offered, by Chromium when it did; the
    // channels carry on over the new credentials.
    if (trickle) {
      const ufragBefore = pc.sctp!.transport.iceTransport.getRemoteParameters()!.usernameFragment;
      const localBefore = pc.sctp!.transport.iceTransport.getLocalParameters()!.usernameFragment;
      newRound();
      if (nodeOffers) {
        pc.restartIce();
        await pc.setLocalDescription();
        const answer = (await post(`T.reoffer(${JSON.stringify(pc.localDescription!.sdp)})`)) as string;
        await pc.setRemoteDescription({ type: "answer", sdp: answer });
      } else {
        const offer = (await page.evaluate("T.restart()")) as string;
        await pc.setRemoteDescription({ type: "offer", sdp: offer });
        await pc.setLocalDescription();
        await post(`T.setAnswer(${JSON.stringify(pc.localDescription!.sdp)})`);
      }
      remoteSet();
      const nA = atNode.a.length;
      const bA = (await page.evaluate("T.received.a.length")) as number;
      await until(async () => pc.iceConnectionState === "connected" || pc.iceConnectionState === "completed", 10_000, "ICE after the restart");
      await page.evaluate(`T.waitFor(() => T.pc.iceConnectionState === "connected" || T.pc.iceConnectionState === "completed", 10000, "Chromium's ICE after the restart")`);
      channels.get("a")!.send("after-restart-from-node");
      await page.evaluate(`T.channels.a.send("after-restart-from-chromium")`);
      await until(() => atNode.a.length > nA, 10_000, "a message after the restart").catch(() => undefined);
      await page.evaluate(`T.waitFor(() => T.received.a.length > ${bA}, 10000, "a message after the restart")`).catch(() => undefined);
      res.restart = {
        by: nodeOffers ? "node" : "browser",
        remoteUfragChanged: pc.sctp!.transport.iceTransport.getRemoteParameters()!.usernameFragment !== ufragBefore,
        localUfragChanged: pc.sctp!.transport.iceTransport.getLocalParameters()!.usernameFragment !== localBefore,
        nodeIce: pc.iceConnectionState,
        browserIce: (await page.evaluate("T.pc.iceConnectionState")) as string,
        signaling: pc.signalingState,
        atNode: atNode.a.slice(nA),
        atBrowser: ((await page.evaluate("T.received.a")) as string[]).slice(bA),
      };
    }

    // Close b from Node, c from Chromium; a keeps working.
    channels.get("b")!.close();
    await page.evaluate(`T.channels.c.close()`);
    await until(() => closedAtNode.has("b") && closedAtNode.has("c"), 10_000, "b and c closed at Node").catch(() => undefined);
    await page.evaluate(`T.waitFor(() => T.closed.b && T.closed.c, 10000, "b and c closed in Chromium")`).catch(() => undefined);
    const nA = atNode.a.length;
    const bA = (await page.evaluate("T.received.a.length")) as number;
    a.send("after-close-from-node");
    await page.evaluate(`T.channels.a.send("after-close-from-chromium")`);
    await until(() => atNode.a.length > nA, 10_000, "a message on a after the closes").catch(() => undefined);
    await page.evaluate(`T.waitFor(() => T.received.a.length > ${bA}, 10000, "a message on a after the closes")`).catch(() => undefined);
    res.closes = {
      nodeB: channels.get("b")!.readyState,
      browserB: (await page.evaluate("!!T.closed.b")) as boolean,
      nodeC: channels.get("c")!.readyState,
      browserC: (await page.evaluate("!!T.closed.c")) as boolean,
      nodeAState: a.readyState,
      afterClose: { atNode: atNode.a.slice(nA), atBrowser: ((await page.evaluate("T.received.a")) as string[]).slice(bA) },
    };

    // The answerer closes the peer connection; the offerer's channel a closes.
    if (nodeOffers) {
      await page.evaluate("T.pc.close()");
      const seen = await until(() => closedAtNode.has("a"), 10_000, "a closed at Node").then(() => true, () => false);
      res.pcClose = { by: "browser", otherChannelClosed: seen, otherState: a.readyState };
    } else {
      pc.close();
      const seen = await page.evaluate(`T.waitFor(() => T.closed.a, 10000, "a closed in Chromium")`).then(() => true, () => false);
      res.pcClose = { by: "node", otherChannelClosed: seen, otherState: (await page.evaluate("T.channels.a.readyState")) as string };
    }
    res.browserErrors = (await page.evaluate("T.errors")) as string[];
  } catch (e) {
    res.error = `${(e as Error).stack ?? e} (connection ${pc.connectionState}, ice ${pc.iceConnectionState})`;
  } finally {
    pc.close();
    await page.close().catch(() => undefined);
  }
  return res;
}

// ---- main ---------------------------------------------------------------------------------------

const tLaunch = performance.now();
const { browser, close } = await launchChromium();
const launchMs = performance.now() - tLaunch;
const site = await servePages({ "/": `<!doctype html><title>tsrtc data channels</title><script>${pageScript}</script>` });
const runs: RunResult[] = [];
const t0 = performance.now();
try {
  for (const mode of ["mdns", "raw"] as const) {
    // Camera and microphone permission lifts Chromium's mDNS hiding of host addresses.
    const ctx = await browser.newContext(mode === "raw" ? { permissions: ["camera", "microphone"] } : {});
    const trickleNodeOffers = mode === "mdns";
    runs.push(await runConnection(ctx, site.url, mode, true, trickleNodeOffers));
    runs.push(await runConnection(ctx, site.url, mode, false, !trickleNodeOffers));
    await ctx.close();
  }
} finally {
  const totalMs = performance.now() - t0;
  // Let any late event (a stray callback after close) surface before reporting.
  await new Promise((r) => setTimeout(r, 200));
  console.log(`RESULT ${JSON.stringify({ version: browser.version(), launchMs, totalMs, runs, nodeErrors })}`);
  await site.close();
  await close();
}
process.exit(0);
