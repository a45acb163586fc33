import { type AttributeCodec, bad, need, parseUint } from "./codec.js";

/** `a=sctp-port:<port>` (RFC 8841 §5.2). */
export function parseSctpPort(value: string | undefined, line?: number): number {
  const grammar = "a=sctp-port:<port>";
  const port = parseUint(need(value, line, grammar, "sctp-port"), 65535);
  if (port < 0) bad(line, grammar, value);
  return port;
}

/** `a=max-message-size:<size>` (RFC 8841 §6.2); 0 means no limit. */
export function parseMaxMessageSize(value: string | undefined, line?: number): number {
  const grammar = "a=max-message-size:<size>";
  const size = parseUint(need(value, line, grammar, "max-message-size"), Number.MAX_SAFE_INTEGER);
  if (size < 0) bad(line, grammar, value);
  return size;
}

export const sctpPort: AttributeCodec<number> = { name: "sctp-port", parse: parseSctpPort, format: String };
export const maxMessageSize: AttributeCodec<number> = {
  name: "max-message-size",
  parse: parseMaxMessageSize,
  format: String,
};
