import { describe, expect, it } from "vitest";
import { demux } from "@tsrtc/base";

describe("RFC 7983 demux", () => {
  const kind = (first: number, second = 0): string => demux(new Uint8Array([first, second]));
  it("classifies every first-byte range", () => {
    for (let b = 0; b < 256; b++) {
      const k = kind(b, 96);
      if (b <= 3) expect(k).toBe("stun");
      else if (b >= 16 && b <= 19) expect(k).toBe("zrtp");
      else if (b >= 20 && b <= 63) expect(k).toBe("dtls");
      else if (b >= 64 && b <= 79) expect(k).toBe("turn-channel");
      else if (b >= 128 && b <= 191) expect(k).toBe("rtp");
      else expect(k).toBe("unknown");
    }
  });
  it("tells RTCP from RTP by packet type (RFC 5761 §4)", () => {
    expect(kind(0x80, 200)).toBe("rtcp"); // SR
    expect(kind(0x81, 201)).toBe("rtcp"); // RR
    expect(kind(0x8f, 206)).toBe("rtcp"); // PSFB
    expect(kind(0x80, 111)).toBe("rtp");
    expect(kind(0x80, 0x80 | 96)).toBe("rtp"); // marker bit set
  });
  it("drops empty and one-byte RTP-range datagrams", () => {
    expect(demux(new Uint8Array(0))).toBe("unknown");
    expect(demux(new Uint8Array([0x80]))).toBe("unknown");
  });
});
