import { describe, expect, it } from "vitest";
import { type Address, ParseError, toHex } from "@tsrtc/base";
import {
  AttrType,
  StunBuilder,
  StunClass,
  StunMessage,
  StunMethod,
  attrName,
  isComprehensionRequired,
  isKnownAttribute,
  classOf,
  messageType,
  methodOf,
} from "../src/index.js";

const TXID = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
const V4: Address = { family: 4, host: "203.0.113.9", port: 54321 };
const V6: Address = { family: 6, host: "2001:db8::1:2", port: 443 };

function build(add: (b: StunBuilder) => void): Uint8Array {
  const b = new StunBuilder(32).begin(StunMethod.Allocate, StunClass.Request, TXID);
  add(b);
  return b.finish();
}

/**
 * Each case: how to write the attribute from a value, how to read the value back. The test
 * writes, decodes, reads, writes again from what was read, and compares the bytes.
 */
interface Case<T> {
  type: number;
  value: T;
  write: (b: StunBuilder, v: T) => void;
  read: (m: StunMessage) => unknown;
  /** Expected value bytes (unpadded), where the layout is worth pinning by hand. */
  hex?: string;
}

function c<T>(x: Case<T>): Case<unknown> {
  return x as Case<unknown>;
}

const bytes = (...xs: number[]) => Uint8Array.from(xs);
const cases: Case<unknown>[] = [
  c({ type: AttrType.MappedAddress, value: V4, write: (b, v) => b.mappedAddress(v), read: (m) => m.mappedAddress(), hex: "0001d431cb007109" }),
  c({ type: AttrType.MappedAddress, value: V6, write: (b, v) => b.mappedAddress(v), read: (m) => m.mappedAddress() }),
  c({ type: AttrType.XorMappedAddress, value: V4, write: (b, v) => b.xorMappedAddress(v), read: (m) => m.xorMappedAddress(), hex: "0001f523ea12d54b" }),
  c({ type: AttrType.XorMappedAddress, value: V6, write: (b, v) => b.xorMappedAddress(v), read: (m) => m.xorMappedAddress() }),
  c({ type: AttrType.Username, value: "alice:bob", write: (b, v) => b.username(v), read: (m) => m.username() }),
  c({ type: AttrType.Username, value: "ユーザー:ü", write: (b, v) => b.username(v), read: (m) => m.username() }),
  c({ type: AttrType.Userhash, value: new Uint8Array(32).fill(0xab), write: (b, v) => b.userhash(v), read: (m) => m.userhash() }),
  c({ type: AttrType.ErrorCode, value: { code: 438, reason: "Stale Nonce" }, write: (b, v) => b.errorCode(v.code, v.reason), read: (m) => m.errorCode(), hex: "000004265374616c65204e6f6e6365" }),
  c({ type: AttrType.Realm, value: "example.org", write: (b, v) => b.realm(v), read: (m) => m.realm() }),
  c({ type: AttrType.Nonce, value: "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA", write: (b, v) => b.nonce(v), read: (m) => m.nonce() }),
  c({
    type: AttrType.PasswordAlgorithms,
    value: [{ algorithm: 2, parameters: bytes() }, { algorithm: 1, parameters: bytes(9, 8, 7) }],
    write: (b, v) => b.passwordAlgorithms(v),
    read: (m) => m.passwordAlgorithms(),
    hex: "00020000000100030908070" + "0",
  }),
  c({ type: AttrType.PasswordAlgorithm, value: { algorithm: 1, parameters: bytes() }, write: (b, v) => b.passwordAlgorithm(v), read: (m) => m.passwordAlgorithm(), hex: "00010000" }),
  c({ type: AttrType.UnknownAttributes, value: [0x0031, 0x7fff, 0x0002], write: (b, v) => b.unknownAttributes(v), read: (m) => m.unknownAttributes(), hex: "00317fff0002" }),
  c({ type: AttrType.Software, value: "tsrtc 0.0.0", write: (b, v) => b.software(v), read: (m) => m.software() }),
  c({ type: AttrType.AlternateServer, value: V6, write: (b, v) => b.alternateServer(v), read: (m) => m.alternateServer() }),
  c({ type: AttrType.AlternateDomain, value: "turn.example.net", write: (b, v) => b.alternateDomain(v), read: (m) => m.alternateDomain() }),
  c({ type: AttrType.Priority, value: 0x6e0001ff, write: (b, v) => b.priority(v), read: (m) => m.priority(), hex: "6e0001ff" }),
  c({ type: AttrType.UseCandidate, value: true, write: (b) => b.useCandidate(), read: (m) => m.useCandidate(), hex: "" }),
  c({ type: AttrType.IceControlled, value: 0x932ff9b151263b36n, write: (b, v) => b.iceControlled(v), read: (m) => m.iceControlled(), hex: "932ff9b151263b36" }),
  c({ type: AttrType.IceControlling, value: 0xffffffffffffffffn, write: (b, v) => b.iceControlling(v), read: (m) => m.iceControlling(), hex: "ffffffffffffffff" }),
  c({ type: AttrType.ChannelNumber, value: 0x4001, write: (b, v) => b.channelNumber(v), read: (m) => m.channelNumber(), hex: "40010000" }),
  c({ type: AttrType.Lifetime, value: 600, write: (b, v) => b.lifetime(v), read: (m) => m.lifetime(), hex: "00000258" }),
  c({ type: AttrType.XorPeerAddress, value: V4, write: (b, v) => b.xorPeerAddress(v), read: (m) => m.xorPeerAddress() }),
  c({ type: AttrType.XorPeerAddress, value: V6, write: (b, v) => b.xorPeerAddress(v), read: (m) => m.xorPeerAddress() }),
  c({ type: AttrType.Data, value: bytes(1, 2, 3, 4, 5), write: (b, v) => b.data(v), read: (m) => m.dataValue(), hex: "0102030405" }),
  c({ type: AttrType.XorRelayedAddress, value: V6, write: (b, v) => b.xorRelayedAddress(v), read: (m) => m.xorRelayedAddress() }),
  c({ type: AttrType.RequestedAddressFamily, value: 2, write: (b, v) => b.requestedAddressFamily(v), read: (m) => m.requestedAddressFamily(), hex: "02000000" }),
  c({ type: AttrType.EvenPort, value: true, write: (b, v) => b.evenPort(v), read: (m) => m.evenPort(), hex: "80" }),
  c({ type: AttrType.RequestedTransport, value: 17, write: (b, v) => b.requestedTransport(v), read: (m) => m.requestedTransport(), hex: "11000000" }),
  c({ type: AttrType.DontFragment, value: true, write: (b) => b.dontFragment(), read: (m) => m.dontFragment(), hex: "" }),
  c({ type: AttrType.ReservationToken, value: bytes(1, 2, 3, 4, 5, 6, 7, 8), write: (b, v) => b.reservationToken(v), read: (m) => m.reservationToken() }),
  c({ type: AttrType.AdditionalAddressFamily, value: 2, write: (b, v) => b.additionalAddressFamily(v), read: (m) => m.additionalAddressFamily(), hex: "02000000" }),
  c({
    type: AttrType.AddressErrorCode,
    value: { family: 2, code: 440, reason: "Address Family not Supported" },
    write: (b, v) => b.addressErrorCode(v.family, v.code, v.reason),
    read: (m) => m.addressErrorCode(),
  }),
  c({ type: AttrType.Icmp, value: { type: 3, code: 4, data: 1400 }, write: (b, v) => b.icmp(v), read: (m) => m.icmp(), hex: "0000030400000578" }),
  c({ type: AttrType.GoogNetworkInfo, value: { networkId: 1, networkCost: 999 }, write: (b, v) => b.googNetworkInfo(v), read: (m) => m.googNetworkInfo(), hex: "000103e7" }),
];

