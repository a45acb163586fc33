/**
 * MAPPED-ADDRESS (RFC 8489 §14.1) and the XOR forms (§14.2): XOR-MAPPED-ADDRESS, and TURN's
 * XOR-PEER-ADDRESS and XOR-RELAYED-ADDRESS (RFC 8656 §18); ALTERNATE-SERVER (§14.15)
 * shares the plain layout. Value: reserved byte, family (1 = IPv4, 2 = IPv6), port, address.
 */
import { type Address, bytesToIp, ipToBytes } from "@tsrtc/base";
import { MAGIC_COOKIE } from "../constants.js";
import { stunError } from "./errors.js";

const V6 = new Uint8Array(16);

/**
 * Parsed IP bytes by host string. A response goes back to the address its request came from,
 * so the same few hosts are written again and again; parsing the literal each time cost ~7 % of
 * an ICE agent's request handling. Bounded: emptied when full, so a flood of sources cannot grow it.
 */
const HOST_BYTES = new Map<string, Uint8Array>();
const HOST_CACHE_MAX = 256;

function hostBytes(host: string): Uint8Array {
  let b = HOST_BYTES.get(host);
  if (b === undefined) {
    b = ipToBytes(host);
    if (HOST_BYTES.size >= HOST_CACHE_MAX) HOST_BYTES.clear();
    HOST_BYTES.set(host, b);
  }
  return b;
}

/**
 * Decode an address value at data[at, at + len). With `xorWith` (the message bytes, whose
 * cookie and transaction id sit at 4..19), port and address are XORed as §14.2 describes.
 */
export function readAddress(data: Uint8Array, at: number, len: number, xorWith?: Uint8Array): Address {
  if (len < 4) throw stunError("bad-address", `address value of ${len} bytes`, at);
  const family = data[at + 1];
  let port = (data[at + 2] << 8) | data[at + 3];
  if (xorWith) port ^= MAGIC_COOKIE >>> 16;
  if (family === 0x01) {
    if (len !== 8) throw stunError("bad-address", `IPv4 address value of ${len} bytes`, at);
    let a = data[at + 4];
    let b = data[at + 5];
    let c = data[at + 6];
    let d = data[at + 7];
    if (xorWith) {
      a ^= 0x21;
      b ^= 0x12;
      c ^= 0xa4;
      d ^= 0x42;
    }
    return { family: 4, host: `${a}.${b}.${c}.${d}`, port };
  }
  if (family === 0x02) {
    if (len !== 20) throw stunError("bad-address", `IPv6 address value of ${len} bytes`, at);
    for (let i = 0; i < 16; i++) V6[i] = xorWith ? data[at + 4 + i] ^ xorWith[4 + i] : data[at + 4 + i];
    return { family: 6, host: bytesToIp(V6), port };
  }
  throw stunError("bad-address", `unknown address family ${family}`, at + 1);
}

/** Length of the value `writeAddress` produces for `addr`. */
export function addressValueLength(addr: Address): number {
  return addr.family === 6 ? 20 : 8;
}

/**
 * Encode `addr` at buf[at..]; with `xorWith` (the message being built, whose header is already
 * written) the XOR form. Returns the value length.
 */
export function writeAddress(buf: Uint8Array, at: number, addr: Address, xorWith?: Uint8Array): number {
  const ip = hostBytes(addr.host);
  const v6 = ip.length === 16;
  if (v6 !== (addr.family === 6)) throw new TypeError(`address family ${addr.family} does not match host ${addr.host}`);
  buf[at] = 0;
  buf[at + 1] = v6 ? 0x02 : 0x01;
  const port = xorWith ? addr.port ^ (MAGIC_COOKIE >>> 16) : addr.port;
  buf[at + 2] = port >>> 8;
  buf[at + 3] = port;
  for (let i = 0; i < ip.length; i++) buf[at + 4 + i] = xorWith ? ip[i] ^ xorWith[4 + i] : ip[i];
  return v6 ? 20 : 8;
}
