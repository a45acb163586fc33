/**
 * StunBuilder: encodes a STUN message into a reusable buffer (RFC 8489 §5, §14). `begin()`
 * writes the header, each attribute call appends one TLV with zero padding and keeps the
 * header length current, and the trailers (MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256,
 * FINGERPRINT) are computed in place over what was written. `view()` shares the buffer until
 * the next `begin()`; `finish()` returns a copy that may be kept.
 */
import { type Address, allocateUninitialized, utf8Encode } from "@tsrtc/base";
import {
  AttrType,
  HEADER_LENGTH,
  TRANSACTION_ID_LENGTH,
  messageType,
} from "./constants.js";
import { addressValueLength, writeAddress } from "./attributes/address.js";
import { writeErrorCode } from "./attributes/error-code.js";
import {
  type PasswordAlgorithmEntry,
  passwordAlgorithmsLength,
  writePasswordAlgorithms,
} from "./attributes/password-algorithm.js";
import { type GoogNetworkInfo, type IcmpValue, writeIcmp } from "./attributes/turn.js";
import { writeUnknownAttributes } from "./attributes/unknown-attributes.js";
import { writeFingerprint } from "./fingerprint.js";
import { type IntegrityKey, toIntegrityKey, writeHmacSha1, writeHmacSha256 } from "./integrity.js";
import type { StunMessage } from "./message.js";

/** RFC 8489 §14.8: senders keep reason phrases within 509 bytes. */
const MAX_REASON_SEND = 509;

export class StunBuilder {
  private buf: Uint8Array;
  private at = 0;

  constructor(capacity = 576) {
    this.buf = new Uint8Array(capacity);
  }

  /** Start a message; `transactionId` is 12 bytes (draw it from a RandomSource). */
  begin(method: number, cls: number, transactionId: Uint8Array): this {
    if (transactionId.length !== TRANSACTION_ID_LENGTH) {
      throw new RangeError(`a STUN transaction id is 12 bytes, got ${transactionId.length}`);
    }
    this.header(method, cls);
    this.buf.set(transactionId, 8);
    return this;
  }

  /**
   * Start a response to `request` (RFC 8489 §6.3): its method and transaction id, class `cls`.
   * The id is copied straight from the request's bytes.
   */
  beginResponse(request: Pick<StunMessage, "method" | "data">, cls: number): this {
    this.header(request.method, cls);
    const d = request.data;
    const b = this.buf;
    for (let i = 8; i < HEADER_LENGTH; i++) b[i] = d[i];
    return this;
  }

  /** The first 8 header bytes: type, zero length, magic cookie. */
  private header(method: number, cls: number): void {
    if (!Number.isInteger(method) || method < 0 || method > 0xfff) throw new RangeError(`bad STUN method ${method}`);
    if (cls !== 0 && cls !== 1 && cls !== 2 && cls !== 3) throw new RangeError(`bad STUN class ${cls}`);
    const b = this.buf;
    const type = messageType(method, cls);
    b[0] = type >>> 8;
    b[1] = type;
    b[2] = 0;
    b[3] = 0;
    b[4] = 0x21;
    b[5] = 0x12;
    b[6] = 0xa4;
    b[7] = 0x42;
    this.at = HEADER_LENGTH;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.at;
  }

  /** A view of the message (valid until the next begin()). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.at);
  }

  /**
   * A copy of the message that outlives the builder's next use. It is carved from base's shared
   * slab (a fraction of the cost of a fresh ArrayBuffer per message: ~0.3 against ~1 µs for a
   * 88-byte response); like a pooled Buffer, a copy kept for long keeps its 64 KiB slab alive.
   */
  finish(): Uint8Array {
    const out = allocateUninitialized(this.at);
    out.set(this.buf.subarray(0, this.at));
    return out;
  }

