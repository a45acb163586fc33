/**
 * The SCTP association of the BUNDLE transport (RFC 8261 over DTLS, RFC 8831 data channels): its
 * options from the negotiated ports and limits, and the receive window sized to our sockets.
 */
import type { RandomSource } from "@tsrtc/base";
import type { SctpOptions } from "@tsrtc/sctp";

export interface SctpSetup {
  localPort: number;
  remotePort: number;
  /** The peer's a=max-message-size; 0 = no limit. */
  remoteMaxMessageSize: number;
}

export interface SctpLimits {
  rng: RandomSource;
  mtu: number;
  /** Our a=max-message-size. */
  maxMessageSize: number;
  /** The largest message we take in, whatever we advertise. */
  maxReceiveMessageSize: number;
  /** The kernel receive buffer of our sockets, when known (see advertisedWindow). */
  receiveBuffer: number | undefined;
}

export function sctpOptions(s: SctpSetup, l: SctpLimits): SctpOptions {
  const maxReceive = Math.max(l.maxMessageSize, l.maxReceiveMessageSize);
  return {
    rng: l.rng,
    localPort: s.localPort,
    remotePort: s.remotePort,
    mtu: l.mtu,
    maxMessageSize: s.remoteMaxMessageSize === 0 ? Number.MAX_SAFE_INTEGER : s.remoteMaxMessageSize,
    maxReceiveMessageSize: maxReceive,
    receiveWindow: maxReceive + 65536,
    // RFC 9653 over DTLS (method 1): DTLS authenticates every packet, so a peer that also offers
    // it (tsrtc; Chromium does not) skips the CRC32c, ~3% of each side's CPU in bulk transfers.
    zeroChecksum: true,
    // Every packet is sealed into a DTLS record as soon as it is polled (sendSctpOutput).
    transientPackets: true,
    advertisedWindow: advertisedWindow(l.receiveBuffer),
  };
}

/**
 * The a_rwnd to advertise for a socket receive buffer of `bytes` (undefined: the full window).
 * In flight data waits in that buffer while we are busy: a larger window makes the peer overflow
 * it, and each lost packet halves its cwnd (measured over loopback: 4 MiB window with an 8 MiB
 * SO_RCVBUF lost ~300 packets per 4 transfers of 64 MiB; 3 MiB and 2.4 MiB lost none, while 3.4 MiB
 * still lost some). A ~1.2 KB datagram costs about 2.3 KB of Linux's buffer accounting: a 30%
 * share leaves room for that and for the SACKs and STUN sharing the socket.
 * Never below 1 MiB: with a small rmem_max, a tiny window would cap throughput on long paths
 * where the receiver keeps up and the buffer never fills.
 */
export function advertisedWindow(bytes: number | undefined): number | undefined {
  if (bytes === undefined) return undefined;
  return Math.max(MIN_ADVERTISED_WINDOW, Math.floor(bytes * 0.3));
}

const MIN_ADVERTISED_WINDOW = 1024 * 1024;
