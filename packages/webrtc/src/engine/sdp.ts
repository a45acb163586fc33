/**
 * The SDP side of JSEP (RFC 8829) for data channels: writing our offers and answers in the shape
 * browsers write them (§5.2, §5.3), and reading a remote description into the few facts the
 * engine needs (ICE credentials, fingerprints, setup role, SCTP port, max-message-size,
 * candidates), checking what RFC 8829 §5.7/§5.8 require. Media sections we do not support are
 * answered rejected (port 0, §5.3.1).
 */
import { type MediaSection, type SessionDescription, isSdpParseError, parseSdp } from "@tsrtc/sdp";
import { rtcError } from "./errors.js";

export const DATA_PROTOCOL = "UDP/DTLS/SCTP";
export const DATA_FORMAT = "webrtc-datachannel";
/** RFC 8841 §6.1: no a=max-message-size means 64 KiB. */
export const DEFAULT_REMOTE_MAX_MESSAGE_SIZE = 65536;

export type SetupRole = "actpass" | "active" | "passive";

/** One m= line of a description we write. */
export type SectionPlan =
  | { kind: "data"; mid: string }
  /** A remote section we refuse: written back with port 0 (RFC 8829 §5.3.1). */
  | { kind: "rejected"; media: string; protocol: string; formats: string[]; mid: string | undefined };

export interface LocalSdpParams {
  sessionId: string;
  sessionVersion: number;
  ufrag: string;
  pwd: string;
  /** "sha-256 AB:CD:..." values. */
  fingerprints: readonly { algorithm: string; value: string }[];
  setup: SetupRole;
  sctpPort: number;
  maxMessageSize: number;
  sections: readonly SectionPlan[];
  /** Mids of the BUNDLE group (only accepted sections). */
  bundle: readonly string[];
}

/** Write an offer or answer; `candidates` are "candidate:..." values for the data section. */
export function writeLocalSdp(p: LocalSdpParams, candidates: readonly string[] = [], endOfCandidates = false): string {
  const l: string[] = [
    "v=0",
    `o=- ${p.sessionId} ${p.sessionVersion} IN IP4 127.0.0.1`,
    "s=-",
    "t=0 0",
  ];
  if (p.bundle.length > 0) l.push(`a=group:BUNDLE ${p.bundle.join(" ")}`);
  l.push("a=extmap-allow-mixed", "a=msid-semantic: WMS");
  for (const s of p.sections) {
    if (s.kind === "rejected") {
      l.push(`m=${s.media} 0 ${s.protocol} ${s.formats.join(" ")}`, "c=IN IP4 0.0.0.0");
      if (s.mid !== undefined) l.push(`a=mid:${s.mid}`);
      continue;
    }
    l.push(`m=application 9 ${DATA_PROTOCOL} ${DATA_FORMAT}`, "c=IN IP4 0.0.0.0");
    for (const c of candidates) l.push(`a=${c}`);
    if (endOfCandidates) l.push("a=end-of-candidates");
    l.push(`a=ice-ufrag:${p.ufrag}`, `a=ice-pwd:${p.pwd}`, "a=ice-options:trickle");
    for (const f of p.fingerprints) l.push(`a=fingerprint:${f.algorithm} ${f.value}`);
    l.push(`a=setup:${p.setup}`, `a=mid:${s.mid}`, `a=sctp-port:${p.sctpPort}`, `a=max-message-size:${p.maxMessageSize}`);
  }
  return `${l.join("\r\n")}\r\n`;
}

/** What a remote description says about our data transport. */
export interface RemoteSdp {
  desc: SessionDescription;
  /** Every m= line, in order (answers must mirror them). */
  sections: { media: string; protocol: string; formats: string[]; mid: string | undefined; port: number }[];
  /** Index of the data section we use, or -1 when there is none (or it is rejected). */
  dataIndex: number;
  dataMid: string | undefined;
  ufrag: string;
  pwd: string;
  iceLite: boolean;
  trickle: boolean;
  fingerprints: { algorithm: string; value: string }[];
  setup: SetupRole | undefined;
  sctpPort: number;
  /** 0 = no limit (RFC 8841 §6). */
  maxMessageSize: number;
  candidates: string[];
  endOfCandidates: boolean;
  bundle: string[] | undefined;
}

