/**
 * STUN hot paths, tsrtc vs werift, on an ICE Binding request as Chromium sends it (USERNAME,
 * PRIORITY, ICE-CONTROLLING, USE-CANDIDATE, MESSAGE-INTEGRITY, FINGERPRINT).
 *
 * 1. decode + check: parse, verify MESSAGE-INTEGRITY and FINGERPRINT, and read what an ICE agent
 *    reads (USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE). werift's parseMessage(data, key)
 *    does the same work eagerly. Extra rows measure the HMAC choices on the same parse:
 *    node:crypto createHmac per message (raw key and KeyObject) and precomputed inner/outer
 *    SHA-1 states via Hash.copy(), against ours (a keyed HMAC-SHA1 with its pad states computed
 *    once, src/hmac-sha1.ts).
 * 2. encode: build the same request with MESSAGE-INTEGRITY and FINGERPRINT. Ours writes into a
 *    reused builder; "finish" adds the copy a sender keeps while the datagram is in flight.
 *    The bytes of both implementations are checked equal before timing.
 */
import { createHash, createHmac, createSecretKey } from "node:crypto";
import { constantTimeEqual } from "@tsrtc/base";
import {
  IntegrityKey,
  StunBuilder,
  StunClass,
  StunMessage,
  StunMethod,
  shortTermKey,
} from "@tsrtc/stun";
import { Message as WeriftMessage, classes, methods, parseMessage } from "werift";
import { printResults, type Result, runScenario } from "./harness.js";

const PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt";
const USERNAME = "evtj:h6vY";
const PRIORITY = 0x6e7f1dff;
const TIE_BREAKER = 0x932ff9b151263b36n;
const TXID = Buffer.from("b7e7a701bc34d686fa87dfae", "hex");
const keyBytes = shortTermKey(PASSWORD);
const key = new IntegrityKey(keyBytes);
const weriftKey = Buffer.from(PASSWORD);

const builder = new StunBuilder();
function encodeOurs(): Uint8Array {
  return builder
    .begin(StunMethod.Binding, StunClass.Request, TXID)
    .username(USERNAME)
    .priority(PRIORITY)
    .iceControlling(TIE_BREAKER)
    .useCandidate()
    .messageIntegrity(key)
    .fingerprint()
    .view();
}

function encodeWerift(): Buffer {
  const m = new WeriftMessage(methods.BINDING, classes.REQUEST, TXID);
  m.setAttribute("USERNAME", USERNAME)
    .setAttribute("PRIORITY", PRIORITY)
    .setAttribute("ICE-CONTROLLING", TIE_BREAKER)
    .setAttribute("USE-CANDIDATE", null);
  m.addMessageIntegrity(weriftKey);
  m.addFingerprint();
  return m.bytes;
}

const packet = Buffer.from(encodeOurs());
if (!packet.equals(encodeWerift())) throw new Error("tsrtc and werift encode different bytes");

const msg = new StunMessage();
function readIce(m: StunMessage): number {
  return (m.username()?.length ?? 0) + (m.priority() ?? 0) + (m.useCandidate() ? 1 : 0) + (m.iceControlling() ? 1 : 0);
}

/** Our parse and fingerprint with a pluggable HMAC-SHA1 check of the MESSAGE-INTEGRITY value. */
function decodeWith(check: (data: Uint8Array, end: number) => boolean): () => number {
  return () => {
    const m = msg.parse(packet);
    const at = m.integrityAt;
    const d = m.data;
    const s2 = d[2];
    const s3 = d[3];
    const len = at + 24 - 20;
    d[2] = len >>> 8;
    d[3] = len;
    const ok = check(d, at);
    d[2] = s2;
    d[3] = s3;
    if (!ok || !m.checkFingerprint()) throw new Error("check failed");
    return readIce(m);
  };
}

const keyObject = createSecretKey(keyBytes);
const block = new Uint8Array(64);
block.set(keyBytes);
const inner = createHash("sha1").update(block.map((b) => b ^ 0x36));
const outer = createHash("sha1").update(block.map((b) => b ^ 0x5c));

export default async function (): Promise<void> {
  const results: Result[] = [];
  results.push(
    ...runScenario({
      name: "decode + MI + FINGERPRINT check (ICE Binding request)",
      contenders: [
        {
          impl: "tsrtc (reused StunMessage, keyed HMAC-SHA1)",
          op: () => {
            const m = msg.parse(packet);
            if (!m.checkIntegrity(key) || !m.checkFingerprint()) throw new Error("check failed");
            return readIce(m);
          },
        },
        {
          impl: "werift parseMessage(data, key)",
          op: () => {
            const m = parseMessage(packet, weriftKey);
            if (!m) throw new Error("werift rejected the packet");
            return m;
          },
        },
        {
          impl: "tsrtc (new StunMessage per packet)",
          op: () => {
            const m = StunMessage.decode(packet);
            if (!m.checkIntegrity(key) || !m.checkFingerprint()) throw new Error("check failed");
            return readIce(m);
          },
        },
        {
          impl: "tsrtc parse + node createHmac(raw key) per message",
          op: decodeWith((d, end) =>
            constantTimeEqual(createHmac("sha1", keyBytes).update(d.subarray(0, end)).digest(), d.subarray(end + 4, end + 24)),
          ),
        },
        {
          impl: "tsrtc parse + node createHmac(KeyObject) per message",
          op: decodeWith((d, end) =>
            constantTimeEqual(createHmac("sha1", keyObject).update(d.subarray(0, end)).digest(), d.subarray(end + 4, end + 24)),
          ),
        },
        {
          impl: "tsrtc parse + Hash.copy() inner/outer states",
          op: decodeWith((d, end) => {
            const ih = inner.copy().update(d.subarray(0, end)).digest();
            return constantTimeEqual(outer.copy().update(ih).digest(), d.subarray(end + 4, end + 24));
          }),
        },
      ],
    }),
  );
  results.push(
    ...runScenario({
      name: "encode with MI + FINGERPRINT (ICE Binding request)",
      contenders: [
        { impl: "tsrtc (reused StunBuilder, view)", op: encodeOurs },
        { impl: "werift Message + addMessageIntegrity + addFingerprint", op: encodeWerift },
        { impl: "tsrtc (reused StunBuilder, finish = copy)", op: () => (encodeOurs(), builder.finish()) },
      ],
    }),
  );
  printResults("STUN (tsrtc vs werift)", results);
}
