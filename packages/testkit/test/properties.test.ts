import { address } from "@tsrtc/base";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DtlsFlightTracker,
  Network,
  dtlsFlightOf,
  dtlsHandshakes,
  dtlsRecords,
  isDtlsHandshake,
  isStun,
  sctpChunks,
  sctpDataTsns,
  stunClass,
  stunMethod,
} from "../src/index.js";

const A = address("10.0.0.1", 1);
const B = address("10.0.0.2", 2);

describe("properties", () => {
  it("sniffers never throw and stay inside the datagram on arbitrary bytes", () => {
    const tracker = new DtlsFlightTracker();
    // DTLS-ish and SCTP-ish prefixes make the parsers go deeper than random bytes would
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.uint8Array({ minLength: 13, maxLength: 300 }).map((b) => {
        b[0] = 22;
        b[1] = 0xfe;
        b[3] = 0;
        b[4] = 0;
        return b;
      }),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        for (const r of dtlsRecords(b)) expect(r.offset + r.length).toBeLessThanOrEqual(b.length);
        for (const h of dtlsHandshakes(b)) expect(h.bodyOffset + h.fragmentLength).toBeLessThanOrEqual(b.length);
        for (const c of sctpChunks(b)) expect(c.offset + c.length).toBeLessThanOrEqual(b.length);
        sctpDataTsns(b);
        isDtlsHandshake(1)(b);
        dtlsFlightOf(b, "client");
        dtlsFlightOf(b, "server");
        tracker.observe(b, A);
        if (isStun(b)) {
          expect(stunMethod(b)).toBeLessThan(0x1000);
          expect(stunClass(b)).toBeLessThan(4);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("every sent datagram is delivered or dropped for exactly one counted reason", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.record({
          delay: fc.integer({ min: 0, max: 100 }),
          jitter: fc.integer({ min: 0, max: 100 }),
          loss: fc.double({ min: 0, max: 1, noNaN: true }),
          duplicate: fc.double({ min: 0, max: 1, noNaN: true }),
          reorder: fc.double({ min: 0, max: 1, noNaN: true }),
          mtu: fc.integer({ min: 0, max: 200 }),
        }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.boolean()), { maxLength: 100 }),
        (seed, conditions, sends) => {
          const n = new Network({ seed, conditions });
          n.bind(A);
          n.bind(B);
          let t = 0;
          for (const [size, toNobody] of sends) n.send(A, toNobody ? address("10.0.0.9", 9) : B, new Uint8Array(size), t++);
          let arrivals = 0;
          let last = -Infinity;
          for (let a = n.popArrival(Infinity); a; a = n.popArrival(Infinity)) {
            arrivals++;
            expect(a.at).toBeGreaterThanOrEqual(last);
            last = a.at;
          }
          const s = n.stats;
          expect(arrivals).toBe(s.delivered);
          expect(s.sent).toBe(sends.length);
          expect(s.delivered + s.lost + s.tooBig + s.filtered + s.cut + s.unroutable + s.natDropped + s.queueFull).toBe(
            s.sent + s.duplicated,
          );
          expect(n.inFlight).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
