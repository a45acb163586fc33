import { type Address, addressKey } from "@tsrtc/base";
import type { Predicate } from "./filters.js";

/**
 * DTLS 1.2 sniffers for filters (RFC 6347), reading only the plaintext record and handshake
 * headers: enough to tell which handshake flight a datagram belongs to without any key.
 */

/** RFC 7983 §7: a first byte in [20, 63] is DTLS. */
export function isDtls(data: Uint8Array): boolean {
  return data.length > 0 && data[0] >= 20 && data[0] <= 63;
}

/** Record content types (RFC 5246 §6.2.1). */
export const DtlsContentType = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23 } as const;

/** Handshake message types (RFC 5246 §7.4, RFC 6347 §4.3.2). */
export const DtlsHandshakeType = {
  clientHello: 1,
  serverHello: 2,
  helloVerifyRequest: 3,
  newSessionTicket: 4,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
  certificateVerify: 15,
  clientKeyExchange: 16,
  finished: 20,
} as const;

/** One DTLS 1.2 record header (RFC 6347 §4.1): 13 bytes before the fragment. */
export interface DtlsRecordView {
  contentType: number;
  epoch: number;
  /** 48-bit sequence number. */
  sequence: number;
  /** Offset of the record's fragment in the datagram, and its length. */
  offset: number;
  length: number;
}

/** The records of a datagram; stops at the first header that does not parse. */
export function dtlsRecords(data: Uint8Array): DtlsRecordView[] {
  const out: DtlsRecordView[] = [];
  let at = 0;
  while (at + 13 <= data.length) {
    const contentType = data[at];
    if (contentType < 20 || contentType > 25 || data[at + 1] !== 0xfe) break;
    const epoch = (data[at + 3] << 8) | data[at + 4];
    let sequence = 0;
    for (let i = 5; i < 11; i++) sequence = sequence * 256 + data[at + i];
    const length = (data[at + 11] << 8) | data[at + 12];
    if (at + 13 + length > data.length) break;
    out.push({ contentType, epoch, sequence, offset: at + 13, length });
    at += 13 + length;
  }
  return out;
}

/** A handshake fragment header (RFC 6347 §4.2.2), or an encrypted handshake record. */
export interface DtlsHandshakeView {
  /** Message type; an encrypted (epoch > 0) handshake record is reported as Finished (20). */
  type: number;
  epoch: number;
  encrypted: boolean;
  /** Plaintext only: total message length, message_seq, fragment offset and length. */
  length: number;
  messageSeq: number;
  fragmentOffset: number;
  fragmentLength: number;
  /** Offset of the fragment body in the datagram (plaintext only). */
  bodyOffset: number;
}

