/**
 * Client transactions against the Binding server core over testkit's seeded virtual network:
 * through NATs the server reports the NAT's public mapping, and on a lossy, duplicating link
 * retransmissions carry every transaction through (or time out exactly as §6.2.1 says).
 */
import { describe, expect, it } from "vitest";
import { type Address, SeededRandom, type Transmit } from "@tsrtc/base";
import { NatTypes, Simulation, simNode } from "@tsrtc/testkit";
import {
  StunBindingServer,
  StunBuilder,
  StunClass,
  StunMessage,
  StunMethod,
  StunTransactions,
  type StunTransactionEvent,
  newTransactionId,
} from "../src/index.js";

const SERVER: Address = { family: 4, host: "203.0.113.1", port: 3478 };
const CLIENT: Address = { family: 4, host: "10.0.0.2", port: 40000 };

function setup(sim: Simulation, opts: { behindNat?: boolean } = {}) {
  const server = new StunBindingServer({ software: "sim" });
  const replies: Transmit[] = [];
  sim.addNode(
    simNode({
      name: "server",
      address: SERVER,
      receive(data, from, _to, now) {
        const t = server.handlePacket(data, from, now);
        if (t) replies.push(t);
      },
      poll: () => replies.shift(),
    }),
  );
  const table = new StunTransactions<number>();
  const events: StunTransactionEvent<number>[] = [];
  const msg = new StunMessage();
  const nat = opts.behindNat ? sim.addNat({ publicIp: "198.51.100.7", ...NatTypes.symmetric }) : undefined;
  sim.addNode(
    simNode({
      name: "client",
      address: CLIENT,
      receive(data, from, _to, now) {
        try {
          msg.parse(data);
        } catch {
          return;
        }
        table.handleResponse(msg, from, now);
      },
      poll: () => table.pollTransmit(),
      timeout: () => table.pollTimeout(),
      tick: (now) => table.handleTimeout(now),
      afterInput: () => {
        for (let e = table.pollEvent(); e; e = table.pollEvent()) events.push(e);
      },
    }),
    { behind: nat },
  );
  return { server, table, events };
}

const rng = new SeededRandom(7);
function bindingRequest(): Uint8Array {
  return new StunBuilder().begin(StunMethod.Binding, StunClass.Request, newTransactionId(rng)).fingerprint().finish();
}

describe("Binding transactions over the virtual network", () => {
  it("through a symmetric NAT the server reports the NAT's public mapping", () => {
    const sim = new Simulation({ seed: 3, conditions: { delay: 20 } });
    const { events, table } = setup(sim, { behindNat: true });
    table.start(sim.now, { to: SERVER, data: bindingRequest(), context: 1 });
    expect(sim.runUntil(() => events.length === 1)).toBe(true);
    const ev = events[0];
    expect(ev.type).toBe("success");
    if (ev.type !== "success") return;
    const mapped = ev.response.xorMappedAddress()!;
    expect(mapped.host).toBe("198.51.100.7");
    expect(mapped.port).not.toBe(CLIENT.port);
    expect(ev.from).toEqual(SERVER);
    expect(ev.rtt).toBe(40);
  });

  it("on a lossy, duplicating, jittery link retransmissions complete every transaction", () => {
    const sim = new Simulation({ seed: 11, conditions: { delay: 30, jitter: 40, loss: 0.3, duplicate: 0.2 } });
    const { events, table, server } = setup(sim);
    for (let i = 0; i < 40; i++) table.start(sim.now, { to: SERVER, data: bindingRequest(), context: i });
    expect(sim.runUntil(() => events.length === 40, { maxTime: 45_000 })).toBe(true);
    const ok = events.filter((e) => e.type === "success");
    // With 30% loss each way a transaction fails only if all 7 round trips fail (~0.1%).
    expect(ok.length).toBe(40);
    expect(new Set(ok.map((e) => e.context)).size).toBe(40);
    for (const e of ok) if (e.type === "success") expect(e.response.xorMappedAddress()).toEqual(CLIENT);
    expect(server.stats.success).toBeGreaterThan(40);
    expect(table.size).toBe(0);
  });

  it("with the server unreachable every transaction times out at 39.5 s", () => {
    const sim = new Simulation({ seed: 5, conditions: { delay: 10, loss: 1 } });
    const { events, table } = setup(sim);
    table.start(sim.now, { to: SERVER, data: bindingRequest(), context: 0 });
    expect(sim.runUntil(() => events.length === 1, { maxTime: 60_000 })).toBe(true);
    expect(events[0].type).toBe("timeout");
    expect(sim.now).toBe(39_500);
    expect(sim.network.stats.sent).toBe(7);
  });
});
