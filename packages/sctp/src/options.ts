/** Options of an SctpAssociation and of a send, with their defaults. */
import type { RandomSource } from "@tsrtc/base";

export interface SctpOptions {
  rng: RandomSource;
  /** a=sctp-port values (RFC 8841); 5000 by default. */
  localPort?: number;
  remotePort?: number;
  /** Largest SCTP packet we build: about 1200 bytes fit in DTLS over a 1280+ byte path. */
  mtu?: number;
  /** Largest message send() accepts (the peer's a=max-message-size, RFC 8841 §6). */
  maxMessageSize?: number;
  /** Largest message we reassemble; also bounded by receiveWindow. */
  maxReceiveMessageSize?: number;
  /** Our a_rwnd and the cap on bytes held for reassembly and ordering. */
  receiveWindow?: number;
  /**
   * The most we advertise as a_rwnd (RFC 9260 §6.2), at most receiveWindow (the default). Set it
   * below the reassembly capacity when the datagram queue in front of us is smaller: a window
   * larger than the kernel's socket buffer turns a busy receiver into packet loss (each loss
   * halves the sender's cwnd) instead of flow control.
   */
  advertisedWindow?: number;
  /** Outbound and inbound stream counts offered (OS / MIS). */
  streams?: number;
  /** Offer I-DATA (RFC 8260); used only when both sides do. */
  iData?: boolean;
  /** Offer zero checksum (RFC 9653); only correct when packets ride DTLS. */
  zeroChecksum?: boolean;
  /**
   * pollTransmit() may hand out its packets in a buffer it reuses: each is valid until the next
   * pollTransmit() call. For a caller that consumes every packet at once (DTLS encrypts it into
   * a record of its own): one allocation less per packet.
   */
  transientPackets?: boolean;
  rtoInitial?: number;
  rtoMin?: number;
  /** RTO.Max (RFC 9260 §16: 60 s): the cap on the RTO computed from RTT measurements. */
  rtoMax?: number;
  /**
   * The cap on a backed-off timer (T3-rtx, T1, T2): 3 s as in Chromium's dcsctp transport,
   * so that recovery after an outage or a run of losses does not wait for a doubled-up RTO.
   */
  maxBackoff?: number;
  /**
   * Max.Burst (RFC 9260 §6.1 D, §16): DATA packets sent per transmission opportunity (a SACK,
   * a timeout, new data on an idle queue). 4 as in the RFC, usrsctp and dcsctp; 0 = no limit.
   */
  maxBurst?: number;
  /**
   * Association.Max.Retrans (§8.1, §16): consecutive T3 expiries or unanswered heartbeats
   * before the association fails. 20 rather than the RFC's 10 because back-off is capped at
   * 3 s: the peer is given up after ~1 minute of silence, about as long as before with the
   * uncapped back-off. (Chromium sets no limit and leaves liveness to ICE consent, RFC 7675.)
   */
  maxRetransmits?: number;
  /**
   * Max.Init.Retransmits (§16: 8). 20 here: with T1 backed off to 3 s at most, the handshake is
   * given up after ~1 minute, as it was with the RFC's 8 and an uncapped back-off.
   */
  maxInitRetransmits?: number;
  delayedAck?: number;
  heartbeatInterval?: number;
  cookieLifetime?: number;
}

export interface SendOptions {
  unordered?: boolean;
  /** Partial reliability: retransmissions allowed (RFC 3758). */
  maxRetransmits?: number;
  /** Partial reliability: lifetime in ms from now. */
  maxLifetime?: number;
}

export function withDefaults(opts: SctpOptions): Required<SctpOptions> {
  const rwnd = opts.receiveWindow ?? 5 * 1024 * 1024;
  const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as SctpOptions;
  return {
    localPort: 5000,
    remotePort: 5000,
    mtu: 1200,
    maxMessageSize: 262144,
    maxReceiveMessageSize: rwnd,
    receiveWindow: rwnd,
    streams: 65535,
    iData: true,
    zeroChecksum: false,
    transientPackets: false,
    // RTO.Min above the peer's delayed-ack time (200 ms) so a lone packet's SACK is not taken for a loss.
    rtoInitial: 1000,
    rtoMin: 400,
    rtoMax: 60000,
    maxBackoff: 3000,
    maxBurst: 4,
    maxRetransmits: 20,
    maxInitRetransmits: 20,
    delayedAck: 200,
    heartbeatInterval: 30000,
    cookieLifetime: 60000,
    ...given,
    advertisedWindow: Math.min(opts.advertisedWindow ?? rwnd, rwnd),
  };
}
