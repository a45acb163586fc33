import { describe, expect, it } from "vitest";
import {
  type AttributeCodec,
  extmap,
  fingerprint,
  fingerprintBytes,
  fingerprintFromBytes,
  fmtp,
  formatFmtpParameters,
  group,
  iceOptions,
  icePwd,
  iceUfrag,
  maxMessageSize,
  MediaSection,
  mid,
  msid,
  msidSemantic,
  parseFmtpParameters,
  parseSdp,
  rid,
  rtcp,
  rtcpFb,
  rtpmap,
  sctpPort,
  serializeSdp,
  SdpParseError,
  SessionDescription,
  setup,
  simulcast,
  ssrc,
  ssrcGroup,
} from "@tsrtc/sdp";

/** Parse `text`, format the result, and check both the value and that the text comes back. */
function both<T>(codec: AttributeCodec<T>, text: string, value: T): void {
  expect(codec.parse(text, 1)).toEqual(value);
  expect(codec.format(value)).toBe(text);
}

function rejects<T>(codec: AttributeCodec<T>, text: string | undefined): void {
  expect(() => codec.parse(text, 7)).toThrow(SdpParseError);
  try {
    codec.parse(text, 7);
  } catch (e) {
    expect((e as SdpParseError).line).toBe(7);
    expect((e as SdpParseError).message).toContain(`line 7: expected "a=${codec.name}`);
  }
}

describe("rtpmap (RFC 8866 §6.6)", () => {
  it("both ways", () => {
    both(rtpmap, "111 opus/48000/2", { payloadType: 111, encodingName: "opus", clockRate: 48000, channels: 2 });
    both(rtpmap, "96 VP8/90000", { payloadType: 96, encodingName: "VP8", clockRate: 90000 });
    both(rtpmap, "9 G722/8000/1", { payloadType: 9, encodingName: "G722", clockRate: 8000, channels: 1 });
  });
  it("rejects", () => {
    for (const bad of [undefined, "", "111", "111 opus", "111 opus/", "x opus/48000", "128 a/1", "111 /48000", "111 opus/48k", "1 a/8000/x"]) {
      rejects(rtpmap, bad);
    }
  });
});

describe("fmtp (RFC 8866 §6.15)", () => {
  it("both ways, and the parameter map", () => {
    both(fmtp, "111 minptime=10;useinbandfec=1", { payloadType: 111, parameters: "minptime=10;useinbandfec=1" });
    both(fmtp, "101 0-15", { payloadType: 101, parameters: "0-15" });
    const p = parseFmtpParameters("level-asymmetry-allowed=1; packetization-mode=1;profile-level-id=42001f");
    expect([...p]).toEqual([
      ["level-asymmetry-allowed", "1"],
      ["packetization-mode", "1"],
      ["profile-level-id", "42001f"],
    ]);
    expect(formatFmtpParameters(p)).toBe("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f");
    expect([...parseFmtpParameters("111/111")]).toEqual([["111/111", undefined]]);
    expect(formatFmtpParameters(new Map([["0-15", undefined]]))).toBe("0-15");
  });
  it("rejects", () => {
    for (const bad of [undefined, "", "x apt=1", "-1 a"]) rejects(fmtp, bad);
  });
});

describe("rtcp-fb (RFC 4585 §4.2)", () => {
  it("both ways", () => {
    both(rtcpFb, "96 nack", { payloadType: 96, type: "nack" });
    both(rtcpFb, "96 nack pli", { payloadType: 96, type: "nack", parameter: "pli" });
    both(rtcpFb, "* ccm tmmbr smaxpr=120", { payloadType: "*", type: "ccm", parameter: "tmmbr smaxpr=120" });
  });
  it("rejects", () => {
    for (const bad of [undefined, "96", "96 ", " nack", "x nack", "96  nack"]) rejects(rtcpFb, bad);
  });
});

