/** Counters an endpoint keeps: every dropped record by reason, alerts, retransmissions. */

export interface DtlsDropCounters {
  /** Header cut short or length beyond the datagram (rest of datagram discarded). */
  truncated: number;
  badVersion: number;
  unknownContentType: number;
  /** Ciphertext longer than 2^14 + 2048 (RFC 5246 §6.2.3). */
  overflow: number;
  /** An epoch we have no keys for (and could not buffer). */
  unknownEpoch: number;
  /** Already seen, or older than the window (RFC 6347 §4.1.2.6). */
  replay: number;
  /** Failed authentication (RFC 6347 §4.1.2.7). */
  badMac: number;
  /** A malformed unauthenticated handshake fragment or alert. */
  malformed: number;
  /** A record that cannot be used in the current state (e.g. application data before the handshake). */
  unexpected: number;
  /** Handshake fragments for messages we already processed. */
  duplicateHandshake: number;
  /** Handshake fragments too far ahead, too long, or inconsistent with earlier fragments. */
  handshakeRejected: number;
  /** Anything received after close. */
  closed: number;
}

export interface DtlsStats {
  datagramsReceived: number;
  datagramsSent: number;
  recordsReceived: number;
  recordsSent: number;
  applicationDataReceived: number;
  applicationDataSent: number;
  dropped: DtlsDropCounters;
  alertsSent: number;
  alertsReceived: number;
  /** Flights sent again (timer or peer's retransmission). */
  retransmits: number;
  helloVerifyRequestsSent: number;
  handshakeMessagesReceived: number;
  /** Exceptions caught that were not protocol errors (bugs): answered with internal_error. */
  internalErrors: number;
}

export function newStats(): DtlsStats {
  return {
    datagramsReceived: 0,
    datagramsSent: 0,
    recordsReceived: 0,
    recordsSent: 0,
    applicationDataReceived: 0,
    applicationDataSent: 0,
    dropped: {
      truncated: 0,
      badVersion: 0,
      unknownContentType: 0,
      overflow: 0,
      unknownEpoch: 0,
      replay: 0,
      badMac: 0,
      malformed: 0,
      unexpected: 0,
      duplicateHandshake: 0,
      handshakeRejected: 0,
      closed: 0,
    },
    alertsSent: 0,
    alertsReceived: 0,
    retransmits: 0,
    helloVerifyRequestsSent: 0,
    handshakeMessagesReceived: 0,
    internalErrors: 0,
  };
}
