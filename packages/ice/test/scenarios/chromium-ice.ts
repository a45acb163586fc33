/**
 * Scenario run inside a private network namespace (by chromium-ice.test.ts): headless Chromium
 * and our UdpIceAgent negotiate a data-channel m-line and run ICE over the namespace's veth.
 * Only ICE is ours: DTLS never completes, which does not matter: Chromium reports
 * iceConnectionState "connected" on ICE alone, and its DTLS ClientHello reaching us through the
 * agent as "data" shows the selected path carries the BUNDLE.
 *
 *   --offer-from=chromium | --offer-from=tsrtc   who offers (the offerer is controlling)
 *   --media                                       grant media permission (raw IPs, not mDNS)
 * Prints `RESULT <json>`.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium } from "playwright-core";
import { formatCandidate } from "../../src/candidate-sdp.js";
import { UdpIceAgent } from "../../src/node/udp-agent.js";
import type { IceAgentEvent } from "../../src/types.js";

const media = process.argv.includes("--media");
const weOffer = process.argv.includes("--offer-from=tsrtc");

const args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
if (media) args.push("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream");
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", headless: true, args });
const server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>ice</title>"));
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));

const events: string[] = [];
const ourCandidates: string[] = [];
let chromeData = 0;
let firstByte = -1;
const agent = await UdpIceAgent.create({
  controlling: weOffer,
  hosts: ["198.18.0.2"],
  mdns: false, // no multicast in tests: .local names fall back to peer-reflexive discovery
  onEvent: (e: IceAgentEvent) => {
    if (e.type === "connection-state") events.push(e.state);
    if (e.type === "candidate") ourCandidates.push(formatCandidate(e.candidate));
  },
  onData: (d) => {
    chromeData++;
    if (firstByte < 0) firstByte = d[0];
  },
});

function sdpOf(role: "offer" | "answer"): string {
  const { ufrag, pwd } = agent.agent.localCredentials;
  const fp = Array.from({ length: 32 }, (_, i) => ((i * 7 + 3) & 255).toString(16).padStart(2, "0").toUpperCase()).join(":");
  return [
    "v=0",
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
    "s=-",
    "t=0 0",
    "a=group:BUNDLE 0",
    "a=msid-semantic: WMS",
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
    "c=IN IP4 0.0.0.0",
    `a=ice-ufrag:${ufrag}`,
    `a=ice-pwd:${pwd}`,
    "a=ice-options:trickle",
    `a=fingerprint:sha-256 ${fp}`,
    `a=setup:${role === "offer" ? "actpass" : "active"}`,
    "a=mid:0",
    "a=sctp-port:5000",
    "a=max-message-size:262144",
    ...ourCandidates.map((c) => `a=${c}`),
    "a=end-of-candidates",
    "",
  ].join("\r\n");
}

try {
  await new Promise((r) => setTimeout(r, 50)); // our gathering (host only) is synchronous; let events flush
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  // Browser-side code as plain JavaScript strings (the type check has no DOM lib).
  await page.evaluate(`(() => {
    const pc = new RTCPeerConnection();
    window.pc = pc;
    window.found = [];
    window.states = [];
    window.gathered = new Promise((res) => { pc.onicecandidate = (e) => (e.candidate ? window.found.push(e.candidate.candidate) : res()); });
    pc.oniceconnectionstatechange = () => window.states.push(pc.iceConnectionState);
  })()`);
  let remoteSdp: string;
  if (weOffer) {
    remoteSdp = (await page.evaluate(`(async () => {
      await window.pc.setRemoteDescription({ type: "offer", sdp: ${JSON.stringify(sdpOf("offer"))} });
      await window.pc.setLocalDescription(await window.pc.createAnswer());
      await Promise.race([window.gathered, new Promise((r) => setTimeout(r, 5000))]);
      return window.pc.localDescription.sdp;
    })()`)) as string;
  } else {
    remoteSdp = (await page.evaluate(`(async () => {
      window.pc.createDataChannel("x");
      await window.pc.setLocalDescription(await window.pc.createOffer());
      await Promise.race([window.gathered, new Promise((r) => setTimeout(r, 5000))]);
      return window.pc.localDescription.sdp;
    })()`)) as string;
    await page.evaluate(`window.pc.setRemoteDescription({ type: "answer", sdp: ${JSON.stringify(sdpOf("answer"))} })`);
  }
  const line = (k: string): string => remoteSdp.split(/\r\n/).find((l) => l.startsWith(`a=${k}:`))!.slice(k.length + 3);
  agent.setRemoteCredentials({ ufrag: line("ice-ufrag"), pwd: line("ice-pwd") });
  const chromeCandidates = (await page.evaluate("window.found")) as string[];
  for (const c of chromeCandidates) agent.addRemoteCandidate(c);
  agent.addRemoteCandidate(null);
  const t0 = Date.now();
  let chromeStates: string[] = [];
  while (Date.now() - t0 < 15_000) {
    chromeStates = (await page.evaluate("window.states")) as string[];
    const ours = agent.agent.connectionState;
    if (chromeStates.includes("connected") && (ours === "connected" || ours === "completed") && (!weOffer || chromeData > 0)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  // Give Chromium's DTLS a moment to reach us through the selected pair when it is the client.
  if (weOffer) for (let i = 0; i < 40 && chromeData === 0; i++) await new Promise((r) => setTimeout(r, 50));
  const sel = agent.agent.selectedPair;
  console.log(
    `RESULT ${JSON.stringify({
      chromeStates,
      ourStates: events,
      controlling: agent.agent.controlling,
      chromeCandidates,
      selected: sel ? { local: formatCandidate(sel.local), remote: formatCandidate(sel.remote) } : null,
      chromeData,
      firstByte,
      stats: agent.agent.stats,
    })}`,
  );
} finally {
  agent.close();
  server.close();
  await browser.close().catch(() => undefined);
}
