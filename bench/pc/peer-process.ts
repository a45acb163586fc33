/**
 * One peer of the throughput scenario, in its own process (its own event loop). The parent
 * (throughput.ts) relays signaling between the two peers over IPC and drives the transfers:
 *
 *   parent → peer   { cmd: "init", impl, role }          role "sender" offers and opens the channel
 *   peer ↔ parent   { sig: description | candidate }     relayed to the other peer
 *   peer → parent   { ready: true }                      the channel is open on this side
 *   parent → recv   { cmd: "expect", id, bytes }         count received bytes from now on
 *   recv → parent   { expecting: id }                    (only then is the sender told to send)
 *   parent → send   { cmd: "send", id, size, count,      send count messages of size bytes,
 *                     high, low }                        at most `high` bytes buffered
 *   recv → parent   { done: id, cpuMs, waitMs }                all expected bytes arrived (CPU time since "expect")
 *   parent → send   { cmd: "cpu", id }                   CPU time since "send" ...
 *   send → parent   { cpu: id, cpuMs, waitMs }           ... user + system, and time waiting for a CPU, ms
 *
 * The sender keeps at most `high` bytes buffered: above it, it waits for bufferedamountlow
 * (bufferedAmountLowThreshold = `low`) before sending on.
 */
import { readFileSync } from "node:fs";
import { type Impl, CandidateInbox, candidateInit, filterDescription, loadAdapter, messageBytes, whenOpen } from "./connect.js";
import type { CandidateLike, DataChannelLike, DescriptionLike, PeerConnectionLike } from "./types.js";

type FromParent =
  | { cmd: "init"; impl: Impl; role: "sender" | "receiver" }
  | { cmd: "expect"; id: number; bytes: number }
  | { cmd: "send"; id: number; size: number; count: number; high: number; low: number }
  | { cmd: "cpu"; id: number }
  | { cmd: "exit" }
  | { sig: { description?: DescriptionLike; candidate?: CandidateLike } };

const send = (m: unknown) => process.send!(m);

let pc: PeerConnectionLike | undefined;
let inbox: CandidateInbox | undefined;
let channel: DataChannelLike | undefined;
let role: "sender" | "receiver" = "receiver";
// Receiver: bytes still expected for the current transfer.
let expecting = { id: -1, remaining: 0 };
// CPU time (user + system) at the start of the current transfer, for the cost per byte, and
// the time spent runnable but waiting for a CPU (Linux schedstat: other load on the machine).
const runDelayMs = (): number => {
  try {
    return Number(readFileSync("/proc/self/schedstat", "utf8").split(" ")[1]) / 1e6;
  } catch {
    return NaN;
  }
};
let cpuMark = process.cpuUsage();
let waitMark = runDelayMs();
const mark = () => {
  cpuMark = process.cpuUsage();
  waitMark = runDelayMs();
};
const cpuSince = () => {
  const d = process.cpuUsage(cpuMark);
  return { cpuMs: (d.user + d.system) / 1000, waitMs: runDelayMs() - waitMark };
};

async function init(impl: Impl, r: "sender" | "receiver"): Promise<void> {
  role = r;
  const adapter = await loadAdapter(impl);
  const peer = new adapter.RTCPeerConnection();
  pc = peer;
  inbox = new CandidateInbox(peer);
  peer.onicecandidate = (e) => {
    const c = candidateInit(e.candidate);
    if (c) send({ sig: { candidate: c } });
  };
  if (role === "sender") {
    const dc = peer.createDataChannel("bench", { ordered: true });
    useChannel(dc);
    const offer = await peer.createOffer();
    await peer.setLocalDescription(offer);
    send({ sig: { description: filterDescription(offer) } });
  } else {
    peer.ondatachannel = (e) => useChannel(e.channel);
  }
}