describe("extmap (RFC 8285 §5)", () => {
  it("both ways, with direction and extension attributes", () => {
    both(extmap, "1 urn:ietf:params:rtp-hdrext:ssrc-audio-level", { id: 1, uri: "urn:ietf:params:rtp-hdrext:ssrc-audio-level" });
    both(extmap, "2/recvonly urn:ietf:params:rtp-hdrext:csrc-audio-level", {
      id: 2,
      direction: "recvonly",
      uri: "urn:ietf:params:rtp-hdrext:csrc-audio-level",
    });
    both(extmap, "4 urn:ietf:params:rtp-hdrext:encrypt urn:ietf:params:rtp-hdrext:smpte-tc 25@600/24", {
      id: 4,
      uri: "urn:ietf:params:rtp-hdrext:encrypt",
      attributes: "urn:ietf:params:rtp-hdrext:smpte-tc 25@600/24",
    });
    // a URI with a slash does not read as a direction
    expect(extmap.parse("3 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", 1).direction).toBeUndefined();
  });
  it("rejects", () => {
    for (const bad of [undefined, "1", "x urn:a", "1/sideways urn:a", "70000 urn:a", "1 ", "1  urn:a"]) rejects(extmap, bad);
  });
  it("extmap-allow-mixed flag both ways", () => {
    const m = new MediaSection("audio", 9, "UDP/TLS/RTP/SAVPF", ["111"]);
    expect(m.extmapAllowMixed).toBe(false);
    m.extmapAllowMixed = true;
    m.extmapAllowMixed = true;
    expect(m.attributes).toEqual([{ name: "extmap-allow-mixed", value: undefined, line: undefined }]);
    m.extmapAllowMixed = false;
    expect(m.attributes).toEqual([]);
  });
  it("add and remove through the media section", () => {
    const m = new MediaSection("video", 9, "UDP/TLS/RTP/SAVPF", ["96"]);
    m.addExtmap({ id: 3, uri: "urn:ietf:params:rtp-hdrext:sdes:mid" });
    m.addExtmap({ id: 5, direction: "sendonly", uri: "urn:x" });
    expect(m.attributes.map((a) => a.value)).toEqual(["3 urn:ietf:params:rtp-hdrext:sdes:mid", "5/sendonly urn:x"]);
    expect(m.removeExtmap(3)).toBe(true);
    expect(m.removeExtmap(3)).toBe(false);
    expect(m.extmaps()).toEqual([{ id: 5, direction: "sendonly", uri: "urn:x" }]);
  });
});

describe("ssrc and ssrc-group (RFC 5576)", () => {
  it("both ways", () => {
    both(ssrc, "3781924637 cname:2j7LzfMKHi+ZLPwp", { ssrc: 3781924637, attribute: "cname", value: "2j7LzfMKHi+ZLPwp" });
    both(ssrc, "1 msid:a b", { ssrc: 1, attribute: "msid", value: "a b" });
    both(ssrc, "1 foo", { ssrc: 1, attribute: "foo" });
    both(ssrcGroup, "FID 2497719392 3494284270", { semantics: "FID", ssrcs: [2497719392, 3494284270] });
    both(ssrcGroup, "SIM", { semantics: "SIM", ssrcs: [] });
  });
  it("rejects", () => {
    for (const bad of [undefined, "1", "4294967296 cname:x", "x cname:y", "1 :x"]) rejects(ssrc, bad);
    for (const bad of [undefined, "", "FID x", "FID 1  2"]) rejects(ssrcGroup, bad);
  });
});

describe("msid (RFC 8830) and msid-semantic", () => {
  it("both ways", () => {
    both(msid, "stream track", { streamId: "stream", trackId: "track" });
    both(msid, "-", { streamId: "-" });
    both(msidSemantic, "WMS *", { semantic: "WMS", identifiers: ["*"] });
    both(msidSemantic, "WMS", { semantic: "WMS", identifiers: [] });
  });
  it("reads Chromium's space after the colon, writes without it", () => {
    const v = msidSemantic.parse(" WMS 3748c011-b455", 1);
    expect(v).toEqual({ semantic: "WMS", identifiers: ["3748c011-b455"] });
    expect(msidSemantic.format(v)).toBe("WMS 3748c011-b455");
  });
  it("rejects", () => {
    for (const bad of [undefined, "", " a", "a b c", "a "]) rejects(msid, bad);
    for (const bad of [undefined, "", " ", "WMS  x"]) rejects(msidSemantic, bad);
  });
});

describe("mid and group (RFC 5888, RFC 9143)", () => {
  it("both ways", () => {
    both(mid, "0", "0");
    both(group, "BUNDLE 0 1 2", { semantics: "BUNDLE", mids: ["0", "1", "2"] });
    both(group, "BUNDLE", { semantics: "BUNDLE", mids: [] });
    both(group, "LS a b", { semantics: "LS", mids: ["a", "b"] });
  });
  it("rejects", () => {
    for (const bad of [undefined, "", "a b"]) rejects(mid, bad);
    for (const bad of [undefined, "", "BUNDLE  0", "BUNDLE 0 "]) rejects(group, bad);
  });
  it("session accessors: bundle, add/remove groups", () => {
    const d = new SessionDescription();
    expect(d.bundle).toBeUndefined();
    d.addGroup({ semantics: "LS", mids: ["a"] });
    d.addGroup({ semantics: "BUNDLE", mids: ["0", "1"] });
    expect(d.bundle).toEqual(["0", "1"]);
    expect(d.removeGroups("BUNDLE")).toBe(1);
    expect(d.groups()).toEqual([{ semantics: "LS", mids: ["a"] }]);
  });
});

