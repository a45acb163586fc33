/**
 * Interop with an independent implementation: werift's ICE Connection over real loopback UDP,
 * each side in each role.
 */
import { describe, expect, it } from "vitest";
import { Candidate as WeriftCandidate, Connection } from "werift";
import { formatCandidate } from "../src/candidate-sdp.js";
import { UdpIceAgent } from "../src/node/udp-agent.js";
import { waitFor } from "./wait.js";

function weriftConnection(controlling: boolean): Connection {
  const c = new Connection(controlling, {
    useIpv4: false,
    useIpv6: false,
    useTcp: false,
    additionalHostAddresses: ["127.0.0.1"],
  } as ConstructorParameters<typeof Connection>[1]);
  (c as unknown as { stunServer: undefined }).stunServer = undefined; // never reach a public server
  return c;
}


describe("interop with werift's ICE over loopback UDP", () => {
  for (const weControl of [true, false]) {
    it(`connects with tsrtc ${weControl ? "controlling" : "controlled"} and exchanges data`, async () => {
      const werift = weriftConnection(!weControl);
      const fromWerift: Uint8Array[] = [];
      const fromUs: Buffer[] = [];
      werift.onData.subscribe((d) => void fromUs.push(d));
      const ours = await UdpIceAgent.create({
        controlling: weControl,
        hosts: ["127.0.0.1"],
        onData: (d) => fromWerift.push(d.slice()),
      });
      try {
        await werift.gatherCandidates();
        ours.setRemoteCredentials({ ufrag: werift.localUsername, pwd: werift.localPassword });
        werift.setRemoteParams({
          iceLite: false,
          usernameFragment: ours.agent.localCredentials.ufrag,
          password: ours.agent.localCredentials.pwd,
        });
        for (const c of werift.localCandidates) ours.addRemoteCandidate(`candidate:${c.toSdp()}`);
        ours.addRemoteCandidate(null);
        for (const c of ours.agent.localCandidates) {
          await werift.addRemoteCandidate(WeriftCandidate.fromSdp(formatCandidate(c).slice("candidate:".length)));
        }
        await werift.addRemoteCandidate(undefined);
        await Promise.all([werift.connect(), waitFor(() => ours.agent.selectedPair !== undefined)]);
        expect(werift.state).toBe("connected");
        expect(ours.agent.controlling).toBe(weControl);
        // DTLS-looking records both ways.
        ours.send(new Uint8Array([22, 254, 253, 7]));
        await werift.send(Buffer.from([23, 254, 253, 8]));
        await waitFor(() => fromUs.length > 0 && fromWerift.length > 0);
        expect(Array.from(fromUs[0])).toEqual([22, 254, 253, 7]);
        expect(Array.from(fromWerift[0])).toEqual([23, 254, 253, 8]);
      } finally {
        ours.close();
        await werift.close();
      }
    });
  }
});
