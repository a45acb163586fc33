/**
 * Path heartbeats (RFC 9260 §8.3): on an idle association, a HEARTBEAT every interval; each
 * unanswered one counts as an association error, an answer resets the count and gives an RTT.
 */
import { ChunkType } from "./constants.js";
import { encodeHeartbeat } from "./chunks/control.js";
import type { Sender } from "./sender.js";

export class Heartbeat {
  deadline: number | undefined;
  private pending = false;

  constructor(private readonly interval: number) {}

  start(now: number): void {
    this.deadline = now + this.interval;
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
    const info = new Uint8Array(8);
    new DataView(info.buffer).setFloat64(0, now);
    this.pending = true;
    this.deadline = now + this.interval + s.rto.rto;
    return encodeHeartbeat(ChunkType.HEARTBEAT, info);
  }

  onAck(info: Uint8Array, now: number, s: Sender): void {
    if (info.length !== 8) return;
    const sentAt = new DataView(info.buffer, info.byteOffset, 8).getFloat64(0);
    this.pending = false;
    s.errorCount = 0;
    if (sentAt <= now && now - sentAt < 120000) s.rto.measure(now - sentAt);
  }
}
