/**
 * A STUN message decoded in place (RFC 8489 §5, §14): the header is read, the attributes are
 * framed into (type, offset, length) triples over the caller's buffer, and values are decoded
 * only when a typed getter asks. Nothing is copied; the message views `data` until the caller
 * reuses that buffer (call `parse` again on a kept StunMessage to decode without allocating).
 *
 * Malformed framing throws a ParseError (from @tsrtc/base), never another exception; so do
 * typed getters whose attribute value is malformed.
 */
import type { Address } from "@tsrtc/base";
import {
  AttrType,
  HEADER_LENGTH,
  MAGIC_COOKIE,
  type StunClass,
  classOf,
  isComprehensionRequired,
  isKnownAttribute,
  methodOf,
} from "./constants.js";
import { readAddress } from "./attributes/address.js";
import { stunError, expectLength } from "./attributes/errors.js";
import {
  type AddressErrorCodeValue,
  type ErrorCodeValue,
  MAX_REASON_BYTES,
  readAddressErrorCode,
  readErrorCode,
  readUtf8,
} from "./attributes/error-code.js";
import {
  type PasswordAlgorithmEntry,
  readPasswordAlgorithm,
  readPasswordAlgorithms,
} from "./attributes/password-algorithm.js";
import { readUnknownAttributes } from "./attributes/unknown-attributes.js";
import {
  type GoogNetworkInfo,
  type IcmpValue,
  readChannelNumber,
  readEvenPort,
  readGoogNetworkInfo,
  readIcmp,
  readLeadingByte,
} from "./attributes/turn.js";
import { checkFingerprint } from "./fingerprint.js";
import { type IntegrityKey, checkHmacSha1, checkHmacSha256, toIntegrityKey } from "./integrity.js";

const EMPTY = new Uint8Array(HEADER_LENGTH);

/** RFC 8489 §14.3: USERNAME is fewer than 509 bytes. */
const MAX_USERNAME = 508;
/** ALTERNATE-DOMAIN (§14.16) is a DNS name: fewer than 256 characters. */
const MAX_DOMAIN = 255;

/** Quick test (RFC 7983 demux plus the cookie): could these bytes be a STUN message? */
export function isStunMessage(data: Uint8Array): boolean {
  return (
    data.length >= HEADER_LENGTH &&
    (data[0] & 0xc0) === 0 &&
    (data[3] & 3) === 0 &&
    data[4] === 0x21 &&
    data[5] === 0x12 &&
    data[6] === 0xa4 &&
    data[7] === 0x42
  );
}

/**
 * The 96-bit transaction id at data[8..20) as a 6-character string: a cheap, exact Map key.
 */
export function transactionKey(data: Uint8Array): string {
  return String.fromCharCode(
    (data[8] << 8) | data[9],
    (data[10] << 8) | data[11],
    (data[12] << 8) | data[13],
    (data[14] << 8) | data[15],
    (data[16] << 8) | data[17],
    (data[18] << 8) | data[19],
  );
}

export class StunMessage {
  /** The bytes this message views (exactly one message: 20 + body length). */
  data: Uint8Array = EMPTY;
  /** The 14-bit message type; `method` and `cls` are its two halves. */
  type = 0;
  method = 0;
  cls: StunClass = 0;
  /** Number of attributes kept (those after an integrity/fingerprint trailer are not). */
  count = 0;
  /** Offset of the MESSAGE-INTEGRITY attribute header, or -1. */
  integrityAt = -1;
  /** Offset of the MESSAGE-INTEGRITY-SHA256 attribute header, or -1. */
  integritySha256At = -1;
  /** Offset of the FINGERPRINT attribute header, or -1. */
  fingerprintAt = -1;
  /** Attributes skipped by the ordering rules of §14.5-14.7 (after MI, MI-SHA256, FINGERPRINT). */
  ignored = 0;

  private readonly types: number[] = [];
  private readonly offsets: number[] = [];
  private readonly lengths: number[] = [];

  /** Decode one message that fills `data` exactly; throws ParseError when malformed. */
  static decode(data: Uint8Array): StunMessage {
    return new StunMessage().parse(data);
  }

