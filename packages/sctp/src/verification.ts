/**
 * Packet acceptance rules that need no association state beyond the tags: the verification
 * tag (RFC 9260 §8.5, §8.5.1), the answer to an out-of-the-blue packet (§8.4) and what to do
 * with a chunk of unknown type (§3.2).
 */
import { ChunkType } from "./constants.js";
import { encodeAbort, encodeEmpty } from "./chunks/control.js";

export type TagVerdict = "ok" | "bad" | "out-of-the-blue";

/**
 * §8.5 / §8.5.1 for the first chunk of a packet. INIT must come alone under tag 0; COOKIE-ECHO
 * is checked against its cookie; ABORT and SHUTDOWN-COMPLETE may reflect the peer's tag (T bit);
 * with no association (`closed`) everything else is out of the blue.
 */
export function checkVerificationTag(first: number, vtag: number, tFlag: boolean, chunks: number, closed: boolean, localTag: number, peerTag: number): TagVerdict {
  if (first === ChunkType.INIT) return vtag === 0 && chunks === 1 ? "ok" : "bad";
  if (first === ChunkType.COOKIE_ECHO) return "ok";
  if (closed) return "out-of-the-blue";
  if (first === ChunkType.ABORT || first === ChunkType.SHUTDOWN_COMPLETE) return vtag === (tFlag ? peerTag : localTag) ? "ok" : "bad";
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
