/**
 * Stateless HelloVerifyRequest cookies (RFC 6347 §4.2.1): HMAC-SHA256 under a secret drawn
 * once from the RandomSource, over every ClientHello field except the cookie itself, so a
 * server keeps no state for a ClientHello until it returns with a valid cookie.
 * The sans-IO endpoint rides a single path, so the peer address is bound by the caller's demux.
 */
import { createHmac } from "node:crypto";
import { constantTimeEqual, randomBytes, type RandomSource } from "@tsrtc/base";
import type { ClientHello } from "./handshake/messages/client-hello.js";

export const COOKIE_LENGTH = 20;

export class CookieFactory {
  private readonly secret: Uint8Array;

  constructor(rng: RandomSource) {
    this.secret = randomBytes(rng, 32);
  }

  compute(hello: ClientHello): Uint8Array {
    const h = createHmac("sha256", this.secret);
    const head = Buffer.alloc(4);
    head.writeUInt16BE(hello.version, 0);
    head.writeUInt16BE(hello.cipherSuites.length, 2);
    h.update(head).update(hello.random).update(Uint8Array.of(hello.sessionId.length)).update(hello.sessionId);
    const suites = Buffer.alloc(2 * hello.cipherSuites.length);
    hello.cipherSuites.forEach((s, i) => suites.writeUInt16BE(s, 2 * i));
    h.update(suites).update(Uint8Array.of(hello.compressionMethods.length)).update(hello.compressionMethods);
    for (const e of hello.extensions) {
      const t = Buffer.alloc(4);
      t.writeUInt16BE(e.type, 0);
      t.writeUInt16BE(e.data.length, 2);
      h.update(t).update(e.data);
    }
    return new Uint8Array(h.digest().subarray(0, COOKIE_LENGTH));
  }

  verify(hello: ClientHello): boolean {
    return hello.cookie.length === COOKIE_LENGTH && constantTimeEqual(hello.cookie, this.compute(hello));
  }
}
