/**
 * Packet acceptance rules that need no association state beyond the tags: the verification
 * tag (RFC 9260 §8.5, §8.5.1), the answer to an out-of-the-blue packet (§8.4) and what to do
 * with a chunk of unknown type (§3.2).
 */
import { ChunkType } from "./constants.js";
import { encodeAbort, encodeEmpty } from "./chunks/control.js";
import { State } from "./handshake.js";

export type TagVerdict = "ok" | "bad" | "out-of-the-blue";

/**
 * §8.5 / §8.5.1 for the first chunk of a packet. INIT must come alone under tag 0; COOKIE-ECHO
 * is checked against its cookie; ABORT and SHUTDOWN-COMPLETE may reflect the peer's tag (T bit);
 * with no association (CLOSED) everything else is out of the blue, and so is a SHUTDOWN ACK
 * while we set up (§8.5.1 E). `reflectable` is a second tag a T-bit SHUTDOWN COMPLETE may carry
 * in SHUTDOWN-ACK-SENT: the one our SHUTDOWN ACK to a restarting peer went out under (0: none).
 */
export function checkVerificationTag(
  first: number,
  vtag: number,
  tFlag: boolean,
  chunks: number,
  state: State,
  localTag: number,
  peerTag: number,
  reflectable: number,
): TagVerdict {
  if (first === ChunkType.INIT) return vtag === 0 && chunks === 1 ? "ok" : "bad";
  if (first === ChunkType.COOKIE_ECHO) return "ok";
  if (state === State.CLOSED) return "out-of-the-blue";
  // §8.5.1 E (and §9.2): in COOKIE-WAIT or COOKIE-ECHOED a SHUTDOWN ACK is out of the blue,
  // whatever tag it carries; §8.4 then answers it with a reflected SHUTDOWN COMPLETE.
  if (first === ChunkType.SHUTDOWN_ACK && (state === State.COOKIE_WAIT || state === State.COOKIE_ECHOED)) return "out-of-the-blue";
  if (first === ChunkType.ABORT || first === ChunkType.SHUTDOWN_COMPLETE) {
    if (!tFlag) return vtag === localTag ? "ok" : "bad";
    if (vtag === peerTag) return "ok";
    // §9.2 with §8.4: a peer that restarted while we were in SHUTDOWN-ACK-SENT got our SHUTDOWN
    // ACK under its new tag (the one in its cookie) and reflects that tag in its SHUTDOWN COMPLETE.
    const reflected = first === ChunkType.SHUTDOWN_COMPLETE && state === State.SHUTDOWN_ACK_SENT && reflectable !== 0 && vtag === reflectable;
    return reflected ? "ok" : "bad";
  }
  return vtag === localTag ? "ok" : "bad";
}

/** §8.4: SHUTDOWN-COMPLETE (T bit) to a SHUTDOWN-ACK, nothing to ABORT, SHUTDOWN-COMPLETE, COOKIE-ACK, ERROR or INIT-ACK, else ABORT (T bit). */
export function outOfTheBlueReply(first: number): Uint8Array | undefined {
  if (first === ChunkType.SHUTDOWN_ACK) return encodeEmpty(ChunkType.SHUTDOWN_COMPLETE, 1);
  if (
    first === ChunkType.ABORT ||
    first === ChunkType.SHUTDOWN_COMPLETE ||
    first === ChunkType.COOKIE_ACK ||
    first === ChunkType.ERROR ||
    first === ChunkType.INIT_ACK
  ) {
    return undefined;
  }
  return encodeAbort([], true);
}
