import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync, readdirSync } from "node:fs";
import {
  computeFoundation,
  computePriority,
  isMdnsName,
  localPreferenceFor,
  TYPE_PREFERENCE,
} from "../src/candidate.js";
import { formatCandidate, isEndOfCandidates, parseCandidate, tryParseCandidate } from "../src/candidate-sdp.js";

describe("priority (RFC 8445 §5.1.2.1)", () => {
  it("matches the formula and browser values", () => {
    // Chromium host udp: 2122260223 = 126<<24 | 0x7f1e<<8 | 255
    expect(computePriority("host", 0x7f1e, 1)).toBe(2122260223);
    // Firefox: 2122252543 = 126<<24 | 0x7f00<<8 | 255, component 2 one less.
    expect(computePriority("host", 0x7f00, 1)).toBe(2122252543);
    expect(computePriority("host", 0x7f00, 2)).toBe(2122252542);
    // Chromium's peer-reflexive PRIORITY seen in checks: 1845501695 = 110<<24 | 0x001e<<8 | 255.
    expect(computePriority("prflx", 0x1e, 1)).toBe(1845501695);
    expect(computePriority("relay", 65535, 1)).toBe(65535 * 256 + 255);
    expect(TYPE_PREFERENCE.srflx).toBe(100);
  });
  it("orders host > prflx > srflx > relay whatever the local preference", () => {
    expect(computePriority("host", 0)).toBeGreaterThan(computePriority("prflx", 65535));
    expect(computePriority("prflx", 0)).toBeGreaterThan(computePriority("srflx", 65535));
    expect(computePriority("srflx", 0)).toBeGreaterThan(computePriority("relay", 65535));
  });
  it("rejects out-of-range inputs", () => {
    expect(() => computePriority("host", 70000)).toThrow(RangeError);
    expect(() => computePriority("host", 1, 0)).toThrow(RangeError);
    expect(() => computePriority("host", 1, 1, 127)).toThrow(RangeError);
  });
  it("gives distinct local preferences per interface, IPv6 first (RFC 8421)", () => {
    const v6 = localPreferenceFor(6, 0);
    const v4 = localPreferenceFor(4, 0);
    const v6b = localPreferenceFor(6, 1);
    expect(v6).toBeGreaterThan(v4);
    expect(v4).toBeGreaterThan(v6b);
    expect(localPreferenceFor(4, 0, 999)).toBeLessThan(v4);
    // Rank capped at 200 (slot 401) and cost at 999: 65535 - 401 * 64 - 999 * 32.
    expect(localPreferenceFor(4, 500, 999)).toBe(7903);
  });
});

describe("foundation (RFC 8445 §5.1.1.3)", () => {
  it("is equal exactly when type, base IP, transport and server agree", () => {
    const f = computeFoundation("srflx", "10.0.0.1", "udp", "1.2.3.4");
    expect(computeFoundation("srflx", "10.0.0.1", "UDP", "1.2.3.4")).toBe(f);
    expect(computeFoundation("srflx", "10.0.0.2", "udp", "1.2.3.4")).not.toBe(f);
    expect(computeFoundation("srflx", "10.0.0.1", "udp", "1.2.3.5")).not.toBe(f);
    expect(computeFoundation("host", "10.0.0.1", "udp", "1.2.3.4")).not.toBe(f);
    expect(computeFoundation("srflx", "10.0.0.1", "tcp", "1.2.3.4")).not.toBe(f);
    expect(f).toMatch(/^\d{1,10}$/);
  });
});

