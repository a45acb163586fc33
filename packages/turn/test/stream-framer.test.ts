/**
 * TurnStreamFramer: STUN and ChannelData cut out of a TCP/TLS byte stream by their length fields
 * (RFC 8489 §6.2.2, RFC 8656 §12.5), whatever the chunking; garbage ends the stream.
 */
import { SeededRandom, concat } from "@tsrtc/base";
import { StunBuilder, StunClass, StunMessage, StunMethod, newTransactionId } from "@tsrtc/stun";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TurnStreamFramer, channelDataStreamLength, encodeChannelData, streamFrameLength } from "../src/index.js";

const rng = new SeededRandom(11);

function stun(software: string): Uint8Array {
  return new StunBuilder().begin(StunMethod.Binding, StunClass.Request, newTransactionId(rng)).software(software).fingerprint().finish();
}

function messages(): Uint8Array[] {
  return [
    stun("a"),
    encodeChannelData(0x4000, new Uint8Array([1, 2, 3]), true),
    encodeChannelData(0x4abc, new Uint8Array(0), true),
    stun("a longer software name, to cross a chunk"),
    encodeChannelData(0x4fff, new Uint8Array(1500).fill(7), true),
    encodeChannelData(0x4001, new Uint8Array([9, 9, 9, 9]), true),
  ];
}

/** Push `stream` cut at `cuts` and collect copies of the messages. */
function run(stream: Uint8Array, cuts: number[]): { out: Uint8Array[]; f: TurnStreamFramer } {
  const f = new TurnStreamFramer();
  const out: Uint8Array[] = [];
  let at = 0;
  for (const c of [...cuts.filter((c) => c > 0 && c < stream.length).sort((a, b) => a - b), stream.length]) {
    if (c < at) continue;
    f.push(stream.subarray(at, c));
    for (let m = f.next(); m; m = f.next()) out.push(m.slice());
    at = c;
  }
  return { out, f };
}

