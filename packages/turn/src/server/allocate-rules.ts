/**
 * The checks of an authenticated Allocate request that need no allocation table (RFC 8656
 * §7.2): REQUESTED-TRANSPORT (UDP only, else 442), DONT-FRAGMENT (not offered: 420),
 * EVEN-PORT (an even port asked of allocateRelay; reserving the next one, R = 1, and
 * RESERVATION-TOKEN are not offered: 508), REQUESTED-ADDRESS-FAMILY (440 when not
 * served; 400 with ADDITIONAL-ADDRESS-FAMILY), and the lifetime granted.
 */
import type { IpFamily } from "@tsrtc/base";
import { AddressFamily, AttrType, type StunMessage, TransportProtocol } from "@tsrtc/stun";

export type AllocateCheck = { ok: true; family: IpFamily; evenPort: boolean } | { ok: false; code: number; unknown?: number[] };

export function checkAllocate(m: StunMessage, families: readonly IpFamily[]): AllocateCheck {
  const transport = m.requestedTransport();
  if (transport === undefined) return { ok: false, code: 400 };
  if (transport !== TransportProtocol.UDP) return { ok: false, code: 442 };
  // §7.2: a server that cannot set DF treats DONT-FRAGMENT as unknown comprehension-required.
  if (m.dontFragment()) return { ok: false, code: 420, unknown: [AttrType.DontFragment] };
  const even = m.evenPort();
  if (m.has(AttrType.ReservationToken) || even === true) return { ok: false, code: 508 };
  const requested = m.requestedAddressFamily();
  if (requested !== undefined && m.has(AttrType.AdditionalAddressFamily)) return { ok: false, code: 400 };
  let family: IpFamily = 4;
  if (requested !== undefined) {
    if (requested === AddressFamily.IPv6) family = 6;
    else if (requested !== AddressFamily.IPv4) return { ok: false, code: 440 };
  }
  if (!families.includes(family)) return { ok: false, code: 440 };
  return { ok: true, family, evenPort: even !== undefined };
}

/**
 * §7.2, §8.2: min(asked, max); at least the default. No LIFETIME: the default. (Refresh with
 * LIFETIME 0 is the caller's.)
 */
export function grantedLifetime(asked: number | undefined, defaultLifetime: number, maxLifetime: number): number {
  if (asked === undefined) return defaultLifetime;
  return Math.max(defaultLifetime, Math.min(asked, maxLifetime));
}
