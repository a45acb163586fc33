/**
 * What to do with an INIT or a COOKIE ECHO that meets an existing association (RFC 9260 §5.2),
 * as pure functions of the chunk and the association's tags: the INIT sanity rules (§3.3.2),
 * the staleness rule of §5.2.4 step 3 and the action table of §5.2.4 (Table 2).
 */
import type { InitChunk } from "./chunks/init.js";
import type { CookieState } from "./cookie.js";

/**
 * §3.3.2: an INIT whose Initiate Tag is 0 is silently discarded; one with no outbound or no
 * inbound streams is answered with an ABORT under its Initiate Tag. Neither changes the state of
 * an existing association.
 */
export function checkInit(init: InitChunk): "ok" | "discard" | "abort" {
  if (init.initiateTag === 0) return "discard";
  if (init.outStreams === 0 || init.inStreams === 0) return "abort";
  return "ok";
}

/** The tags of the association a COOKIE ECHO meets (0 where not known yet). */
export interface TcbTags {
  localTag: number;
  peerTag: number;
  /** The Tie-Tags this association puts in its cookies (§5.2.1, §5.2.2); never 0. */
  localTie: number;
  peerTie: number;
}

/**
 * §5.2.4 Table 2, for an authenticated cookie:
 * - A: both tags new, the Tie-Tags are ours: the peer restarted;
 * - B: our tag, a new (or unknown) peer tag: the peer's INIT crossed ours; take its tag;
 * - C: a new local tag, the peer's current tag, no Tie-Tags: a late cookie, discard;
 * - D: both tags match: a duplicate, answer with COOKIE ACK;
 * - none: any other combination, discard.
 */
export type CookieCase = "A" | "B" | "C" | "D" | "none";

export function classifyCookie(c: CookieState, tcb: TcbTags): CookieCase {
  const local = c.localTag === tcb.localTag;
  const peer = c.peerTag === tcb.peerTag;
  if (local && peer) return "D";
  if (local) return "B";
  if (peer) return c.localTieTag === 0 && c.peerTieTag === 0 ? "C" : "none";
  if (c.localTieTag !== 0 && c.localTieTag === tcb.localTie && c.peerTieTag === tcb.peerTie) return "A";
  return "none";
}

/**
 * §5.1.5 step 4 and §5.2.4 step 3: a cookie older than its lifespan is stale. With an association
 * (§5.2.4 step 3) it is stale only if, in addition, "the Verification Tag contained in the State
 * Cookie" does not match "the current association's Verification Tag". That tag is ours (the
 * one the peer puts in its packets to us, which §5.1.5 step 3 compares with the packet's header:
 * `c.localTag`), so the peer's tag plays no part: an expired cookie under our current tag is
 * valid (the crossed INIT of case B, the duplicate of case D: the RFC's "both Verification Tags
 * match" sentence is the D half of this), one under another tag (a restart, case A; a late
 * cookie, case C) is stale. Such a cookie could only have been made for the setup of this very
 * association, and its packet was checked to carry our tag. A cookie dated more than a second
 * ahead of our clock is treated the same way.
 */
export function cookieIsStale(c: CookieState, now: number, lifetime: number, tcb: TcbTags | undefined): boolean {
  const age = now - c.createdAt;
  if (age <= lifetime && age >= -1000) return false;
  return !(tcb && c.localTag === tcb.localTag);
}
