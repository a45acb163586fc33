/**
 * Client transaction table (RFC 8489 §6.2.1), sans-IO. Each transaction retransmits the same
 * request bytes with an interval starting at RTO and doubling, Rc requests in all; after the
 * last one the client waits Rm * RTO before declaring a timeout. With the defaults (RTO 500 ms,
 * Rc 7, Rm 16) requests leave at 0, 500, 1500, 3500, 7500, 15500, 31500 ms and the
 * transaction fails at 39500 ms. Responses match by transaction id.
 *
 * One table serves many destinations: each transaction has its own `to` (and optional local
 * `from`), its own pacing, and an opaque `context` handed back in its event, so an ICE agent
 * can hang a candidate pair (and the key that checks the response) on every check.
 *
 * `stopRetransmitting` quiets a transaction: no more requests leave, but an answer to the ones
 * already sent still completes it for a while, after which it ends without an event (ICE: a
 * check superseded by a triggered check, RFC 8445 §7.3.1.4, whose late answer still counts).
 */
import { type Address, Backoff, type Millis, type RandomSource, type Transmit, randomBytes } from "@tsrtc/base";
import { HEADER_LENGTH, StunClass, classOf } from "./constants.js";
import { StunMessage, transactionKey } from "./message.js";

/** A fresh 96-bit transaction id (RFC 8489 §5: uniformly random) from the injected source. */
export function newTransactionId(rng: RandomSource): Uint8Array {
  return randomBytes(rng, 12);
}

export interface RetransmitOptions {
  /** Initial retransmission timeout (§6.2.1: 500 ms by default; ICE may set its own). */
  rto?: Millis;
  /** Requests sent in all, the first included (Rc, default 7). */
  rc?: number;
  /** Multiple of RTO waited after the last request (Rm, default 16). */
  rm?: number;
  /** Upper bound on the doubled interval (default: none). */
  maxRto?: Millis;
}

export interface StartTransaction<C> extends RetransmitOptions {
  /** Destination of the request. */
  to: Address;
  /** The encoded request (kept and resent byte for byte; copied, so a builder view is fine). */
  data: Uint8Array;
  /** Local address to send from, for callers owning several sockets. */
  from?: Address;
  /** Anything the caller wants back with the outcome (an ICE pair, a TURN operation...). */
  context: C;
}

export type StunTransactionEvent<C> =
  | {
      type: "success";
      key: string;
      response: StunMessage;
      /** Where the response came from (ICE checks it is symmetric). */
      from: Address;
      context: C;
      /** Round trip when the request was sent once (Karn: undefined after retransmits). */
      rtt: Millis | undefined;
    }
  | {
      type: "error";
      key: string;
      response: StunMessage;
      from: Address;
      context: C;
      /** ERROR-CODE; 0 when the error response carries none (or a malformed one), or for a success
       *  response refused because of unknown comprehension-required attributes (§6.3.3). */
      code: number;
      reason: string;
    }
  | { type: "timeout"; key: string; to: Address; context: C };

interface Entry<C> {
  key: string;
  to: Address;
  from: Address | undefined;
  data: Uint8Array;
  context: C;
  rto: Millis;
  rc: number;
  rm: number;
  /** The intervals between requests: RTO, doubling, capped at maxRto (§6.2.1). */
  backoff: Backoff;
  sent: number;
  firstSentAt: Millis;
  deadline: Millis;
  /** Retransmissions stopped: at `deadline` the transaction ends without an event. */
  quiet: boolean;
}

/** The reason of the error event for a success response that must be refused (§6.3.3). */
export const UNKNOWN_REQUIRED = "unknown comprehension-required attribute in a success response";

export class StunTransactions<C = undefined> {
  private readonly entries = new Map<string, Entry<C>>();
  private readonly transmits: Transmit[] = [];
  private readonly events: StunTransactionEvent<C>[] = [];
  private readonly defaults: Required<RetransmitOptions>;

  constructor(defaults: RetransmitOptions = {}) {
    this.defaults = {
      rto: defaults.rto ?? 500,
      rc: defaults.rc ?? 7,
      rm: defaults.rm ?? 16,
      maxRto: defaults.maxRto ?? Infinity,
    };
    checkOptions(this.defaults);
  }

  /** Pending transactions. */
  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The context of a pending transaction: look it up before accepting a response (integrity). */
  context(key: string): C | undefined {
    return this.entries.get(key)?.context;
  }

  /** Destination of a pending transaction. */
  destination(key: string): Address | undefined {
    return this.entries.get(key)?.to;
  }

