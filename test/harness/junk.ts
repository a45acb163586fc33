/**
 * Junk and forged datagrams for hostile-traffic tests, one generator per kind, covering every
 * RFC 7983 first-byte range:
 *  - STUN (0..3): random bytes; Binding requests with the target's ufrags but a wrong password,
 *    with a ufrag that is not the target's, without MESSAGE-INTEGRITY, with a broken
 *    FINGERPRINT; success responses to transactions nobody started;
 *  - ZRTP / reserved (4..19);
 *  - DTLS (20..63): truncated and over-long records, unknown epochs, bogus ciphertext in epoch 1,
 *    plaintext alerts, handshakes and ChangeCipherSpec in epoch 0 after the handshake, bad
 *    versions, random bytes;
 *  - TURN channel data (64..79), 80..127, RTP and RTCP (128..191), 192..255, empty datagrams.
 * Deterministic for a seed.
 */
import { type RandomSource, SeededRandom, randomBytes, randomInt } from "@tsrtc/base";
import { StunBuilder, StunClass, StunMethod, shortTermIntegrityKey } from "@tsrtc/stun";

export interface JunkTarget {
  /** ICE ufrag of the peer being attacked and of its real remote. */
  targetUfrag: string;
  remoteUfrag: string;
}

export type JunkKind = (typeof JUNK_KINDS)[number];

export const JUNK_KINDS = [
  "stun-random",
  "stun-wrong-password",
  "stun-wrong-ufrag",
  "stun-bad-fingerprint",
  "stun-no-integrity",
  "stun-unmatched-response",
  "reserved",
  "dtls-truncated",
  "dtls-unknown-epoch",
  "dtls-epoch1-bogus",
  "dtls-epoch0-alert",
  "dtls-epoch0-handshake",
  "dtls-epoch0-ccs",
  "dtls-bad-version",
  "dtls-random",
  "turn-channel",
  "unassigned",
  "rtp",
  "rtcp",
  "high",
  "empty",
] as const;

export class JunkFactory {
  private readonly rng: RandomSource;
  private readonly stun = new StunBuilder(600);
  private readonly wrongKey = shortTermIntegrityKey("this-is-not-the-password-0123");
  /**
   * Epoch-0 forgeries carry ever-growing sequence numbers above the real handshake's, so each
   * one passes the (unauthenticated) epoch-0 replay window and reaches the record's handler.
   */
  private epoch0Seq = 0;

  constructor(
    seed: number,
    private readonly target: JunkTarget,
  ) {
    this.rng = new SeededRandom(seed);
  }

  private int(n: number): number {
    return randomInt(this.rng, n);
  }

  private random(first: number, min: number, max: number): Uint8Array {
    const b = randomBytes(this.rng, min + this.int(max - min + 1));
    if (b.length > 0) b[0] = first;
    return b;
  }

  private request(username = `${this.target.targetUfrag}:${this.target.remoteUfrag}`): StunBuilder {
    const b = this.stun.begin(StunMethod.Binding, StunClass.Request, randomBytes(this.rng, 12));
    b.username(username);
    b.priority(1845501695);
    b.iceControlling(randomBytes(this.rng, 8));
    if (this.int(2) === 0) b.useCandidate();
    return b;
  }

  /** A DTLS record header (13 bytes) followed by `body`. */
  private record(type: number, version: number, epoch: number, seqHigh: number, seqLow: number, body: Uint8Array, length = body.length): Uint8Array {
    const r = new Uint8Array(13 + body.length);
    const v = new DataView(r.buffer);
    r[0] = type;
    v.setUint16(1, version);
    v.setUint16(3, epoch);
    v.setUint16(5, seqHigh);
    v.setUint32(7, seqLow);
    v.setUint16(11, length);
    r.set(body, 13);
    return r;
  }

