import { beforeAll, describe, expect, it } from "vitest";
import { runInNetns, scenarioPath } from "./harness/run-in-netns.js";
import type { RunResult } from "./scenarios/chromium-datachannel.js";

// tsrtc ↔ headless Chromium over data channels. One scenario process (one namespace, one
// browser launch) runs four connections: mDNS and raw-IP host candidates, Node offering and
// Chromium offering, trickle and complete descriptions (the trickle runs also restart ICE).
// Each `it` below checks one aspect of every connection from the scenario's RESULT (see
// scenarios/chromium-datachannel.ts).
interface Result {
  version: string;
  launchMs: number;
  totalMs: number;
  runs: RunResult[];
  nodeErrors: string[];
}

const RUNS = [
  "mdns, Node offers, trickle",
  "mdns, Chromium offers, complete descriptions",
  "raw, Node offers, complete descriptions",
  "raw, Chromium offers, trickle",
];

let result: Result;
beforeAll(async () => {
  result = await runInNetns<Result>(scenarioPath("chromium-datachannel.ts"), [], 120_000);
}, 150_000);

const run = (name: string): RunResult => {
  const r = result.runs.find((x) => x.name === name);
  if (!r) throw new Error(`no run '${name}' in ${JSON.stringify(result.runs.map((x) => x.name))}`);
  if (r.error) throw new Error(`${name}: ${r.error}`);
  return r;
};

