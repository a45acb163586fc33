export { UdpIceAgent, type UdpIceAgentOptions } from "./udp-agent.js";
export { listHostAddresses, type HostAddress, type HostAddressOptions } from "./gather.js";
export { MdnsResolver } from "./mdns-resolver.js";
export { resolveTurnServers, type IceServerLike, type ResolvedTurnServers } from "./turn-servers.js";
export { TurnStreams, type TurnStreamOptions, type TurnStreamHandlers } from "./turn-streams.js";
