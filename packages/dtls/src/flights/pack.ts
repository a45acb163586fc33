/**
 * Turn a flight into datagrams: each handshake message is fragmented (RFC 6347 §4.2.3) so that
 * every record fits the room left in the current datagram, and records are packed several to a
 * datagram up to the MTU (§4.1.1). Records are sealed fresh on every (re)transmission, so each
 * carries a new sequence number (§4.2.4).
 */
import { ContentType, HANDSHAKE_HEADER_LENGTH } from "../constants.js";
import { encodeHandshakeFragment } from "../handshake/header.js";
import { DatagramPacker, type RecordLayer } from "../record/layer.js";
import type { FlightItem } from "./retransmit.js";

const CCS = Uint8Array.of(1);
/** Do not start a fragment with less than this much body room; open a new datagram instead. */
const MIN_FRAGMENT = 64;

export function packFlight(items: readonly FlightItem[], layer: RecordLayer, mtu: number): Uint8Array[] {
  const p = new DatagramPacker(mtu);
  for (const it of items) {
    if (it.kind === "ccs") {
      p.push(layer.seal(ContentType.changeCipherSpec, it.epoch, CCS));
      continue;
    }
    const overhead = layer.overhead(it.epoch) + HANDSHAKE_HEADER_LENGTH;
    const total = it.body.length;
    let offset = 0;
    do {
      let room = p.room - overhead;
      if (room < Math.min(MIN_FRAGMENT, total - offset)) {
        p.flush();
        room = p.room - overhead;
      }
      const n = Math.max(0, Math.min(room, total - offset));
      if (n === 0 && total > 0) throw new Error("dtls: MTU too small for a handshake fragment");
      const frag = encodeHandshakeFragment(it.msgType, it.messageSeq, it.body, offset, n);
      p.push(layer.seal(ContentType.handshake, it.epoch, frag));
      offset += n;
    } while (offset < total);
  }
  p.flush();
  return p.out;
}
