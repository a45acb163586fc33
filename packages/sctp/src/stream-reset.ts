/**
 * Stream reset (RFC 6525), as WebRTC uses it to close a data channel (RFC 8831 §6.7): an
 * Outgoing SSN Reset Request for our streams, answered by a Re-configuration Response; and the
 * peer's requests for its streams, performed once every TSN before them has arrived.
 */
import { ReconfigResult } from "./constants.js";
import type { ReconfigParam } from "./chunks/reconfig.js";
import { tsnLte } from "./tsn.js";

export interface ResetHost {
  /** Messages of `stream` still waiting in the send queue. */
  pendingOn(stream: number): number;
  /** The last TSN assigned so far. */
  lastAssignedTsn(): number;
  /** The cumulative TSN received from the peer. */
  receivedCum(): number;
  rto(): number;
  /** Our outgoing streams were reset (or the peer refused). */
  outgoingDone(streams: number[], ok: boolean): void;
  /** The peer's outgoing streams, our incoming ones, were reset. */
  incomingDone(streams: number[]): void;
}

interface Request {
  reqSeq: number;
  streams: number[];
  lastTsn: number;
}

export class StreamResetter {
  private wanted: number[] = [];
  private inflight: Request | undefined;
  private nextReqSeq: number;
  private expectedPeerSeq: number;
  private lastResult = ReconfigResult.SUCCESS_NOTHING as number;
  private responses: ReconfigParam[] = [];
  /** When the in-flight request is due again; undefined when none. */
  deadline: number | undefined;
  private sendRequest = false;
  stats = { requestsSent: 0, requestsReceived: 0, denied: 0, answeredInProgress: 0 };

  constructor(
    localInitialTsn: number,
    peerInitialTsn: number,
    private readonly host: ResetHost,
  ) {
    this.nextReqSeq = localInitialTsn >>> 0;
    this.expectedPeerSeq = peerInitialTsn >>> 0;
  }

  /** Ask to reset outgoing streams; sent once their queued messages have all left. */
  request(streams: readonly number[]): void {
    for (const s of streams) {
      if (!this.wanted.includes(s) && !(this.inflight?.streams.includes(s) ?? false)) this.wanted.push(s);
    }
  }

  isResetting(stream: number): boolean {
    return this.wanted.includes(stream) || (this.inflight?.streams.includes(stream) ?? false);
  }

  get hasWork(): boolean {
    return this.responses.length > 0 || this.sendRequest || (this.inflight === undefined && this.wanted.length > 0);
  }

  /** Parameters to put in a RE-CONFIG chunk now, or undefined. */
  poll(now: number): ReconfigParam[] | undefined {
    const out = this.responses;
    this.responses = [];
    if (!this.inflight && this.wanted.length > 0) {
      const ready = this.wanted.filter((s) => this.host.pendingOn(s) === 0);
      if (ready.length > 0) {
        this.wanted = this.wanted.filter((s) => !ready.includes(s));
        this.inflight = { reqSeq: this.nextReqSeq, streams: ready, lastTsn: this.host.lastAssignedTsn() };
        this.sendRequest = true;
      }
    }
    if (this.sendRequest && this.inflight) {
      this.sendRequest = false;
      const r = this.inflight;
      out.push({ kind: "outgoing-reset", reqSeq: r.reqSeq, respSeq: (this.expectedPeerSeq - 1) >>> 0, lastTsn: r.lastTsn, streams: r.streams });
      this.deadline = now + this.host.rto();
      this.stats.requestsSent++;
    }
    return out.length > 0 ? out : undefined;
  }

  onTimeout(now: number): void {
    if (this.deadline === undefined || now < this.deadline) return;
    this.deadline = undefined;
    if (this.inflight) this.sendRequest = true;
  }

  /** A RE-CONFIG parameter from the peer (RFC 6525 §5.2). */
  handle(p: ReconfigParam, now: number): void {
    switch (p.kind) {
      case "outgoing-reset":
        this.stats.requestsReceived++;
        this.onPeerOutgoingReset(p.reqSeq, p.lastTsn, p.streams);
        return;
      case "response":
        this.onResponse(p.respSeq, p.result, now);
        return;
      case "incoming-reset":
      case "ssn-tsn-reset":
      case "add-streams":
        // Not used by WebRTC data channels: refused (§5.2.3-5.2.6 allow "Denied").
        this.stats.denied++;
        this.respond(p.reqSeq, ReconfigResult.DENIED, true);
        return;
    }
  }

  private respond(reqSeq: number, result: number, consume: boolean): void {
    if (reqSeq === this.expectedPeerSeq) {
      if (consume) {
        this.expectedPeerSeq = (this.expectedPeerSeq + 1) >>> 0;
        this.lastResult = result;
      }
      this.responses.push({ kind: "response", respSeq: reqSeq, result });
    } else if (reqSeq === ((this.expectedPeerSeq - 1) >>> 0)) {
      // A retransmitted request: the same answer again (§5.2.1).
      this.responses.push({ kind: "response", respSeq: reqSeq, result: this.lastResult });
    } else {
      this.responses.push({ kind: "response", respSeq: reqSeq, result: ReconfigResult.ERROR_BAD_SEQUENCE });
    }
  }

  private onPeerOutgoingReset(reqSeq: number, lastTsn: number, streams: number[]): void {
    if (reqSeq !== this.expectedPeerSeq) {
      this.respond(reqSeq, ReconfigResult.ERROR_BAD_SEQUENCE, false);
      return;
    }
    // §5.2.2: wait until every TSN up to the sender's last assigned one has arrived.
    if (!tsnLte(lastTsn, this.host.receivedCum())) {
      this.stats.answeredInProgress++;
      this.respond(reqSeq, ReconfigResult.IN_PROGRESS, false);
      return;
    }
    this.respond(reqSeq, ReconfigResult.SUCCESS_PERFORMED, true);
    this.host.incomingDone(streams);
  }

  private onResponse(respSeq: number, result: number, now: number): void {
    const r = this.inflight;
    if (!r || respSeq !== r.reqSeq) return;
    if (result === ReconfigResult.IN_PROGRESS) {
      // Try again after an RTO (the peer is still waiting for our data).
      this.sendRequest = false;
      this.deadline = now + Math.min(this.host.rto(), 200);
      return;
    }
    this.inflight = undefined;
    this.deadline = undefined;
    this.nextReqSeq = (this.nextReqSeq + 1) >>> 0;
    const ok = result === ReconfigResult.SUCCESS_PERFORMED || result === ReconfigResult.SUCCESS_NOTHING;
    if (!ok) this.stats.denied++;
    this.host.outgoingDone(r.streams, ok);
  }
}
