/** Loopback helpers for RTCPeerConnection tests: in-order signaling, waiting for events. */
import { RTCPeerConnection, type RTCConfiguration } from "../src/index.js";

export const LOOPBACK: RTCConfiguration = { tsrtc: { hosts: ["127.0.0.1"] } };

export function makePc(extra: RTCConfiguration = {}): RTCPeerConnection {
  return new RTCPeerConnection({ ...extra, tsrtc: { hosts: ["127.0.0.1"], ...extra.tsrtc } });
}

/** Resolve on the next `type` event of `target` (rejects after `ms`). */
export function once<E extends Event = Event>(target: EventTarget, type: string, ms = 10_000): Promise<E> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timeout waiting for ${type}`)), ms);
    target.addEventListener(type, (e) => {
      clearTimeout(t);
      resolve(e as E);
    }, { once: true });
  });
}

/** Poll `cond` every 5 ms until true (rejects after `ms`). */
export async function until(cond: () => boolean, ms = 10_000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

type Msg = { description: { type: "offer" | "answer" | "pranswer" | "rollback"; sdp?: string } } | { candidate: RTCIceCandidateLike | null };
interface RTCIceCandidateLike {
  candidate: string;
  sdpMid: string | null;
  sdpMLineIndex: number | null;
  usernameFragment: string | null;
}

/**
 * A signaling channel: what one side posts is handled by the other in order, one at a time
 * (descriptions before the candidates that follow them), as a real signaling server would.
 */
export class Signaling {
  private readonly queues = new Map<RTCPeerConnection, Msg[]>();
  private readonly busy = new Set<RTCPeerConnection>();
  readonly errors: unknown[] = [];
  onMessage: ((to: RTCPeerConnection, from: RTCPeerConnection, m: Msg) => Promise<void>) | undefined;

  constructor(
    readonly a: RTCPeerConnection,
    readonly b: RTCPeerConnection,
  ) {}

  other(pc: RTCPeerConnection): RTCPeerConnection {
    return pc === this.a ? this.b : this.a;
  }

  post(from: RTCPeerConnection, m: Msg): void {
    const to = this.other(from);
    const q = this.queues.get(to) ?? [];
    this.queues.set(to, q);
    q.push(JSON.parse(JSON.stringify(m)) as Msg);
    void this.drain(to, from);
  }

  private async drain(to: RTCPeerConnection, from: RTCPeerConnection): Promise<void> {
    if (this.busy.has(to)) return;
    this.busy.add(to);
    const q = this.queues.get(to)!;
    while (q.length > 0) {
      const m = q.shift()!;
      try {
        if (this.onMessage) await this.onMessage(to, from, m);
        else await defaultHandle(to, m, this);
      } catch (e) {
        this.errors.push(e);
      }
    }
    this.busy.delete(to);
  }
}

async function defaultHandle(pc: RTCPeerConnection, m: Msg, s: Signaling): Promise<void> {
  if ("description" in m) {
    await pc.setRemoteDescription(m.description as { type: "offer" | "answer" });
    if (m.description.type === "offer") {
      await pc.setLocalDescription();
      s.post(pc, { description: pc.localDescription!.toJSON() as { type: "answer"; sdp: string } });
    }
  } else await pc.addIceCandidate(m.candidate ?? undefined);
}

/** Wire both sides to trickle their candidates through `s`. */
export function trickle(s: Signaling): void {
  for (const pc of [s.a, s.b]) {
    pc.addEventListener("icecandidate", (e) => {
      const c = (e as Event & { candidate: { toJSON(): RTCIceCandidateLike } | null }).candidate;
      s.post(pc, { candidate: c ? c.toJSON() : null });
    });
  }
}

/** Offer from `a`, answer from `b`, trickling candidates. */
export async function connect(a: RTCPeerConnection, b: RTCPeerConnection): Promise<Signaling> {
  const s = new Signaling(a, b);
  trickle(s);
  await a.setLocalDescription();
  s.post(a, { description: a.localDescription!.toJSON() as { type: "offer"; sdp: string } });
  return s;
}

export function closeAll(...pcs: RTCPeerConnection[]): void {
  for (const pc of pcs) pc.close();
}
