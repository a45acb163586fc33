import { SdpParseError } from "../errors.js";

/**
 * How one attribute's value is read and written. `parse` throws SdpParseError naming the line
 * when the value does not match the attribute's grammar; `format` returns the value text (after
 * `a=<name>:`), or undefined for a flag attribute.
 */
export interface AttributeCodec<T> {
  readonly name: string;
  parse(value: string | undefined, line: number | undefined): T;
  format(v: T): string | undefined;
}

/** Throw the typed error for attribute `name` whose grammar is `grammar`. */
export function bad(line: number | undefined, grammar: string, found: string | undefined): never {
  throw new SdpParseError(line, `"${grammar}"`, found, "bad-attribute");
}

/** The value of a valued attribute, or the typed error when it is a bare flag. */
export function need(value: string | undefined, line: number | undefined, grammar: string, name: string): string {
  if (value === undefined) bad(line, grammar, `a=${name}`);
  return value;
}

/** A decimal integer made only of digits, at most `max`; -1 when it is not one. */
export function parseUint(text: string, max: number): number {
  const n = text.length;
  if (n === 0 || n > 16) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v <= max ? v : -1;
}

/** Split on single spaces; an empty string gives []. */
export function spaceTokens(text: string): string[] {
  return text.length === 0 ? [] : text.split(" ");
}

export const MAX_U32 = 0xffffffff;
