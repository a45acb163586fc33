/**
 * Private network namespaces for browser interop tests (../shared/notes/browsers-on-the-wire.md §7):
 * Chromium gathers no candidate on `lo`, so a test runs its Node peer and the browser inside a fresh
 * namespace holding `lo` plus a veth pair with addresses from the benchmarking range 198.18.0.0/15.
 * Nothing in it can reach another machine. Needs root (tests and CI run as root).
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

export interface Netns {
  name: string;
  /** Addresses on the veth pair inside the namespace. */
  addresses: string[];
  /** Spawn a command inside the namespace. */
  spawn(cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
  /** Delete the namespace (idempotent). */
  destroy(): void;
}

let counter = 0;

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: "pipe" });
}

export function createNetns(): Netns {
  const name = `tsrtc-${process.pid}-${counter++}`;
  ip("netns", "add", name);
  let destroyed = false;
  const destroy = (): void => {
    if (destroyed) return;
    destroyed = true;
    try {
      ip("netns", "del", name);
    } catch {
      // already gone
    }
  };
  try {
    ip("-n", name, "link", "set", "lo", "up");
    ip("-n", name, "link", "add", "veth0", "type", "veth", "peer", "name", "veth1");
    ip("-n", name, "addr", "add", "198.18.0.1/24", "dev", "veth0");
    ip("-n", name, "addr", "add", "198.18.0.2/24", "dev", "veth1");
    ip("-n", name, "link", "set", "veth0", "up");
    ip("-n", name, "link", "set", "veth1", "up");
    // Chromium only gathers when the host has a default route; it leads nowhere outside.
    ip("-n", name, "route", "add", "default", "via", "198.18.0.2", "dev", "veth0");
  } catch (e) {
    destroy();
    throw e;
  }
  return {
    name,
    addresses: ["198.18.0.1", "198.18.0.2"],
    spawn: (cmd, args, opts = {}) => spawn("ip", ["netns", "exec", name, cmd, ...args], opts),
    destroy,
  };
}

/** True when this process may create namespaces (root with iproute2). */
export function canCreateNetns(): boolean {
  try {
    const ns = createNetns();
    ns.destroy();
    return true;
  } catch {
    return false;
  }
}
