/**
 * Our TurnClient against our TurnServer over testkit's virtual network: allocation, a
 * permission, data both ways as Send/Data indications and then as ChannelData, refreshes over
 * a long run, release, and expiry when the client goes silent. The server runs with its
 * defaults (private peers refused), so every address here is public.
 */
import { type Address, type Millis, SeededRandom } from "@tsrtc/base";
import { Simulation, simNode } from "@tsrtc/testkit";
import { describe, expect, it } from "vitest";
import { TurnClient, type TurnClientEvent, TurnServer, type TurnServerEvent } from "../src/index.js";

const SERVER: Address = { family: 4, host: "192.0.2.10", port: 3478 };
const CLIENT: Address = { family: 4, host: "198.51.100.1", port: 5000 };
const PEER: Address = { family: 4, host: "203.0.113.5", port: 7000 };
const RELAYS = 4;

interface World {
  sim: Simulation;
  server: TurnServer;
  serverEvents: TurnServerEvent[];
  client: TurnClient;
  clientEvents: TurnClientEvent[];
  /** What the client got from peers through the relay. */
  fromPeers: { peer: Address; data: number[] }[];
  /** What the peer got, and from where. */
  atPeer: { from: Address; data: number[] }[];
  /** Datagrams the peer will send: pushed by the test. */
  peerOut: { to: Address; data: Uint8Array }[];
}

function world(seed: number): World {
  const sim = new Simulation({ seed });
  let port = 40000;
  const server = new TurnServer({
    listening: SERVER,
    realm: "sim.test",
    users: { alice: "secret" },
    rng: new SeededRandom(seed),
    allocateRelay: () => ({ family: 4, host: SERVER.host, port: port++ }),
  });
  const serverEvents: TurnServerEvent[] = [];
  const relayAddrs: Address[] = [];
  for (let i = 0; i < RELAYS; i++) relayAddrs.push({ family: 4, host: SERVER.host, port: 40000 + i });
  sim.addNode(
    simNode({
      name: "turn",
      address: [SERVER, ...relayAddrs],
      receive: (d, from, to, now) => (to.port === SERVER.port ? server.handlePacket(d, from, now) : server.handleRelayed(d, to, from, now)),
      poll: () => server.pollTransmit(),
      timeout: () => server.pollTimeout(),
      tick: (now) => server.handleTimeout(now),
      afterInput: () => {
        for (let e = server.pollEvent(); e; e = server.pollEvent()) serverEvents.push(e);
      },
    }),
  );
  const client = new TurnClient({ server: SERVER, username: "alice", password: "secret", local: CLIENT, rng: new SeededRandom(seed + 1) });
  const clientEvents: TurnClientEvent[] = [];
  const fromPeers: World["fromPeers"] = [];
  sim.addNode(
    simNode({
      name: "client",
      address: CLIENT,
      receive: (d, from, _to, now) => {
        if (client.handlePacket(d, from, now) === "data") fromPeers.push({ peer: client.peer!, data: Array.from(client.payload!) });
      },
      poll: () => client.pollTransmit(),
      timeout: () => client.pollTimeout(),
      tick: (now) => client.handleTimeout(now),
      afterInput: () => {
        for (let e = client.pollEvent(); e; e = client.pollEvent()) clientEvents.push(e);
      },
    }),
  );
  const atPeer: World["atPeer"] = [];
  const peerOut: World["peerOut"] = [];
  sim.addNode(
    simNode({
      name: "peer",
      address: PEER,
      receive: (d, from) => void atPeer.push({ from, data: Array.from(d) }),
      poll: () => peerOut.shift(),
    }),
  );
  return { sim, server, serverEvents, client, clientEvents, fromPeers, atPeer, peerOut };
}

function allocated(w: World): Address {
  w.client.allocate(w.sim.now);
  expect(w.sim.runUntil(() => w.client.state === "allocated", { maxTime: 5_000 })).toBe(true);
  return w.client.relayed!;
}

const act = (w: World, f: (now: Millis) => void): void => {
  f(w.sim.now);
  // The client's new transmits are drained at the next step.
  w.sim.runFor(0);
};

