/**
 * A tiny multicast DNS codec (RFC 6762 over the RFC 1035 message format), just enough to resolve
 * the `<uuid>.local` names browsers put in host candidates and to answer for our own:
 * A / AAAA questions and answers. Parsing follows compression pointers with a loop guard and
 * never throws anything but ParseError("mdns", ...).
 */
import { ByteReader, ByteWriter, ParseError, bytesToIp, ipFamily, ipToBytes, utf8DecodeLenient, utf8Encode } from "@tsrtc/base";

/** RFC 6762 §3: the IPv4 and IPv6 groups, port 5353. */
export const MDNS_IPV4_GROUP = "224.0.0.251";
export const MDNS_IPV6_GROUP = "ff02::fb";
export const MDNS_PORT = 5353;

export const DnsType = { A: 1, AAAA: 28 } as const;
export type DnsType = (typeof DnsType)[keyof typeof DnsType];

const CLASS_IN = 1;
/** RFC 6762 §5.4 (questions: unicast response wanted) and §10.2 (answers: cache flush). */
const TOP_BIT = 0x8000;

export interface DnsQuestion {
  name: string;
  type: number;
  /** Class without the top (QU) bit. */
  class: number;
  unicastResponse: boolean;
}

export interface DnsRecord {
  name: string;
  type: number;
  class: number;
  cacheFlush: boolean;
  ttl: number;
  /** For A / AAAA records: the address literal. */
  address?: string;
  data: Uint8Array;
}

export interface DnsMessage {
  id: number;
  isResponse: boolean;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  /** Authority and additional records, together. */
  additionals: DnsRecord[];
}

function writeName(w: ByteWriter, name: string): void {
  const labels = name.replace(/\.$/, "").split(".");
  for (const label of labels) {
    const bytes = utf8Encode(label);
    if (bytes.length === 0 || bytes.length > 63) throw new RangeError(`bad DNS label in ${name}`);
    w.u8(bytes.length).bytes(bytes);
  }
  w.u8(0);
}

/** An mDNS query (RFC 6762 §5.1: id 0, flags 0) for the A and/or AAAA records of `name`. */
export function encodeMdnsQuery(name: string, types: readonly DnsType[] = [DnsType.A, DnsType.AAAA]): Uint8Array {
  const w = new ByteWriter(64);
  w.u16(0).u16(0).u16(types.length).u16(0).u16(0).u16(0);
  for (const t of types) {
    writeName(w, name);
    w.u16(t).u16(CLASS_IN);
  }
  return w.finish();
}

/**
 * An mDNS response (RFC 6762 §6: id 0, QR and AA set, no questions) announcing `addresses` for
 * `name`, as unique records (cache-flush bit, §10.2).
 */
export function encodeMdnsResponse(name: string, addresses: readonly string[], ttl = 120): Uint8Array {
  const w = new ByteWriter(64);
  w.u16(0).u16(0x8400).u16(0).u16(addresses.length).u16(0).u16(0);
  for (const a of addresses) {
    const bytes = ipToBytes(a);
    writeName(w, name);
    w.u16(bytes.length === 4 ? DnsType.A : DnsType.AAAA)
      .u16(CLASS_IN | TOP_BIT)
      .u32(ttl)
      .u16(bytes.length)
      .bytes(bytes);
  }
  return w.finish();
}