describe("byte-exact round trip of every attribute type", () => {
  for (const k of cases) {
    it(`${attrName(k.type)} ${JSON.stringify(k.value, (_, v) => (typeof v === "bigint" ? v.toString() : v))}`, () => {
      const first = build((b) => k.write(b, k.value));
      const m = StunMessage.decode(first);
      expect(m.count).toBe(1);
      expect(m.attributeType(0)).toBe(k.type);
      expect(first.length % 4).toBe(0);
      if (k.hex !== undefined) expect(toHex(m.attributeValue(0))).toBe(k.hex);
      const read = k.read(m);
      expect(read).toEqual(k.value);
      const again = build((b) => k.write(b, read));
      expect(toHex(again)).toBe(toHex(first));
      m.validate();
    });
  }

  it("covers every type in AttrType except the three trailers", () => {
    const covered = new Set(cases.map((k) => k.type));
    const trailers: number[] = [AttrType.MessageIntegrity, AttrType.MessageIntegritySha256, AttrType.Fingerprint];
    const missing = Object.values(AttrType).filter((t) => !covered.has(t) && !trailers.includes(t));
    expect(missing.map(attrName)).toEqual([]);
  });

  it("keeps repeated attributes in order and returns the first by default", () => {
    const out = build((b) => b.xorPeerAddress(V4).xorPeerAddress(V6).bytes(0x7001, bytes(1)));
    const m = StunMessage.decode(out);
    expect(m.xorPeerAddress()).toEqual(V4);
    expect(m.xorPeerAddresses()).toEqual([V4, V6]);
    expect(m.getAll(AttrType.XorPeerAddress).length).toBe(2);
    expect(m.attributes().map((a) => a.type)).toEqual([AttrType.XorPeerAddress, AttrType.XorPeerAddress, 0x7001]);
  });
});

