/**
 * STUN wire constants: header layout, classes, methods, attribute types and error codes
 * (RFC 8489, with ICE's RFC 8445 and TURN's RFC 8656 registrations).
 */

/** RFC 8489 §5: the fixed value in bytes 4..7 of every STUN message. */
export const MAGIC_COOKIE = 0x2112a442;
/** RFC 8489 §5: 20-byte header (type, length, cookie, 96-bit transaction id). */
export const HEADER_LENGTH = 20;
export const TRANSACTION_ID_LENGTH = 12;
/** RFC 8489 §14.7: the CRC-32 of a FINGERPRINT is XORed with "STUN". */
export const FINGERPRINT_XOR = 0x5354554e;
/** Sizes of the whole attribute (header + value) of the three trailer attributes. */
export const MESSAGE_INTEGRITY_SIZE = 24;
export const MESSAGE_INTEGRITY_SHA256_SIZE = 36;
export const FINGERPRINT_SIZE = 8;

/** RFC 8489 §5: the two class bits C1 C0. */
export const StunClass = {
  Request: 0,
  Indication: 1,
  SuccessResponse: 2,
  ErrorResponse: 3,
} as const;
export type StunClass = (typeof StunClass)[keyof typeof StunClass];

/** RFC 8489 §18.2, RFC 8656 (TURN), RFC 6062 (TURN over TCP). */
export const StunMethod = {
  Binding: 0x001,
  Allocate: 0x003,
  Refresh: 0x004,
  Send: 0x006,
  Data: 0x007,
  CreatePermission: 0x008,
  ChannelBind: 0x009,
  Connect: 0x00a,
  ConnectionBind: 0x00b,
  ConnectionAttempt: 0x00c,
} as const;
export type StunMethod = (typeof StunMethod)[keyof typeof StunMethod];

/** Attribute types (RFC 8489 §18.3, RFC 8445 §16.1, RFC 8656 §18, and Chromium's 0xC057). */
export const AttrType = {
  // RFC 8489 comprehension-required
  MappedAddress: 0x0001,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  UnknownAttributes: 0x000a,
  Realm: 0x0014,
  Nonce: 0x0015,
  MessageIntegritySha256: 0x001c,
  PasswordAlgorithm: 0x001d,
  Userhash: 0x001e,
  XorMappedAddress: 0x0020,
  // RFC 8489 comprehension-optional
  PasswordAlgorithms: 0x8002,
  AlternateDomain: 0x8003,
  Software: 0x8022,
  AlternateServer: 0x8023,
  Fingerprint: 0x8028,
  // RFC 8445 (ICE)
  Priority: 0x0024,
  UseCandidate: 0x0025,
  IceControlled: 0x8029,
  IceControlling: 0x802a,
  // RFC 8656 (TURN)
  ChannelNumber: 0x000c,
  Lifetime: 0x000d,
  XorPeerAddress: 0x0012,
  Data: 0x0013,
  XorRelayedAddress: 0x0016,
  RequestedAddressFamily: 0x0017,
  EvenPort: 0x0018,
  RequestedTransport: 0x0019,
  DontFragment: 0x001a,
  ReservationToken: 0x0022,
  AdditionalAddressFamily: 0x8000,
  AddressErrorCode: 0x8001,
  Icmp: 0x8004,
  // Chromium: network id and cost, comprehension-optional.
  GoogNetworkInfo: 0xc057,
} as const;
export type AttrType = (typeof AttrType)[keyof typeof AttrType];

const ATTR_NAMES = new Map<number, string>(Object.entries(AttrType).map(([k, v]) => [v, k]));

/** A readable name for logs: "XorMappedAddress", or "0x1234" for an unknown type. */
export function attrName(type: number): string {
  return ATTR_NAMES.get(type) ?? `0x${type.toString(16).padStart(4, "0")}`;
}

/** True for every type this package decodes (the rest are kept raw and reported unknown). */
export function isKnownAttribute(type: number): boolean {
  return ATTR_NAMES.has(type);
}

/** RFC 8489 §14: types 0x0000-0x7FFF must be understood by the receiver. */
export function isComprehensionRequired(type: number): boolean {
  return type < 0x8000;
}

/** RFC 8489 §14.8 and §18.4, RFC 8445 (487), RFC 8656 and RFC 6062 (TURN). */
export const ErrorCode = {
  TryAlternate: 300,
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  MobilityForbidden: 405,
  UnknownAttribute: 420,
  AllocationMismatch: 437,
  StaleNonce: 438,
  AddressFamilyNotSupported: 440,
  WrongCredentials: 441,
  UnsupportedTransportProtocol: 442,
  PeerAddressFamilyMismatch: 443,
  ConnectionAlreadyExists: 446,
  ConnectionTimeoutOrFailure: 447,
  AllocationQuotaReached: 486,
  RoleConflict: 487,
  ServerError: 500,
  InsufficientCapacity: 508,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const REASONS: Record<number, string> = {
  300: "Try Alternate",
  400: "Bad Request",
  401: "Unauthenticated",
  403: "Forbidden",
  405: "Mobility Forbidden",
  420: "Unknown Attribute",
  437: "Allocation Mismatch",
  438: "Stale Nonce",
  440: "Address Family not Supported",
  441: "Wrong Credentials",
  442: "Unsupported Transport Protocol",
  443: "Peer Address Family Mismatch",
  446: "Connection Already Exists",
  447: "Connection Timeout or Failure",
  486: "Allocation Quota Reached",
  487: "Role Conflict",
  500: "Server Error",
  508: "Insufficient Capacity",
};

/** The RFC's suggested reason phrase for an error code ("" when none is registered). */
export function reasonPhrase(code: number): string {
  return REASONS[code] ?? "";
}

/** RFC 8489 §18.5: PASSWORD-ALGORITHM values. */
export const PasswordAlgorithm = {
  MD5: 0x0001,
  SHA256: 0x0002,
} as const;
export type PasswordAlgorithm = (typeof PasswordAlgorithm)[keyof typeof PasswordAlgorithm];

/** RFC 8656 §18: address family codes of REQUESTED- and ADDITIONAL-ADDRESS-FAMILY. */
export const AddressFamily = { IPv4: 0x01, IPv6: 0x02 } as const;

/** RFC 8656 §18: protocol numbers of REQUESTED-TRANSPORT. */
export const TransportProtocol = { UDP: 17, TCP: 6 } as const;

/**
 * RFC 8489 §5: the 14-bit message type interleaves the 12 method bits M11..M0 with the two
 * class bits: M11-M7 | C1 | M6-M4 | C0 | M3-M0.
 */
export function messageType(method: number, cls: number): number {
  return (
    (method & 0x000f) |
    ((method & 0x0070) << 1) |
    ((method & 0x0f80) << 2) |
    ((cls & 1) << 4) |
    ((cls & 2) << 7)
  );
}

export function methodOf(type: number): number {
  return (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
}

export function classOf(type: number): StunClass {
  return (((type >> 4) & 1) | ((type >> 7) & 2)) as StunClass;
}
