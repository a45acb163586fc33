/**
 * The record layer's state: one write state and one read state per epoch (RFC 6347 §4.1),
 * 48-bit sequence numbers, one anti-replay window per read epoch (§4.1.2.6), and packing of
 * several records into datagrams bounded by the MTU (§4.1.1).
 */
import { ReplayWindow } from "@tsrtc/base";
import { DTLS_1_2, RECORD_HEADER_LENGTH } from "../constants.js";
import { writeRecordHeader } from "./header.js";
import type { AeadProtection } from "./protection.js";

const MAX_SEQ = 2 ** 48 - 1;

export interface WriteEpoch {
  epoch: number;
  seq: number;
  protection: AeadProtection | undefined;
}

export interface ReadEpoch {
  epoch: number;
  window: ReplayWindow;
  protection: AeadProtection | undefined;
}

export type OpenResult = Uint8Array | "replay" | "bad-mac" | "unknown-epoch";

export class RecordLayer {
  private readonly writes: WriteEpoch[] = [{ epoch: 0, seq: 0, protection: undefined }];
  private readonly reads: ReadEpoch[] = [{ epoch: 0, window: new ReplayWindow(64), protection: undefined }];
  /** The epoch new records are sent in. */
  writeEpoch = 0;
  /** Record-layer version we write: DTLS 1.2 once negotiated (RFC 6347 §4.1). */
  version = DTLS_1_2;

  installWrite(epoch: number, protection: AeadProtection): void {
    this.writes[epoch] = { epoch, seq: 0, protection };
  }

  installRead(epoch: number, protection: AeadProtection): void {
    this.reads[epoch] = { epoch, window: new ReplayWindow(64), protection };
  }

  hasRead(epoch: number): boolean {
    return this.reads[epoch] !== undefined;
  }

  /** Overhead a record in `epoch` adds to its payload. */
  overhead(epoch: number): number {
    const w = this.writes[epoch];
    return RECORD_HEADER_LENGTH + (w?.protection ? w.protection.overhead : 0);
  }

  /** Next sequence number to be used in `epoch` (tests, HelloVerifyRequest). */
  nextSeq(epoch: number): number {
    return this.writes[epoch]?.seq ?? 0;
  }

  /** Move a write sequence forward (never back). */
  advanceWriteSeq(epoch: number, seq: number): void {
    const w = this.writes[epoch];
    if (w && seq > w.seq) w.seq = seq;
  }

  /** Protect (or frame, in epoch 0) one record. */
  seal(type: number, epoch: number, payload: Uint8Array): Uint8Array {
    const w = this.writes[epoch];
    if (!w) throw new Error(`dtls: no write state for epoch ${epoch}`);
    if (w.seq > MAX_SEQ) throw new Error("dtls: sequence number space exhausted");
    const seq = w.seq++;
    if (w.protection) return w.protection.seal(type, this.version, epoch, seq, payload);
    const out = new Uint8Array(RECORD_HEADER_LENGTH + payload.length);
    writeRecordHeader(out, 0, type, this.version, epoch, seq, payload.length);
    out.set(payload, RECORD_HEADER_LENGTH);
    return out;
  }

  /**
   * Check replay, authenticate and decrypt one record. The window moves only after the record
   * authenticated (RFC 6347 §4.1.2.6). `stateless`: epoch 0 only, no replay state is touched
   * (a server waiting for a ClientHello keeps no state per datagram, RFC 6347 §4.2.1).
   *
   * An unprotected epoch (0) has no MAC, so nothing here authenticates it: its window is checked
   * but never moved by open(); the caller moves it with markSeen() for records it found useful.
   * Otherwise one forged record with a high sequence number would make every later genuine
   * epoch-0 record (a peer's retransmitted flight) look like a replay.
   */
  open(type: number, version: number, epoch: number, seq: number, d: Uint8Array, from: number, length: number, stateless = false): OpenResult {
    const r = this.reads[epoch];
    if (!r) return "unknown-epoch";
    if (stateless) return r.protection ? "unknown-epoch" : d.subarray(from, from + length);
    if (!r.window.check(seq)) return "replay";
    let plain: Uint8Array | undefined;
    if (r.protection) {
      plain = r.protection.open(type, version, epoch, seq, d, from, length);
      if (!plain) return "bad-mac";
      r.window.update(seq);
    } else {
      plain = d.subarray(from, from + length);
    }
    return plain;
  }

  /** Move the replay window of an unprotected epoch past `seq` (see open()). */
  markSeen(epoch: number, seq: number): void {
    const r = this.reads[epoch];
    if (r && !r.protection) r.window.update(seq);
  }
}

/** Packs records into datagrams of at most `mtu` bytes (a record larger than the MTU goes alone). */
export class DatagramPacker {
  private parts: Uint8Array[] = [];
  private size = 0;
  readonly out: Uint8Array[] = [];

  constructor(readonly mtu: number) {}

  /** Room left in the datagram being filled. */
  get room(): number {
    return this.mtu - this.size;
  }

  push(record: Uint8Array): void {
    if (this.size > 0 && this.size + record.length > this.mtu) this.flush();
    this.parts.push(record);
    this.size += record.length;
  }

  flush(): void {
    if (this.parts.length === 0) return;
    if (this.parts.length === 1) {
      this.out.push(this.parts[0]);
    } else {
      const d = new Uint8Array(this.size);
      let at = 0;
      for (const p of this.parts) {
        d.set(p, at);
        at += p.length;
      }
      this.out.push(d);
    }
    this.parts = [];
    this.size = 0;
  }
}
