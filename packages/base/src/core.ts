import type { Address } from "./address.js";

/** Monotonic milliseconds, always handed in by the caller (DESIGN.md §1). */
export type Millis = number;

/** A datagram a core wants sent. `from` names the local socket when a core owns several. */
export interface Transmit {
  to: Address;
  data: Uint8Array;
  from?: Address;
}

/**
 * The shape every sans-IO core shares. Each core adds its own typed inputs
 * (handlePacket, send, close, ...). Nothing here reads a clock or touches a socket.
 */
export interface Core<Ev> {
  /** Fire every timer due at or before `now`. Safe to call early and repeatedly. */
  handleTimeout(now: Millis): void;
  /** Drain until undefined. */
  pollTransmit(): Transmit | undefined;
  /** Drain until undefined. */
  pollEvent(): Ev | undefined;
  /** Earliest deadline of the core's timers; undefined when idle. */
  pollTimeout(): Millis | undefined;
}