function readName(r: ByteReader): string {
  const labels: string[] = [];
  let jumped = false;
  let returnTo = 0;
  let pos = r.offset;
  let hops = 0;
  let total = 0;
  for (;;) {
    if (pos >= r.end) throw new ParseError("mdns", "truncated", "name runs past the end", pos);
    const len = r.buf[pos];
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= r.end) throw new ParseError("mdns", "truncated", "truncated pointer", pos);
      if (++hops > 32) throw new ParseError("mdns", "pointer-loop", "too many compression pointers", pos);
      const target = ((len & 0x3f) << 8) | r.buf[pos + 1];
      if (!jumped) returnTo = pos + 2;
      jumped = true;
      pos = target;
      continue;
    }
    if ((len & 0xc0) !== 0) throw new ParseError("mdns", "bad-label", "reserved label type", pos);
    if (len === 0) {
      pos += 1;
      break;
    }
    if (pos + 1 + len > r.end) throw new ParseError("mdns", "truncated", "label runs past the end", pos);
    total += len + 1;
    if (total > 255) throw new ParseError("mdns", "name-too-long", "name longer than 255 bytes", pos);
    labels.push(utf8DecodeLenient(r.buf.subarray(pos + 1, pos + 1 + len)));
    pos += 1 + len;
  }
  r.offset = jumped ? returnTo : pos;
  return labels.join(".");
}

function readRecord(r: ByteReader): DnsRecord {
  const name = readName(r);
  const type = r.u16();
  const cls = r.u16();
  const ttl = r.u32();
  const data = r.bytes(r.u16());
  const rec: DnsRecord = { name, type, class: cls & ~TOP_BIT, cacheFlush: (cls & TOP_BIT) !== 0, ttl, data };
  if ((type === DnsType.A && data.length === 4) || (type === DnsType.AAAA && data.length === 16)) {
    rec.address = bytesToIp(data);
  }
  return rec;
}

/** Parse a DNS message; throws ParseError("mdns", ...) on malformed input. */
export function parseMdnsMessage(data: Uint8Array): DnsMessage {
  const r = new ByteReader(data, "mdns");
  const id = r.u16();
  const flags = r.u16();
  const qd = r.u16();
  const an = r.u16();
  const ns = r.u16();
  const ar = r.u16();
  // Each question is at least 5 bytes and each record 11: refuse counts the datagram cannot hold.
  if (qd * 5 + (an + ns + ar) * 11 > r.remaining) {
    throw new ParseError("mdns", "bad-count", "record counts exceed the message", 4);
  }
  const msg: DnsMessage = { id, isResponse: (flags & 0x8000) !== 0, questions: [], answers: [], additionals: [] };
  for (let i = 0; i < qd; i++) {
    const name = readName(r);
    const type = r.u16();
    const cls = r.u16();
    msg.questions.push({ name, type, class: cls & ~TOP_BIT, unicastResponse: (cls & TOP_BIT) !== 0 });
  }
  for (let i = 0; i < an; i++) msg.answers.push(readRecord(r));
  for (let i = 0; i < ns + ar; i++) msg.additionals.push(readRecord(r));
  return msg;
}

/**
 * The first address a response gives for `name` (case-insensitive, RFC 6762 §16), looking at
 * answers then additional records; undefined when the message does not answer it.
 */
export function mdnsAnswerFor(msg: DnsMessage, name: string): string | undefined {
  if (!msg.isResponse) return undefined;
  const want = name.replace(/\.$/, "").toLowerCase();
  for (const rec of [...msg.answers, ...msg.additionals]) {
    if (rec.class === CLASS_IN && rec.address !== undefined && rec.name.toLowerCase() === want && ipFamily(rec.address)) {
      return rec.address;
    }
  }
  return undefined;
}

/**
 * The responder's decision (RFC 6762 §6): the response to send for a query naming one of our
 * published names (lower-cased name -> IP), or undefined when the message asks nothing of ours.
 */
export function mdnsResponseTo(msg: DnsMessage, published: ReadonlyMap<string, string>): Uint8Array | undefined {
  if (msg.isResponse) return undefined;
  for (const q of msg.questions) {
    const ip = published.get(q.name.toLowerCase());
    if (ip === undefined) continue;
    const family = ipFamily(ip);
    // Answer A questions with IPv4 names, AAAA with IPv6 (and ANY, type 255, with either).
    if ((q.type === DnsType.A && family === 4) || (q.type === DnsType.AAAA && family === 6) || q.type === 255) {
      return encodeMdnsResponse(q.name, [ip]);
    }
  }
  return undefined;
}
