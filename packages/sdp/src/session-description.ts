import { type Group, group } from "./attributes/group.js";
import { type MsidSemantic, msidSemantic } from "./attributes/msid.js";
import type { MediaSection } from "./media-section.js";
import { SdpSection } from "./section.js";
import type { SdpOrigin, SdpTime } from "./types.js";

/**
 * A whole session description (RFC 8866 §5): the session-level fields and attributes, then the
 * media sections in order. Build one with `new SessionDescription()` or `parseSdp(text)`; write
 * it with `serializeSdp(desc)`.
 */
export class SessionDescription extends SdpSection {
  /** `v=` (RFC 8866 §5.1). */
  version = 0;
  /** `o=` (RFC 8866 §5.2). */
  origin: SdpOrigin = {
    username: "-",
    sessionId: "0",
    sessionVersion: "0",
    netType: "IN",
    addrType: "IP4",
    address: "127.0.0.1",
  };
  /** `s=` (RFC 8866 §5.3); browsers write `-`. */
  sessionName = "-";
  /** `u=` (RFC 8866 §5.5). */
  uri: string | undefined = undefined;
  /** `e=` lines (RFC 8866 §5.6). */
  emails: string[] = [];
  /** `p=` lines (RFC 8866 §5.6). */
  phones: string[] = [];
  /** `t=` lines with their `r=` lines (RFC 8866 §5.9, §5.10); browsers write one `t=0 0`. */
  times: SdpTime[] = [{ start: 0, stop: 0, repeats: [] }];
  /** `z=` (RFC 8866 §5.11), kept as written. */
  timeZones: string | undefined = undefined;
  media: MediaSection[] = [];
  /** Line terminator written by serializeSdp: CRLF per RFC 8866 §5, or LF if the input used it. */
  lineEnding: "\r\n" | "\n" = "\r\n";

  /** `a=group` lines (RFC 5888 §5). */
  groups(): Group[] {
    return this.getAll(group);
  }
  addGroup(g: Group): void {
    this.add(group, g);
  }
  /** Remove the groups with these semantics; returns how many. */
  removeGroups(semantics: string): number {
    return this.removeWhere(group, (g) => g.semantics === semantics);
  }
  /** The mids of the first `a=group:BUNDLE` (RFC 9143 §7.1), or undefined when there is none. */
  get bundle(): string[] | undefined {
    for (const g of this.groups()) if (g.semantics === "BUNDLE") return g.mids;
    return undefined;
  }

  /** `a=msid-semantic` lines (both `:WMS` and Chromium's `: WMS` spellings). */
  msidSemantics(): MsidSemantic[] {
    return this.getAll(msidSemantic);
  }
  addMsidSemantic(m: MsidSemantic): void {
    this.add(msidSemantic, m);
  }

  /** `a=ice-lite` (RFC 8839 §5.3). */
  get iceLite(): boolean {
    return this.flag("ice-lite");
  }
  set iceLite(on: boolean) {
    this.setFlag("ice-lite", on);
  }

  /** The media section whose `a=mid` is `mid`. */
  mediaByMid(mid: string): MediaSection | undefined {
    for (const m of this.media) if (m.mid === mid) return m;
    return undefined;
  }
}
