/**
 * @tsrtc/sdp: SDP (RFC 8866) parse and serialize, lossless, with lazy typed attribute accessors.
 *
 *   const d = parseSdp(text);              // one pass; throws SdpParseError("line N: expected ...")
 *   d.bundle; d.media[0].mid; d.media[0].codecs(); d.media[0].fingerprint; d.media[0].iceUfrag;
 *   d.media[0].direction = "recvonly";     // accessors write through the ordered attribute list
 *   serializeSdp(d) === text;              // byte-exact for an unmodified browser SDP
 *
 * No JSEP negotiation and no ICE/DTLS semantics here: candidates stay strings (the ice package
 * parses them), fingerprints and setup roles are syntax only.
 */
export * from "./errors.js";
export * from "./types.js";
export { SdpSection } from "./section.js";
export { SessionDescription } from "./session-description.js";
export { MediaSection } from "./media-section.js";
export { parseSdp, type ParseOptions } from "./parse.js";
export { serializeSdp } from "./serialize.js";
export { type Codec, joinCodecs } from "./codecs.js";
export {
  parseOrigin,
  formatOrigin,
  parseConnection,
  formatConnection,
  parseBandwidth,
  formatBandwidth,
  parseTime,
  parseMediaLine,
  formatMediaLine,
} from "./fields.js";
export type { AttributeCodec } from "./attributes/codec.js";
export { TYPED_ATTRIBUTES } from "./attributes/registry.js";
export * from "./attributes/rtpmap.js";
export * from "./attributes/fmtp.js";
export * from "./attributes/rtcp-fb.js";
export * from "./attributes/extmap.js";
export * from "./attributes/ssrc.js";
export * from "./attributes/msid.js";
export * from "./attributes/group.js";
export * from "./attributes/ice.js";
export * from "./attributes/fingerprint.js";
export * from "./attributes/setup.js";
export * from "./attributes/rtcp.js";
export * from "./attributes/sctp.js";
export * from "./attributes/rid.js";
export * from "./attributes/simulcast.js";
export * from "./attributes/mid.js";
export { isDirection } from "./attributes/direction.js";