  /** Send a request now and track it; returns its key (see `transactionKey`). */
  start(now: Millis, t: StartTransaction<C>): string {
    const data = t.data;
    if (data.length < HEADER_LENGTH || classOf((data[0] << 8) | data[1]) !== StunClass.Request) {
      throw new TypeError("a STUN client transaction starts with an encoded request");
    }
    const key = transactionKey(data);
    if (this.entries.has(key)) throw new Error("a transaction with this id is already pending");
    const opts = {
      rto: t.rto ?? this.defaults.rto,
      rc: t.rc ?? this.defaults.rc,
      rm: t.rm ?? this.defaults.rm,
      maxRto: t.maxRto ?? this.defaults.maxRto,
    };
    checkOptions(opts);
    const backoff = new Backoff(opts.rto, opts.maxRto);
    const e: Entry<C> = {
      key,
      to: t.to,
      from: t.from,
      data: data.slice(),
      context: t.context,
      rto: opts.rto,
      rc: opts.rc,
      rm: opts.rm,
      backoff,
      sent: 1,
      firstSentAt: now,
      deadline: now + (opts.rc === 1 ? opts.rm * opts.rto : backoff.next()),
      quiet: false,
    };
    this.entries.set(key, e);
    this.send(e);
    return key;
  }

  /** Stop tracking a transaction without an event (e.g. its ICE pair was pruned). */
  cancel(key: string): boolean {
    return this.entries.delete(key);
  }

  /**
   * Send no more requests for `key`, but let an answer to those already sent complete it (with
   * the usual success or error event) until now + `waitFor`; after that it ends without an
   * event. Returns false when no such transaction is pending.
   */
  stopRetransmitting(key: string, now: Millis, waitFor: Millis): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    e.quiet = true;
    e.deadline = now + waitFor;
    return true;
  }

  /** Drop every pending transaction without events. */
  clear(): void {
    this.entries.clear();
  }

  /**
   * Offer a decoded response. When its transaction id is pending the transaction completes
   * (success or error event) and this returns true; otherwise false and nothing changes.
   * Check integrity first (with `context(msg.transactionKey)`): a response that fails it must
   * not complete the transaction (RFC 8489 §9.1.4: discard and keep waiting). The event carries
   * its own copy of the response, so `msg` and its buffer may be reused right after.
   *
   * RFC 8489 §6.3.3: a success response carrying unknown comprehension-required attributes fails
   * the transaction; it comes out as an "error" event with code 0.
   */
  handleResponse(msg: StunMessage, from: Address, now: Millis): boolean {
    const cls = msg.cls;
    if (cls !== StunClass.SuccessResponse && cls !== StunClass.ErrorResponse) return false;
    const key = msg.transactionKey;
    const e = this.entries.get(key);
    if (!e) return false;
    this.entries.delete(key);
    // The event outlives this call: keep a message over its own bytes, not the caller's
    // (possibly reused) StunMessage and receive buffer.
    msg = StunMessage.decode(msg.data.slice());
    if (cls === StunClass.SuccessResponse && msg.hasUnknownRequired()) {
      this.events.push({ type: "error", key, response: msg, from, context: e.context, code: 0, reason: UNKNOWN_REQUIRED });
    } else if (cls === StunClass.SuccessResponse) {
      const rtt = e.sent === 1 ? now - e.firstSentAt : undefined;
      this.events.push({ type: "success", key, response: msg, from, context: e.context, rtt });
    } else {
      let code = 0;
      let reason = "";
      try {
        const ec = msg.errorCode();
        if (ec) ({ code, reason } = ec);
      } catch {
        // A malformed ERROR-CODE still ends the transaction as an error, with code 0.
      }
      this.events.push({ type: "error", key, response: msg, from, context: e.context, code, reason });
    }
    return true;
  }

  handleTimeout(now: Millis): void {
    for (const e of this.entries.values()) {
      if (e.deadline > now) continue;
      if (e.quiet) {
        this.entries.delete(e.key);
        continue;
      }
      if (e.sent >= e.rc) {
        this.entries.delete(e.key);
        this.events.push({ type: "timeout", key: e.key, to: e.to, context: e.context });
        continue;
      }
      e.sent++;
      // After the last request wait Rm * RTO (the initial RTO, §6.2.1), else the doubled interval.
      e.deadline = now + (e.sent >= e.rc ? e.rm * e.rto : e.backoff.next());
      this.send(e);
    }
  }

  pollTransmit(): Transmit | undefined {
    return this.transmits.shift();
  }

  pollEvent(): StunTransactionEvent<C> | undefined {
    return this.events.shift();
  }

  /** The earliest retransmission or timeout deadline; undefined when nothing is pending. */
  pollTimeout(): Millis | undefined {
    let min: Millis | undefined;
    for (const e of this.entries.values()) if (min === undefined || e.deadline < min) min = e.deadline;
    return min;
  }

  private send(e: Entry<C>): void {
    this.transmits.push(e.from ? { to: e.to, data: e.data, from: e.from } : { to: e.to, data: e.data });
  }
}

function checkOptions(o: Required<RetransmitOptions>): void {
  if (!(o.rto > 0)) throw new RangeError(`RTO must be positive, got ${o.rto}`);
  if (!Number.isInteger(o.rc) || o.rc < 1) throw new RangeError(`Rc must be a positive integer, got ${o.rc}`);
  if (!(o.rm > 0)) throw new RangeError(`Rm must be positive, got ${o.rm}`);
  if (!(o.maxRto >= o.rto)) throw new RangeError("maxRto must be at least RTO");
}
