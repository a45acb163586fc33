import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  parseFmtpParameters,
  parseSdp,
  SdpParseError,
  type SessionDescription,
  serializeSdp,
} from "@tsrtc/sdp";
import { fixtures } from "./fixtures.js";

/** Read every typed accessor of a description; returns how many values were read. */
function readEverything(d: SessionDescription): number {
  let n = 0;
  const count = (v: unknown) => {
    if (v !== undefined) n++;
  };
  count(d.groups());
  count(d.bundle);
  count(d.msidSemantics());
  count(d.iceLite);
  for (const s of [d, ...d.media]) {
    count(s.iceUfrag);
    count(s.icePwd);
    count(s.iceOptions);
    count(s.fingerprints());
    count(s.fingerprint);
    count(s.setup);
    count(s.direction);
    count(s.extmaps());
    count(s.extmapAllowMixed);
  }
  for (const m of d.media) {
    count(m.mid);
    count(m.msids());
    count(m.rtpmaps());
    count(m.fmtps());
    count(m.rtcpFeedbacks());
    for (const c of m.codecs()) count(parseFmtpParameters(c.fmtp ?? ""));
    count(m.ssrcs());
    count(m.ssrcGroups());
    count(m.rids());
    count(m.simulcast);
    count(m.rtcp);
    count(m.rtcpMux || m.rtcpMuxOnly || m.rtcpRsize);
    count(m.sctpPort);
    count(m.maxMessageSize);
    count(m.candidates());
    count(m.endOfCandidates);
  }
  return n;
}

/**
 * The documented outcomes: a description, or SdpParseError. A lazily parsed description's typed
 * reads may throw SdpParseError only; a validated one's never throw; whatever parses serializes
 * to text that parses again to the same text.
 */
function checkOutcomes(text: string): void {
  let d: SessionDescription;
  try {
    d = parseSdp(text);
  } catch (e) {
    expect(e).toBeInstanceOf(SdpParseError);
    return;
  }
  const out = serializeSdp(d);
  expect(serializeSdp(parseSdp(out))).toBe(out);
  try {
    readEverything(d);
  } catch (e) {
    expect(e).toBeInstanceOf(SdpParseError);
  }
  let v: SessionDescription | undefined;
  try {
    v = parseSdp(text, { validate: true });
  } catch (e) {
    expect(e).toBeInstanceOf(SdpParseError);
  }
  if (v !== undefined) expect(readEverything(v)).toBeGreaterThan(0);
}

const HEADER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
const printable = fc.string({ unit: "grapheme-ascii", maxLength: 40 });
const sdpish = fc.string({ unit: fc.constantFrom(..."0123456789 :/;,=~*-.abcmsvtx".split("")), maxLength: 30 });
const line = fc.oneof(
  printable,
  fc.tuple(fc.constantFrom("a", "m", "c", "b", "t", "r", "i", "k", "z", "v", "o", "s", "x"), sdpish).map(([t, v]) => `${t}=${v}`),
  fc
    .tuple(
      fc.constantFrom("rtpmap", "fmtp", "rtcp-fb", "extmap", "ssrc", "ssrc-group", "msid", "msid-semantic", "mid", "group",
        "ice-ufrag", "ice-pwd", "ice-options", "fingerprint", "setup", "rtcp", "sctp-port", "max-message-size", "rid",
        "simulcast", "candidate", "sendrecv", "rtcp-mux"),
      fc.option(sdpish, { nil: undefined }),
    )
    .map(([n, v]) => (v === undefined ? `a=${n}` : `a=${n}:${v}`)),
  fc.constantFrom("m=audio 9 UDP/TLS/RTP/SAVPF 111 0", "m=application 9 UDP/DTLS/SCTP webrtc-datachannel", ""),
);

describe("fuzz: only a description or SdpParseError", () => {
  it("random printable garbage", () => {
    fc.assert(
      fc.property(fc.array(printable, { maxLength: 12 }), fc.boolean(), (lines, crlf) => {
        checkOutcomes(lines.join(crlf ? "\r\n" : "\n"));
      }),
      { numRuns: 1500 },
    );
  });

  it("SDP-shaped garbage after a valid header", () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 25 }), fc.boolean(), (lines, crlf) => {
        const text = HEADER + lines.join("\r\n");
        checkOutcomes(crlf ? text : text.replaceAll("\r\n", "\n"));
      }),
      { numRuns: 1500 },
    );
  });

  const all = fixtures();
  type Mutation =
    | { op: "delete"; at: number; len: number }
    | { op: "insert"; at: number; text: string }
    | { op: "replace"; at: number; ch: string }
    | { op: "dupLine" | "dropLine"; line: number }
    | { op: "swapLines"; a: number; b: number };
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ op: fc.constant("delete" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ op: fc.constant("insert" as const), at: fc.nat(), text: printable }),
    fc.record({ op: fc.constant("replace" as const), at: fc.nat(), ch: fc.constantFrom(" ", ":", "/", "=", ";", "x", "9", "~", "") }),
    fc.record({ op: fc.constantFrom("dupLine" as const, "dropLine" as const), line: fc.nat() }),
    fc.record({ op: fc.constant("swapLines" as const), a: fc.nat(), b: fc.nat() }),
  );

  function mutate(text: string, ms: Mutation[]): string {
    let t = text;
    for (const m of ms) {
      if (m.op === "delete" || m.op === "insert" || m.op === "replace") {
        const at = t.length === 0 ? 0 : m.at % t.length;
        if (m.op === "delete") t = t.slice(0, at) + t.slice(at + m.len);
        else if (m.op === "insert") t = t.slice(0, at) + m.text + t.slice(at);
        else t = t.slice(0, at) + m.ch + t.slice(at + 1);
      } else {
        const lines = t.split("\r\n");
        if (m.op === "swapLines") {
          const a = m.a % lines.length;
          const b = m.b % lines.length;
          [lines[a], lines[b]] = [lines[b], lines[a]];
        } else {
          const i = m.line % lines.length;
          if (m.op === "dupLine") lines.splice(i, 0, lines[i]);
          else lines.splice(i, 1);
        }
        t = lines.join("\r\n");
      }
    }
    return t;
  }

  it("mutated fixtures", () => {
    fc.assert(
      fc.property(fc.nat({ max: all.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), (i, ms) => {
        checkOutcomes(mutate(all[i].text, ms));
      }),
      { numRuns: 1500 },
    );
  });

  it("the unmutated fixtures pass the same checks and validate", () => {
    for (const f of all) {
      checkOutcomes(f.text);
      expect(readEverything(parseSdp(f.text, { validate: true }))).toBeGreaterThan(10);
    }
  });
});
