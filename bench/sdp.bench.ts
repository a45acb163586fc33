/**
 * SDP parse and serialize, tsrtc vs werift, on a real Chromium audio+video+data offer.
 *
 * Fairness: werift's SessionDescription.parse computes everything eagerly (codecs with fmtp and
 * rtcp-fb, extmaps, ssrcs, groups, msids, direction, rids, ICE and DTLS parameters, and it parses
 * every a=candidate into an object). Ours parses attribute values lazily, so each tsrtc contender
 * reads back what the scenario names. "read all" reads everything werift computes except the
 * candidate fields (candidates stay strings here; the ice package parses them), which leaves
 * werift with that extra work: that scenario's ratio is therefore flattering to us by the cost of
 * werift's candidate parsing, so the next scenario runs both on the same SDP with its candidate
 * lines removed. "read core" is what a negotiation reads first.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type MediaSection, parseSdp, type SessionDescription, serializeSdp } from "@tsrtc/sdp";
import { SessionDescription as WeriftSdp } from "werift";
import { printResults, type Result, runScenario } from "./harness.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const FILE = path.resolve(repoRoot, "../shared/fixtures/sdp/chromium-156-offer-av-dc.sdp");

type WeriftMedia = WeriftSdp["media"][number];

function readCore(d: SessionDescription): number {
  let n = d.bundle?.length ?? 0;
  for (const m of d.media) {
    n += (m.mid ?? "").length + m.codecs().length;
    n += (m.fingerprint?.value.length ?? 0) + (m.iceUfrag ?? "").length + (m.icePwd ?? "").length;
  }
  return n;
}

function weriftReadCore(d: WeriftSdp): number {
  let n = d.group.find((g) => g.semantic === "BUNDLE")?.items.length ?? 0;
  for (const m of d.media) {
    n += (m.rtp.muxId ?? "").length + m.rtp.codecs.length;
    n += (m.dtlsParams?.fingerprints[0]?.value.length ?? 0);
    n += (m.iceParams?.usernameFragment ?? "").length + (m.iceParams?.password ?? "").length;
  }
  return n;
}

function readAllMedia(m: MediaSection): number {
  let n = m.extmaps().length + m.ssrcs().length + m.ssrcGroups().length + m.msids().length + m.rids().length;
  n += m.candidates().length + (m.direction ?? "").length + (m.setup ?? "").length;
  n += (m.sctpPort ?? 0) + (m.maxMessageSize ?? 0) + (m.rtcp?.port ?? 0) + (m.rtcpMux ? 1 : 0);
  n += (m.endOfCandidates ? 1 : 0) + m.iceOptions.length;
  return n;
}

function readAll(d: SessionDescription): number {
  let n = readCore(d) + d.msidSemantics().length + (d.extmapAllowMixed ? 1 : 0);
  for (const m of d.media) n += readAllMedia(m);
  return n;
}

function weriftReadAllMedia(m: WeriftMedia): number {
  let n = m.rtp.headerExtensions.length + m.ssrc.length + m.ssrcGroup.length + m.msids.length;
  n += m.simulcastParameters.length + m.iceCandidates.length + (m.direction ?? "").length;
  n += (m.dtlsParams?.role ?? "").length + (m.sctpPort ?? 0) + (m.sctpCapabilities?.maxMessageSize ?? 0);
  n += (m.rtcpPort ?? 0) + (m.rtcpMux ? 1 : 0) + (m.iceCandidatesComplete ? 1 : 0) + (m.iceOptions ?? "").length;
  return n;
}

function weriftReadAll(d: WeriftSdp): number {
  let n = weriftReadCore(d) + d.msidSemantic.length + (d.extMapAllowMixed ? 1 : 0);
  for (const m of d.media) n += weriftReadAllMedia(m);
  return n;
}

export default async function (): Promise<void> {
  const text = readFileSync(FILE, "utf8");
  const noCandidates = text
    .split("\r\n")
    .filter((l) => !l.startsWith("a=candidate:"))
    .join("\r\n");
  const ours = parseSdp(text);
  const theirs = WeriftSdp.parse(text);
  if (readCore(ours) !== weriftReadCore(theirs)) {
    throw new Error(`bench/sdp: core reads differ (${readCore(ours)} vs ${weriftReadCore(theirs)})`);
  }
  const results: Result[] = [];
  results.push(
    ...runScenario({
      name: "parse + read mids/codecs/fingerprint/ICE creds",
      contenders: [
        { impl: "tsrtc", op: () => readCore(parseSdp(text)) },
        { impl: "werift", op: () => weriftReadCore(WeriftSdp.parse(text)) },
      ],
    }),
    ...runScenario({
      name: "parse + read all werift computes (candidates as strings)",
      contenders: [
        { impl: "tsrtc", op: () => readAll(parseSdp(text)) },
        { impl: "werift", op: () => weriftReadAll(WeriftSdp.parse(text)) },
      ],
    }),
    ...runScenario({
      name: "same, a=candidate lines removed (no candidate work on either side)",
      contenders: [
        { impl: "tsrtc", op: () => readAll(parseSdp(noCandidates)) },
        { impl: "werift", op: () => weriftReadAll(WeriftSdp.parse(noCandidates)) },
      ],
    }),
    ...runScenario({
      name: "parse with validate:true + read mids/codecs/fingerprint/ICE creds",
      contenders: [
        { impl: "tsrtc", op: () => readCore(parseSdp(text, { validate: true })) },
        { impl: "werift", op: () => weriftReadCore(WeriftSdp.parse(text)) },
      ],
    }),
    ...runScenario({
      name: "parse only (lazy; not like-for-like)",
      contenders: [
        { impl: "tsrtc", op: () => parseSdp(text) },
        { impl: "werift", op: () => WeriftSdp.parse(text) },
      ],
    }),
    ...runScenario({
      name: "serialize a parsed description",
      contenders: [
        { impl: "tsrtc", op: () => serializeSdp(ours) },
        { impl: "werift", op: () => theirs.string },
      ],
    }),
  );
  printResults("sdp (chromium-156-offer-av-dc.sdp, ratio = tsrtc rate / row rate)", results);
}
