import { describe, expect, it } from "vitest";
import { address } from "@tsrtc/base";
import { candidate, computePriority } from "../src/candidate.js";
import { Checklist } from "../src/checklist.js";
import { type LocalCandidate, type RemoteCandidate, pairPriority, priorityFor } from "../src/pair.js";

function local(host: string, port: number, type: "host" | "srflx" = "host", lp = 65535): LocalCandidate {
  return {
    candidate: candidate({ address: host, port, type, priority: computePriority(type, lp) }),
    base: address(host, port),
  };
}
function remote(host: string, port: number, type: "host" | "srflx" | "prflx" = "host", lp = 65535): RemoteCandidate {
  return { candidate: candidate({ address: host, port, type, priority: computePriority(type, lp) }), address: address(host, port) };
}

describe("pair priority (RFC 8445 §6.1.2.3)", () => {
  it("follows 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0)", () => {
    expect(pairPriority(10, 20)).toBe((10n << 32n) + 40n);
    expect(pairPriority(20, 10)).toBe((10n << 32n) + 41n);
    const g = 2122260223;
    const d = 1845501695;
    expect(pairPriority(g, d)).toBe(BigInt(d) * 2n ** 32n + 2n * BigInt(g) + 1n);
  });
  it("gives both agents the same number for the same pair", () => {
    const a = candidate({ address: "10.0.0.1", port: 1, type: "host", priority: 111 });
    const b = candidate({ address: "10.0.0.2", port: 2, type: "srflx", priority: 222 });
    expect(priorityFor(a, b, true)).toBe(priorityFor(b, a, false));
    expect(priorityFor(a, b, false)).toBe(priorityFor(b, a, true));
  });
});

describe("checklist", () => {
  it("pairs only compatible candidates: same family, component and UDP; never srflx locals", () => {
    const cl = new Checklist();
    const first = cl.add(local("10.0.0.1", 1000), remote("10.0.0.2", 2000), true)!;
    expect(first).toMatchObject({ state: "waiting", valid: false, nominated: false });
    expect(first.remote.address).toEqual(address("10.0.0.2", 2000));
    expect(cl.add(local("10.0.0.1", 1000), remote("2001:db8::2", 2000), true)).toBeUndefined();
    expect(cl.add(local("203.0.113.1", 1000, "srflx"), remote("10.0.0.3", 2000), true)).toBeUndefined();
    const tcp: RemoteCandidate = { ...remote("10.0.0.4", 9), candidate: { ...remote("10.0.0.4", 9).candidate, transport: "tcp" } };
    expect(cl.add(local("10.0.0.1", 1000), tcp, true)).toBeUndefined();
    const comp2: RemoteCandidate = { ...remote("10.0.0.5", 9), candidate: { ...remote("10.0.0.5", 9).candidate, component: 2 } };
    expect(cl.add(local("10.0.0.1", 1000), comp2, true)).toBeUndefined();
    expect(cl.pairs.length).toBe(1);
  });
  it("prunes a redundant pair (same base and remote address)", () => {
    const cl = new Checklist();
    const kept = cl.add(local("10.0.0.1", 1000), remote("10.0.0.2", 2000), true)!;
    expect(cl.add(local("10.0.0.1", 1000), remote("10.0.0.2", 2000, "prflx"), true)).toBeUndefined();
    expect(cl.find(address("10.0.0.1", 1000), address("10.0.0.2", 2000))).toBe(kept);
    expect(kept.remote.candidate.type).toBe("host");
    expect(cl.pairs).toEqual([kept]);
  });
  it("keeps pairs sorted by priority and one Waiting pair per foundation", () => {
    const cl = new Checklist();
    const l = local("10.0.0.1", 1000);
    cl.add(l, remote("10.0.0.2", 2000, "host", 100), true);
    cl.add(l, remote("10.0.0.3", 2000, "host", 200), true);
    cl.add(l, remote("10.0.0.4", 2000, "srflx"), true);
    expect(cl.pairs.map((p) => p.remote.address.host)).toEqual(["10.0.0.3", "10.0.0.2", "10.0.0.4"]);
    // 10.0.0.2 and 10.0.0.3 are both host remotes built by candidate() with different IPs: distinct foundations.
    expect(cl.pairs.every((p) => p.state === "waiting")).toBe(true);
    const l2 = local("10.0.0.9", 1001);
    const same = { ...remote("10.0.0.7", 7), candidate: { ...remote("10.0.0.7", 7).candidate, foundation: "F" } };
    const same2 = { ...remote("10.0.0.8", 8), candidate: { ...remote("10.0.0.8", 8).candidate, foundation: "F" } };
    const a = cl.add(l2, same, true)!;
    const b = cl.add(l2, same2, true)!;
    expect(a.state).toBe("waiting");
    expect(b.state).toBe("frozen");
    a.state = "succeeded";
    cl.unfreezeFoundation(a.foundation);
    expect(b.state).toBe("waiting");
  });
  it("serves triggered checks first, then Waiting, then unfreezes Frozen", () => {
    const cl = new Checklist();
    const l = local("10.0.0.1", 1000);
    const r1 = { ...remote("10.0.0.2", 1), candidate: { ...remote("10.0.0.2", 1).candidate, foundation: "F" } };
    const r2 = { ...remote("10.0.0.3", 1, "host", 5), candidate: { ...remote("10.0.0.3", 1, "host", 5).candidate, foundation: "F" } };
    const hi = cl.add(l, r1, true)!;
    const lo = cl.add(l, r2, true)!;
    expect(lo.state).toBe("frozen");
    cl.trigger(lo);
    expect(cl.next()).toBe(lo);
    lo.state = "in-progress";
    expect(cl.next()).toBe(hi);
    hi.state = "in-progress";
    expect(cl.next()).toBeUndefined();
    expect(cl.activeCount()).toBe(2);
  });
  it("caps the number of pairs, evicting the lowest priority", () => {
    const cl = new Checklist(3);
    const l = local("10.0.0.1", 1000);
    for (let i = 0; i < 10; i++) cl.add(l, remote(`10.0.1.${i}`, 1, "host", 1000 + i), true);
    expect(cl.pairs.length).toBe(3);
    expect(cl.pairs.map((p) => p.remote.address.host)).toEqual(["10.0.1.9", "10.0.1.8", "10.0.1.7"]);
    expect(cl.dropped).toBe(7);
  });
  it("recomputes priorities when the role flips", () => {
    const cl = new Checklist();
    const p = cl.add(local("10.0.0.1", 1000, "host", 10), remote("10.0.0.2", 2000, "host", 20), true)!;
    const before = p.priority;
    cl.recomputePriorities(false);
    expect(p.priority).not.toBe(before);
    expect(p.priority).toBe(priorityFor(p.local.candidate, p.remote.candidate, false));
  });
});

