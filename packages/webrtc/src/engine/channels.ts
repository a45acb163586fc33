/**
 * The engine's data channels: the sctp package's DataChannelTable (stream ids, DCEP, PPIDs,
 * closing by stream reset, counters), with its refusals turned into the errors the W3C names
 * (RtcError carrying a DOMException name; TypeErrors pass as they are).
 */
import {
  type DataChannel,
  DataChannelError,
  type DataChannelErrorCode,
  type DataChannelEvent,
  type DataChannelInit,
  type DataChannelState,
  type DataChannelStats,
  DataChannelTable,
} from "@tsrtc/sctp";
import { type RtcErrorName, rtcError } from "./errors.js";

export { MAX_CHANNEL_ID } from "@tsrtc/sctp";
export type ChannelRecord = DataChannel;
export type ChannelEvent = DataChannelEvent;
export type ChannelInit = DataChannelInit;
export type ChannelState = DataChannelState;
export type ChannelStats = DataChannelStats;

const W3C_NAMES: Record<DataChannelErrorCode, RtcErrorName> = {
  "invalid-state": "InvalidStateError",
  "id-in-use": "OperationError",
  "no-id-left": "OperationError",
};

function w3cError(e: unknown): unknown {
  return e instanceof DataChannelError ? rtcError(W3C_NAMES[e.code], e.message) : e;
}

export class ChannelTable extends DataChannelTable {
  override create(label: string, init: ChannelInit): ChannelRecord {
    try {
      return super.create(label, init);
    } catch (e) {
      throw w3cError(e);
    }
  }

  override sendBytes(ch: ChannelRecord, data: Uint8Array, isText: boolean): void {
    try {
      super.sendBytes(ch, data, isText);
    } catch (e) {
      throw w3cError(e);
    }
  }
}
