/**
 * A peer's data coming from the server to the client (RFC 8656 §11.4 Data indications, §12.6
 * ChannelData): accepted only on an allocation, from a peer we asked a permission or a channel
 * for. What it carries goes into `out` (the client's peer/payload: no allocation per datagram);
 * datagrams taken and dropped are counted in `stats`.
 */
import type { Address } from "@tsrtc/base";
import type { StunMessage } from "@tsrtc/stun";
import { channelDataLength, channelOf } from "./channel-data.js";
import type { PeerTable } from "./peers.js";
import type { TurnClientStats, TurnVerdict } from "./types.js";

export interface PeerDataOut {
  peer: Address | undefined;
  payload: Uint8Array | undefined;
}

/** §12.6: ChannelData on a channel we bound, whole (padding up to 4 bytes allowed). */
export function channelDataIn(data: Uint8Array, peers: PeerTable, allocated: boolean, out: PeerDataOut, stats: TurnClientStats): TurnVerdict {
  const len = channelDataLength(data);
  if (len < 0) return drop(stats, "droppedTruncated");
  const ch = peers.channel(channelOf(data));
  // A "pending" binding counts: the server may relay before its success response reaches us.
  if (!ch || ch.state === "failed" || !allocated) return drop(stats, "droppedUnknownChannel");
  stats.channelDataIn++;
  out.peer = ch.peer;
  out.payload = data.subarray(4, 4 + len);
  return "data";
}

/** §11.4 (client side of §10.2): a Data indication from a peer we asked a permission for. */
export function dataIndicationIn(m: StunMessage, peers: PeerTable, allocated: boolean, out: PeerDataOut, stats: TurnClientStats): TurnVerdict {
  let peer: Address | undefined;
  let payload: Uint8Array | undefined;
  try {
    peer = m.xorPeerAddress();
    payload = m.dataValue();
  } catch {
    return drop(stats, "droppedMalformed");
  }
  if (!peer || !payload || !allocated) return drop(stats, "droppedNoPermission");
  const p = peers.permission(peer.host);
  if (!p || p.state === "failed") return drop(stats, "droppedNoPermission");
  stats.dataIndicationsIn++;
  out.peer = peer;
  out.payload = payload;
  return "data";
}

function drop(stats: TurnClientStats, counter: keyof TurnClientStats): TurnVerdict {
  stats[counter]++;
  return "dropped";
}