describe("data channels between tsrtc and headless Chromium", () => {
  it("ran every connection, and nothing threw in the Node process", () => {
    expect(result.runs.map((r) => r.name)).toEqual(RUNS);
    expect(result.nodeErrors).toEqual([]);
  });

  describe.each(RUNS)("%s", (name) => {
    it("gathers as the mode says: .local names without media permission, raw IPs with it", () => {
      const r = run(name);
      expect(r.browserCandidates.length).toBeGreaterThan(0);
      if (r.mode === "mdns") {
        expect(r.browserCandidates.every((c) => /\.local \d+ typ host/.test(c))).toBe(true);
        expect(r.browserCandidates.some((c) => c.includes("198.18."))).toBe(false);
      } else {
        expect(r.browserCandidates.some((c) => / 198\.18\.0\.[12] \d+ typ host/.test(c))).toBe(true);
      }
    });

    it("opens three channels with the same labels, protocols and ids on both sides", () => {
      const r = run(name);
      const byLabel = (l: { label: string; protocol: string; id: number | null }[]) =>
        [...l].sort((x, y) => x.label.localeCompare(y.label)).map((c) => [c.label, c.protocol, c.id]);
      expect(byLabel(r.nodeChannels!).map((c) => c.slice(0, 2))).toEqual([["a", ""], ["b", "json"], ["c", "bin"]]);
      expect(byLabel(r.browserChannels!)).toEqual(byLabel(r.nodeChannels!));
    });

    it("carries interleaved strings and binary on the three channels both ways, in order, a 256 KiB message each way", () => {
      const r = run(name);
      expect(r.browserSendErrors).toEqual([]);
      expect(r.atBrowser!.got).toEqual(r.atBrowser!.expected);
      expect(r.atNode!.got).toEqual(r.atNode!.expected);
      expect(r.atNode!.expected.a).toContain("b:262144:ok");
      expect(r.atBrowser!.expected.a).toContain("b:262144:ok");
    });

    it("refuses send() above the remote limit with TypeError; tsrtc.remoteMaxMessageSize lets 1 MiB through", () => {
      const r = run(name);
      expect(r.browserMaxMessageSize).toBe(262144); // what tsrtc advertises
      expect(r.aboveLimit).toBe("TypeError");
      if (r.override) {
        expect(r.maxMessageSize).toBe(1 << 20);
        expect(r.megabyte).toBe("b:1048576:ok");
      } else {
        expect(r.maxMessageSize).toBe(262144); // Chromium's a=max-message-size
      }
    });

    it("getStats shows the same selected pair, DTLS cipher and version, certificates on both sides", () => {
      const r = run(name);
      const n = r.nodeStats!;
      const b = r.browserStats!;
      expect(n.error).toBeUndefined();
      expect(b.error).toBeUndefined();
      // Node's local candidate is Chromium's remote one, address and port.
      expect(n.local).toMatchObject({ address: b.remote!.address, port: b.remote!.port, protocol: "udp" });
      // Chromium's local candidate is Node's remote one. Chromium redacts its own address in
      // its stats when it hides it behind mDNS: then the port, and the address Node used must be
      // the .local name Chromium signaled or an address of the namespace.
      expect(n.remote!.port).toBe(b.local!.port);
      if (b.local!.address === "") {
        expect(r.mode).toBe("mdns");
        const names = r.browserCandidates.map((c) => c.split(" ")[4]);
        expect(names.includes(String(n.remote!.address)) || /^198\.18\.0\.[12]$/.test(String(n.remote!.address))).toBe(true);
      } else {
        expect(n.remote!.address).toBe(b.local!.address);
      }
      expect(n.pairState).toBe("succeeded");
      expect(b.pairState).toBe("succeeded");
      expect(n.dtlsCipher).toBe(b.dtlsCipher);
      expect(n.dtlsCipher).toMatch(/^TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256$/);
      expect(n.tlsVersion).toBe(b.tlsVersion);
      expect(n.localFingerprint).toBe(b.remoteFingerprint);
      expect(n.remoteFingerprint).toBe(b.localFingerprint);
      // The offerer controls ICE and is the DTLS server (the answerer says a=setup:active).
      const [offerer, answerer] = r.nodeOffers ? [n, b] : [b, n];
      expect([offerer.iceRole, offerer.dtlsRole, answerer.iceRole, answerer.dtlsRole]).toEqual(["controlling", "server", "controlled", "client"]);
    });

    it("opens channels on the live connection from either side (ids by DTLS role), negotiated and partially reliable ones", () => {
      const r = run(name);
      const l = r.later!;
      expect(l.browserView).toEqual(l.nodeView);
      const [fromNode, fromChromium, neg, partial] = l.nodeView;
      // RFC 8832 §6: the DTLS client (the answerer) takes even ids, the server odd ones.
      const nodeIsServer = r.nodeOffers;
      expect(fromNode).toMatchObject({ label: "from-node", protocol: "n", ordered: true, negotiated: false });
      expect(fromNode.id! % 2).toBe(nodeIsServer ? 1 : 0);
      expect(fromChromium).toMatchObject({ label: "from-chromium", protocol: "c", ordered: true, negotiated: false });
      expect(fromChromium.id! % 2).toBe(nodeIsServer ? 0 : 1);
      expect(neg).toMatchObject({ label: "neg", id: 40, negotiated: true });
      expect(partial).toMatchObject(
        r.nodeOffers ? { ordered: false, maxRetransmits: 0, maxPacketLifeTime: null } : { ordered: false, maxRetransmits: null, maxPacketLifeTime: 500 },
      );
      for (const label of ["from-node", "from-chromium", "neg"]) {
        expect(l.atNode[label]).toEqual(Array.from({ length: 20 }, (_, i) => `s:${label}-c${i}`));
        expect(l.atBrowser[label]).toEqual(Array.from({ length: 20 }, (_, i) => `s:${label}-n${i}`));
      }
      // Unordered with no retransmission: whatever arrives is intact and arrives once.
      for (const [got, tag] of [[l.atNode.partial, "c"], [l.atBrowser.partial, "n"]] as const) {
        expect(got.length).toBeGreaterThan(0);
        expect(new Set(got).size).toBe(got.length);
        for (const m of got) expect(m).toMatch(new RegExp(`^s:partial-${tag}(1?\\d)$`));
      }
    });

    it("restarts ICE from the offerer's side (trickle runs): new credentials both ways, the channel carries on", () => {
      const r = run(name);
      if (!r.trickle) {
        expect(r.restart).toBeUndefined();
        return;
      }
      expect(r.restart).toEqual({
        by: r.nodeOffers ? "node" : "browser",
        remoteUfragChanged: true,
        localUfragChanged: true,
        nodeIce: expect.stringMatching(/^(connected|completed)$/),
        browserIce: expect.stringMatching(/^(connected|completed)$/),
        signaling: "stable",
        atNode: ["s:after-restart-from-chromium"],
        atBrowser: ["s:after-restart-from-node"],
      });
    });

    it("closes a channel from either side, the third keeps working; closing the peer connection closes the other side's channel", () => {
      const r = run(name);
      expect(r.closes).toEqual({
        nodeB: "closed",
        browserB: true,
        nodeC: "closed",
        browserC: true,
        nodeAState: "open",
        afterClose: { atNode: ["s:after-close-from-chromium"], atBrowser: ["s:after-close-from-node"] },
      });
      expect(r.pcClose).toEqual({ by: r.nodeOffers ? "browser" : "node", otherChannelClosed: true, otherState: "closed" });
      // Chromium reports the ABORT that tsrtc's close() sends (as Chromium's own close does) as
      // an error on the channel; nothing else may go wrong on its side.
      for (const e of r.browserErrors!) expect(e).toMatch(/^[\w-]+: User-Initiated Abort/);
      if (r.nodeOffers) expect(r.browserErrors).toEqual([]);
    });
  });
});
