import { describe, expect, it } from "vitest";
import { fingerprintBytes, parseSdp, serializeSdp } from "@tsrtc/sdp";
import { fixture, fixtures, rawSections, rawValues } from "./fixtures.js";

const all = fixtures();

describe("fixtures: lossless round trip", () => {
  it("finds the shared fixtures", () => {
    expect(all.length).toBeGreaterThanOrEqual(16);
  });

  for (const { file, text } of all) {
    it(`${file}: CRLF byte-exact`, () => {
      expect(serializeSdp(parseSdp(text))).toBe(text);
      expect(serializeSdp(parseSdp(text, { validate: true }))).toBe(text);
    });

    it(`${file}: LF-only input comes back LF-only`, () => {
      const lf = text.replaceAll("\r\n", "\n");
      const d = parseSdp(lf);
      expect(d.lineEnding).toBe("\n");
      expect(serializeSdp(d)).toBe(lf);
    });

    it(`${file}: every line is in the model, in order`, () => {
      const raw = rawSections(text);
      const d = parseSdp(text);
      expect(d.media.length).toBe(raw.media.length);
      const sessionAttrs = raw.session.filter((l) => l.startsWith("a="));
      expect(d.attributes.map((a) => (a.value === undefined ? `a=${a.name}` : `a=${a.name}:${a.value}`))).toEqual(
        sessionAttrs,
      );
      raw.media.forEach((lines, i) => {
        const m = d.media[i];
        const attrs = lines.filter((l) => l.startsWith("a="));
        expect(m.attributes.length).toBe(attrs.length);
        expect(`m=${m.kind} ${m.port} ${m.protocol} ${m.formats.join(" ")}`).toBe(lines[0]);
      });
    });

    it(`${file}: typed accessors match the text`, () => {
      const raw = rawSections(text);
      const d = parseSdp(text);
      // session
      const origin = raw.session.find((l) => l.startsWith("o="))!.slice(2).split(" ");
      expect(d.origin.sessionId).toBe(origin[1]);
      expect(d.origin.address).toBe(origin[5]);
      const bundle = rawValues(raw.session, "group").find((g) => g.startsWith("BUNDLE "));
      expect(d.bundle).toEqual(bundle?.split(" ").slice(1));
      const sem = rawValues(raw.session, "msid-semantic")[0];
      if (sem !== undefined) {
        const parts = sem.trim().split(" ");
        expect(d.msidSemantics()).toEqual([{ semantic: parts[0], identifiers: parts.slice(1) }]);
      }
      expect(d.extmapAllowMixed).toBe(raw.session.includes("a=extmap-allow-mixed"));
      const sessionFp = rawValues(raw.session, "fingerprint")[0];
      expect(d.fingerprint === undefined ? undefined : `${d.fingerprint.hashFunction} ${d.fingerprint.value}`).toBe(
        sessionFp,
      );

      raw.media.forEach((lines, i) => {
        const m = d.media[i];
        expect(m.mid).toBe(rawValues(lines, "mid")[0]);
        expect(m.iceUfrag).toBe(rawValues(lines, "ice-ufrag")[0]);
        expect(m.icePwd).toBe(rawValues(lines, "ice-pwd")[0]);
        expect(m.setup).toBe(rawValues(lines, "setup")[0]);
        const fp = rawValues(lines, "fingerprint")[0];
        if (fp === undefined) expect(m.fingerprint).toBeUndefined();
        else {
          expect(`${m.fingerprint!.hashFunction} ${m.fingerprint!.value}`).toBe(fp);
          expect(fingerprintBytes(m.fingerprint!).length).toBe(32);
        }
        expect(m.candidates()).toEqual(rawValues(lines, "candidate"));
        expect(m.endOfCandidates).toBe(lines.includes("a=end-of-candidates"));
        expect(m.rtcpMux).toBe(lines.includes("a=rtcp-mux"));
        expect(m.rtcpRsize).toBe(lines.includes("a=rtcp-rsize"));
        const dir = lines.find((l) => /^a=(sendrecv|sendonly|recvonly|inactive)$/.test(l));
        expect(m.direction).toBe(dir?.slice(2));
        // extmaps: id, optional direction, URI
        expect(m.extmaps().map((e) => `${e.id}${e.direction ? `/${e.direction}` : ""} ${e.uri}`)).toEqual(
          rawValues(lines, "extmap"),
        );
        // rtpmap: every one is a codec of the m= line
        const rtpmaps = rawValues(lines, "rtpmap");
        expect(m.rtpmaps().map((r) => `${r.payloadType} ${r.encodingName}/${r.clockRate}${r.channels ? `/${r.channels}` : ""}`)).toEqual(
          rtpmaps,
        );
        const codecs = m.codecs();
        expect(codecs.length).toBe(m.kind === "application" ? 0 : m.formats.length);
        for (const c of codecs) {
          const fmtp = rawValues(lines, "fmtp").find((f) => f.startsWith(`${c.payloadType} `));
          expect(c.fmtp).toBe(fmtp?.slice(fmtp.indexOf(" ") + 1));
          const fb = rawValues(lines, "rtcp-fb").filter((f) => f.startsWith(`${c.payloadType} `));
          expect(c.feedback.map((f) => `${f.payloadType} ${f.type}${f.parameter ? ` ${f.parameter}` : ""}`)).toEqual(fb);
        }
        expect(m.ssrcs().map((s) => `${s.ssrc} ${s.attribute}:${s.value}`)).toEqual(rawValues(lines, "ssrc"));
        expect(m.ssrcGroups().map((g) => `${g.semantics} ${g.ssrcs.join(" ")}`)).toEqual(rawValues(lines, "ssrc-group"));
        expect(m.msids().map((x) => `${x.streamId} ${x.trackId}`)).toEqual(rawValues(lines, "msid"));
        const sctp = rawValues(lines, "sctp-port")[0];
        expect(m.sctpPort).toBe(sctp === undefined ? undefined : Number(sctp));
        const mms = rawValues(lines, "max-message-size")[0];
        expect(m.maxMessageSize).toBe(mms === undefined ? undefined : Number(mms));
        const rtcpLine = rawValues(lines, "rtcp")[0];
        if (rtcpLine === undefined) expect(m.rtcp).toBeUndefined();
        else expect(m.rtcp!.port).toBe(Number(rtcpLine.split(" ")[0]));
        expect(m.rids().map((r) => `${r.id} ${r.direction}`)).toEqual(rawValues(lines, "rid"));
      });
    });
  }
});

