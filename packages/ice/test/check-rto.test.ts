import { describe, expect, it } from "vitest";
import { SeededRandom, address } from "@tsrtc/base";
import { IceAgent } from "../src/agent.js";

describe("RFC 8445 §14.3: RTO = MAX(500 ms, Ta * (Waiting + In-Progress pairs))", () => {
  it("does not count Frozen pairs: the first check is retransmitted after 500 ms, not Ta * all pairs", () => {
    const a = new IceAgent({ controlling: true }, new SeededRandom(1));
    a.gather([{ address: address("10.0.0.1", 5000) }], 0);
    a.setRemoteCredentials({ ufrag: "peer", pwd: "peerpeerpeerpeerpeerpeer" }, 0);
    // Thirty remote candidates of one foundation: one pair Waiting, twenty-nine Frozen.
    for (let i = 0; i < 30; i++) a.addRemoteCandidate(`candidate:F 1 udp ${2000000000 - i} 10.0.1.${i} 6000 typ host`, 0);
    expect(a.pairs.filter((p) => p.state === "frozen")).toHaveLength(29);
    const sends: { at: number; to: string }[] = [];
    for (let t = 0; t <= 700; t += 10) {
      a.handleTimeout(t);
      for (let x = a.pollTransmit(); x; x = a.pollTransmit()) sends.push({ at: t, to: x.to.host });
    }
    const first = sends.filter((s) => s.to === "10.0.1.0").map((s) => s.at);
    expect(first).toEqual([0, 500]);
    // And no other pair of the foundation was checked meanwhile (§6.1.4.2).
    expect(new Set(sends.map((s) => s.to))).toEqual(new Set(["10.0.1.0"]));
  });
});
