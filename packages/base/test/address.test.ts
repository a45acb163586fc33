import { describe, expect, it } from "vitest";
import {
  address,
  addressKey,
  bytesToIp,
  formatAddress,
  ipFamily,
  ipToBytes,
  isLinkLocal,
  isLoopback,
  isPrivateOrReserved,
  sameAddress,
  toHex,
} from "@tsrtc/base";

describe("addresses", () => {
  it("parses and formats IPv4 and IPv6", () => {
    expect(toHex(ipToBytes("192.0.2.1"))).toBe("c0000201");
    expect(toHex(ipToBytes("2001:db8:1234:5678:11:2233:4455:6677"))).toBe("20010db8123456780011223344556677");
    expect(toHex(ipToBytes("::ffff:1.2.3.4"))).toBe("00000000000000000000ffff01020304");
    expect(bytesToIp(ipToBytes("2001:0db8:0:0:0:0:0:1"))).toBe("2001:db8::1");
    expect(bytesToIp(ipToBytes("::"))).toBe("::");
    expect(bytesToIp(ipToBytes("1:0:0:2:0:0:0:3"))).toBe("1:0:0:2::3");
    expect(formatAddress(address("::1", 9))).toBe("[::1]:9");
    expect(addressKey(address("10.0.0.1", 5))).toBe("10.0.0.1:5");
  });
  it("rejects what is not an address", () => {
    for (const bad of ["1.2.3", "256.1.1.1", "01.2.3.4", "1::2::3", "abc", "", "x.local", "1:2:3:4:5:6:7:8:9"]) {
      expect(ipFamily(bad)).toBeUndefined();
    }
    expect(() => address("host.local", 1)).toThrow(TypeError);
    expect(() => address("1.2.3.4", 70000)).toThrow(RangeError);
  });
  it("normalises IPv6 so equal addresses compare equal", () => {
    expect(sameAddress(address("2001:DB8::0:1", 1), address("2001:db8::1", 1))).toBe(true);
  });
  it("classifies loopback, link-local and ranges a relay must refuse", () => {
    expect(isLoopback("127.3.2.1")).toBe(true);
    expect(isLoopback("::1")).toBe(true);
    expect(isLinkLocal("fe80::1")).toBe(true);
    expect(isLinkLocal("169.254.1.1")).toBe(true);
    for (const p of ["10.1.1.1", "172.16.0.1", "192.168.1.1", "127.0.0.1", "100.64.0.1", "0.0.0.0", "224.0.0.1", "fd00::1", "::ffff:10.0.0.1", "::1"]) {
      expect(isPrivateOrReserved(p)).toBe(true);
    }
    for (const p of ["8.8.8.8", "172.32.0.1", "2606:4700::1111"]) expect(isPrivateOrReserved(p)).toBe(false);
  });
});