describe("a=candidate (RFC 8839 §5.1)", () => {
  it("parses a Chromium host line with extensions", () => {
    const c = parseCandidate("a=candidate:1233693886 1 udp 2122260223 198.18.0.1 36171 typ host generation 0 network-id 1");
    expect(c).toMatchObject({
      foundation: "1233693886",
      component: 1,
      transport: "udp",
      priority: 2122260223,
      address: "198.18.0.1",
      port: 36171,
      type: "host",
      generation: 0,
      networkId: 1,
      extensions: [],
    });
  });
  it("parses tcptype, raddr/rport, ufrag, network-cost and keeps unknown extensions", () => {
    const c = parseCandidate(
      "candidate:842163049 1 udp 1677729535 203.0.113.7 61665 typ srflx raddr 10.0.0.2 rport 61665 generation 0 ufrag EsAw network-cost 10 x-foo bar",
    );
    expect(c.type).toBe("srflx");
    expect(c.relatedAddress).toBe("10.0.0.2");
    expect(c.relatedPort).toBe(61665);
    expect(c.ufrag).toBe("EsAw");
    expect(c.networkCost).toBe(10);
    expect(c.extensions).toEqual([["x-foo", "bar"]]);
    const t = parseCandidate("candidate:1 1 TCP 2105524479 198.18.0.1 9 typ host tcptype active");
    expect(t.tcpType).toBe("active");
    expect(t.transport).toBe("TCP");
  });
  it("parses an mDNS host name", () => {
    const c = parseCandidate("candidate:2586011747 1 udp 2113937151 5e0bc197-acf8-43fb-9072-e8cccc43ccd1.local 50022 typ host generation 0 network-cost 999");
    expect(isMdnsName(c.address)).toBe(true);
    expect(isMdnsName("198.18.0.1")).toBe(false);
  });
  it("round-trips every candidate line of the browser fixtures byte for byte", () => {
    const dir = "/work/shared/fixtures/sdp";
    let n = 0;
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".sdp"))) {
      for (const line of readFileSync(`${dir}/${f}`, "utf8").split(/\r?\n/)) {
        if (!line.startsWith("a=candidate:")) continue;
        expect(`a=${formatCandidate(parseCandidate(line))}`).toBe(line);
        n++;
      }
    }
    expect(n).toBeGreaterThan(20);
  });
  it("rejects malformed lines with a ParseError", () => {
    const bad = [
      "candidate:1 1 udp 1 1.2.3.4 5 typ",
      "candidate:1 1 udp 1 1.2.3.4 5 type host",
      "candidate:1 1 udp 1 1.2.3.4 5 typ bogus",
      "candidate:1 1 udp x 1.2.3.4 5 typ host",
      "candidate:1 1 udp 1 1.2.3.4 70000 typ host",
      "candidate:1 0 udp 1 1.2.3.4 5 typ host",
      "candidate:1 1 udp 1 1.2.3.4 5 typ host generation",
      "candidate:1 1 tcp 1 1.2.3.4 5 typ host tcptype sideways",
      "candidate:f@o 1 udp 1 1.2.3.4 5 typ host",
    ];
    for (const b of bad) {
      expect(() => parseCandidate(b), b).toThrow(/ice:/);
      expect(tryParseCandidate(b)).toBeUndefined();
    }
  });
  it("recognises end-of-candidates", () => {
    expect(isEndOfCandidates("a=end-of-candidates")).toBe(true);
    expect(isEndOfCandidates("end-of-candidates")).toBe(true);
    expect(isEndOfCandidates("a=candidate:1 1 udp 1 1.2.3.4 5 typ host")).toBe(false);
  });
  it("never throws anything but ParseError on random input (property)", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          const c = parseCandidate(s);
          // Whatever parses must format and parse back to the same value.
          expect(parseCandidate(formatCandidate(c))).toEqual(c);
        } catch (e) {
          expect((e as Error).name).toBe("ParseError");
        }
      }),
    );
  });
  it("round-trips generated candidates (property)", () => {
    const tok = fc.stringMatching(/^[a-z0-9]{1,8}$/);
    fc.assert(
      fc.property(
        fc.record({
          foundation: fc.stringMatching(/^[A-Za-z0-9+/]{1,32}$/),
          component: fc.integer({ min: 1, max: 256 }),
          priority: fc.integer({ min: 1, max: 0x7fffffff }),
          port: fc.integer({ min: 0, max: 65535 }),
          type: fc.constantFrom("host", "srflx", "prflx", "relay" as const),
          generation: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }),
          networkId: fc.option(fc.integer({ min: 0, max: 99 }), { nil: undefined }),
          ext: fc.array(fc.tuple(tok.map((t) => `x-${t}`), tok), { maxLength: 3 }),
        }),
        (r) => {
          const line = formatCandidate({
            foundation: r.foundation,
            component: r.component,
            transport: "udp",
            priority: r.priority,
            address: "192.0.2.1",
            port: r.port,
            type: r.type,
            generation: r.generation,
            networkId: r.networkId,
            extensions: r.ext,
          });
          expect(formatCandidate(parseCandidate(line))).toBe(line);
        },
      ),
    );
  });
});