describe("TurnStreamFramer", () => {
  it("frame lengths: STUN header + length, ChannelData padded to 4 (RFC 8656 §12.5)", () => {
    const s = stun("x");
    expect(streamFrameLength(s, 0)).toBe(s.length);
    expect(streamFrameLength(new Uint8Array([0x40, 0x00, 0x00, 0x03]), 0)).toBe(8);
    expect(streamFrameLength(new Uint8Array([0x40, 0x00, 0x00, 0x04]), 0)).toBe(8);
    expect(streamFrameLength(new Uint8Array([0x40, 0x00, 0x00, 0x00]), 0)).toBe(4);
    expect(channelDataStreamLength(5)).toBe(12);
    // A STUN length that is not a multiple of 4, and a first byte of neither format.
    expect(streamFrameLength(new Uint8Array([0x00, 0x01, 0x00, 0x05]), 0)).toBe(-1);
    expect(streamFrameLength(new Uint8Array([0x80, 0x01, 0x00, 0x04]), 0)).toBe(-1);
    expect(streamFrameLength(new Uint8Array([0x50, 0x00, 0x00, 0x04]), 0)).toBe(-1);
  });

  it("several messages in one chunk come out whole, in order, as views of the chunk", () => {
    const msgs = messages();
    const stream = concat(...msgs);
    const f = new TurnStreamFramer();
    f.push(stream);
    const out: Uint8Array[] = [];
    for (let m = f.next(); m; m = f.next()) {
      expect(m.buffer).toBe(stream.buffer);
      out.push(m.slice());
    }
    expect(out).toEqual(msgs);
    expect(f.stats).toEqual({ bytesIn: stream.length, stunMessages: 2, channelData: 4 });
    expect(f.error).toBeUndefined();
    expect(f.buffered).toBe(0);
  });

  it("one byte at a time gives the same messages", () => {
    const msgs = messages();
    const stream = concat(...msgs);
    const cuts = Array.from({ length: stream.length }, (_, i) => i);
    const { out, f } = run(stream, cuts);
    expect(out).toEqual(msgs);
    expect(f.error).toBeUndefined();
  });

  it("holds a partial message until its last byte arrives", () => {
    const s = stun("partial");
    const f = new TurnStreamFramer();
    f.push(s.subarray(0, 3));
    expect(f.next()).toBeUndefined();
    f.push(s.subarray(3, s.length - 1));
    expect(f.next()).toBeUndefined();
    expect(f.buffered).toBe(s.length - 1);
    f.push(s.subarray(s.length - 1));
    expect(f.next()).toEqual(s);
    expect(f.next()).toBeUndefined();
    expect(StunMessage.decode(s).software()).toBe("partial");
  });

  it("garbage is fatal: error set once, later bytes ignored", () => {
    const f = new TurnStreamFramer();
    f.push(concat(stun("ok"), new Uint8Array([0xff, 0, 0, 0]), stun("after")));
    expect(f.next()).toBeDefined();
    expect(f.next()).toBeUndefined();
    expect(f.error).toMatch(/neither STUN nor ChannelData/);
    f.push(stun("later"));
    expect(f.next()).toBeUndefined();
    expect(f.stats.stunMessages).toBe(1);
  });

  it("a STUN-looking frame without the magic cookie is fatal", () => {
    const bad = stun("x").slice();
    bad[4] ^= 0xff;
    const { out, f } = run(bad, [2, 9]);
    expect(out).toEqual([]);
    expect(f.error).toMatch(/magic cookie/);
  });

  it("a bad length split across chunks is fatal as well", () => {
    const { f } = run(new Uint8Array([0x01, 0x01, 0x00, 0x03, 0, 0, 0, 0]), [1, 2, 3]);
    expect(f.error).toBeDefined();
  });

  it("push before draining is a programming error", () => {
    const f = new TurnStreamFramer();
    f.push(concat(stun("a"), stun("b")));
    expect(f.next()).toBeDefined();
    expect(() => f.push(stun("c"))).toThrow(/drained/);
  });

  it("property: any chunking of valid messages gives them back exactly", () => {
    const arbMsg = fc.oneof(
      fc.record({ ch: fc.integer({ min: 0x4000, max: 0x4fff }), data: fc.uint8Array({ maxLength: 300 }) }).map((r) => encodeChannelData(r.ch, r.data, true)),
      fc.string({ maxLength: 40 }).map((s) => stun(s)),
    );
    fc.assert(
      fc.property(fc.array(arbMsg, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 30 }), (msgs, rawCuts) => {
        const stream = concat(...msgs);
        const { out, f } = run(
          stream,
          rawCuts.map((c) => c % (stream.length + 1)),
        );
        expect(f.error).toBeUndefined();
        expect(out).toEqual(msgs);
      }),
      { numRuns: 300 },
    );
  });

  it("fuzz: random bytes never throw; messages returned always have a consistent length", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }), (chunks) => {
        const f = new TurnStreamFramer();
        let framed = 0;
        for (const c of chunks) {
          f.push(c);
          for (let m = f.next(); m; m = f.next()) {
            expect(streamFrameLength(m, 0)).toBe(m.length);
            framed += m.length;
          }
        }
        // Without an error every byte is in a message or held for the next one.
        if (f.error === undefined) expect(framed + f.buffered).toBe(chunks.reduce((n, c) => n + c.length, 0));
        else expect(f.buffered).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it("fuzz: valid messages followed by garbage yield the valid prefix, then an error", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 10 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0x50, max: 0xff }), fc.nat(50), (names, bad, cut) => {
        const msgs = names.map((n) => stun(n));
        const stream = concat(...msgs, new Uint8Array([bad, 1, 2, 3, 4, 5]));
        const { out, f } = run(stream, [cut]);
        expect(out).toEqual(msgs);
        expect(f.error).toBeDefined();
      }),
      { numRuns: 200 },
    );
  });
});
