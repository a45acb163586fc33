/**
 * Path heartbeats (RFC 9260 §8.3): on an idle association, a HEARTBEAT every interval; each
 * unanswered one counts as an association error, an answer resets the count and gives an RTT.
 */
import { type RandomSource, randomU32 } from "@tsrtc/base";
import { ChunkType } from "./constants.js";
import { encodeHeartbeat } from "./chunks/control.js";
import type { Sender } from "./sender.js";

export class Heartbeat {
  deadline: number | undefined;
  private pending = false;
  /** A random nonce in each probe's info (§8.3): an answer must echo the latest one. */
  private nonce = 0;
  stats = { forgedAcks: 0 };

  constructor(
    private readonly interval: number,
    private readonly rng: RandomSource,
  ) {}

  /** (Re)start on a new association (also after a peer restart): no probe of the old one is pending. */
  start(now: number): void {
    this.deadline = now + this.interval;
    this.pending = false;
    this.nonce = 0;
  }

  stop(): void {
    this.deadline = undefined;
  }

  /** Data went out: the path is not idle, push the next probe back. */
  onDataSent(now: number): void {
    if (this.deadline !== undefined) this.deadline = Math.max(this.deadline, now + this.interval);
  }

  /** The HEARTBEAT chunk to send now, "fail" when too many went unanswered, or undefined. */
  onTimeout(now: number, s: Sender, maxErrors: number): Uint8Array | "fail" | undefined {
    if (this.deadline === undefined || now < this.deadline) return undefined;
    if (this.pending && ++s.errorCount > maxErrors) return "fail";
    const info = new Uint8Array(12);
    const dv = new DataView(info.buffer);
    dv.setFloat64(0, now);
    this.nonce = randomU32(this.rng);
    dv.setUint32(8, this.nonce);
    this.pending = true;
    this.deadline = now + this.interval + s.rto.rto;
    return encodeHeartbeat(ChunkType.HEARTBEAT, info);
  }

  onAck(info: Uint8Array, now: number, s: Sender): void {
    const dv = new DataView(info.buffer, info.byteOffset, info.byteLength);
    // Only an answer to our latest probe counts: a stale or made-up one must not reset the
    // error count nor feed the RTO a chosen RTT.
    if (!this.pending || info.length !== 12 || dv.getUint32(8) !== this.nonce) {
      this.stats.forgedAcks++;
      return;
    }
    const sentAt = dv.getFloat64(0);
    this.pending = false;
    s.errorCount = 0;
    if (sentAt <= now && now - sentAt < 120000) s.rto.measure(now - sentAt);
  }
}