describe("fixtures: browser specifics", () => {
  it("Chromium av offer: msid-semantic with a space, opus/red/VP8/H264 codecs, rtx apt", () => {
    const text = fixture("chromium-156-offer-av-dc.sdp");
    const d = parseSdp(text);
    expect(d.attribute("msid-semantic")!.value!.startsWith(" WMS ")).toBe(true);
    const [audio, video, data] = d.media;
    expect([audio.kind, video.kind, data.kind]).toEqual(["audio", "video", "application"]);
    const opus = audio.codecs()[0];
    expect(opus).toMatchObject({ payloadType: 111, name: "opus", clockRate: 48000, channels: 2 });
    expect(opus.fmtp).toBe("minptime=10;useinbandfec=1");
    expect(opus.feedback.map((f) => f.type)).toEqual(["transport-cc"]);
    // PCMU comes from its rtpmap; the static table agrees
    expect(audio.codecs().find((c) => c.payloadType === 0)).toMatchObject({ name: "PCMU", clockRate: 8000 });
    const vp8 = video.codecs()[0];
    expect(vp8.name).toBe("VP8");
    expect(vp8.feedback.map((f) => (f.parameter ? `${f.type} ${f.parameter}` : f.type))).toEqual([
      "goog-remb",
      "transport-cc",
      "ccm fir",
      "nack",
      "nack pli",
    ]);
    expect(video.codecs().filter((c) => c.name === "H264").length).toBe(6);
    expect(video.codecs()[1]).toMatchObject({ name: "rtx", fmtp: "apt=96" });
    expect(audio.rtcp).toEqual({ port: 9, netType: "IN", addrType: "IP4", address: "0.0.0.0" });
    expect(audio.attribute("rtcp-xr")?.value).toBe("rcvr-rtt=all");
    expect(data.protocol).toBe("UDP/DTLS/SCTP");
    expect(data.formats).toEqual(["webrtc-datachannel"]);
    expect(d.version).toBe(0);
    expect(d.times).toEqual([{ start: 0, stop: 0, repeats: [] }]);
    expect(d.mediaByMid("1")).toBe(video);
  });

  it("Firefox av offer: msid-semantic without space, extmap direction, session-level direction", () => {
    const d = parseSdp(fixture("firefox-153-offer-av-dc.sdp"));
    expect(d.msidSemantics()).toEqual([{ semantic: "WMS", identifiers: ["*"] }]);
    expect(d.direction).toBe("sendrecv");
    expect(d.iceOptions).toEqual(["trickle"]);
    expect(d.setup).toBeUndefined();
    const ext = d.media[0].extmaps().find((e) => e.uri === "urn:ietf:params:rtp-hdrext:csrc-audio-level");
    expect(ext?.direction).toBe("recvonly");
    expect(d.media[0].extmapAllowMixed).toBe(true);
    expect(d.media[0].codecs().find((c) => c.name === "G722")?.channels).toBe(1);
    expect(d.media[0].codecs().find((c) => c.name === "telephone-event")?.fmtp).toBe("0-15");
    const rtcp = d.media[0].rtcp!;
    expect(rtcp.address).toBe("198.18.0.1");
  });

  it("simulcast offers: rids q/h/f and a=simulcast:send q;h;f", () => {
    for (const file of ["chromium-156-offer-simulcast-3rid.sdp", "firefox-153-offer-simulcast-3rid.sdp"]) {
      const m = parseSdp(fixture(file)).media[0];
      expect(m.direction).toBe("sendonly");
      expect(m.rids().map((r) => [r.id, r.direction])).toEqual([
        ["q", "send"],
        ["h", "send"],
        ["f", "send"],
      ]);
      expect(m.simulcast).toEqual({
        send: [[{ rid: "q", paused: false }], [{ rid: "h", paused: false }], [{ rid: "f", paused: false }]],
      });
    }
    const ff = parseSdp(fixture("firefox-153-offer-simulcast-3rid.sdp")).media[0];
    expect(ff.ssrcGroups().map((g) => g.semantics)).toEqual(["FID", "FID", "FID"]);
  });

  it("answers carry setup:active; werift offers keep upper-case OPUS", () => {
    expect(parseSdp(fixture("chromium-156-answer-to-werift-av-dc.sdp")).media[0].setup).toBe("active");
    expect(parseSdp(fixture("firefox-153-answer-to-werift-av-dc.sdp")).media[0].setup).toBe("active");
    const w = parseSdp(fixture("werift-0.24.4-offer-av-dc.to-chromium-156.sdp"));
    expect(w.media[0].codecs()[0]).toMatchObject({ payloadType: 96, name: "OPUS", clockRate: 48000, channels: 2 });
    expect(w.media[2].maxMessageSize).toBe(4194304);
  });
});
