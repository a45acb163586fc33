import { describe, expect, it } from "vitest";
import { isProtocolError } from "@tsrtc/base";
import { isSdpParseError, parseSdp, SdpParseError, serializeSdp } from "@tsrtc/sdp";
import { fixture } from "./fixtures.js";

const HEAD = ["v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0"];

function sdp(...lines: string[]): string {
  return `${lines.join("\r\n")}\r\n`;
}

/** The typed error parseSdp throws for `text` (fails the test when it does not throw one). */
function errorOf(text: string, validate = false): SdpParseError {
  try {
    parseSdp(text, { validate });
  } catch (e) {
    expect(isSdpParseError(e)).toBe(true);
    return e as SdpParseError;
  }
  throw new Error("expected parseSdp to throw");
}

describe("malformed descriptions fail with SdpParseError naming the line", () => {
  it("is a ProtocolError from @tsrtc/base with protocol sdp", () => {
    const e = errorOf("");
    expect(e).toBeInstanceOf(SdpParseError);
    expect(isProtocolError(e)).toBe(true);
    expect(e.protocol).toBe("sdp");
  });

  it("empty input: line 1 expected v=0", () => {
    const e = errorOf("");
    expect(e.line).toBe(1);
    expect(e.message).toBe('sdp: line 1: expected "v=0"');
  });

  it("missing v=", () => {
    const e = errorOf(sdp("o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0"));
    expect(e.line).toBe(1);
    expect(e.code).toBe("missing-version");
    expect(e.message).toContain('line 1: expected "v=0", got "o=- 1 2 IN IP4 127.0.0.1"');
  });

  it("v= with a non-numeric version", () => {
    expect(errorOf(sdp("v=zero", ...HEAD.slice(1))).line).toBe(1);
  });

  it("attributes before o=", () => {
    const e = errorOf(sdp("v=0", "a=group:BUNDLE 0", "o=- 1 2 IN IP4 127.0.0.1", "s=-"));
    expect(e.line).toBe(2);
    expect(e.message).toContain(
      'line 2: expected "o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>"',
    );
  });

  it("o= with too few fields", () => {
    const e = errorOf(sdp("v=0", "o=- 1 2 IN IP4", "s=-", "t=0 0"));
    expect(e.line).toBe(2);
    expect(e.code).toBe("bad-origin");
  });

  it("missing s=", () => {
    const e = errorOf(sdp("v=0", "o=- 1 2 IN IP4 127.0.0.1", "t=0 0"));
    expect(e.line).toBe(3);
    expect(e.message).toContain('line 3: expected "s=<session name>"');
  });

  it("truncated after o=", () => {
    const e = errorOf(sdp("v=0", "o=- 1 2 IN IP4 127.0.0.1"));
    expect(e.line).toBe(3);
    expect(e.code).toBe("truncated");
  });

  it("a line without = (bad line syntax)", () => {
    const e = errorOf(sdp(...HEAD, "x"));
    expect(e.line).toBe(5);
    expect(e.message).toContain('line 5: expected "<type>=<value>", got "x"');
  });

  it("a two-letter line type", () => {
    expect(errorOf(sdp(...HEAD, "ab=c")).line).toBe(5);
  });

  it("an empty line in the middle", () => {
    expect(errorOf(sdp("v=0", "", ...HEAD.slice(1))).line).toBe(2);
  });

  it("m= with a non-numeric port", () => {
    const e = errorOf(sdp(...HEAD, "m=audio nine UDP/TLS/RTP/SAVPF 111"));
    expect(e.line).toBe(5);
    expect(e.code).toBe("bad-media");
    expect(e.message).toContain('line 5: expected "m=<media> <port>[/<number of ports>] <proto> <fmt> ..."');
  });

  it("m= with a port beyond 65535, a bad port count, or no protocol", () => {
    expect(errorOf(sdp(...HEAD, "m=audio 65536 RTP/AVP 0")).line).toBe(5);
    expect(errorOf(sdp(...HEAD, "m=audio 9/x RTP/AVP 0")).line).toBe(5);
    expect(errorOf(sdp(...HEAD, "m=audio 9")).line).toBe(5);
    expect(errorOf(sdp(...HEAD, "m=audio  9 RTP/AVP 0")).line).toBe(5);
  });

  it("c=, b=, t= with the wrong shape", () => {
    expect(errorOf(sdp(...HEAD, "c=IN IP4")).message).toContain('line 5: expected "c=<nettype> <addrtype> <connection-address>"');
    expect(errorOf(sdp(...HEAD, "b=AS")).message).toContain('line 5: expected "b=<bwtype>:<bandwidth>"');
    expect(errorOf(sdp(...HEAD, "b=AS:fast")).line).toBe(5);
    expect(errorOf(sdp(...HEAD.slice(0, 3), "t=0")).message).toContain('line 4: expected "t=<start-time> <stop-time>"');
  });

  it("r= before any t=", () => {
    expect(errorOf(sdp(...HEAD.slice(0, 3), "r=7d 1h 0 25h")).line).toBe(4);
  });

  it("a second c= in the session or in a media section", () => {
    expect(errorOf(sdp(...HEAD, "c=IN IP4 1.2.3.4", "c=IN IP4 1.2.3.5")).code).toBe("duplicate-line");
    const e = errorOf(sdp(...HEAD, "m=audio 9 RTP/AVP 0", "c=IN IP4 1.2.3.4", "c=IN IP4 1.2.3.5"));
    expect(e.line).toBe(7);
  });

  it("session-only lines inside a media section", () => {
    const e = errorOf(sdp(...HEAD, "m=audio 9 RTP/AVP 0", "t=0 0"));
    expect(e.line).toBe(6);
    expect(e.code).toBe("unexpected-line");
  });

  it("a second o= later on", () => {
    expect(errorOf(sdp(...HEAD, "o=- 1 2 IN IP4 127.0.0.1")).line).toBe(5);
  });

  it("an a=rtpmap with no clock rate: found by validate, or by the typed read", () => {
    const text = sdp(...HEAD, "m=audio 9 RTP/AVP 111", "a=mid:0", "a=rtpmap:111 opus");
    const e = errorOf(text, true);
    expect(e.line).toBe(7);
    expect(e.code).toBe("bad-attribute");
    expect(e.message).toContain(
      'line 7: expected "a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]", got "111 opus"',
    );
    const lazy = parseSdp(text);
    expect(lazy.media[0].mid).toBe("0");
    expect(() => lazy.media[0].codecs()).toThrow(SdpParseError);
    expect(() => lazy.media[0].codecs()).toThrow(/line 7:/);
  });

  it("validate checks every typed attribute, and bare a=candidate", () => {
    const cases: [string, number][] = [
      ["a=fingerprint:sha-256 nothex", 6],
      ["a=setup:client", 6],
      ["a=extmap:x urn:a", 6],
      ["a=ssrc:abc cname:x", 6],
      ["a=sctp-port:port", 6],
      ["a=simulcast:send", 6],
      ["a=rid:q both", 6],
      ["a=candidate", 6],
      ["a=ice-ufrag", 6],
    ];
    for (const [line, n] of cases) {
      const text = sdp(...HEAD, "m=audio 9 RTP/AVP 0", line);
      expect(errorOf(text, true).line).toBe(n);
      expect(() => parseSdp(text)).not.toThrow();
    }
  });

  it("errors in the real fixture are found at the right line", () => {
    const lines = fixture("chromium-156-offer-av-dc.sdp").split("\r\n");
    const at = lines.findIndex((l) => l.startsWith("a=rtpmap:96 "));
    lines[at] = "a=rtpmap:96 VP8";
    expect(errorOf(lines.join("\r\n"), true).line).toBe(at + 1);
  });
});

