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