describe("unknown attributes", () => {
  it("are kept raw and reported; only types < 0x8000 are comprehension-required", () => {
    const out = build((b) => b.bytes(0x7777, bytes(1, 2, 3)).bytes(0xc0de, bytes(4)).bytes(AttrType.GoogNetworkInfo, bytes(0, 1, 0, 0)).bytes(0x7777, bytes()));
    const m = StunMessage.decode(out);
    expect(toHex(m.get(0x7777)!)).toBe("010203");
    expect(m.unknownTypes()).toEqual([0x7777, 0xc0de]);
    expect(m.unknownRequiredTypes()).toEqual([0x7777]);
    expect(isComprehensionRequired(0x7fff)).toBe(true);
    expect(isComprehensionRequired(0x8000)).toBe(false);
    expect(isKnownAttribute(AttrType.GoogNetworkInfo)).toBe(true);
    expect(isComprehensionRequired(AttrType.GoogNetworkInfo)).toBe(false);
  });
});

describe("message type bits (RFC 8489 §5)", () => {
  it("interleaves method and class as in the RFC's examples", () => {
    expect(messageType(StunMethod.Binding, StunClass.Request)).toBe(0x0001);
    expect(messageType(StunMethod.Binding, StunClass.Indication)).toBe(0x0011);
    expect(messageType(StunMethod.Binding, StunClass.SuccessResponse)).toBe(0x0101);
    expect(messageType(StunMethod.Binding, StunClass.ErrorResponse)).toBe(0x0111);
    expect(messageType(StunMethod.Send, StunClass.Indication)).toBe(0x0016);
    expect(messageType(StunMethod.Allocate, StunClass.ErrorResponse)).toBe(0x0113);
    for (let m = 0; m < 0x1000; m += 37) {
      for (const cl of [0, 1, 2, 3]) {
        const t = messageType(m, cl);
        expect(t & 0xc000).toBe(0);
        expect(methodOf(t)).toBe(m);
        expect(classOf(t)).toBe(cl);
      }
    }
  });
});

describe("malformed values are ParseErrors from the typed getters", () => {
  const cases2: [string, (b: StunBuilder) => void, (m: StunMessage) => unknown][] = [
    ["PRIORITY of 3 bytes", (b) => b.bytes(AttrType.Priority, bytes(1, 2, 3)), (m) => m.priority()],
    ["XOR-MAPPED-ADDRESS family 3", (b) => b.bytes(AttrType.XorMappedAddress, bytes(0, 3, 0, 0, 1, 2, 3, 4)), (m) => m.xorMappedAddress()],
    ["IPv4 address of 7 bytes", (b) => b.bytes(AttrType.MappedAddress, bytes(0, 1, 0, 0, 1, 2, 3)), (m) => m.mappedAddress()],
    ["ERROR-CODE class 2", (b) => b.bytes(AttrType.ErrorCode, bytes(0, 0, 2, 0)), (m) => m.errorCode()],
    ["ERROR-CODE number 100", (b) => b.bytes(AttrType.ErrorCode, bytes(0, 0, 4, 100)), (m) => m.errorCode()],
    ["USERNAME with invalid UTF-8", (b) => b.bytes(AttrType.Username, bytes(0xff, 0xfe)), (m) => m.username()],
    ["USE-CANDIDATE with a value", (b) => b.bytes(AttrType.UseCandidate, bytes(1)), (m) => m.useCandidate()],
    ["UNKNOWN-ATTRIBUTES of odd length", (b) => b.bytes(AttrType.UnknownAttributes, bytes(1, 2, 3)), (m) => m.unknownAttributes()],
    ["PASSWORD-ALGORITHMS overrun", (b) => b.bytes(AttrType.PasswordAlgorithms, bytes(0, 1, 0, 9, 1, 2, 3, 4)), (m) => m.passwordAlgorithms()],
    ["ICMP of 4 bytes", (b) => b.bytes(AttrType.Icmp, bytes(0, 0, 1, 2)), (m) => m.icmp()],
  ];
  for (const [name, write, read] of cases2) {
    it(name, () => {
      const m = StunMessage.decode(build(write));
      expect(() => read(m)).toThrow(ParseError);
      expect(() => m.validate()).toThrow(ParseError);
    });
  }
});
