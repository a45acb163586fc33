/**
 * Server-side passwords for the long-term credential mechanism (RFC 8489 §9.2): a static user
 * table, and time-limited REST credentials (coturn's use-auth-secret as in
 * draft-uberti-behave-turn-rest: username "<expiry unix seconds>:<user>", password
 * base64(HMAC-SHA1(secret, username)), refused once the expiry has passed).
 */
import { createHmac } from "node:crypto";
import type { Millis } from "@tsrtc/base";
import type { RestCredentials } from "./types.js";

/** The REST password for a username (what the web service hands to the browser). */
export function restPassword(secret: string, username: string): string {
  return createHmac("sha1", secret).update(username, "utf8").digest("base64");
}

export class CredentialStore {
  constructor(
    private readonly users: Record<string, string> | undefined,
    private readonly rest: RestCredentials | undefined,
  ) {}

  /** The password of `username` at `now`, or undefined (unknown, or an expired REST username). */
  password(username: string, now: Millis): string | undefined {
    if (this.users && Object.hasOwn(this.users, username)) return this.users[username];
    const rest = this.rest;
    if (!rest) return undefined;
    const colon = username.indexOf(":");
    const stamp = colon < 0 ? username : username.slice(0, colon);
    if (!/^[0-9]{1,12}$/.test(stamp)) return undefined;
    if (Number(stamp) <= rest.unixSeconds(now)) return undefined;
    return restPassword(rest.secret, username);
  }
}
