/**
 * Multicast DNS for the agent's "mdns-query" and "mdns-register" events (RFC 6762): one UDP
 * socket joined to 224.0.0.251:5353 that sends one-shot queries, resolves names from responses
 * with a timeout, and answers queries for the names we published.
 */
import { type Socket, createSocket } from "node:dgram";
import { logger } from "@tsrtc/base";
import {
  MDNS_IPV4_GROUP,
  MDNS_PORT,
  encodeMdnsQuery,
  encodeMdnsResponse,
  mdnsAnswerFor,
  mdnsResponseTo,
  parseMdnsMessage,
} from "../mdns.js";

const log = logger("ice:mdns");

export class MdnsResolver {
  private socket: Socket | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Map<string, { resolve: (ip: string | undefined) => void; timer: NodeJS.Timeout }>();
  private readonly published = new Map<string, string>();

  private open(): Promise<void> {
    if (this.ready) return this.ready;
    const socket = createSocket({ type: "udp4", reuseAddr: true });
    this.socket = socket;
    socket.on("message", (msg) => this.onMessage(msg));
    socket.on("error", (e) => log("mdns socket error %s", e.message));
    this.ready = new Promise<void>((resolve) => {
      socket.bind(MDNS_PORT, () => {
        try {
          socket.addMembership(MDNS_IPV4_GROUP);
          socket.setMulticastTTL(255);
        } catch (e) {
          log("cannot join the mDNS group: %s", (e as Error).message);
        }
        resolve();
      });
    });
    return this.ready;
  }

  /** Resolve `name` to an IP, or undefined after `timeoutMs` without an answer. */
  async resolve(name: string, timeoutMs: number): Promise<string | undefined> {
    await this.open();
    const key = name.toLowerCase();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(key);
        resolve(undefined);
      }, timeoutMs);
      this.pending.set(key, { resolve, timer });
      this.socket!.send(encodeMdnsQuery(name, [1]), MDNS_PORT, MDNS_IPV4_GROUP);
    });
  }

  /** Answer queries for `name` with `ip` from now on (our obfuscated host candidates). */
  async publish(name: string, ip: string): Promise<void> {
    await this.open();
    this.published.set(name.toLowerCase(), ip);
    // RFC 6762 §8.3: announce once.
    this.socket!.send(encodeMdnsResponse(name, [ip]), MDNS_PORT, MDNS_IPV4_GROUP);
  }

  private onMessage(data: Uint8Array): void {
    let msg;
    try {
      msg = parseMdnsMessage(data);
    } catch {
      return;
    }
    if (msg.isResponse) {
      for (const [name, p] of this.pending) {
        const ip = mdnsAnswerFor(msg, name);
        if (ip !== undefined) {
          clearTimeout(p.timer);
          this.pending.delete(name);
          p.resolve(ip);
        }
      }
      return;
    }
    const answer = mdnsResponseTo(msg, this.published);
    if (answer) this.socket?.send(answer, MDNS_PORT, MDNS_IPV4_GROUP);
  }

  close(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.resolve(undefined);
    }
    this.pending.clear();
    this.socket?.close();
    this.socket = undefined;
    this.ready = undefined;
  }
}