function isDataSection(m: MediaSection): boolean {
  return m.kind === "application" && m.protocol.toUpperCase().endsWith("DTLS/SCTP") && m.formats.includes(DATA_FORMAT);
}

/**
 * Parse and check a remote description. A syntax error is an OperationError (W3C
 * "sdp-syntax-error"); a description missing what WebRTC requires (ICE credentials, a
 * fingerprint, a valid setup role for its type) is an InvalidAccessError.
 */
export function readRemoteSdp(sdp: string, type: "offer" | "answer" | "pranswer"): RemoteSdp {
  let desc: SessionDescription;
  try {
    desc = parseSdp(sdp, { validate: true });
  } catch (e) {
    if (isSdpParseError(e)) throw rtcError("OperationError", `sdp-syntax-error: ${e.message}`);
    throw rtcError("OperationError", `sdp-syntax-error: ${(e as Error).message}`);
  }
  try {
    return extract(desc, type);
  } catch (e) {
    if (isSdpParseError(e)) throw rtcError("OperationError", `sdp-syntax-error: ${e.message}`);
    throw e;
  }
}

function extract(desc: SessionDescription, type: "offer" | "answer" | "pranswer"): RemoteSdp {
  if (desc.media.length === 0) throw rtcError("InvalidAccessError", "the description has no media section");
  const sections = desc.media.map((m) => ({ media: m.kind, protocol: m.protocol, formats: [...m.formats], mid: m.mid, port: m.port }));
  const mids = new Set<string>();
  for (const s of sections) {
    if (s.mid === undefined) throw rtcError("InvalidAccessError", "a media section has no a=mid (RFC 8829 §5.8)");
    if (mids.has(s.mid)) throw rtcError("InvalidAccessError", `a=mid:${s.mid} appears twice`);
    mids.add(s.mid);
  }
  const dataIndex = desc.media.findIndex((m) => isDataSection(m) && m.port !== 0);
  const out: RemoteSdp = {
    desc,
    sections,
    dataIndex,
    dataMid: undefined,
    ufrag: "",
    pwd: "",
    iceLite: desc.iceLite,
    trickle: false,
    fingerprints: [],
    setup: undefined,
    sctpPort: 5000,
    maxMessageSize: DEFAULT_REMOTE_MAX_MESSAGE_SIZE,
    candidates: [],
    endOfCandidates: false,
    bundle: desc.bundle,
  };
  if (dataIndex < 0) return out;
  const m = desc.media[dataIndex];
  out.dataMid = m.mid;
  const ufrag = m.iceUfrag ?? desc.iceUfrag;
  const pwd = m.icePwd ?? desc.icePwd;
  if (!ufrag || !pwd) throw rtcError("InvalidAccessError", "the data section has no a=ice-ufrag / a=ice-pwd (RFC 8839 §5.4)");
  out.ufrag = ufrag;
  out.pwd = pwd;
  out.trickle = [...m.iceOptions, ...desc.iceOptions].includes("trickle");
  const fps = m.fingerprints().length > 0 ? m.fingerprints() : desc.fingerprints();
  if (fps.length === 0) throw rtcError("InvalidAccessError", "the data section has no a=fingerprint (RFC 8122)");
  out.fingerprints = fps.map((f) => ({ algorithm: f.hashFunction.toLowerCase(), value: f.value }));
  const setup = m.setup ?? desc.setup;
  if (setup === "holdconn") throw rtcError("InvalidAccessError", "a=setup:holdconn is not usable");
  if ((type === "answer" || type === "pranswer") && setup === "actpass") {
    throw rtcError("InvalidAccessError", "an answer must not say a=setup:actpass (RFC 8842 §5.1)");
  }
  out.setup = setup ?? (type === "offer" ? "actpass" : "active");
  out.sctpPort = m.sctpPort ?? 5000;
  out.maxMessageSize = m.maxMessageSize ?? DEFAULT_REMOTE_MAX_MESSAGE_SIZE;
  out.candidates = m.candidates().map((c) => `candidate:${c}`);
  out.endOfCandidates = m.endOfCandidates;
  return out;
}