describe("ICE attribute syntax (RFC 8839 §5)", () => {
  it("both ways", () => {
    both(iceUfrag, "E32S", "E32S");
    both(icePwd, "OP2RPO+yawRcAgZzOAVaWlZd", "OP2RPO+yawRcAgZzOAVaWlZd");
    both(iceOptions, "trickle ice2", ["trickle", "ice2"]);
  });
  it("rejects", () => {
    for (const bad of [undefined, "", "a b"]) rejects(iceUfrag, bad);
    // RFC 8839 §5.4: 4..256 (ufrag) and 22..256 (pwd) ice-chars (ALPHA / DIGIT / "+" / "/").
    for (const bad of ["abc", "abc-", "abcd\u00e9", "a".repeat(257)]) rejects(iceUfrag, bad);
    for (const bad of ["a".repeat(21), `${"a".repeat(22)}=`, "a".repeat(257)]) rejects(icePwd, bad);
    both(iceUfrag, "a+/9".repeat(64), "a+/9".repeat(64));
    for (const bad of [undefined, "", "trickle  x"]) rejects(iceOptions, bad);
  });
  it("section accessors write through the attribute list", () => {
    const d = new SessionDescription();
    d.iceUfrag = "abcd";
    d.icePwd = "0123456789012345678901";
    d.iceOptions = ["trickle"];
    d.iceLite = true;
    expect(d.attributes.map((a) => [a.name, a.value])).toEqual([
      ["ice-ufrag", "abcd"],
      ["ice-pwd", "0123456789012345678901"],
      ["ice-options", "trickle"],
      ["ice-lite", undefined],
    ]);
    d.iceUfrag = "wxyz";
    expect(d.attributes[0]).toMatchObject({ name: "ice-ufrag", value: "wxyz" });
    d.iceOptions = [];
    d.iceLite = false;
    d.iceUfrag = undefined;
    expect(d.attributes.map((a) => a.name)).toEqual(["ice-pwd"]);
    expect(d.iceLite).toBe(false);
    expect(d.iceOptions).toEqual([]);
  });
});

describe("fingerprint (RFC 8122 §5)", () => {
  const hex = "28:D3:3F:9A:9E:D0:6D:DF:E4:3D:A5:BA:59:C8:75:77:B3:2B:F7:39:01:99:23:CE:70:A7:4F:84:7B:60:93:B9";
  it("both ways, and to and from bytes", () => {
    both(fingerprint, `sha-256 ${hex}`, { hashFunction: "sha-256", value: hex });
    const bytes = fingerprintBytes({ hashFunction: "sha-256", value: hex });
    expect(bytes.length).toBe(32);
    expect(bytes[0]).toBe(0x28);
    expect(bytes[31]).toBe(0xb9);
    expect(fingerprintFromBytes("sha-256", bytes)).toEqual({ hashFunction: "sha-256", value: hex });
    expect(fingerprint.parse("sha-1 ab:cd", 1).value).toBe("ab:cd");
  });
  it("rejects", () => {
    for (const bad of [undefined, "", "sha-256", `sha-256 ${hex}:`, "sha-256 2", "sha-256 2G:00", "sha-256 28D3", " 28:D3"]) {
      rejects(fingerprint, bad);
    }
  });
});

describe("setup (RFC 4145 §4)", () => {
  it("both ways", () => {
    for (const r of ["actpass", "active", "passive", "holdconn"] as const) both(setup, r, r);
  });
  it("rejects", () => {
    for (const bad of [undefined, "", "Active", "client"]) rejects(setup, bad);
  });
});

