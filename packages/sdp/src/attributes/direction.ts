import { DIRECTIONS, type Direction } from "../types.js";

/** Whether `name` is one of the direction attributes (RFC 8866 §6.7). */
export function isDirection(name: string): name is Direction {
  return (DIRECTIONS as readonly string[]).includes(name);
}