  /** Re-decode this object over new bytes (no allocation once its arrays have grown). */
  parse(data: Uint8Array): this {
    this.count = 0;
    this.integrityAt = this.integritySha256At = this.fingerprintAt = -1;
    this.ignored = 0;
    this.data = EMPTY;
    const n = data.length;
    if (n < HEADER_LENGTH) throw stunError("truncated", `${n} bytes is shorter than the STUN header`, 0);
    if ((data[0] & 0xc0) !== 0) throw stunError("not-stun", "the first two bits are not zero", 0);
    const cookie = ((data[4] << 24) | (data[5] << 16) | (data[6] << 8) | data[7]) >>> 0;
    if (cookie !== MAGIC_COOKIE) throw stunError("bad-cookie", "wrong magic cookie", 4);
    const length = (data[2] << 8) | data[3];
    if ((length & 3) !== 0) throw stunError("bad-length", `length ${length} is not a multiple of 4`, 2);
    if (HEADER_LENGTH + length !== n) {
      throw stunError("bad-length", `length ${length} does not match the ${n - HEADER_LENGTH} bytes after the header`, 2);
    }
    const type = (data[0] << 8) | data[1];
    let at = HEADER_LENGTH;
    let count = 0;
    while (at < n) {
      if (at + 4 > n) throw stunError("truncated", "attribute header runs past the end", at);
      const t = (data[at] << 8) | data[at + 1];
      const len = (data[at + 2] << 8) | data[at + 3];
      const valueEnd = at + 4 + len;
      if (valueEnd > n) throw stunError("attribute-overrun", `attribute 0x${t.toString(16)} runs past the end`, at);
      // Padding (§14) cannot run past the end: the body length is a multiple of 4 and every
      // attribute starts aligned, so a value that fits has room for its padding.
      const next = (valueEnd + 3) & ~3;
      // §14.7: nothing follows FINGERPRINT; §14.6: only FINGERPRINT follows MI-SHA256;
      // §14.5: only MI-SHA256 and FINGERPRINT follow MESSAGE-INTEGRITY.
      if (this.fingerprintAt >= 0) {
        this.ignored++;
      } else if (t === AttrType.Fingerprint) {
        expectLength("FINGERPRINT", len, 4, at);
        this.fingerprintAt = at;
        count = this.push(count, t, at, len);
      } else if (this.integritySha256At >= 0) {
        this.ignored++;
      } else if (t === AttrType.MessageIntegritySha256) {
        if (len < 16 || len > 32 || (len & 3) !== 0) {
          throw stunError("bad-attribute-length", `MESSAGE-INTEGRITY-SHA256 of ${len} bytes`, at);
        }
        this.integritySha256At = at;
        count = this.push(count, t, at, len);
      } else if (this.integrityAt >= 0) {
        this.ignored++;
      } else {
        if (t === AttrType.MessageIntegrity) {
          expectLength("MESSAGE-INTEGRITY", len, 20, at);
          this.integrityAt = at;
        }
        count = this.push(count, t, at, len);
      }
      at = next;
    }
    this.data = data;
    this.type = type;
    this.method = methodOf(type);
    this.cls = classOf(type);
    this.count = count;
    return this;
  }

  private push(i: number, type: number, at: number, len: number): number {
    this.types[i] = type;
    this.offsets[i] = at + 4;
    this.lengths[i] = len;
    return i + 1;
  }

  /** Body length from the header (bytes after the 20-byte header). */
  get length(): number {
    return this.data.length - HEADER_LENGTH;
  }

  /** A view of the 12-byte transaction id. */
  get transactionId(): Uint8Array {
    return this.data.subarray(8, HEADER_LENGTH);
  }

  /** The transaction id as a Map key (see `transactionKey`). */
  get transactionKey(): string {
    return transactionKey(this.data);
  }

  attributeType(i: number): number {
    return this.types[i];
  }

  /** Offset of attribute i's value in `data`. */
  attributeOffset(i: number): number {
    return this.offsets[i];
  }

  attributeLength(i: number): number {
    return this.lengths[i];
  }

  /** A view of attribute i's value (without padding). */
  attributeValue(i: number): Uint8Array {
    const at = this.offsets[i];
    return this.data.subarray(at, at + this.lengths[i]);
  }

  /** Index of the first attribute of `type` (§14: only the first occurrence counts), or -1. */
  indexOf(type: number): number {
    const types = this.types;
    for (let i = 0; i < this.count; i++) if (types[i] === type) return i;
    return -1;
  }

  has(type: number): boolean {
    return this.indexOf(type) >= 0;
  }

  /** A view of the first value of `type`, or undefined. */
  get(type: number): Uint8Array | undefined {
    const i = this.indexOf(type);
    return i < 0 ? undefined : this.attributeValue(i);
  }

