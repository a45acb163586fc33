export * from "./profiles.js";
export * from "./kdf.js";
export * from "./rtp-header.js";
export * from "./rtcp.js";
export * from "./context.js";
export * from "./session.js";
export { estimateRoc } from "./stream.js";
export type { SrtpTransform } from "./ciphers/transform.js";