  make(kind: JunkKind): Uint8Array {
    switch (kind) {
      case "stun-random":
        return this.random(this.int(4), 1, 200);
      case "stun-wrong-password":
        return this.request().messageIntegrity(this.wrongKey).fingerprint().finish();
      case "stun-wrong-ufrag":
        return this.request(`${this.target.targetUfrag}x:${this.target.remoteUfrag}`).messageIntegrity(this.wrongKey).fingerprint().finish();
      case "stun-bad-fingerprint": {
        const m = this.request().messageIntegrity(this.wrongKey).fingerprint().finish();
        m[m.length - 1] ^= 0x5a;
        return m;
      }
      case "stun-no-integrity":
        return this.request().fingerprint().finish();
      case "stun-unmatched-response": {
        const b = this.stun.begin(StunMethod.Binding, StunClass.SuccessResponse, randomBytes(this.rng, 12));
        b.xorMappedAddress({ family: 4, host: "203.0.113.7", port: 1 + this.int(65535) });
        return b.messageIntegrity(this.wrongKey).fingerprint().finish();
      }
      case "reserved":
        return this.random(4 + this.int(16), 1, 300);
      case "dtls-truncated": {
        // The length field promises more than the datagram holds (or the header is cut).
        if (this.int(3) === 0) return this.random(20 + this.int(44), 1, 12);
        const body = randomBytes(this.rng, this.int(100));
        return this.record(20 + this.int(4), 0xfefd, this.int(2), 0, this.int(1 << 30), body, body.length + 1 + this.int(2000));
      }
      case "dtls-unknown-epoch":
        return this.record(20 + this.int(4), 0xfefd, 2 + this.int(65534), 0, this.int(1 << 30), randomBytes(this.rng, 16 + this.int(200)));
      case "dtls-epoch1-bogus":
        // Application data (or a handshake) in the live epoch, any sequence number, random
        // bytes where AES-GCM's explicit nonce, ciphertext and tag belong: fails authentication.
        return this.record(this.int(4) === 0 ? 22 : 23, 0xfefd, 1, this.int(4), this.int(1 << 30), randomBytes(this.rng, 24 + this.int(1000)));
      case "dtls-epoch0-alert":
        // A plaintext fatal alert (handshake_failure, close_notify...): a forgery once keys are in use.
        return this.record(21, 0xfefd, 0, 1, this.epoch0Seq++, Uint8Array.of(this.int(2) === 0 ? 2 : 1, [0, 10, 20, 40, 42, 48, 80][this.int(7)]));
      case "dtls-epoch0-handshake": {
        // A handshake fragment header with any type and sequence, and random contents.
        const body = randomBytes(this.rng, 12 + this.int(300));
        body[0] = [1, 2, 3, 11, 12, 13, 14, 15, 16, 20][this.int(10)];
        return this.record(22, this.int(2) === 0 ? 0xfefd : 0xfeff, 0, 1, this.epoch0Seq++, body);
      }
      case "dtls-epoch0-ccs":
        return this.record(20, 0xfefd, 0, 1, this.epoch0Seq++, Uint8Array.of(1));
      case "dtls-bad-version":
        return this.record(20 + this.int(4), [0x0303, 0xfefc, 0x0000, 0xffff][this.int(4)], this.int(2), 0, this.int(1 << 30), randomBytes(this.rng, 30 + this.int(100)));
      case "dtls-random":
        return this.random(20 + this.int(44), 13, 600);
      case "turn-channel":
        return this.random(64 + this.int(16), 4, 300);
      case "unassigned":
        return this.random(80 + this.int(48), 1, 300);
      case "rtp": {
        // V=2, a dynamic payload type, sequence, timestamp, SSRC, a payload.
        const b = this.random(0x80 | this.int(16), 12, 1200);
        b[1] = (this.int(2) << 7) | (96 + this.int(32));
        return b;
      }
      case "rtcp": {
        const b = this.random(0x80 | this.int(32), 8, 400);
        b[1] = 200 + this.int(5);
        return b;
      }
      case "high":
        return this.random(192 + this.int(64), 1, 300);
      case "empty":
        return new Uint8Array(0);
    }
  }

  /** A kind drawn uniformly. */
  next(): { kind: JunkKind; data: Uint8Array } {
    const kind = JUNK_KINDS[this.int(JUNK_KINDS.length)];
    return { kind, data: this.make(kind) };
  }
}
