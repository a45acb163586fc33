/**
 * HelloVerifyRequest cookies (RFC 6347 §4.2.1): stateless (a keyed MAC, nothing stored) and
 * bound to the ClientHello's parameters, so a cookie cannot be carried over to another hello.
 */
import { SeededRandom } from "@tsrtc/base";
import { describe, expect, it } from "vitest";
import { COOKIE_LENGTH, CookieFactory } from "../src/cookie.js";
import type { ClientHello } from "../src/handshake/messages/client-hello.js";

const rng = new SeededRandom(4);

function hello(): ClientHello {
  return {
    version: 0xfefd,
    random: rng.fill(new Uint8Array(32)),
    sessionId: new Uint8Array(0),
    cookie: new Uint8Array(0),
    cipherSuites: [0xc02b, 0xc02f],
    compressionMethods: Uint8Array.of(0),
    extensions: [
      { type: 10, data: Uint8Array.of(0, 2, 0, 29) },
      { type: 23, data: new Uint8Array(0) },
    ],
  };
}

describe("cookies", () => {
  const f = new CookieFactory(new SeededRandom(1));

  it("verify the hello they were made for, whatever cookie field it carried when made", () => {
    const h = hello();
    const c = f.compute(h);
    expect(c.length).toBe(COOKIE_LENGTH);
    expect(f.verify({ ...h, cookie: c })).toBe(true);
    expect(f.compute({ ...h, cookie: c })).toEqual(c); // the cookie field itself is not covered
  });

  it("do not verify once any other parameter changes", () => {
    const h = hello();
    const cookie = f.compute(h);
    const changed: ClientHello[] = [
      { ...h, version: 0xfeff },
      { ...h, random: Uint8Array.from(h.random, (b, i) => (i === 31 ? b ^ 1 : b)) },
      { ...h, sessionId: Uint8Array.of(1) },
      { ...h, cipherSuites: [0xc02f, 0xc02b] },
      { ...h, compressionMethods: Uint8Array.of(0, 1) },
      { ...h, extensions: h.extensions.slice(0, 1) },
      { ...h, extensions: [{ type: 10, data: Uint8Array.of(0, 2, 0, 23) }, h.extensions[1]] },
      { ...h, extensions: [h.extensions[0], { type: 24, data: new Uint8Array(0) }] },
    ];
    for (const c of changed) expect(f.verify({ ...c, cookie })).toBe(false);
  });

  it("made by another server secret, truncated or extended, they do not verify", () => {
    const h = hello();
    const cookie = f.compute(h);
    expect(new CookieFactory(new SeededRandom(2)).verify({ ...h, cookie })).toBe(false);
    expect(f.verify({ ...h, cookie: cookie.subarray(0, COOKIE_LENGTH - 1) })).toBe(false);
    expect(f.verify({ ...h, cookie: Uint8Array.of(...cookie, 0) })).toBe(false);
    expect(f.verify({ ...h, cookie: new Uint8Array(0) })).toBe(false);
  });
});
