export * from "./candidate.js";
export * from "./candidate-sdp.js";
export * from "./pair.js";
export { Checklist, DEFAULT_MAX_PAIRS } from "./checklist.js";
export * from "./mdns.js";
export * from "./types.js";
export { IceAgent, type SelectedPair } from "./agent.js";