  /** Reserve room for an attribute of `len` value bytes; returns the value offset. */
  private open(type: number, len: number): number {
    if (len > 0xffff) throw new RangeError(`attribute value of ${len} bytes is too long`);
    const at = this.at;
    const need = at + 4 + ((len + 3) & ~3);
    if (need > 0xffff + HEADER_LENGTH) throw new RangeError("STUN message longer than 65535 bytes");
    if (need > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, at));
      this.buf = next;
    }
    const b = this.buf;
    b[at] = type >>> 8;
    b[at + 1] = type;
    b[at + 2] = len >>> 8;
    b[at + 3] = len;
    return at + 4;
  }

  /** Close the attribute opened at valueAt with `len` bytes: pad with zeros, update the header. */
  private close(valueAt: number, len: number): this {
    const b = this.buf;
    let end = valueAt + len;
    while ((end & 3) !== 0) b[end++] = 0;
    this.at = end;
    const body = end - HEADER_LENGTH;
    b[2] = body >>> 8;
    b[3] = body;
    return this;
  }

  // ---- generic values --------------------------------------------------------------------

  /** Any attribute from its raw value bytes. */
  bytes(type: number, value: Uint8Array): this {
    const v = this.open(type, value.length);
    this.buf.set(value, v);
    return this.close(v, value.length);
  }

  /** An attribute with an empty value (USE-CANDIDATE, DONT-FRAGMENT). */
  empty(type: number): this {
    return this.close(this.open(type, 0), 0);
  }

  /** A UTF-8 text attribute (USERNAME, REALM, NONCE, SOFTWARE, ALTERNATE-DOMAIN). */
  text(type: number, s: string): this {
    // ASCII fast path writes straight into the buffer; anything else goes through utf8Encode.
    const n = s.length;
    let ascii = true;
    for (let i = 0; i < n; i++) {
      if (s.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (!ascii) return this.bytes(type, utf8Encode(s));
    const v = this.open(type, n);
    const b = this.buf;
    for (let i = 0; i < n; i++) b[v + i] = s.charCodeAt(i);
    return this.close(v, n);
  }

  u32(type: number, value: number): this {
    const v = this.open(type, 4);
    const b = this.buf;
    b[v] = value >>> 24;
    b[v + 1] = value >>> 16;
    b[v + 2] = value >>> 8;
    b[v + 3] = value;
    return this.close(v, 4);
  }

  /** A 64-bit value, as a bigint or as its 8 big-endian bytes. */
  u64(type: number, value: bigint | Uint8Array): this {
    if (value instanceof Uint8Array) {
      if (value.length !== 8) throw new RangeError("a 64-bit value is 8 bytes");
      return this.bytes(type, value);
    }
    const hi = Number((value >> 32n) & 0xffffffffn);
    const lo = Number(value & 0xffffffffn);
    const v = this.open(type, 8);
    const b = this.buf;
    b[v] = hi >>> 24;
    b[v + 1] = hi >>> 16;
    b[v + 2] = hi >>> 8;
    b[v + 3] = hi;
    b[v + 4] = lo >>> 24;
    b[v + 5] = lo >>> 16;
    b[v + 6] = lo >>> 8;
    b[v + 7] = lo;
    return this.close(v, 8);
  }

  /** A 4-byte value whose first byte carries the information and the rest is RFFU. */
  private leadingByte(type: number, value: number): this {
    const v = this.open(type, 4);
    const b = this.buf;
    b[v] = value;
    b[v + 1] = b[v + 2] = b[v + 3] = 0;
    return this.close(v, 4);
  }

  /** A plain address attribute (MAPPED-ADDRESS, ALTERNATE-SERVER). */
  address(type: number, addr: Address): this {
    const len = addressValueLength(addr);
    const v = this.open(type, len);
    writeAddress(this.buf, v, addr);
    return this.close(v, len);
  }

  /** An XOR address attribute (XOR-MAPPED-, XOR-PEER-, XOR-RELAYED-ADDRESS). */
  xorAddress(type: number, addr: Address): this {
    const len = addressValueLength(addr);
    const v = this.open(type, len);
    writeAddress(this.buf, v, addr, this.buf);
    return this.close(v, len);
  }

  // ---- RFC 8489 attributes ------------------------------------------------------------------

  username(s: string): this {
    return this.text(AttrType.Username, s);
  }
  userhash(hash: Uint8Array): this {
    if (hash.length !== 32) throw new RangeError("USERHASH is 32 bytes");
    return this.bytes(AttrType.Userhash, hash);
  }
  realm(s: string): this {
    return this.text(AttrType.Realm, s);
  }
  nonce(s: string): this {
    return this.text(AttrType.Nonce, s);
  }
  software(s: string): this {
    return this.text(AttrType.Software, s);
  }
  alternateDomain(s: string): this {
    return this.text(AttrType.AlternateDomain, s);
  }
  mappedAddress(addr: Address): this {
    return this.address(AttrType.MappedAddress, addr);
  }
  xorMappedAddress(addr: Address): this {
    return this.xorAddress(AttrType.XorMappedAddress, addr);
  }
  alternateServer(addr: Address): this {
    return this.address(AttrType.AlternateServer, addr);
  }
  /** ERROR-CODE (§14.8) with the given reason phrase. */
  errorCode(code: number, reason: string): this {
    return this.errorCodeLike(AttrType.ErrorCode, code, reason, 0);
  }
  private errorCodeLike(type: number, code: number, reason: string, family: number): this {
    const r = utf8Encode(reason);
    if (r.length > MAX_REASON_SEND) throw new RangeError("reason phrase longer than 509 bytes");
    const v = this.open(type, 4 + r.length);
    const len = writeErrorCode(this.buf, v, code, r, family);
    return this.close(v, len);
  }
  unknownAttributes(types: readonly number[]): this {
    const v = this.open(AttrType.UnknownAttributes, types.length * 2);
    return this.close(v, writeUnknownAttributes(this.buf, v, types));
  }
  passwordAlgorithm(entry: PasswordAlgorithmEntry): this {
    return this.algorithms(AttrType.PasswordAlgorithm, [entry]);
  }
  passwordAlgorithms(entries: readonly PasswordAlgorithmEntry[]): this {
    return this.algorithms(AttrType.PasswordAlgorithms, entries);
  }
  private algorithms(type: number, entries: readonly PasswordAlgorithmEntry[]): this {
    const v = this.open(type, passwordAlgorithmsLength(entries));
    return this.close(v, writePasswordAlgorithms(this.buf, v, entries));
  }

  // ---- ICE (RFC 8445 §16.1) ---------------------------------------------------------------

  priority(p: number): this {
    return this.u32(AttrType.Priority, p);
  }
  useCandidate(): this {
    return this.empty(AttrType.UseCandidate);
  }
  iceControlling(tieBreaker: bigint | Uint8Array): this {
    return this.u64(AttrType.IceControlling, tieBreaker);
  }
  iceControlled(tieBreaker: bigint | Uint8Array): this {
    return this.u64(AttrType.IceControlled, tieBreaker);
  }
  googNetworkInfo(info: GoogNetworkInfo): this {
    const v = this.open(AttrType.GoogNetworkInfo, 4);
    const b = this.buf;
    b[v] = info.networkId >>> 8;
    b[v + 1] = info.networkId;
    b[v + 2] = info.networkCost >>> 8;
    b[v + 3] = info.networkCost;
    return this.close(v, 4);
  }

  // ---- TURN (RFC 8656 §18) ----------------------------------------------------------------

  channelNumber(channel: number): this {
    const v = this.open(AttrType.ChannelNumber, 4);
    const b = this.buf;
    b[v] = channel >>> 8;
    b[v + 1] = channel;
    b[v + 2] = b[v + 3] = 0;
    return this.close(v, 4);
  }
  lifetime(seconds: number): this {
    return this.u32(AttrType.Lifetime, seconds);
  }
  xorPeerAddress(addr: Address): this {
    return this.xorAddress(AttrType.XorPeerAddress, addr);
  }
  data(payload: Uint8Array): this {
    return this.bytes(AttrType.Data, payload);
  }
  xorRelayedAddress(addr: Address): this {
    return this.xorAddress(AttrType.XorRelayedAddress, addr);
  }
  requestedAddressFamily(family: number): this {
    return this.leadingByte(AttrType.RequestedAddressFamily, family);
  }
  evenPort(reserveNext: boolean): this {
    const v = this.open(AttrType.EvenPort, 1);
    this.buf[v] = reserveNext ? 0x80 : 0;
    return this.close(v, 1);
  }
  requestedTransport(protocol: number): this {
    return this.leadingByte(AttrType.RequestedTransport, protocol);
  }
  dontFragment(): this {
    return this.empty(AttrType.DontFragment);
  }
  reservationToken(token: Uint8Array): this {
    if (token.length !== 8) throw new RangeError("RESERVATION-TOKEN is 8 bytes");
    return this.bytes(AttrType.ReservationToken, token);
  }
  additionalAddressFamily(family: number): this {
    return this.leadingByte(AttrType.AdditionalAddressFamily, family);
  }
  addressErrorCode(family: number, code: number, reason: string): this {
    return this.errorCodeLike(AttrType.AddressErrorCode, code, reason, family);
  }
  icmp(value: IcmpValue): this {
    const v = this.open(AttrType.Icmp, 8);
    return this.close(v, writeIcmp(this.buf, v, value));
  }

  // ---- trailers -----------------------------------------------------------------------------

  /** MESSAGE-INTEGRITY (HMAC-SHA1, §14.5) over everything written so far. */
  messageIntegrity(key: IntegrityKey | Uint8Array): this {
    const at = this.at;
    this.close(this.open(AttrType.MessageIntegrity, 20), 20);
    writeHmacSha1(this.buf, at, toIntegrityKey(key));
    return this;
  }

  /** MESSAGE-INTEGRITY-SHA256 (§14.6), optionally truncated to `length` (16..32, multiple of 4). */
  messageIntegritySha256(key: IntegrityKey | Uint8Array, length = 32): this {
    if (length < 16 || length > 32 || (length & 3) !== 0) {
      throw new RangeError("MESSAGE-INTEGRITY-SHA256 is 16 to 32 bytes, a multiple of 4");
    }
    const at = this.at;
    const v = this.open(AttrType.MessageIntegritySha256, length);
    writeHmacSha256(this.buf, at, length, toIntegrityKey(key));
    return this.close(v, length);
  }

  /** FINGERPRINT (§14.7); always the last attribute. */
  fingerprint(): this {
    const at = this.at;
    const v = this.open(AttrType.Fingerprint, 4);
    this.buf.fill(0, v, v + 4);
    this.close(v, 4);
    writeFingerprint(this.buf, at);
    return this;
  }
}

/** A message description for `encodeMessage`: raw attribute values in order. */
export interface StunMessageInit {
  method: number;
  cls: number;
  transactionId: Uint8Array;
  attributes?: readonly { type: number; value: Uint8Array }[];
}

/** Encode a whole message in one call (not for hot paths: it allocates a builder). */
export function encodeMessage(
  init: StunMessageInit,
  opts: { integrity?: IntegrityKey | Uint8Array; integritySha256?: IntegrityKey | Uint8Array; fingerprint?: boolean } = {},
): Uint8Array {
  const b = new StunBuilder().begin(init.method, init.cls, init.transactionId);
  for (const a of init.attributes ?? []) b.bytes(a.type, a.value);
  if (opts.integrity) b.messageIntegrity(opts.integrity);
  if (opts.integritySha256) b.messageIntegritySha256(opts.integritySha256);
  if (opts.fingerprint) b.fingerprint();
  return b.finish();
}
