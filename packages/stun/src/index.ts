/**
 * @tsrtc/stun: RFC 8489 STUN with ICE's (RFC 8445) and TURN's (RFC 8656) attributes.
 *
 *  - constants: StunMethod, StunClass, AttrType, ErrorCode, PasswordAlgorithm, messageType()...
 *  - StunMessage: in-place decoding (ParseError on malformed input), lazy typed getters,
 *    checkIntegrity / checkIntegritySha256 / checkFingerprint without copying;
 *  - StunBuilder: encoding into a reused buffer, trailers computed in place;
 *  - IntegrityKey and the credential helpers (short-term, long-term MD5/SHA-256, USERHASH);
 *  - responses: error / 420 helpers; StunTransactions: the §6.2.1 client transaction table;
 *  - StunBindingServer: the sans-IO Binding server core (its Node runner is "@tsrtc/stun/node").
 */
export * from "./constants.js";
export { StunMessage, isStunMessage, transactionKey } from "./message.js";
export { StunBuilder, encodeMessage, type StunMessageInit } from "./builder.js";
export { IntegrityKey, toIntegrityKey } from "./integrity.js";
export { HmacSha1Key } from "./hmac-sha1.js";
export { fingerprintValue } from "./fingerprint.js";
export {
  shortTermKey,
  longTermKey,
  userhash,
  shortTermIntegrityKey,
  longTermIntegrityKey,
} from "./credentials.js";
export {
  type ResponseOptions,
  beginSuccessResponse,
  beginErrorResponse,
  buildErrorResponse,
  buildUnknownAttributesResponse,
} from "./responses.js";
export {
  StunTransactions,
  newTransactionId,
  type RetransmitOptions,
  type StartTransaction,
  type StunTransactionEvent,
} from "./transactions.js";
export { StunBindingServer, type BindingServerOptions, type BindingServerStats } from "./server.js";
export type { ErrorCodeValue, AddressErrorCodeValue } from "./attributes/error-code.js";
export type { PasswordAlgorithmEntry } from "./attributes/password-algorithm.js";
export type { IcmpValue, GoogNetworkInfo } from "./attributes/turn.js";
export { readAddress, writeAddress } from "./attributes/address.js";
