/**
 * Encoding the client's requests (RFC 8656 §7.1 Allocate, §8.1 Refresh, §9.1 CreatePermission,
 * §12.1 ChannelBind) and Send indications (§10.1). Credentials and FINGERPRINT are added by the
 * caller after these attributes.
 */
import type { Address, RandomSource } from "@tsrtc/base";
import { AddressFamily, type StunBuilder, StunClass, StunMethod, TransportProtocol, newTransactionId } from "@tsrtc/stun";
import type { TurnOperation } from "./types.js";

/** What a pending request was for (rebuilt as is after a 401 or 438). */
export interface TxContext {
  op: TurnOperation;
  peer?: Address;
  channel?: number;
  /** Refresh: the LIFETIME asked for (0 releases the allocation). */
  lifetime?: number;
  signed: boolean;
  /** The nonce it was signed with (a 401 with the same one means wrong credentials). */
  nonce?: string;
  retries: number;
}

/** Begin the request `ctx` describes in `b`, with its method's attributes. */
export function beginRequest(b: StunBuilder, ctx: TxContext, rng: RandomSource, allocateLifetime: number, relayFamily: 4 | 6 = 4): void {
  const id = newTransactionId(rng);
  switch (ctx.op) {
    case "allocate":
      // §7.1: REQUESTED-TRANSPORT UDP; LIFETIME is a wish the server may cut; an IPv6 relayed
      // address must be asked for with REQUESTED-ADDRESS-FAMILY.
      b.begin(StunMethod.Allocate, StunClass.Request, id).requestedTransport(TransportProtocol.UDP).lifetime(allocateLifetime);
      if (relayFamily === 6) b.requestedAddressFamily(AddressFamily.IPv6);
      return;
    case "refresh":
      b.begin(StunMethod.Refresh, StunClass.Request, id).lifetime(ctx.lifetime ?? 0);
      return;
    case "permission":
      b.begin(StunMethod.CreatePermission, StunClass.Request, id).xorPeerAddress(ctx.peer!);
      return;
    case "channel-bind":
      b.begin(StunMethod.ChannelBind, StunClass.Request, id).channelNumber(ctx.channel!).xorPeerAddress(ctx.peer!);
      return;
  }
}

/** §10.1: a Send indication carries XOR-PEER-ADDRESS and DATA, and no credentials. */
export function encodeSendIndication(b: StunBuilder, rng: RandomSource, peer: Address, data: Uint8Array): Uint8Array {
  return b.begin(StunMethod.Send, StunClass.Indication, newTransactionId(rng)).xorPeerAddress(peer).data(data).finish();
}
