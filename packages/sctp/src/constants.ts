/** Wire constants of SCTP (RFC 9260 §3), its extensions and the WebRTC data channel PPIDs. */

/** Chunk types: RFC 9260 §3.2, RFC 3758 (FORWARD-TSN), RFC 6525 (RE-CONFIG), RFC 8260 (I-DATA). */
export const ChunkType = {
  DATA: 0,
  INIT: 1,
  INIT_ACK: 2,
  SACK: 3,
  HEARTBEAT: 4,
  HEARTBEAT_ACK: 5,
  ABORT: 6,
  SHUTDOWN: 7,
  SHUTDOWN_ACK: 8,
  ERROR: 9,
  COOKIE_ECHO: 10,
  COOKIE_ACK: 11,
  SHUTDOWN_COMPLETE: 14,
  I_DATA: 64,
  RE_CONFIG: 130,
  FORWARD_TSN: 192,
  I_FORWARD_TSN: 194,
} as const;
export type ChunkTypeValue = (typeof ChunkType)[keyof typeof ChunkType];

/** Parameter types: RFC 9260 §3.3.2.1, RFC 3758 §3.1, RFC 5061 §4.2.7, RFC 9653 §4, RFC 6525 §4. */
export const ParamType = {
  HEARTBEAT_INFO: 1,
  STATE_COOKIE: 7,
  UNRECOGNIZED_PARAMETER: 8,
  COOKIE_PRESERVATIVE: 9,
  SUPPORTED_ADDRESS_TYPES: 12,
  OUTGOING_SSN_RESET: 13,
  INCOMING_SSN_RESET: 14,
  SSN_TSN_RESET: 15,
  RECONFIG_RESPONSE: 16,
  ADD_OUTGOING_STREAMS: 17,
  ADD_INCOMING_STREAMS: 18,
  ZERO_CHECKSUM_ACCEPTABLE: 0x8001,
  SUPPORTED_EXTENSIONS: 0x8008,
  FORWARD_TSN_SUPPORTED: 0xc000,
} as const;

/** Error cause codes: RFC 9260 §3.3.10. */
export const ErrorCause = {
  INVALID_STREAM_ID: 1,
  MISSING_MANDATORY_PARAM: 2,
  STALE_COOKIE: 3,
  OUT_OF_RESOURCE: 4,
  UNRESOLVABLE_ADDRESS: 5,
  UNRECOGNIZED_CHUNK: 6,
  INVALID_MANDATORY_PARAM: 7,
  UNRECOGNIZED_PARAMS: 8,
  NO_USER_DATA: 9,
  COOKIE_WHILE_SHUTTING_DOWN: 10,
  RESTART_WITH_NEW_ADDRESSES: 11,
  USER_INITIATED_ABORT: 12,
  PROTOCOL_VIOLATION: 13,
} as const;

/** DATA chunk flags: RFC 9260 §3.3.1, RFC 7053 (I bit). */
export const DataFlags = {
  END: 0x01,
  BEGIN: 0x02,
  UNORDERED: 0x04,
  IMMEDIATE: 0x08,
} as const;

/** RE-CONFIG response results: RFC 6525 §4.4. */
export const ReconfigResult = {
  SUCCESS_NOTHING: 0,
  SUCCESS_PERFORMED: 1,
  DENIED: 2,
  ERROR_WRONG_SSN: 3,
  ERROR_IN_PROGRESS: 4,
  ERROR_BAD_SEQUENCE: 5,
  IN_PROGRESS: 6,
} as const;

/** Zero checksum error detection method: RFC 9653 §4 (1 = SCTP over DTLS, RFC 8261). */
export const EDMID_DTLS = 1;

/** WebRTC payload protocol identifiers: RFC 8831 §8, RFC 8832 §8.1. */
export const Ppid = {
  DCEP: 50,
  STRING: 51,
  BINARY_PARTIAL: 52,
  BINARY: 53,
  STRING_PARTIAL: 54,
  STRING_EMPTY: 56,
  BINARY_EMPTY: 57,
} as const;

/**
 * The most a Cookie Preservative (RFC 9260 §3.3.2.1) may add to a cookie's life, in ms: what we
 * grant a peer that asks, and the most we ask for after a Stale Cookie ERROR (§5.2.6).
 */
export const MAX_COOKIE_EXTENSION = 60_000;

export const COMMON_HEADER_SIZE = 12;
export const CHUNK_HEADER_SIZE = 4;
export const DATA_HEADER_SIZE = 16;
export const IDATA_HEADER_SIZE = 20;
