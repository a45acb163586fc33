import type { AttributeCodec } from "./codec.js";
import { extmap } from "./extmap.js";
import { fingerprint } from "./fingerprint.js";
import { fmtp } from "./fmtp.js";
import { group } from "./group.js";
import { iceOptions, icePwd, iceUfrag } from "./ice.js";
import { mid } from "./mid.js";
import { msid, msidSemantic } from "./msid.js";
import { rid } from "./rid.js";
import { rtcp } from "./rtcp.js";
import { rtcpFb } from "./rtcp-fb.js";
import { rtpmap } from "./rtpmap.js";
import { maxMessageSize, sctpPort } from "./sctp.js";
import { setup } from "./setup.js";
import { simulcast } from "./simulcast.js";
import { ssrc, ssrcGroup } from "./ssrc.js";

/** Every attribute with a typed codec, by name: what `parseSdp(text, { validate: true })` checks. */
export const TYPED_ATTRIBUTES: ReadonlyMap<string, AttributeCodec<unknown>> = new Map(
  [
    rtpmap, fmtp, rtcpFb, extmap, ssrc, ssrcGroup, msid, msidSemantic, mid, group, iceUfrag, icePwd,
    iceOptions, fingerprint, setup, rtcp, sctpPort, maxMessageSize, rid, simulcast,
  ].map((c) => [c.name, c as AttributeCodec<unknown>]),
);
