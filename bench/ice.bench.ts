/**
 * ICE benchmarks, tsrtc against werift's ICE (`Connection` from werift/lib/ice) in the same run:
 *
 *  1. Binding request handling rate: a pre-built, authenticated Binding request (USERNAME,
 *     PRIORITY, ICE-CONTROLLING, USE-CANDIDATE, MESSAGE-INTEGRITY, FINGERPRINT, as Chromium
 *     sends) fed straight into each agent's datagram handler in memory, from a known remote, the
 *     signed success response taken back synchronously. No socket on either side:
 *     - tsrtc: IceAgent.handlePacket(), then pollTransmit() for the response;
 *     - werift: StunProtocol.datagramReceived() (what its UDP socket calls), with sendStun
 *       replaced by a synchronous function that serializes the response (message.bytes), so
 *       werift's work is timed and its promise-returning socket send is not.
 *     Both agents are controlled, have the remote's credentials and its candidate, so the
 *     request also runs their triggered-check / nomination bookkeeping. Note: werift does not
 *     verify MESSAGE-INTEGRITY on incoming requests; tsrtc does (RFC 8489 §9.1.3), so tsrtc
 *     does strictly more work per request.
 *  2. Connect time over real loopback UDP: two agents on 127.0.0.1 from creation (socket bind,
 *     gathering) to both connected, with default settings (Ta 50 ms on our side), median of
 *     interleaved runs. werift's gathering is limited to 127.0.0.1 and its default public STUN
 *     server removed, so neither side leaves the machine.
 */
import { performance } from "node:perf_hooks";
import { type Address, SeededRandom, address } from "@tsrtc/base";
import { StunBuilder, StunClass, StunMethod, shortTermIntegrityKey } from "@tsrtc/stun";
import { IceAgent, type IceAgentEvent, formatCandidate } from "@tsrtc/ice";
import { UdpIceAgent } from "@tsrtc/ice/node";
import { Candidate as WeriftCandidate, Connection } from "werift";
import { type Result, printResults, runScenario } from "./harness.js";

function bindingRequest(ourUfrag: string, ourPwd: string, theirUfrag: string): Uint8Array {
  const id = new Uint8Array(12).fill(0x5a);
  return new StunBuilder()
    .begin(StunMethod.Binding, StunClass.Request, id)
    .username(`${ourUfrag}:${theirUfrag}`)
    .googNetworkInfo({ networkId: 1, networkCost: 10 })
    .iceControlling(0x0102030405060708n)
    .useCandidate()
    .priority(1845501695)
    .messageIntegrity(shortTermIntegrityKey(ourPwd))
    .fingerprint()
    .finish();
}

const REMOTE: Address = address("127.0.0.1", 50000);
const LOCAL: Address = address("127.0.0.1", 40000);

function tsrtcRequestHandler(): () => unknown {
  const agent = new IceAgent({ controlling: false }, new SeededRandom(1));
  agent.gather([{ address: LOCAL }], 0);
  agent.setRemoteCredentials({ ufrag: "peer", pwd: "peerpeerpeerpeerpeerpeer" }, 0);
  agent.addRemoteCandidate(`candidate:1 1 udp 2122260223 ${REMOTE.host} ${REMOTE.port} typ host`, 0);
  while (agent.pollEvent());
  while (agent.pollTransmit());
  const { ufrag, pwd } = agent.localCredentials;
  const req = bindingRequest(ufrag, pwd, "peer");
  let now = 1;
  return () => {
    agent.handlePacket(req, REMOTE, LOCAL, now++);
    let last: Uint8Array | undefined;
    for (let t = agent.pollTransmit(); t; t = agent.pollTransmit()) last = t.data;
    if (now % 4096 === 0) while (agent.pollEvent());
    return last;
  };
}

interface WeriftProtocolLike {
  datagramReceived(data: Buffer, addr: [string, number]): void;
  sendStun(message: { bytes: Buffer }, addr: [string, number]): Promise<void>;
  transport: { send: (...a: unknown[]) => Promise<void> };
}

function weriftConnection(controlling: boolean): Connection {
  const c = new Connection(controlling, {
    useIpv4: false,
    useIpv6: false,
    useTcp: false,
    additionalHostAddresses: ["127.0.0.1"],
  } as ConstructorParameters<typeof Connection>[1]);
  // werift falls back to stun.l.google.com even without servers: keep the bench on the machine.
  (c as unknown as { stunServer: undefined }).stunServer = undefined;
  return c;
}

