import { type Fmtp, fmtp } from "./attributes/fmtp.js";
import { mid } from "./attributes/mid.js";
import { type Msid, msid } from "./attributes/msid.js";
import { type Rid, rid } from "./attributes/rid.js";
import { type RtcpAddress, rtcp } from "./attributes/rtcp.js";
import { type RtcpFeedback, rtcpFb } from "./attributes/rtcp-fb.js";
import { type Rtpmap, rtpmap } from "./attributes/rtpmap.js";
import { maxMessageSize, sctpPort } from "./attributes/sctp.js";
import { type Simulcast, simulcast } from "./attributes/simulcast.js";
import { type SsrcAttribute, type SsrcGroup, ssrc, ssrcGroup } from "./attributes/ssrc.js";
import { type Codec, joinCodecs } from "./codecs.js";
import { SdpSection } from "./section.js";

/** One media description: the `m=` line and what follows it up to the next `m=` (RFC 8866 §5.14). */
export class MediaSection extends SdpSection {
  constructor(
    /** `audio`, `video`, `application`, ... */
    public kind: string,
    public port: number,
    /** The protocol: `UDP/TLS/RTP/SAVPF`, `UDP/DTLS/SCTP`, ... */
    public protocol: string,
    /** The `<fmt>` list as written: payload types for RTP, `webrtc-datachannel` for SCTP. */
    public formats: string[],
    /** The `/<number of ports>` suffix, when written. */
    public portCount: number | undefined = undefined,
  ) {
    super();
  }

  /** `a=mid` (RFC 5888 §4). */
  get mid(): string | undefined {
    return this.get(mid);
  }
  set mid(v: string | undefined) {
    this.set(mid, v);
  }

  /** `a=msid` lines (RFC 8830 §2). */
  msids(): Msid[] {
    return this.getAll(msid);
  }
  addMsid(m: Msid): void {
    this.add(msid, m);
  }

  // ---- RTP ----

  rtpmaps(): Rtpmap[] {
    return this.getAll(rtpmap);
  }
  fmtps(): Fmtp[] {
    return this.getAll(fmtp);
  }
  rtcpFeedbacks(): RtcpFeedback[] {
    return this.getAll(rtcpFb);
  }
  /** The payload types of the m= line joined with their rtpmap, fmtp and rtcp-fb lines. */
  codecs(): Codec[] {
    return joinCodecs(this.formats, this.attributes);
  }
  /** Append a codec: its payload type to the m= line, then its rtpmap, rtcp-fb and fmtp lines. */
  addCodec(c: Omit<Codec, "feedback"> & { feedback?: readonly RtcpFeedback[] }): void {
    this.formats.push(String(c.payloadType));
    const map: Rtpmap = { payloadType: c.payloadType, encodingName: c.name, clockRate: c.clockRate };
    if (c.channels !== undefined) map.channels = c.channels;
    this.add(rtpmap, map);
    for (const fb of c.feedback ?? []) this.add(rtcpFb, { ...fb, payloadType: c.payloadType });
    if (c.fmtp !== undefined) this.add(fmtp, { payloadType: c.payloadType, parameters: c.fmtp });
  }
  /** Remove a payload type from the m= line and its rtpmap, fmtp and rtcp-fb lines. */
  removeCodec(payloadType: number): void {
    const pt = String(payloadType);
    this.formats = this.formats.filter((f) => f !== pt);
    const ours = (v: string | undefined) => v !== undefined && v.startsWith(pt) && (v.length === pt.length || v[pt.length] === " ");
    this.removeAttributes("rtpmap", (a) => ours(a.value));
    this.removeAttributes("fmtp", (a) => ours(a.value));
    this.removeAttributes("rtcp-fb", (a) => ours(a.value));
  }

  /** `a=ssrc` lines (RFC 5576 §4.1), one per ssrc attribute. */
  ssrcs(): SsrcAttribute[] {
    return this.getAll(ssrc);
  }
  addSsrc(s: SsrcAttribute): void {
    this.add(ssrc, s);
  }
  /** `a=ssrc-group` lines (RFC 5576 §4.2). */
  ssrcGroups(): SsrcGroup[] {
    return this.getAll(ssrcGroup);
  }
  addSsrcGroup(g: SsrcGroup): void {
    this.add(ssrcGroup, g);
  }

  /** `a=rid` lines (RFC 8851). */
  rids(): Rid[] {
    return this.getAll(rid);
  }
  addRid(r: Rid): void {
    this.add(rid, r);
  }
  /** `a=simulcast` (RFC 8853). */
  get simulcast(): Simulcast | undefined {
    return this.get(simulcast);
  }
  set simulcast(v: Simulcast | undefined) {
    this.set(simulcast, v);
  }

  // ---- RTCP ----

  /** `a=rtcp` (RFC 3605). */
  get rtcp(): RtcpAddress | undefined {
    return this.get(rtcp);
  }
  set rtcp(v: RtcpAddress | undefined) {
    this.set(rtcp, v);
  }
  /** `a=rtcp-mux` (RFC 5761 §5.1.1). */
  get rtcpMux(): boolean {
    return this.flag("rtcp-mux");
  }
  set rtcpMux(on: boolean) {
    this.setFlag("rtcp-mux", on);
  }
  /** `a=rtcp-mux-only` (RFC 8858). */
  get rtcpMuxOnly(): boolean {
    return this.flag("rtcp-mux-only");
  }
  set rtcpMuxOnly(on: boolean) {
    this.setFlag("rtcp-mux-only", on);
  }
  /** `a=rtcp-rsize` (RFC 5506 §5). */
  get rtcpRsize(): boolean {
    return this.flag("rtcp-rsize");
  }
  set rtcpRsize(on: boolean) {
    this.setFlag("rtcp-rsize", on);
  }

  // ---- SCTP (RFC 8841) ----

  get sctpPort(): number | undefined {
    return this.get(sctpPort);
  }
  set sctpPort(v: number | undefined) {
    this.set(sctpPort, v);
  }
  get maxMessageSize(): number | undefined {
    return this.get(maxMessageSize);
  }
  set maxMessageSize(v: number | undefined) {
    this.set(maxMessageSize, v);
  }

  // ---- candidates: raw strings, the ice package parses them ----

  /** The values of the `a=candidate` lines (the text after `a=candidate:`), in order. */
  candidates(): string[] {
    const out: string[] = [];
    const list = this.attributes;
    for (let i = 0; i < list.length; i++) {
      const a = list[i];
      if (a.name === "candidate" && a.value !== undefined) out.push(a.value);
    }
    return out;
  }
  /** Add a candidate value, before `a=end-of-candidates` when there is one. */
  addCandidate(value: string): void {
    const list = this.attributes;
    const a = { name: "candidate", value, line: undefined };
    const eoc = list.findIndex((x) => x.name === "end-of-candidates");
    if (eoc < 0) list.push(a);
    else list.splice(eoc, 0, a);
  }
  /** Remove the candidate with exactly this value; returns whether one was removed. */
  removeCandidate(value: string): boolean {
    return this.removeAttributes("candidate", (a) => a.value === value) > 0;
  }
  /** Remove every candidate; returns how many. */
  clearCandidates(): number {
    return this.removeAttributes("candidate");
  }
  /** `a=end-of-candidates` (RFC 8840 §8.2). */
  get endOfCandidates(): boolean {
    return this.flag("end-of-candidates");
  }
  set endOfCandidates(on: boolean) {
    this.setFlag("end-of-candidates", on);
  }
}
