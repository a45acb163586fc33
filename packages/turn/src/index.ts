/**
 * @tsrtc/turn: TURN (RFC 8656) as a sans-IO client core; the relay candidates of ICE stand on it.
 */
export {};
