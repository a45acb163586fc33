/**
 * STUN Binding server core (RFC 8489 §6.3, §12), sans-IO: a datagram and its source in, at most
 * one response out. A Binding request gets a success response with XOR-MAPPED-ADDRESS (the
 * request's source), SOFTWARE when configured, and FINGERPRINT. Requests whose header parses
 * but whose body does not get 400; requests carrying unknown comprehension-required
 * attributes get 420 with UNKNOWN-ATTRIBUTES. Indications, responses, other methods and
 * non-STUN datagrams are dropped and counted. No authentication: this is the public-server
 * usage of §12 (ICE connectivity checks are the ICE agent's job).
 */
import { type Address, type Millis, type Transmit, isProtocolError, logger } from "@tsrtc/base";
import { ErrorCode, HEADER_LENGTH, MAGIC_COOKIE, StunClass, StunMethod, classOf, methodOf, reasonPhrase } from "./constants.js";
import { StunBuilder } from "./builder.js";
import { StunMessage } from "./message.js";

const log = logger("stun:server");

export interface BindingServerOptions {
  /** SOFTWARE attribute value for responses (none when undefined). */
  software?: string;
  /** Append FINGERPRINT to responses (default true). */
  fingerprint?: boolean;
}

export interface BindingServerStats {
  /** Datagrams handed to handlePacket. */
  received: number;
  /** Binding success responses produced. */
  success: number;
  /** 400 responses (header parsed, body malformed). */
  badRequest: number;
  /** 420 responses (unknown comprehension-required attributes). */
  unknownAttribute: number;
  /** Not STUN at all (bad first bits, cookie, or too short). */
  notStun: number;
  /** STUN but dropped: indications, responses, other methods, malformed non-requests. */
  ignored: number;
  /** Requests whose FINGERPRINT did not match (dropped, §7.3). */
  badFingerprint: number;
  /** Datagrams from source port 0: no answer can go there (Node's send would even throw). */
  badSource: number;
}

export class StunBindingServer {
  readonly stats: BindingServerStats = {
    received: 0,
    success: 0,
    badRequest: 0,
    unknownAttribute: 0,
    notStun: 0,
    ignored: 0,
    badFingerprint: 0,
    badSource: 0,
  };
  private readonly msg = new StunMessage();
  private readonly builder = new StunBuilder();
  private readonly software: string | undefined;
  private readonly withFingerprint: boolean;

  constructor(opts: BindingServerOptions = {}) {
    this.software = opts.software;
    this.withFingerprint = opts.fingerprint ?? true;
  }

  /** Handle one datagram from `from`; returns the response to send, if any. */
  handlePacket(data: Uint8Array, from: Address, _now: Millis): Transmit | undefined {
    this.stats.received++;
    if (from.port === 0) {
      this.stats.badSource++;
      return undefined;
    }
    if (data.length < HEADER_LENGTH || (data[0] & 0xc0) !== 0 || readU32(data, 4) !== MAGIC_COOKIE) {
      this.stats.notStun++;
      return undefined;
    }
    const type = (data[0] << 8) | data[1];
    if (classOf(type) !== StunClass.Request || methodOf(type) !== StunMethod.Binding) {
      this.stats.ignored++;
      return undefined;
    }
    const txid = data.subarray(8, HEADER_LENGTH);
    const msg = this.msg;
    try {
      msg.parse(data);
      if (msg.fingerprintAt >= 0 && !msg.checkFingerprint()) {
        this.stats.badFingerprint++;
        return undefined;
      }
      if (msg.hasUnknownRequired()) {
        this.stats.unknownAttribute++;
        const b = this.error(txid, ErrorCode.UnknownAttribute).unknownAttributes(msg.unknownRequiredTypes());
        return this.reply(b, from);
      }
      msg.validate();
    } catch (e) {
      if (!isProtocolError(e)) throw e;
      log("400 to %s:%d: %s", from.host, from.port, e.message);
      this.stats.badRequest++;
      return this.reply(this.error(txid, ErrorCode.BadRequest), from);
    }
    this.stats.success++;
    const b = this.builder.begin(StunMethod.Binding, StunClass.SuccessResponse, txid).xorMappedAddress(from);
    return this.reply(b, from);
  }

  private error(txid: Uint8Array, code: number): StunBuilder {
    return this.builder.begin(StunMethod.Binding, StunClass.ErrorResponse, txid).errorCode(code, reasonPhrase(code));
  }

  private reply(b: StunBuilder, to: Address): Transmit {
    if (this.software !== undefined) b.software(this.software);
    if (this.withFingerprint) b.fingerprint();
    return { to, data: b.finish() };
  }
}

function readU32(d: Uint8Array, at: number): number {
  return ((d[at] << 24) | (d[at + 1] << 16) | (d[at + 2] << 8) | d[at + 3]) >>> 0;
}
