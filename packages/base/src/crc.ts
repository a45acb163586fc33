/**
 * Reflected CRC-32 family. One builder serves CRC-32 (STUN FINGERPRINT, RFC 8489 §14.7) and
 * CRC-32C (SCTP, RFC 9260 Appendix B). Slicing-by-16: on little-endian hosts the aligned middle
 * of the input is read as 32-bit words, sixteen bytes per step; the ends go byte by byte.
 */
export type Crc = (data: Uint8Array, start?: number, end?: number) => number;

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

export function makeCrc32(poly: number): Crc {
  const t = new Int32Array(256 * 16);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let s = 1; s < 16; s++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[s * 256 + n] = c;
    }
  }
  return (data, start = 0, end = data.length) => crcWithTable(t, data, start, end);
}

/** The shared loop: the table is an argument so both polynomials run one optimised function. */
function crcWithTable(t: Int32Array, data: Uint8Array, start: number, end: number): number {
  let crc = -1;
  let i = start;
  if (LITTLE_ENDIAN && end - i >= 32) {
    while (((data.byteOffset + i) & 3) !== 0) crc = t[(crc ^ data[i++]) & 0xff] ^ (crc >>> 8);
    const blocks = (end - i) >> 4;
    const w = new Int32Array(data.buffer, data.byteOffset + i, blocks * 4);
    for (let k = 0; k < w.length; k += 4) {
      const a = w[k] ^ crc;
      const b = w[k + 1];
      const c = w[k + 2];
      const d = w[k + 3];
      crc =
        t[3840 + (a & 0xff)] ^
        t[3584 + ((a >>> 8) & 0xff)] ^
        t[3328 + ((a >>> 16) & 0xff)] ^
        t[3072 + (a >>> 24)] ^
        t[2816 + (b & 0xff)] ^
        t[2560 + ((b >>> 8) & 0xff)] ^
        t[2304 + ((b >>> 16) & 0xff)] ^
        t[2048 + (b >>> 24)] ^
        t[1792 + (c & 0xff)] ^
        t[1536 + ((c >>> 8) & 0xff)] ^
        t[1280 + ((c >>> 16) & 0xff)] ^
        t[1024 + (c >>> 24)] ^
        t[768 + (d & 0xff)] ^
        t[512 + ((d >>> 8) & 0xff)] ^
        t[256 + ((d >>> 16) & 0xff)] ^
        t[d >>> 24];
    }
    i += blocks * 16;
  }
  while (i < end) crc = t[(crc ^ data[i++]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** CRC-32 (IEEE 802.3, polynomial 0x04C11DB7 reflected). */
export const crc32: Crc = makeCrc32(0xedb88320);

/** CRC-32C (Castagnoli, polynomial 0x1EDC6F41 reflected), as SCTP uses it. */
export const crc32c: Crc = makeCrc32(0x82f63b78);
