import { spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { StunBuilder, StunClass, StunMethod, shortTermIntegrityKey } from "@tsrtc/stun";
import { afterEach, describe, expect, it } from "vitest";
import type { RTCDataChannelEvent, RTCPeerConnection, RTCStats } from "../src/index.js";
import { closeAll, connect, makePc, once, until } from "./helpers.js";

const open: RTCPeerConnection[] = [];
afterEach(() => closeAll(...open.splice(0)));

async function connected() {
  const a = makePc();
  const b = makePc();
  open.push(a, b);
  const dc = a.createDataChannel("stats", { protocol: "p" });
  const ch = once<RTCDataChannelEvent>(b, "datachannel");
  await connect(a, b);
  await once(dc, "open");
  const remote = (await ch).channel;
  return { a, b, dc, remote };
}

function byType(r: Map<string, RTCStats>, type: string): RTCStats[] {
  return [...r.values()].filter((s) => s.type === type);
}

describe("getStats", () => {
  it("reports peer-connection, transport, candidates, the selected pair, certificates and channels with real counters", async () => {
    const { a, dc, remote } = await connected();
    const got: unknown[] = [];
    remote.onmessage = (e) => got.push(e.data);
    for (let i = 0; i < 10; i++) dc.send("0123456789");
    await until(() => got.length === 10);
    const r = await a.getStats();
    expect(r).toBeInstanceOf(Map);
    const pcs = byType(r, "peer-connection");
    expect(pcs.length).toBe(1);
    expect(pcs[0].dataChannelsOpened).toBe(1);
    const t = r.get("T01")!;
    expect(t.type).toBe("transport");
    expect(t.dtlsState).toBe("connected");
    expect(t.tlsVersion).toBe("FEFD");
    expect(t.dtlsCipher).toBe("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    expect(typeof t.srtpCipher).toBe("string");
    expect(t.dtlsRole).toBe("server");
    expect(t.iceRole).toBe("controlling");
    expect(t.iceState === "connected" || t.iceState === "completed").toBe(true);
    expect(t.bytesSent as number).toBeGreaterThan(100);
    expect(t.bytesReceived as number).toBeGreaterThan(100);
    expect(t.packetsSent as number).toBeGreaterThan(5);
    expect(t.packetsReceived as number).toBeGreaterThan(5);
    const pair = r.get(t.selectedCandidatePairId as string)!;
    expect(pair.type).toBe("candidate-pair");
    expect(pair.state).toBe("succeeded");
    expect(pair.nominated).toBe(true);
    expect(pair.bytesSent).toBe(t.bytesSent);
    // RTT measured from the STUN checks on this pair (seconds)
    expect(pair.requestsSent as number).toBeGreaterThanOrEqual(1);
    expect(pair.responsesReceived as number).toBeGreaterThanOrEqual(1);
    expect(typeof pair.currentRoundTripTime).toBe("number");
    expect(pair.currentRoundTripTime as number).toBeGreaterThanOrEqual(0);
    expect(pair.currentRoundTripTime as number).toBeLessThan(1);
    expect(pair.totalRoundTripTime as number).toBeGreaterThanOrEqual(pair.currentRoundTripTime as number);
    const local = r.get(pair.localCandidateId as string)!;
    const rem = r.get(pair.remoteCandidateId as string)!;
    expect(local.type).toBe("local-candidate");
    expect(local.address).toBe("127.0.0.1");
    expect(local.candidateType).toBe("host");
    expect(local.protocol).toBe("udp");
    expect(rem.type).toBe("remote-candidate");
    expect(typeof rem.port).toBe("number");
    const lc = r.get(t.localCertificateId as string)!;
    const rc = r.get(t.remoteCertificateId as string)!;
    expect(lc.type).toBe("certificate");
    expect(lc.fingerprintAlgorithm).toBe("sha-256");
    expect(lc.fingerprint).toBe(a.getConfiguration().certificates![0].getFingerprints()[0].value);
    expect(rc.fingerprint).not.toBe(lc.fingerprint);
    expect(typeof rc.base64Certificate).toBe("string");
    const d = byType(r, "data-channel")[0];
    expect(d.label).toBe("stats");
    expect(d.protocol).toBe("p");
    expect(d.dataChannelIdentifier).toBe(dc.id);
    expect(d.state).toBe("open");
    expect(d.messagesSent).toBe(10);
    expect(d.bytesSent).toBe(100);
    const rr = await open[1].getStats();
    const rd = byType(rr, "data-channel")[0];
    expect(rd.messagesReceived).toBe(10);
    expect(rd.bytesReceived).toBe(100);
  });

  it("counts hostile datagrams by reason and keeps the connection working", async () => {
    const { a, dc, remote } = await connected();
    const port = Number(/a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 (\d+) typ host/.exec(a.localDescription!.sdp)![1]);
    const junk = createSocket("udp4");
    await new Promise<void>((r) => junk.bind(0, "127.0.0.1", () => r()));
    const send = (bytes: number[] | Uint8Array) => new Promise<void>((r) => junk.send(Uint8Array.from(bytes), port, "127.0.0.1", () => r()));
    await send([0x00, 0x01, 0x00, 0x00]); // STUN-range, truncated
    await send(new Uint8Array(28).fill(0x01)); // STUN-range garbage
    await send([22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]); // DTLS-looking, from a stranger
    await send([0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]); // RTP-looking, from a stranger
    await send([0xff, 0xff]); // no RFC 7983 range
    const before = ((await a.getStats()).get("T01")!.tsrtcDropped as Record<string, number>);
    await until(() => {
      void a.getStats().then((r) => Object.assign(before, r.get("T01")!.tsrtcDropped));
      return before["engine.unknownSource"] >= 3 && before["ice.malformed"] >= 2;
    }, 5000, "drop counters");
    expect(before["engine.unknownSource"]).toBeGreaterThanOrEqual(3);
    expect(before["ice.malformed"]).toBeGreaterThanOrEqual(2);
    // A flood of random datagrams in every RFC 7983 range: all dropped and counted.
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (let i = 0; i < 2000; i++) {
      const d = new Uint8Array(1 + (rnd() % 200));
      for (let j = 0; j < d.length; j++) d[j] = rnd();
      junk.send(d, port, "127.0.0.1");
    }
    await until(() => {
      void a.getStats().then((r) => Object.assign(before, r.get("T01")!.tsrtcDropped));
      return before["engine.unknownSource"] + before["ice.malformed"] + before["ice.badFingerprint"] >= 1500;
    }, 10_000, "flood counted");
    junk.close();
    const got = once<MessageEvent>(remote, "message");
    dc.send("still fine");
    expect((await got).data).toBe("still fine");
    expect(a.connectionState).toBe("connected");
  });

  it("reports drops only (no channel tallies) and counts Binding requests refused with 401 by code", async () => {
    const { a } = await connected();
    const ufrag = a.sctp!.transport.iceTransport.getLocalParameters()!.usernameFragment;
    const port = Number(/a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 (\d+) typ host/.exec(a.localDescription!.sdp)![1]);
    const junk = createSocket("udp4");
    await new Promise<void>((r) => junk.bind(0, "127.0.0.1", () => r()));
    // A Binding request for our ufrag whose MESSAGE-INTEGRITY uses a wrong password: 401.
    const req = new StunBuilder().begin(StunMethod.Binding, StunClass.Request, new Uint8Array(12).fill(7))
      .username(`${ufrag}:peer`).priority(1).iceControlled(new Uint8Array(8))
      .messageIntegrity(shortTermIntegrityKey("not-the-password-at-all")).fingerprint().finish();
    const answers: Buffer[] = [];
    junk.on("message", (m) => answers.push(m));
    junk.send(req, port, "127.0.0.1");
    await until(() => answers.length > 0, 5000, "the 401");
    junk.close();
    expect((answers[0][0] << 8) | answers[0][1]).toBe(0x0111); // Binding error response
    const dropped = (await a.getStats()).get("T01")!.tsrtcDropped as Record<string, number>;
    expect(dropped["ice.refused401"]).toBe(1);
    expect(Object.keys(dropped).filter((k) => k.startsWith("channels."))).toEqual(["channels.unknownStream", "channels.badDcep", "channels.idConflicts", "channels.unknownPpid"]);
    const pcStats = [...(await a.getStats()).values()].find((s) => s.type === "peer-connection")!;
    expect(pcStats.dataChannelsOpened).toBe(1);
  });
  it("drops and counts datagrams spoofed from source port 0 (a raw socket), and nothing throws", async () => {
    // Node's socket.send throws synchronously for port 0: answering such a datagram (a 401 to
    // a Binding request) must never be tried, nor crash the process if it were.
    const { a, dc, remote } = await connected();
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    process.on("uncaughtException", onError);
    try {
      const ufrag = a.sctp!.transport.iceTransport.getLocalParameters()!.usernameFragment;
      const port = Number(/a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 (\d+) typ host/.exec(a.localDescription!.sdp)![1]);
      const request = new StunBuilder().begin(StunMethod.Binding, StunClass.Request, new Uint8Array(12).fill(9))
        .username(`${ufrag}:peer`).priority(1).iceControlled(new Uint8Array(8))
        .messageIntegrity(shortTermIntegrityKey("not-the-password-at-all")).fingerprint().finish();
      const payloads = [request, Uint8Array.of(22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1), Uint8Array.of(0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1)];
      // UDP header with source port 0 and no checksum; the kernel adds the IP header (needs CAP_NET_RAW).
      const py = [
        "import socket, struct, sys",
        "s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)",
        "for h in sys.argv[2:]:",
        "    p = bytes.fromhex(h)",
        "    s.sendto(struct.pack('!HHHH', 0, int(sys.argv[1]), 8 + len(p), 0) + p, ('127.0.0.1', 0))",
      ].join("\n");
      const r = spawnSync("python3", ["-c", py, String(port), ...payloads.map((p) => Buffer.from(p).toString("hex"))], { timeout: 10_000 });
      expect(r.status, String(r.stderr)).toBe(0);
      let dropped: Record<string, number> = {};
      await until(() => {
        void a.getStats().then((rep) => (dropped = rep.get("T01")!.tsrtcDropped as Record<string, number>));
        return (dropped["ice.badSource"] ?? 0) >= 3;
      }, 5000, "the spoofed datagrams counted");
      expect(dropped["ice.badSource"]).toBe(3);
      expect(dropped["ice.refused401"] ?? 0).toBe(0);
      const got = once<MessageEvent>(remote, "message");
      dc.send("still fine");
      expect((await got).data).toBe("still fine");
      expect(errors).toEqual([]);
    } finally {
      process.off("uncaughtException", onError);
    }
  });
});