  /** Views of every value of `type`, in order (TURN may repeat XOR-PEER-ADDRESS). */
  getAll(type: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = 0; i < this.count; i++) if (this.types[i] === type) out.push(this.attributeValue(i));
    return out;
  }

  /** Every attribute as { type, value } views, in wire order. */
  attributes(): { type: number; value: Uint8Array }[] {
    const out: { type: number; value: Uint8Array }[] = [];
    for (let i = 0; i < this.count; i++) out.push({ type: this.types[i], value: this.attributeValue(i) });
    return out;
  }

  /** Types this package does not know, in order, without duplicates. */
  unknownTypes(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.count; i++) {
      const t = this.types[i];
      if (!isKnownAttribute(t) && !out.includes(t)) out.push(t);
    }
    return out;
  }

  /** Unknown comprehension-required types (< 0x8000): a request carrying any gets a 420 (§6.3.1). */
  unknownRequiredTypes(): number[] {
    return this.unknownTypes().filter(isComprehensionRequired);
  }

  /** Whether any attribute is unknown and comprehension-required (§14), without allocating. */
  hasUnknownRequired(): boolean {
    const types = this.types;
    for (let i = 0; i < this.count; i++) {
      const t = types[i];
      if (isComprehensionRequired(t) && !isKnownAttribute(t)) return true;
    }
    return false;
  }

  /**
   * Decode the first value of every known attribute, throwing ParseError on the first bad one
   * (a server answers such a request with 400, RFC 8489 §6.3.1).
   */
  validate(): void {
    this.username();
    this.userhash();
    this.realm();
    this.nonce();
    this.software();
    this.alternateDomain();
    this.mappedAddress();
    this.xorMappedAddress();
    this.alternateServer();
    this.xorPeerAddresses();
    this.xorRelayedAddresses();
    this.errorCode();
    this.unknownAttributes();
    this.passwordAlgorithm();
    this.passwordAlgorithms();
    this.priority();
    this.useCandidate();
    this.iceControlling();
    this.iceControlled();
    this.channelNumber();
    this.lifetime();
    this.requestedAddressFamily();
    this.evenPort();
    this.requestedTransport();
    this.dontFragment();
    this.reservationToken();
    this.additionalAddressFamily();
    this.addressErrorCode();
    this.icmp();
    this.googNetworkInfo();
  }

  // ---- integrity and fingerprint -------------------------------------------------------

  /** True when MESSAGE-INTEGRITY is present and matches `key` (§14.5). */
  checkIntegrity(key: IntegrityKey | Uint8Array): boolean {
    return this.integrityAt >= 0 && checkHmacSha1(this.data, this.integrityAt, toIntegrityKey(key));
  }

  /** True when MESSAGE-INTEGRITY-SHA256 is present and matches `key` (§14.6). */
  checkIntegritySha256(key: IntegrityKey | Uint8Array): boolean {
    const at = this.integritySha256At;
    if (at < 0) return false;
    const len = (this.data[at + 2] << 8) | this.data[at + 3];
    return checkHmacSha256(this.data, at, len, toIntegrityKey(key));
  }

  /** True when FINGERPRINT is present and matches (§14.7). */
  checkFingerprint(): boolean {
    return this.fingerprintAt >= 0 && checkFingerprint(this.data, this.fingerprintAt);
  }

  // ---- typed getters (each decodes lazily and throws ParseError on a bad value) -------

  private text(type: number, max: number): string | undefined {
    const i = this.indexOf(type);
    return i < 0 ? undefined : readUtf8(this.data, this.offsets[i], this.lengths[i], max);
  }

  private addr(type: number, xor: boolean): Address | undefined {
    const i = this.indexOf(type);
    return i < 0 ? undefined : readAddress(this.data, this.offsets[i], this.lengths[i], xor ? this.data : undefined);
  }

  private addrs(type: number): Address[] {
    const out: Address[] = [];
    for (let i = 0; i < this.count; i++) {
      if (this.types[i] === type) out.push(readAddress(this.data, this.offsets[i], this.lengths[i], this.data));
    }
    return out;
  }

  private u32(type: number, name: string): number | undefined {
    const i = this.indexOf(type);
    if (i < 0) return undefined;
    const at = this.offsets[i];
    expectLength(name, this.lengths[i], 4, at);
    const d = this.data;
    return ((d[at] << 24) | (d[at + 1] << 16) | (d[at + 2] << 8) | d[at + 3]) >>> 0;
  }

  private u64(type: number, name: string): bigint | undefined {
    const i = this.indexOf(type);
    if (i < 0) return undefined;
    const at = this.offsets[i];
    expectLength(name, this.lengths[i], 8, at);
    const d = this.data;
    const hi = ((d[at] << 24) | (d[at + 1] << 16) | (d[at + 2] << 8) | d[at + 3]) >>> 0;
    const lo = ((d[at + 4] << 24) | (d[at + 5] << 16) | (d[at + 6] << 8) | d[at + 7]) >>> 0;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  private fixed(type: number, name: string, len: number): Uint8Array | undefined {
    const i = this.indexOf(type);
    if (i < 0) return undefined;
    expectLength(name, this.lengths[i], len, this.offsets[i]);
    return this.attributeValue(i);
  }

  private flag(type: number, name: string): boolean {
    const i = this.indexOf(type);
    if (i < 0) return false;
    expectLength(name, this.lengths[i], 0, this.offsets[i]);
    return true;
  }

  private leadingByte(type: number, name: string): number | undefined {
    const i = this.indexOf(type);
    return i < 0 ? undefined : readLeadingByte(name, this.data, this.offsets[i], this.lengths[i]);
  }

  /** USERNAME (§14.3). */
  username(): string | undefined {
    return this.text(AttrType.Username, MAX_USERNAME);
  }
  /** USERHASH (§14.4): 32 bytes. */
  userhash(): Uint8Array | undefined {
    return this.fixed(AttrType.Userhash, "USERHASH", 32);
  }
  /** REALM (§14.9). */
  realm(): string | undefined {
    return this.text(AttrType.Realm, MAX_REASON_BYTES);
  }
  /** NONCE (§14.10). */
  nonce(): string | undefined {
    return this.text(AttrType.Nonce, MAX_REASON_BYTES);
  }
  /** SOFTWARE (§14.14). */
  software(): string | undefined {
    return this.text(AttrType.Software, MAX_REASON_BYTES);
  }
  /** ALTERNATE-DOMAIN (§14.16). */
  alternateDomain(): string | undefined {
    return this.text(AttrType.AlternateDomain, MAX_DOMAIN);
  }
  /** MAPPED-ADDRESS (§14.1). */
  mappedAddress(): Address | undefined {
    return this.addr(AttrType.MappedAddress, false);
  }
  /** XOR-MAPPED-ADDRESS (§14.2). */
  xorMappedAddress(): Address | undefined {
    return this.addr(AttrType.XorMappedAddress, true);
  }
  /** ALTERNATE-SERVER (§14.15). */
  alternateServer(): Address | undefined {
    return this.addr(AttrType.AlternateServer, false);
  }
  /** Every XOR-PEER-ADDRESS (RFC 8656 §18; CreatePermission may carry several). */
  xorPeerAddresses(): Address[] {
    return this.addrs(AttrType.XorPeerAddress);
  }
  xorPeerAddress(): Address | undefined {
    return this.addr(AttrType.XorPeerAddress, true);
  }
  /** Every XOR-RELAYED-ADDRESS (RFC 8656 §18; one per family). */
  xorRelayedAddresses(): Address[] {
    return this.addrs(AttrType.XorRelayedAddress);
  }
  xorRelayedAddress(): Address | undefined {
    return this.addr(AttrType.XorRelayedAddress, true);
  }
  /** ERROR-CODE (§14.8). */
  errorCode(): ErrorCodeValue | undefined {
    const i = this.indexOf(AttrType.ErrorCode);
    return i < 0 ? undefined : readErrorCode(this.data, this.offsets[i], this.lengths[i]);
  }
  /** UNKNOWN-ATTRIBUTES (§14.13). */
  unknownAttributes(): number[] | undefined {
    const i = this.indexOf(AttrType.UnknownAttributes);
    return i < 0 ? undefined : readUnknownAttributes(this.data, this.offsets[i], this.lengths[i]);
  }
  /** PASSWORD-ALGORITHM (§14.12). */
  passwordAlgorithm(): PasswordAlgorithmEntry | undefined {
    const i = this.indexOf(AttrType.PasswordAlgorithm);
    return i < 0 ? undefined : readPasswordAlgorithm(this.data, this.offsets[i], this.lengths[i]);
  }
  /** PASSWORD-ALGORITHMS (§14.11). */
  passwordAlgorithms(): PasswordAlgorithmEntry[] | undefined {
    const i = this.indexOf(AttrType.PasswordAlgorithms);
    return i < 0 ? undefined : readPasswordAlgorithms(this.data, this.offsets[i], this.lengths[i]);
  }
  /** MESSAGE-INTEGRITY value (20 bytes), a view. */
  messageIntegrity(): Uint8Array | undefined {
    return this.integrityAt < 0 ? undefined : this.data.subarray(this.integrityAt + 4, this.integrityAt + 24);
  }
  /** FINGERPRINT value. */
  fingerprint(): number | undefined {
    return this.u32(AttrType.Fingerprint, "FINGERPRINT");
  }
  /** PRIORITY (RFC 8445 §16.1). */
  priority(): number | undefined {
    return this.u32(AttrType.Priority, "PRIORITY");
  }
  /** USE-CANDIDATE (RFC 8445 §16.1). */
  useCandidate(): boolean {
    return this.flag(AttrType.UseCandidate, "USE-CANDIDATE");
  }
  /** ICE-CONTROLLING tie-breaker (RFC 8445 §16.1). */
  iceControlling(): bigint | undefined {
    return this.u64(AttrType.IceControlling, "ICE-CONTROLLING");
  }
  /** ICE-CONTROLLED tie-breaker (RFC 8445 §16.1). */
  iceControlled(): bigint | undefined {
    return this.u64(AttrType.IceControlled, "ICE-CONTROLLED");
  }
  /** CHANNEL-NUMBER (RFC 8656 §18). */
  channelNumber(): number | undefined {
    const i = this.indexOf(AttrType.ChannelNumber);
    return i < 0 ? undefined : readChannelNumber(this.data, this.offsets[i], this.lengths[i]);
  }
  /** LIFETIME in seconds (RFC 8656 §18). */
  lifetime(): number | undefined {
    return this.u32(AttrType.Lifetime, "LIFETIME");
  }
  /** DATA (RFC 8656 §18), a view. */
  dataValue(): Uint8Array | undefined {
    return this.get(AttrType.Data);
  }
  /** REQUESTED-ADDRESS-FAMILY (RFC 8656 §18): 1 = IPv4, 2 = IPv6. */
  requestedAddressFamily(): number | undefined {
    return this.leadingByte(AttrType.RequestedAddressFamily, "REQUESTED-ADDRESS-FAMILY");
  }
  /** EVEN-PORT (RFC 8656 §18): undefined when absent, else the R bit. */
  evenPort(): boolean | undefined {
    const i = this.indexOf(AttrType.EvenPort);
    return i < 0 ? undefined : readEvenPort(this.data, this.offsets[i], this.lengths[i]);
  }
  /** REQUESTED-TRANSPORT protocol number (RFC 8656 §18): 17 = UDP. */
  requestedTransport(): number | undefined {
    return this.leadingByte(AttrType.RequestedTransport, "REQUESTED-TRANSPORT");
  }
  /** DONT-FRAGMENT (RFC 8656 §18). */
  dontFragment(): boolean {
    return this.flag(AttrType.DontFragment, "DONT-FRAGMENT");
  }
  /** RESERVATION-TOKEN (RFC 8656 §18): 8 bytes. */
  reservationToken(): Uint8Array | undefined {
    return this.fixed(AttrType.ReservationToken, "RESERVATION-TOKEN", 8);
  }
  /** ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18). */
  additionalAddressFamily(): number | undefined {
    return this.leadingByte(AttrType.AdditionalAddressFamily, "ADDITIONAL-ADDRESS-FAMILY");
  }
  /** ADDRESS-ERROR-CODE (RFC 8656 §18). */
  addressErrorCode(): AddressErrorCodeValue | undefined {
    const i = this.indexOf(AttrType.AddressErrorCode);
    return i < 0 ? undefined : readAddressErrorCode(this.data, this.offsets[i], this.lengths[i]);
  }
  /** ICMP (RFC 8656 §18). */
  icmp(): IcmpValue | undefined {
    const i = this.indexOf(AttrType.Icmp);
    return i < 0 ? undefined : readIcmp(this.data, this.offsets[i], this.lengths[i]);
  }
  /** GOOG-NETWORK-INFO (0xC057, Chromium). */
  googNetworkInfo(): GoogNetworkInfo | undefined {
    const i = this.indexOf(AttrType.GoogNetworkInfo);
    return i < 0 ? undefined : readGoogNetworkInfo(this.data, this.offsets[i], this.lengths[i]);
  }
}