describe("frozen pairs and the check RTO (RFC 8445 §6.1.4.2, §14.3)", () => {
  const withFoundation = (host: string, port: number, f: string, lp = 65535): RemoteCandidate => {
    const r = remote(host, port, "host", lp);
    return { ...r, candidate: { ...r.candidate, foundation: f } };
  };

  it("unfreezes a pair only when no pair of its foundation is Waiting or In-Progress", () => {
    const cl = new Checklist();
    const l = local("10.0.0.1", 1000);
    const first = cl.add(l, withFoundation("10.0.0.2", 1, "F", 200), true)!;
    const second = cl.add(l, withFoundation("10.0.0.3", 1, "F", 100), true)!;
    const other = cl.add(l, withFoundation("10.0.0.4", 1, "G", 50), true)!;
    expect([first.state, second.state, other.state]).toEqual(["waiting", "frozen", "waiting"]);
    expect(cl.next()).toBe(first);
    first.state = "in-progress";
    expect(cl.next()).toBe(other);
    other.state = "in-progress";
    // F is still being checked: its frozen pair waits.
    expect(cl.next()).toBeUndefined();
    expect(second.state).toBe("frozen");
    first.state = "failed";
    expect(cl.next()).toBe(second);
    expect(second.state).toBe("waiting");
  });

  it("scales the RTO by Waiting and In-Progress pairs only", () => {
    const cl = new Checklist();
    const l = local("10.0.0.1", 1000);
    for (let i = 0; i < 30; i++) cl.add(l, withFoundation(`10.0.1.${i}`, 1, "F", 1000 - i), true);
    expect(cl.activeCount()).toBe(30);
    expect(cl.pacedCount()).toBe(1);
  });
});