async function weriftRequestHandler(): Promise<{ op: () => unknown; close: () => Promise<void> }> {
  const conn = weriftConnection(false);
  await conn.gatherCandidates();
  conn.setRemoteParams({ iceLite: false, usernameFragment: "peer", password: "peerpeerpeerpeerpeerpeer" });
  await conn.addRemoteCandidate(WeriftCandidate.fromSdp(`1 1 udp 2122260223 ${REMOTE.host} ${REMOTE.port} typ host`));
  const protocol = (conn as unknown as { protocols: WeriftProtocolLike[] }).protocols[0];
  let last: Buffer | undefined;
  protocol.transport.send = () => Promise.resolve();
  protocol.sendStun = (message) => {
    last = message.bytes;
    return Promise.resolve();
  };
  const req = Buffer.from(bindingRequest(conn.localUsername, conn.localPassword, "peer"));
  const from: [string, number] = [REMOTE.host, REMOTE.port];
  return {
    op: () => {
      protocol.datagramReceived(req, from);
      return last;
    },
    close: () => conn.close(),
  };
}

async function tsrtcConnectOnce(ta?: number): Promise<number> {
  const t0 = performance.now();
  let a: UdpIceAgent | undefined;
  let b: UdpIceAgent | undefined;
  const early: string[] = [];
  let done: () => void = () => undefined;
  const connected = new Promise<void>((r) => (done = r));
  const check = (): void => {
    if (a?.agent.selectedPair && b?.agent.selectedPair) done();
  };
  const onEvent = (other: () => UdpIceAgent | undefined) => (e: IceAgentEvent) => {
    if (e.type === "candidate") {
      const o = other();
      if (o) o.addRemoteCandidate(formatCandidate(e.candidate));
      else early.push(formatCandidate(e.candidate));
    }
    if (e.type === "selected-pair") queueMicrotask(check);
  };
  a = await UdpIceAgent.create({ controlling: true, ta, hosts: ["127.0.0.1"], onEvent: onEvent(() => b) });
  b = await UdpIceAgent.create({ controlling: false, ta, hosts: ["127.0.0.1"], onEvent: onEvent(() => a) });
  for (const c of early.splice(0)) b.addRemoteCandidate(c);
  a.setRemoteCredentials(b.agent.localCredentials);
  b.setRemoteCredentials(a.agent.localCredentials);
  await connected;
  const ms = performance.now() - t0;
  a.close();
  b.close();
  return ms;
}

async function weriftConnectOnce(): Promise<number> {
  const t0 = performance.now();
  const a = weriftConnection(true);
  const b = weriftConnection(false);
  await Promise.all([a.gatherCandidates(), b.gatherCandidates()]);
  a.setRemoteParams({ iceLite: false, usernameFragment: b.localUsername, password: b.localPassword });
  b.setRemoteParams({ iceLite: false, usernameFragment: a.localUsername, password: a.localPassword });
  for (const c of a.localCandidates) await b.addRemoteCandidate(c);
  for (const c of b.localCandidates) await a.addRemoteCandidate(c);
  await a.addRemoteCandidate(undefined);
  await b.addRemoteCandidate(undefined);
  await Promise.all([a.connect(), b.connect()]);
  const ms = performance.now() - t0;
  await Promise.all([a.close(), b.close()]);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[s.length >> 1];
}

export default async function (): Promise<void> {
  const results: Result[] = [];
  const werift = await weriftRequestHandler();
  results.push(
    ...runScenario({
      name: "Binding request → signed response",
      unit: "req/s",
      contenders: [
        { impl: "tsrtc", op: tsrtcRequestHandler() },
        { impl: "werift", op: werift.op },
      ],
    }),
  );
  await werift.close();

  const rounds = Number(process.env.BENCH_CONNECT_ROUNDS ?? 15);
  const ours: number[] = [];
  const oursFast: number[] = [];
  const theirs: number[] = [];
  await tsrtcConnectOnce(); // warm up both
  await weriftConnectOnce();
  for (let i = 0; i < rounds; i++) {
    ours.push(await tsrtcConnectOnce());
    oursFast.push(await tsrtcConnectOnce(10));
    theirs.push(await weriftConnectOnce());
  }
  const ms = (xs: number[]): string => `${median(xs).toFixed(1)} ms`;
  // Our regular nomination waits one Ta (RFC 8445 §14.2 default 50 ms) between the check that
  // validates the pair and the USE-CANDIDATE check; the second scenario runs ours with Ta 10 ms.
  const s50 = `connect over loopback UDP, median of ${rounds}: tsrtc Ta 50 ms ${ms(ours)}, werift ${ms(theirs)}`;
  results.push({ scenario: s50, impl: "tsrtc", rate: 1000 / median(ours), unit: "connects/s" });
  results.push({ scenario: s50, impl: "werift", rate: 1000 / median(theirs), unit: "connects/s" });
  const s10 = `connect over loopback UDP, median of ${rounds}: tsrtc Ta 10 ms ${ms(oursFast)}, werift ${ms(theirs)}`;
  results.push({ scenario: s10, impl: "tsrtc", rate: 1000 / median(oursFast), unit: "connects/s" });
  results.push({ scenario: s10, impl: "werift", rate: 1000 / median(theirs), unit: "connects/s" });
  printResults("ICE (RFC 8445): tsrtc vs werift", results);
}