describe("rtcp (RFC 3605) and the RTCP flags", () => {
  it("both ways", () => {
    both(rtcp, "9 IN IP4 0.0.0.0", { port: 9, netType: "IN", addrType: "IP4", address: "0.0.0.0" });
    both(rtcp, "56311", { port: 56311 });
    expect(rtcp.format({ port: 1, address: "::1" })).toBe("1 IN IP6 ::1");
  });
  it("rejects", () => {
    for (const bad of [undefined, "", "x", "70000", "9 IN IP4", "9 IN  IP4 1.2.3.4"]) rejects(rtcp, bad);
  });
  it("rtcp-mux, rtcp-mux-only, rtcp-rsize flags", () => {
    const m = new MediaSection("audio", 9, "UDP/TLS/RTP/SAVPF", []);
    m.rtcpMux = true;
    m.rtcpMuxOnly = true;
    m.rtcpRsize = true;
    expect(m.attributes.map((a) => a.name)).toEqual(["rtcp-mux", "rtcp-mux-only", "rtcp-rsize"]);
    expect([m.rtcpMux, m.rtcpMuxOnly, m.rtcpRsize]).toEqual([true, true, true]);
    m.rtcpMuxOnly = false;
    expect([m.rtcpMux, m.rtcpMuxOnly, m.rtcpRsize]).toEqual([true, false, true]);
    m.rtcp = { port: 9, netType: "IN", addrType: "IP4", address: "0.0.0.0" };
    expect(m.attribute("rtcp")?.value).toBe("9 IN IP4 0.0.0.0");
  });
});

describe("sctp-port and max-message-size (RFC 8841)", () => {
  it("both ways", () => {
    both(sctpPort, "5000", 5000);
    both(maxMessageSize, "262144", 262144);
    both(maxMessageSize, "0", 0);
  });
  it("rejects", () => {
    for (const bad of [undefined, "", "x", "65536", "-1"]) rejects(sctpPort, bad);
    for (const bad of [undefined, "", "1e3"]) rejects(maxMessageSize, bad);
  });
  it("media accessors", () => {
    const m = new MediaSection("application", 9, "UDP/DTLS/SCTP", ["webrtc-datachannel"]);
    m.sctpPort = 5000;
    m.maxMessageSize = 65536;
    expect(m.attributes.map((a) => `${a.name}:${a.value}`)).toEqual(["sctp-port:5000", "max-message-size:65536"]);
    expect([m.sctpPort, m.maxMessageSize]).toEqual([5000, 65536]);
  });
});

describe("rid (RFC 8851 §10)", () => {
  it("both ways", () => {
    both(rid, "q send", { id: "q", direction: "send", restrictions: new Map() });
    both(rid, "5 recv pt=96,97;max-width=1280;max-height=720", {
      id: "5",
      direction: "recv",
      payloadTypes: [96, 97],
      restrictions: new Map([
        ["max-width", "1280"],
        ["max-height", "720"],
      ]),
    });
    both(rid, "hi_1 send max-fps=30;depend=lo", {
      id: "hi_1",
      direction: "send",
      restrictions: new Map([
        ["max-fps", "30"],
        ["depend", "lo"],
      ]),
    });
  });
  it("rejects", () => {
    for (const bad of [undefined, "", "q", "q sendrecv", "q! send", "q send pt=x", "q send ;max-fps=1"]) rejects(rid, bad);
  });
});

describe("simulcast (RFC 8853 §5.1)", () => {
  it("both ways, with alternatives and paused streams", () => {
    both(simulcast, "send q;h;f", {
      send: [[{ rid: "q", paused: false }], [{ rid: "h", paused: false }], [{ rid: "f", paused: false }]],
    });
    both(simulcast, "send 1,~4;2;3 recv c", {
      send: [
        [
          { rid: "1", paused: false },
          { rid: "4", paused: true },
        ],
        [{ rid: "2", paused: false }],
        [{ rid: "3", paused: false }],
      ],
      recv: [[{ rid: "c", paused: false }]],
    });
    // recv first parses; it is written send-first
    expect(simulcast.parse("recv a send b", 1)).toEqual({
      recv: [[{ rid: "a", paused: false }]],
      send: [[{ rid: "b", paused: false }]],
    });
  });
  it("rejects", () => {
    for (const bad of [undefined, "", "send", "send a recv", "send a send b", "both a", "send a;;b", "send ~", "send a,"]) {
      rejects(simulcast, bad);
    }
  });
});

describe("direction (RFC 8866 §6.7)", () => {
  it("reads, replaces in place, removes", () => {
    const m = new MediaSection("audio", 9, "RTP/AVP", ["0"]);
    expect(m.direction).toBeUndefined();
    m.mid = "0";
    m.direction = "sendonly";
    m.rtcpMux = true;
    expect(m.direction).toBe("sendonly");
    m.direction = "inactive";
    expect(m.attributes.map((a) => a.name)).toEqual(["mid", "inactive", "rtcp-mux"]);
    m.direction = undefined;
    expect(m.attributes.map((a) => a.name)).toEqual(["mid", "rtcp-mux"]);
  });
});