/** The handshake fragments in a datagram, in order. */
export function dtlsHandshakes(data: Uint8Array): DtlsHandshakeView[] {
  const out: DtlsHandshakeView[] = [];
  for (const r of dtlsRecords(data)) {
    if (r.contentType !== DtlsContentType.handshake) continue;
    if (r.epoch !== 0) {
      out.push({ type: DtlsHandshakeType.finished, epoch: r.epoch, encrypted: true, length: 0, messageSeq: -1, fragmentOffset: 0, fragmentLength: r.length, bodyOffset: r.offset });
      continue;
    }
    let at = r.offset;
    const end = r.offset + r.length;
    while (at + 12 <= end) {
      const u24 = (i: number): number => (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
      const fragmentLength = u24(at + 9);
      if (at + 12 + fragmentLength > end) break;
      out.push({
        type: data[at],
        epoch: 0,
        encrypted: false,
        length: u24(at + 1),
        messageSeq: (data[at + 4] << 8) | data[at + 5],
        fragmentOffset: u24(at + 6),
        fragmentLength,
        bodyOffset: at + 12,
      });
      at += 12 + fragmentLength;
    }
  }
  return out;
}

/**
 * A predicate: the datagram carries a handshake fragment (of `type`, if given). Plaintext
 * messages are matched at epoch 0; `type` 20 (Finished) matches an encrypted handshake record.
 */
export function isDtlsHandshake(type?: number): (data: Uint8Array) => boolean {
  return (data) => {
    if (!isDtls(data)) return false;
    const hs = dtlsHandshakes(data);
    return type === undefined ? hs.length > 0 : hs.some((h) => h.type === type);
  };
}

/** The cookie length of a ClientHello fragment starting at offset 0, or undefined. */
function clientHelloCookieLength(data: Uint8Array, h: DtlsHandshakeView): number | undefined {
  if (h.fragmentOffset !== 0) return undefined;
  const sidAt = h.bodyOffset + 34; // client_version(2) + random(32)
  if (sidAt >= h.bodyOffset + h.fragmentLength) return undefined;
  const cookieAt = sidAt + 1 + data[sidAt];
  if (cookieAt >= h.bodyOffset + h.fragmentLength) return undefined;
  return data[cookieAt];
}

/**
 * The RFC 6347 §4.2.4 flight a DTLS 1.2 datagram belongs to, from its sender's role:
 * 1 ClientHello, 2 HelloVerifyRequest, 3 ClientHello with cookie, 4 ServerHello…ServerHelloDone,
 * 5 client Certificate/ClientKeyExchange/CertificateVerify/ChangeCipherSpec/Finished,
 * 6 server (NewSessionTicket,) ChangeCipherSpec, Finished. Undefined for non-handshake data.
 */
export function dtlsFlightOf(data: Uint8Array, sender: "client" | "server"): number | undefined {
  if (!isDtls(data)) return undefined;
  const records = dtlsRecords(data);
  const hs = dtlsHandshakes(data);
  const T = DtlsHandshakeType;
  for (const h of hs) {
    if (h.type === T.clientHello && !h.encrypted) return (clientHelloCookieLength(data, h) ?? 0) > 0 ? 3 : 1;
    if (h.type === T.helloVerifyRequest) return 2;
  }
  if (sender === "server") {
    if (hs.some((h) => !h.encrypted && h.type !== T.newSessionTicket)) return 4;
    if (hs.length > 0 || records.some((r) => r.contentType === DtlsContentType.changeCipherSpec)) return 6;
    return undefined;
  }
  if (hs.length > 0 || records.some((r) => r.contentType === DtlsContentType.changeCipherSpec)) return 5;
  return undefined;
}

/** Where a datagram sits in a DTLS handshake, as seen by a `DtlsFlightTracker`. */
export interface DtlsFlightInfo {
  /** RFC 6347 §4.2.4 flight number (see `dtlsFlightOf`). */
  flight: number;
  /** 1-based order of this flight among the distinct flights seen (without HelloVerifyRequest:
   * ClientHello 1st, server's flight 2nd, client's Finished flight 3rd, server's Finished 4th). */
  ordinal: number;
  /** 1 for the first transmission of the flight, 2 for the first retransmission, ... */
  transmission: number;
  /** The first datagram of this transmission of the flight. */
  first: boolean;
  sender: "client" | "server";
}

/**
 * Follows DTLS 1.2 handshakes datagram by datagram. A sender becomes "client" when it sends a
 * ClientHello; every other DTLS sender is a server. A flight is retransmitted when a datagram
 * repeats a fragment (type, message_seq, offset) or an encrypted/CCS record already seen in
 * the current transmission. Designed for one handshake per tracker.
 */
export class DtlsFlightTracker {
  private readonly clients = new Set<string>();
  private readonly flights = new Map<string, { ordinal: number; transmission: number; seen: Set<string> }>();
  private readonly ordinals = new Map<number, number>();

  /** Classify a datagram sent by `from`; undefined if it is not a DTLS handshake datagram. */
  observe(data: Uint8Array, from: Address): DtlsFlightInfo | undefined {
    if (!isDtls(data)) return undefined;
    const who = addressKey(from);
    const hs = dtlsHandshakes(data);
    if (hs.some((h) => h.type === DtlsHandshakeType.clientHello && !h.encrypted)) this.clients.add(who);
    const sender = this.clients.has(who) ? "client" : "server";
    const flight = dtlsFlightOf(data, sender);
    if (flight === undefined) return undefined;
    let ordinal = this.ordinals.get(flight);
    if (ordinal === undefined) this.ordinals.set(flight, (ordinal = this.ordinals.size + 1));
    const keys: string[] = hs.map((h) => (h.encrypted ? `enc${h.epoch}` : `${h.type}/${h.messageSeq}/${h.fragmentOffset}`));
    for (const r of dtlsRecords(data)) if (r.contentType === DtlsContentType.changeCipherSpec) keys.push("ccs");
    const fk = `${who}#${flight}`;
    let st = this.flights.get(fk);
    let first = false;
    if (!st) {
      st = { ordinal, transmission: 1, seen: new Set() };
      this.flights.set(fk, st);
      first = true;
    } else if (keys.some((k) => st!.seen.has(k))) {
      st.transmission++;
      st.seen.clear();
      first = true;
    }
    for (const k of keys) st.seen.add(k);
    return { flight, ordinal, transmission: st.transmission, first, sender };
  }
}

/** Options of `dtlsFlight` / `dtlsNthFlight`. */
export interface DtlsFlightMatch {
  /** Match only this transmission (1 = the original), default any. */
  transmission?: number;
  /** Match only the first datagram of a transmission (a flight may span several). Default false. */
  firstDatagramOnly?: boolean;
}

/**
 * A stateful predicate (own tracker): the datagram belongs to RFC 6347 flight `flight`.
 * `dropWhere(dtlsFlight(4, { transmission: 1 }), Infinity)` drops the server's first flight-4
 * transmission whole; `dropWhere(dtlsFlight(5))` drops the first datagram of flight 5 once.
 */
export function dtlsFlight(flight: number, match: DtlsFlightMatch = {}): Predicate {
  return flightPredicate((i) => i.flight === flight, match);
}

/** Like `dtlsFlight`, by order of appearance: `dtlsNthFlight(3)` is the third distinct flight. */
export function dtlsNthFlight(n: number, match: DtlsFlightMatch = {}): Predicate {
  return flightPredicate((i) => i.ordinal === n, match);
}

function flightPredicate(which: (i: DtlsFlightInfo) => boolean, match: DtlsFlightMatch): Predicate {
  const tracker = new DtlsFlightTracker();
  return (data, info) => {
    const i = tracker.observe(data, info.from);
    if (!i || !which(i)) return false;
    if (match.transmission !== undefined && i.transmission !== match.transmission) return false;
    return !match.firstDatagramOnly || i.first;
  };
}