function useChannel(dc: DataChannelLike): void {
  channel = dc;
  dc.binaryType = "arraybuffer";
  dc.onmessage = (e) => {
    if (expecting.remaining <= 0) return;
    expecting.remaining -= messageBytes(e.data);
    if (expecting.remaining <= 0) send({ done: expecting.id, ...cpuSince() });
  };
  void whenOpen(dc).then(() => send({ ready: true }));
}

async function onSignal(sig: { description?: DescriptionLike; candidate?: CandidateLike }): Promise<void> {
  if (!pc || !inbox) return;
  if (sig.candidate) inbox.add(sig.candidate);
  if (sig.description) {
    await pc.setRemoteDescription(sig.description);
    inbox.open();
    if (sig.description.type === "offer") {
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      send({ sig: { description: filterDescription(answer) } });
    }
  }
}

/**
 * Send `count` messages of `size` bytes, never more than `high` bytes buffered. Resumes on
 * bufferedamountlow; a 2 ms poll of bufferedAmount backs the event up, because libwebrtc through
 * @roamhq/wrtc sometimes never delivers it (64 KiB messages: bufferedAmount falls to 0, no event).
 */
function sendMessages(size: number, count: number, high: number, low: number): void {
  const dc = channel!;
  dc.bufferedAmountLowThreshold = low;
  const payload = Buffer.alloc(size, 0x61);
  let sent = 0;
  let poll: NodeJS.Timeout | undefined;
  const pump = () => {
    while (sent < count) {
      if (dc.bufferedAmount > high) {
        dc.addEventListener("bufferedamountlow", resume);
        poll = setInterval(() => {
          if (dc.bufferedAmount <= low) resume();
        }, 2);
        return;
      }
      dc.send(payload);
      sent++;
    }
  };
  const resume = () => {
    dc.removeEventListener("bufferedamountlow", resume);
    clearInterval(poll);
    pump();
  };
  pump();
}

// Messages are handled one after another: a description or candidate waits for "init" (which
// loads the implementation) and for the description before it.
let chain: Promise<void> = Promise.resolve();
process.on("message", (m: FromParent) => {
  chain = chain.catch(() => undefined).then(() => handle(m));
  chain.catch((e: unknown) => send({ error: String(e) }));
});

async function handle(m: FromParent): Promise<void> {
  if ("sig" in m) return onSignal(m.sig);
  switch (m.cmd) {
    case "init":
      return init(m.impl, m.role);
    case "expect":
      expecting = { id: m.id, remaining: m.bytes };
      mark();
      send({ expecting: m.id });
      return;
    case "cpu":
      send({ cpu: m.id, ...cpuSince() });
      return;
    case "send":
      mark();
      sendMessages(m.size, m.count, m.high, m.low);
      return;
    case "exit":
      if (process.env.PC_PEER_STATS) dumpStats();
      pc?.close();
      setTimeout(() => process.exit(0), 50);
      return;
  }
}
process.on("disconnect", () => process.exit(0));

/**
 * PC_PEER_STATS=1: at exit, write this peer's CPU time and (tsrtc) its SCTP and engine counters
 * to stderr, reaching into the implementation's internals (a diagnostic for tuning, not a result).
 */
function dumpStats(): void {
  const cpu = process.cpuUsage();
  const out: Record<string, unknown> = { role, cpuMs: { user: cpu.user / 1000, system: cpu.system / 1000 } };
  const engine = (pc as unknown as { engine?: { counters?: unknown; sctpAssociation?: Record<string, unknown> } }).engine;
  const assoc = engine?.sctpAssociation;
  if (assoc) {
    const sender = assoc.sender as { stats: unknown; cc: unknown; flightSize: number; peerRwnd: number; rto: { rto: number } } | undefined;
    const receiver = assoc.receiver as { stats: unknown } | undefined;
    out.sctp = assoc.stats;
    out.sender = sender && { ...(sender.stats as object), cc: sender.cc, rto: sender.rto.rto, peerRwnd: sender.peerRwnd };
    out.receiver = receiver?.stats;
    out.engine = engine.counters;
  }
  process.stderr.write(`PEER-STATS ${JSON.stringify(out)}\n`);
}
