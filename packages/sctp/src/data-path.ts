/**
 * The data path of an established association: the Sender (RFC 9260 §6), the Receiver (§6.2)
 * and the stream resetter (RFC 6525), built from what the handshake negotiated and wired to the
 * association's send queue and event queue. Built once at setup and again on a peer restart
 * (§5.2.4 A), when TSNs and stream sequence numbers start over.
 */
import type { SctpEvent } from "./events.js";
import type { Negotiated } from "./handshake.js";
import type { SctpOptions } from "./options.js";
import { Receiver } from "./receiver.js";
import type { SendQueue } from "./send-queue.js";
import { Sender } from "./sender.js";
import { StreamResetter } from "./stream-reset.js";

export interface DataPath {
  sender: Sender;
  receiver: Receiver;
  resets: StreamResetter;
}

export function buildDataPath(n: Negotiated, o: Required<SctpOptions>, queue: SendQueue, emit: (e: SctpEvent) => void): DataPath {
  queue.interleave = n.iData;
  queue.singleChunkMax = o.mtu - 12 - 20;
  const sender = new Sender(n.localInitialTsn, n.peerRwnd, queue, {
    mtu: o.mtu,
    iData: n.iData,
    partialReliability: n.forwardTsn,
    rtoInitial: o.rtoInitial,
    rtoMin: o.rtoMin,
    rtoMax: o.rtoMax,
    maxBackoff: o.maxBackoff,
    maxBurst: o.maxBurst,
  });
  const receiver = new Receiver(
    n.peerInitialTsn,
    {
      rwnd: o.receiveWindow,
      advertised: o.advertisedWindow,
      maxMessage: Math.min(o.maxReceiveMessageSize, o.receiveWindow),
      inStreams: n.inStreams,
      delayedAck: o.delayedAck,
    },
    (stream, ppid, data, unordered) => emit({ type: "message", stream, ppid, data, unordered }),
  );
  const resets = new StreamResetter(n.localInitialTsn, n.peerInitialTsn, {
    pendingOn: (stream) => queue.streams.get(stream)?.pending ?? 0,
    lastAssignedTsn: () => (sender.nextTsn - 1) >>> 0,
    receivedCum: () => receiver.tracker.cum,
    rto: () => sender.rto.rto,
    outgoingDone: (streams, ok) => {
      for (const s of streams) queue.resetSequences(s);
      emit({ type: "stream-reset-outgoing", streams, ok });
    },
    incomingDone: (streams) => {
      for (const s of streams) receiver.reassembly.resetStream(s);
      emit({ type: "stream-reset-incoming", streams });
    },
  });
  return { sender, receiver, resets };
}