describe("TurnClient and TurnServer over the virtual network", () => {
  it("allocates, relays both ways with indications, then with ChannelData once bound", () => {
    const w = world(1);
    const relayed = allocated(w);
    expect(relayed).toEqual({ family: 4, host: SERVER.host, port: 40000 });
    expect(w.client.mapped).toEqual(CLIENT);
    expect(w.serverEvents).toContainEqual({ type: "allocated", client: CLIENT, relayed, username: "alice", lifetime: 600 });

    // Before any permission, the peer's datagrams are dropped at the relay.
    w.peerOut.push({ to: relayed, data: new Uint8Array([1]) });
    w.sim.runFor(100);
    expect(w.fromPeers).toEqual([]);
    expect(w.server.stats.droppedFromPeers).toBe(1);

    act(w, (now) => w.client.send(PEER, new Uint8Array([10, 11]), now));
    w.sim.runFor(500);
    expect(w.atPeer).toEqual([{ from: relayed, data: [10, 11] }]);
    expect(w.client.stats.sendIndicationsOut).toBe(1);
    w.peerOut.push({ to: relayed, data: new Uint8Array([20, 21, 22]) });
    w.sim.runFor(100);
    expect(w.fromPeers).toEqual([{ peer: PEER, data: [20, 21, 22] }]);
    expect(w.client.stats.dataIndicationsIn).toBe(1);

    act(w, (now) => w.client.bindChannel(PEER, now));
    expect(w.sim.runUntil(() => w.clientEvents.some((e) => e.type === "channel"), { maxTime: 2_000 })).toBe(true);
    act(w, (now) => w.client.send(PEER, new Uint8Array([30]), now));
    w.peerOut.push({ to: relayed, data: new Uint8Array([40]) });
    w.sim.runFor(100);
    expect(w.atPeer.at(-1)).toEqual({ from: relayed, data: [30] });
    expect(w.fromPeers.at(-1)).toEqual({ peer: PEER, data: [40] });
    expect(w.client.stats.channelDataOut).toBe(1);
    expect(w.client.stats.channelDataIn).toBe(1);
    expect(w.server.stats.relayedToPeers).toBe(2);
    expect(w.server.stats.relayedToClients).toBe(2);
  });

  it("stays allocated for an hour of refreshes, with its channel and permission alive; close releases it", () => {
    const w = world(2);
    const relayed = allocated(w);
    act(w, (now) => w.client.bindChannel(PEER, now));
    w.sim.runFor(60 * 60_000);
    expect(w.client.state).toBe("allocated");
    expect(w.server.allocationCount).toBe(1);
    expect(w.clientEvents.filter((e) => e.type === "refreshed").length).toBeGreaterThanOrEqual(6);
    w.peerOut.push({ to: relayed, data: new Uint8Array([7, 7]) });
    w.sim.runFor(100);
    expect(w.fromPeers).toEqual([{ peer: PEER, data: [7, 7] }]);
    expect(w.client.stats.channelDataIn).toBe(1);
    act(w, (now) => w.client.close(now));
    w.sim.runFor(1_000);
    expect(w.client.state).toBe("closed");
    expect(w.server.allocationCount).toBe(0);
    expect(w.serverEvents.at(-1)).toEqual({ type: "deallocated", client: CLIENT, relayed, reason: "released" });
  });

  it("expires the allocation on the server when the client goes silent, and the client learns it", () => {
    const w = world(3);
    const relayed = allocated(w);
    w.sim.network.cut(CLIENT.host, SERVER.host);
    w.sim.runFor(600_000);
    expect(w.server.allocationCount).toBe(0);
    expect(w.serverEvents.at(-1)).toEqual({ type: "deallocated", client: CLIENT, relayed, reason: "expired" });
    expect(w.clientEvents.at(-1)).toEqual({ type: "closed", reason: "expired" });
    // The relayed address is gone: a peer's datagram finds nobody.
    w.sim.network.restore(CLIENT.host, SERVER.host);
    w.peerOut.push({ to: relayed, data: new Uint8Array([1]) });
    w.sim.runFor(100);
    expect(w.server.stats.droppedFromPeers).toBe(1);
  });
});
