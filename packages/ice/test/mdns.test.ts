import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fromHex, toHex } from "@tsrtc/base";
import { DnsType, encodeMdnsQuery, encodeMdnsResponse, mdnsAnswerFor, mdnsResponseTo, parseMdnsMessage } from "../src/mdns.js";

// "abc.local" as wire labels: 03 'abc' 05 'local' 00
const ABC_LOCAL = "03616263056c6f63616c00";

describe("mDNS codec (RFC 6762 / RFC 1035 §4)", () => {
  it("encodes a query for A and AAAA exactly as RFC 1035 lays it out", () => {
    const q = encodeMdnsQuery("abc.local");
    expect(toHex(q)).toBe(
      "0000" + "0000" + "0002" + "0000" + "0000" + "0000" + ABC_LOCAL + "0001" + "0001" + ABC_LOCAL + "001c" + "0001",
    );
    const m = parseMdnsMessage(q);
    expect(m.isResponse).toBe(false);
    expect(m.questions.map((x) => [x.name, x.type, x.class])).toEqual([
      ["abc.local", 1, 1],
      ["abc.local", 28, 1],
    ]);
  });

  it("parses a hand-built response with a compression pointer and the cache-flush bit", () => {
    const pkt = fromHex(
      "0000 8400 0000 0002 0000 0000" +
        ABC_LOCAL + "0001 8001 00000078 0004 c0a80102" + // abc.local A 192.168.1.2, ttl 120
        "c00c 001c 8001 00000078 0010 20010db8000000000000000000000001", // pointer to offset 12, AAAA 2001:db8::1
    );
    const m = parseMdnsMessage(pkt);
    expect(m.isResponse).toBe(true);
    expect(m.answers).toHaveLength(2);
    expect(m.answers[0]).toMatchObject({ name: "abc.local", type: 1, class: 1, cacheFlush: true, ttl: 120, address: "192.168.1.2" });
    expect(m.answers[1]).toMatchObject({ name: "abc.local", type: 28, address: "2001:db8::1" });
    expect(mdnsAnswerFor(m, "ABC.local")).toBe("192.168.1.2");
    expect(mdnsAnswerFor(m, "other.local")).toBeUndefined();
  });

  it("round-trips our own response", () => {
    const name = "5e0bc197-acf8-43fb-9072-e8cccc43ccd1.local";
    const m = parseMdnsMessage(encodeMdnsResponse(name, ["10.1.2.3", "fd00::5"]));
    expect(m.answers.map((a) => [a.type, a.address])).toEqual([
      [DnsType.A, "10.1.2.3"],
      [DnsType.AAAA, "fd00::5"],
    ]);
    expect(mdnsAnswerFor(m, name)).toBe("10.1.2.3");
  });

  it("a query is not an answer", () => {
    expect(mdnsAnswerFor(parseMdnsMessage(encodeMdnsQuery("abc.local")), "abc.local")).toBeUndefined();
  });

  it("rejects pointer loops, truncation and impossible counts with ParseError", () => {
    const loop = fromHex("0000 8400 0000 0001 0000 0000 c00c 0001 0001 00000078 0004 01020304");
    expect(() => parseMdnsMessage(loop)).toThrow(/pointer/);
    expect(() => parseMdnsMessage(fromHex("0000 8400 0000"))).toThrow(/mdns/);
    expect(() => parseMdnsMessage(fromHex("0000 8400 0000 ffff 0000 0000"))).toThrow(/count/);
    expect(() => parseMdnsMessage(fromHex("0000 8400 0001 0000 0000 0000 3f61"))).toThrow(/mdns/);
  });

  it("never throws anything but ParseError on random bytes (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        try {
          parseMdnsMessage(b);
        } catch (e) {
          expect((e as Error).name).toBe("ParseError");
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("mDNS responder decision", () => {
  const published = new Map([["5e0bc197-acf8-43fb-9072-e8cccc43ccd1.local", "10.1.2.3"]]);
  it("answers an A query for a published name (case-insensitive) and nothing else", () => {
    const q = parseMdnsMessage(encodeMdnsQuery("5E0BC197-acf8-43fb-9072-e8cccc43ccd1.local", [DnsType.A]));
    const r = mdnsResponseTo(q, published)!;
    expect(mdnsAnswerFor(parseMdnsMessage(r), "5e0bc197-acf8-43fb-9072-e8cccc43ccd1.local")).toBe("10.1.2.3");
    expect(mdnsResponseTo(parseMdnsMessage(encodeMdnsQuery("other.local")), published)).toBeUndefined();
    // An AAAA question for an IPv4-only name gets no answer; a response is never answered.
    expect(mdnsResponseTo(parseMdnsMessage(encodeMdnsQuery("5e0bc197-acf8-43fb-9072-e8cccc43ccd1.local", [DnsType.AAAA])), published)).toBeUndefined();
    expect(mdnsResponseTo(parseMdnsMessage(r), published)).toBeUndefined();
  });
});
