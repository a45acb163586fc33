/**
 * Output buffers for protect/unprotect, carved from shared slabs.
 *
 * A fresh `new Uint8Array(n)` per packet (its own zeroed ArrayBuffer) costs about 0.7 µs in
 * Node 20, several times a pooled `Buffer.allocUnsafe`; but a Buffer's `slice()` does not copy,
 * which surprises code written for Uint8Array. So: plain Uint8Array views on a 32 KiB slab,
 * a new slab when one is used up. A view retained by the caller keeps its slab alive, as Node's
 * own Buffer pool does.
 */
const SLAB = 32 * 1024;
let slab = new ArrayBuffer(SLAB);
let used = 0;

export function allocate(n: number): Uint8Array {
  if (n > SLAB >>> 3) return new Uint8Array(n);
  if (used + n > SLAB) {
    slab = new ArrayBuffer(SLAB);
    used = 0;
  }
  const view = new Uint8Array(slab, used, n);
  used = (used + n + 7) & ~7;
  return view;
}