describe("lenience where browsers are lenient", () => {
  it("unknown line types and unknown attributes are kept, in order", () => {
    const text = sdp(...HEAD, "y=session extra", "a=x-unknown:1", "m=audio 9 RTP/AVP 0", "a=mid:0", "q=media extra", "a=x-flag", "a=x-unknown:2");
    const d = parseSdp(text, { validate: true });
    expect(d.extraLines).toEqual([{ type: "y", value: "session extra", line: 5, beforeAttribute: 0 }]);
    expect(d.media[0].extraLines).toMatchObject([{ type: "q", value: "media extra", beforeAttribute: 1 }]);
    expect(serializeSdp(d)).toBe(text);
  });

  it("empty values where the grammar allows them; a missing final line ending; trailing blank lines", () => {
    const text = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=\r\ni=\r\nt=0 0\r\na=x-empty:\r\na=";
    const d = parseSdp(text);
    expect(d.sessionName).toBe("");
    expect(d.info).toBe("");
    expect(d.attributes).toEqual([
      { name: "x-empty", value: "", line: 6 },
      { name: "", value: undefined, line: 7 },
    ]);
    expect(serializeSdp(d)).toBe(`${text}\r\n`);
    expect(serializeSdp(parseSdp(`${text}\r\n\r\n\r\n`))).toBe(`${text}\r\n`);
  });

  it("every session line type, a port count, zero formats, and no t= line", () => {
    const text = sdp(
      "v=0",
      "o=- 1 2 IN IP4 127.0.0.1",
      "s=x",
      "i=info",
      "u=http://example.com/",
      "e=a@example.com",
      "e=b@example.com",
      "p=+1 555",
      "c=IN IP4 224.2.17.12/127",
      "b=AS:128",
      "t=2873397496 2873404696",
      "r=7d 1h 0 25h",
      "z=2882844526 -1h 2898848070 0",
      "k=prompt",
      "a=recvonly",
      "m=audio 49170/2 RTP/AVP",
      "i=media info",
      "c=IN IP4 224.2.17.12/127",
      "b=TIAS:64000",
      "k=prompt",
    );
    const d = parseSdp(text);
    expect(d.emails).toEqual(["a@example.com", "b@example.com"]);
    expect(d.times).toEqual([{ start: 2873397496, stop: 2873404696, repeats: ["7d 1h 0 25h"] }]);
    expect(d.connection).toEqual({ netType: "IN", addrType: "IP4", address: "224.2.17.12/127" });
    expect(d.media[0]).toMatchObject({ port: 49170, portCount: 2, formats: [], info: "media info" });
    expect(d.media[0].bandwidths).toEqual([{ type: "TIAS", bandwidth: 64000 }]);
    expect(serializeSdp(d)).toBe(text);
    expect(parseSdp(sdp("v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-")).times).toEqual([]);
  });
});
