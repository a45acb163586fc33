/** What an SctpAssociation reports through pollEvent(). */
export type SctpEvent =
  | { type: "connected" }
  /**
   * The peer restarted (RFC 9260 §5.2.4 A): new TSNs and streams; queued and in-flight data were
   * dropped. `unsent`: the bytes each stream had queued and not yet sent (streams with none left out).
   */
  | { type: "restarted"; unsent: { stream: number; bytes: number }[] }
  | { type: "message"; stream: number; ppid: number; data: Uint8Array; unordered: boolean }
  /** Our outgoing streams were reset (ok) or the peer refused (RFC 6525). */
  | { type: "stream-reset-outgoing"; streams: number[]; ok: boolean }
  /** The peer reset its outgoing streams (our incoming ones). */
  | { type: "stream-reset-incoming"; streams: number[] }
  | { type: "buffered-amount-low"; stream: number }
  /** The peer sent an ERROR chunk; the association goes on. */
  | { type: "peer-error"; causes: string[] }
  /** The association is over: ABORT (either way), SHUTDOWN, or a failure (`error`: not a clean close). */
  | { type: "closed"; reason: string; byPeer: boolean; error: boolean };

export interface SctpStats {
  packetsReceived: number;
  packetsSent: number;
  badChecksum: number;
  badTag: number;
  badPort: number;
  malformed: number;
  outOfTheBlue: number;
  unknownChunks: number;
  unexpectedChunk: number;
  initAnswered: number;
  /** INITs dropped or ABORTed for a zero tag or zero streams (RFC 9260 §3.3.2). */
  invalidInit: number;
  collisions: number;
  badCookie: number;
  /** Cookies we found stale (and answered with ERROR). */
  staleCookie: number;
  /** Stale Cookie ERRORs the peer sent back in COOKIE-ECHOED (§5.2.6). */
  staleCookieReceived: number;
  /** Authentic cookies that §5.2.4 says to discard (case C, unmatched tags, restart while shutting down). */
  cookieDiscarded: number;
  /** Peer restarts (§5.2.4 A). */
  restarts: number;
  sackViolations: number;
  abortsSent: number;
  abortsReceived: number;
  errorsReceived: number;
  internalErrors: number;
}

export function newStats(): SctpStats {
  return {
    packetsReceived: 0,
    packetsSent: 0,
    badChecksum: 0,
    badTag: 0,
    badPort: 0,
    malformed: 0,
    outOfTheBlue: 0,
    unknownChunks: 0,
    unexpectedChunk: 0,
    initAnswered: 0,
    invalidInit: 0,
    collisions: 0,
    badCookie: 0,
    staleCookie: 0,
    staleCookieReceived: 0,
    cookieDiscarded: 0,
    restarts: 0,
    sackViolations: 0,
    abortsSent: 0,
    abortsReceived: 0,
    errorsReceived: 0,
    internalErrors: 0,
  };
}
