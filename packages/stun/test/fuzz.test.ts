import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Address, ParseError } from "@tsrtc/base";
import { StunBindingServer, StunBuilder, StunClass, StunMessage, StunMethod, shortTermKey } from "../src/index.js";
import { SAMPLE_IPV6_RESPONSE, SAMPLE_LONG_TERM_REQUEST, SAMPLE_REQUEST, SAMPLE_SHA256_REQUEST } from "./vectors.js";

/** Decode and read everything; return "ok" or the ParseError code. Any other throw fails the test. */
function outcome(data: Uint8Array): string {
  try {
    const m = StunMessage.decode(data);
    m.checkIntegrity(shortTermKey("k"));
    m.checkIntegritySha256(shortTermKey("k"));
    m.checkFingerprint();
    m.unknownRequiredTypes();
    for (let i = 0; i < m.count; i++) m.attributeValue(i);
    m.validate();
    return "ok";
  } catch (e) {
    if (e instanceof ParseError) return e.code;
    throw e;
  }
}

const valid = new StunBuilder()
  .begin(StunMethod.Binding, StunClass.Request, new Uint8Array(12).fill(3))
  .username("abc:def")
  .priority(1)
  .messageIntegrity(shortTermKey("k"))
  .fingerprint()
  .finish();

function mutate(f: (b: Uint8Array) => void): Uint8Array {
  const b = valid.slice();
  f(b);
  return b;
}

describe("every malformed input is a typed ParseError", () => {
  const cases: [string, Uint8Array, string][] = [
    ["empty", new Uint8Array(0), "truncated"],
    ["truncated header", valid.subarray(0, 19), "truncated"],
    ["wrong first two bits", mutate((b) => (b[0] |= 0x40)), "not-stun"],
    ["wrong cookie", mutate((b) => (b[5] ^= 1)), "bad-cookie"],
    ["length not a multiple of 4", mutate((b) => (b[3] += 2)), "bad-length"],
    ["length beyond the datagram", mutate((b) => (b[3] += 4)), "bad-length"],
    ["datagram beyond the length", Uint8Array.from([...valid, 0, 0, 0, 0]), "bad-length"],
    ["truncated body", valid.subarray(0, valid.length - 4), "bad-length"],
    // USERNAME claims 12 bytes; its padded end then runs into the following header.
    ["attribute running past the end", mutate((b) => (b[23] = 200)), "attribute-overrun"],
    ["MESSAGE-INTEGRITY of 16 bytes", mutate((b) => (b[43] = 16)), "bad-attribute-length"],
  ];
  for (const [name, data, code] of cases) {
    it(name, () => {
      expect(outcome(data)).toBe(code);
    });
  }

  it("attribute header cut short and padding past the end", () => {
    // Body of 4 bytes holding a 2-byte-value attribute whose padding fits; then a body whose
    // last attribute value fits but its padding would not (length 5 in a 8-byte body).
    const head = Array.from(valid.subarray(0, 20));
    const short = Uint8Array.from([...head.slice(0, 2), 0, 4, ...head.slice(4), 0x80, 0x22, 0, 5]);
    expect(outcome(short)).toBe("attribute-overrun");
    const pad = Uint8Array.from([...head.slice(0, 2), 0, 8, ...head.slice(4), 0x80, 0x22, 0, 5, 1, 2, 3, 4]);
    expect(outcome(pad)).toBe("attribute-overrun");
  });

  it("the vectors decode", () => {
    for (const v of [valid, SAMPLE_REQUEST, SAMPLE_IPV6_RESPONSE, SAMPLE_LONG_TERM_REQUEST, SAMPLE_SHA256_REQUEST]) {
      expect(outcome(v)).toBe("ok");
    }
  });
});

describe("property: random bytes and mutations only ever give a message or a ParseError", () => {
  const seeds = [valid, SAMPLE_REQUEST, SAMPLE_IPV6_RESPONSE, SAMPLE_LONG_TERM_REQUEST, SAMPLE_SHA256_REQUEST];
  const server = new StunBindingServer({ software: "fuzz" });
  const from: Address = { family: 4, host: "192.0.2.7", port: 4000 };

  function check(data: Uint8Array): void {
    const before = data.slice();
    expect(typeof outcome(data)).toBe("string");
    // The server core never throws either, and never answers a non-request.
    const t = server.handlePacket(data, from, 0);
    if (t) expect(StunMessage.decode(t.data).cls).not.toBe(StunClass.Request);
    // Integrity and fingerprint checks patch the length field in place: it must be restored.
    expect(Buffer.from(data).equals(Buffer.from(before))).toBe(true);
  }

  it("random bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), check), { numRuns: 3000 });
  });

  it("random bytes behind a valid STUN header", () => {
    const body = fc.integer({ min: 0, max: 40 }).chain((n) => fc.uint8Array({ minLength: n * 4, maxLength: n * 4 }));
    fc.assert(
      fc.property(fc.nat(0x3fff), body, (type, b) => {
        const d = new Uint8Array(20 + b.length);
        d[0] = type >> 8;
        d[1] = type;
        d[2] = b.length >> 8;
        d[3] = b.length;
        d.set([0x21, 0x12, 0xa4, 0x42], 4);
        d.set(b, 20);
        check(d);
      }),
      { numRuns: 3000 },
    );
  });

  it("byte mutations, truncations and extensions of valid messages", () => {
    const mutation = fc.record({
      seed: fc.nat(seeds.length - 1),
      edits: fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 6 }),
      cut: fc.option(fc.nat()),
      tail: fc.uint8Array({ maxLength: 8 }),
    });
    fc.assert(
      fc.property(mutation, ({ seed, edits, cut, tail }) => {
        let d = seeds[seed].slice();
        for (const [at, v] of edits) d[at % d.length] = v;
        if (cut !== null) d = d.subarray(0, cut % (d.length + 1));
        check(Uint8Array.from([...d, ...tail]));
      }),
      { numRuns: 3000 },
    );
  });
});
