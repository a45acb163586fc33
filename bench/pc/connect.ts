/**
 * Signaling for the PeerConnection benchmarks: the implementations' adapters, the candidate
 * filter (every implementation talks over UDP 127.0.0.1 only, whatever else it gathered), and an
 * in-process offer/answer between two peers of one implementation.
 */
import type { AdapterModule, CandidateLike, DataChannelLike, DescriptionLike, PeerConnectionLike } from "./types.js";

export const IMPLS = ["tsrtc", "werift", "wrtc"] as const;
export type Impl = (typeof IMPLS)[number];

export async function loadAdapter(impl: Impl): Promise<AdapterModule> {
  const mod = (await import(`../adapters/${impl}.js`)) as AdapterModule;
  return { name: mod.name, RTCPeerConnection: mod.RTCPeerConnection };
}

/** Only UDP candidates on 127.0.0.1 cross the signaling. */
export function keepCandidate(candidate: string): boolean {
  return / udp /i.test(candidate) && candidate.includes(" 127.0.0.1 ");
}

/** The same filter on the a=candidate lines of a description. */
export function filterDescription(d: DescriptionLike): DescriptionLike {
  const sdp = d.sdp
    .split("\r\n")
    .filter((l) => !l.startsWith("a=candidate:") || keepCandidate(l))
    .join("\r\n");
  return { type: d.type, sdp };
}

/** A candidate as plain data (to cross a process boundary), or undefined when filtered out. */
export function candidateInit(c: CandidateLike | null | undefined): CandidateLike | undefined {
  if (!c || !c.candidate || !keepCandidate(c.candidate)) return undefined;
  return { candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? 0 };
}

/** Resolves when the channel is open (now or later). */
export function whenOpen(dc: DataChannelLike): Promise<void> {
  if (dc.readyState === "open") return Promise.resolve();
  return new Promise((resolve) => {
    const prev = dc.onopen;
    dc.onopen = (ev) => {
      dc.onopen = prev ?? null;
      resolve();
      void ev;
    };
  });
}

/**
 * Candidates for a peer wait until its remote description is set (an early addIceCandidate is
 * an InvalidStateError); then they are added in order.
 */
export class CandidateInbox {
  private ready = false;
  private readonly waiting: CandidateLike[] = [];

  constructor(private readonly pc: PeerConnectionLike) {}

  add(c: CandidateLike): void {
    if (this.ready) void this.pc.addIceCandidate(c).catch(() => undefined);
    else this.waiting.push(c);
  }

  /** Call once the remote description is applied. */
  open(): void {
    this.ready = true;
    for (const c of this.waiting.splice(0)) void this.pc.addIceCandidate(c).catch(() => undefined);
  }
}

export interface Pair {
  a: PeerConnectionLike;
  b: PeerConnectionLike;
  /** The channel a created, and the one b received. */
  dcA: DataChannelLike;
  dcB: DataChannelLike;
  close(): void;
}

/** Two peers in this process, a offers one reliable ordered channel; resolves once it is open on both sides. */
export async function connectPair(adapter: AdapterModule, timeoutMs = 20_000): Promise<Pair> {
  const a = new adapter.RTCPeerConnection();
  const b = new adapter.RTCPeerConnection();
  const close = () => {
    a.close();
    b.close();
  };
  try {
    const inboxA = new CandidateInbox(a);
    const inboxB = new CandidateInbox(b);
    a.onicecandidate = (e) => {
      const c = candidateInit(e.candidate);
      if (c) inboxB.add(c);
    };
    b.onicecandidate = (e) => {
      const c = candidateInit(e.candidate);
      if (c) inboxA.add(c);
    };
    const dcA = a.createDataChannel("bench", { ordered: true });
    const gotB = new Promise<DataChannelLike>((resolve) => {
      b.ondatachannel = (e) => resolve(e.channel);
    });
    const openA = whenOpen(dcA);
    const offer = await a.createOffer();
    await a.setLocalDescription(offer);
    await b.setRemoteDescription(filterDescription(offer));
    inboxB.open();
    const answer = await b.createAnswer();
    await b.setLocalDescription(answer);
    await a.setRemoteDescription(filterDescription(answer));
    inboxA.open();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${adapter.name}: channel not open after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const dcB = await Promise.race([gotB.then(async (dc) => (await whenOpen(dc), dc)), timeout]);
      await Promise.race([openA, timeout]);
      return { a, b, dcA, dcB, close };
    } finally {
      clearTimeout(timer);
    }
  } catch (e) {
    close();
    throw e;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Bytes in a received message, whatever type the implementation delivers. */
export function messageBytes(data: unknown): number {
  if (typeof data === "string") return Buffer.byteLength(data);
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}
