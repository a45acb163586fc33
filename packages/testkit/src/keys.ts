import { type Address, addressKey } from "@tsrtc/base";

const cache = new WeakMap<Address, string>();

/**
 * `addressKey` memoised per Address object: cores reuse their address objects, so the
 * simulation's per-datagram map lookups do not rebuild the same strings.
 */
export function keyOf(a: Address): string {
  let k = cache.get(a);
  if (k === undefined) {
    k = addressKey(a);
    cache.set(a, k);
  }
  return k;
}
