/** The TURN server core (RFC 8656): see server.ts. */
export { TurnServer } from "./server.js";
export { restPassword } from "./credentials.js";
export { Allocation, type ChannelBinding, SERVER_CHANNEL_LIFETIME, SERVER_PERMISSION_LIFETIME } from "./allocation.js";
export * from "./types.js";
