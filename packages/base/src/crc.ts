/**
 * Reflected CRC-32 family, slicing-by-8. One builder serves CRC-32 (STUN FINGERPRINT,
 * RFC 8489 §14.7) and CRC-32C (SCTP, RFC 9260 Appendix B).
 */
export type Crc = (data: Uint8Array, start?: number, end?: number) => number;

export function makeCrc32(poly: number): Crc {
  const t = new Uint32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let s = 1; s < 8; s++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[s * 256 + n] = c >>> 0;
    }
  }
  return (data, start = 0, end = data.length) => {
    let crc = 0xffffffff;
    let i = start;
    const stop8 = end - ((end - start) & 7);
    while (i < stop8) {
      const lo = crc ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
      const hi = data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24);
      crc =
        t[1792 + (lo & 0xff)] ^
        t[1536 + ((lo >>> 8) & 0xff)] ^
        t[1280 + ((lo >>> 16) & 0xff)] ^
        t[1024 + (lo >>> 24)] ^
        t[768 + (hi & 0xff)] ^
        t[512 + ((hi >>> 8) & 0xff)] ^
        t[256 + ((hi >>> 16) & 0xff)] ^
        t[hi >>> 24];
      i += 8;
    }
    while (i < end) crc = t[(crc ^ data[i++]) & 0xff] ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
  };
}

/** CRC-32 (IEEE 802.3, polynomial 0x04C11DB7 reflected). */
export const crc32: Crc = makeCrc32(0xedb88320);

/** CRC-32C (Castagnoli, polynomial 0x1EDC6F41 reflected), as SCTP uses it. */
export const crc32c: Crc = makeCrc32(0x82f63b78);