describe("candidates (raw strings; the ice package parses them)", () => {
  it("lists, adds before end-of-candidates, removes", () => {
    const m = new MediaSection("audio", 9, "UDP/TLS/RTP/SAVPF", ["111"]);
    const c1 = "1 1 udp 2122260223 198.18.0.1 58783 typ host";
    const c2 = "2 1 tcp 1518280447 198.18.0.1 9 typ host tcptype active";
    m.addCandidate(c1);
    m.endOfCandidates = true;
    m.addCandidate(c2);
    expect(m.candidates()).toEqual([c1, c2]);
    expect(m.attributes.map((a) => a.name)).toEqual(["candidate", "candidate", "end-of-candidates"]);
    expect(m.removeCandidate(c1)).toBe(true);
    expect(m.removeCandidate(c1)).toBe(false);
    expect(m.clearCandidates()).toBe(1);
    expect(m.candidates()).toEqual([]);
    expect(m.endOfCandidates).toBe(true);
  });
});

describe("codecs() convenience layer", () => {
  it("joins rtpmap, fmtp and rtcp-fb (with *) per payload type in m= order; static types fill in", () => {
    const text = [
      "v=0",
      "o=- 1 1 IN IP4 127.0.0.1",
      "s=-",
      "t=0 0",
      "m=video 9 UDP/TLS/RTP/SAVPF 97 96 0",
      "a=rtpmap:96 VP8/90000",
      "a=rtcp-fb:* nack",
      "a=rtpmap:97 rtx/90000",
      "a=fmtp:97 apt=96",
      "a=rtcp-fb:96 ccm fir",
      "",
    ].join("\r\n");
    const codecs = parseSdp(text).media[0].codecs();
    expect(codecs).toEqual([
      { payloadType: 97, name: "rtx", clockRate: 90000, fmtp: "apt=96", feedback: [{ payloadType: "*", type: "nack" }] },
      {
        payloadType: 96,
        name: "VP8",
        clockRate: 90000,
        feedback: [
          { payloadType: "*", type: "nack" },
          { payloadType: 96, type: "ccm", parameter: "fir" },
        ],
      },
      { payloadType: 0, name: "PCMU", clockRate: 8000, feedback: [{ payloadType: "*", type: "nack" }] },
    ]);
  });
  it("addCodec / removeCodec write through the m= line and attributes", () => {
    const d = new SessionDescription();
    const m = new MediaSection("audio", 9, "UDP/TLS/RTP/SAVPF", []);
    d.media.push(m);
    m.addCodec({ payloadType: 111, name: "opus", clockRate: 48000, channels: 2, fmtp: "minptime=10", feedback: [{ payloadType: 111, type: "transport-cc" }] });
    m.addCodec({ payloadType: 0, name: "PCMU", clockRate: 8000 });
    expect(serializeSdp(d)).toBe(
      "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" +
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\n" +
        "a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\na=fmtp:111 minptime=10\r\na=rtpmap:0 PCMU/8000\r\n",
    );
    expect(parseSdp(serializeSdp(d)).media[0].codecs().map((c) => c.name)).toEqual(["opus", "PCMU"]);
    m.removeCodec(111);
    expect(m.formats).toEqual(["0"]);
    expect(m.attributes.map((a) => a.value)).toEqual(["0 PCMU/8000"]);
  });
});

describe("generic attribute list", () => {
  it("keeps order and duplicates; set replaces the first and drops the rest", () => {
    const m = new MediaSection("audio", 9, "RTP/AVP", ["0"]);
    m.addAttribute("x-foo", "1");
    m.addAttribute("bar");
    m.addAttribute("x-foo", "2");
    expect(m.attributesNamed("x-foo").map((a) => a.value)).toEqual(["1", "2"]);
    m.setAttribute("x-foo", "3");
    expect(m.attributes.map((a) => [a.name, a.value])).toEqual([
      ["x-foo", "3"],
      ["bar", undefined],
    ]);
    expect(m.removeAttributes("bar")).toBe(1);
    expect(m.hasAttribute("bar")).toBe(false);
  });
  it("a typed read of a malformed parsed attribute names its line", () => {
    const d = parseSdp("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n");
    expect(() => d.media[0].rtpmaps()).toThrow(/line 6: expected "a=rtpmap:/);
    // a malformed attribute added by code: no line number
    d.media[0].addAttribute("mid", "");
    d.media[0].removeAttributes("rtpmap");
    expect(() => d.media[0].mid).toThrow(/^sdp: expected "a=mid:/);
  });
});
