/**
 * Coalescing small DTLS datagrams: records queued back to back for the same route leave as one
 * datagram, up to the MTU (RFC 6347 §4.1.1 allows several records per datagram). When a burst of
 * received packets is handled before the output is drained (the Node layer drains once per burst
 * of reads), the SACKs owed every second packet (RFC 9260 §6.2) still each have their own SCTP
 * packet and DTLS record, but share one datagram and one send, and the peer handles each as its
 * own SACK.
 */
import { type Transmit, concat, sameAddress } from "@tsrtc/base";

/** What coalesceDtls did besides returning the datagram (reused by the caller: no allocation per call). */
export interface Coalesced {
  /** How many datagrams went into the returned one. */
  parts: number;
  /** A datagram taken from `next` that did not fit: it goes next. */
  leftover: Transmit | undefined;
}

/**
 * Join the small DTLS datagrams that follow `first` (from `next`) into it, up to `limit` bytes;
 * returns `first` itself when nothing joined it.
 */
export function coalesceDtls(first: Transmit, next: () => Transmit | undefined, limit: number, info: Coalesced): Transmit {
  info.parts = 1;
  info.leftover = undefined;
  if (!isSmallDtls(first.data, limit)) return first;
  let parts: Uint8Array[] | undefined;
  let size = first.data.length;
  for (;;) {
    const n = next();
    if (!n) break;
    if (!isSmallDtls(n.data, limit) || size + n.data.length > limit || !sameRoute(first, n)) {
      info.leftover = n;
      break;
    }
    (parts ??= [first.data]).push(n.data);
    size += n.data.length;
  }
  if (!parts) return first;
  info.parts = parts.length;
  return { to: first.to, from: first.from, data: concat(...parts) };
}

/** A DTLS datagram (RFC 7983: first byte 20..63) small enough to share a datagram with another. */
function isSmallDtls(d: Uint8Array, limit: number): boolean {
  return d.length > 0 && d.length <= limit >> 1 && d[0] >= 20 && d[0] <= 63;
}

function sameRoute(a: Transmit, b: Transmit): boolean {
  if (!sameAddress(a.to, b.to)) return false;
  return a.from === b.from || (a.from !== undefined && b.from !== undefined && sameAddress(a.from, b.from));
}
