import { createSocket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import type { RTCPeerConnection } from "../src/index.js";
import { closeAll, makePc, until } from "./helpers.js";

const open: RTCPeerConnection[] = [];
afterEach(() => closeAll(...open.splice(0)));

/** A UDP socket that records what arrives: stands in for a STUN server. */
async function listener() {
  const sock = createSocket("udp4");
  const got: Buffer[] = [];
  sock.on("message", (m) => got.push(m));
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  return { port: sock.address().port, got, close: () => sock.close() };
}

describe("STUN servers", () => {
  it("contacts no STUN server unless the configuration names one, and contacts the one it names", async () => {
    const srv = await listener();
    try {
      const quiet = makePc();
      open.push(quiet);
      quiet.createDataChannel("x");
      await quiet.setLocalDescription();
      await until(() => quiet.iceGatheringState === "complete");
      await new Promise((r) => setTimeout(r, 100));
      expect(srv.got.length).toBe(0);

      const named = makePc({ iceServers: [{ urls: `stun:127.0.0.1:${srv.port}` }] });
      open.push(named);
      named.createDataChannel("x");
      await named.setLocalDescription();
      await until(() => srv.got.length > 0, 5000, "a Binding request");
      const req = srv.got[0];
      expect(req.readUInt16BE(0)).toBe(0x0001); // Binding request (RFC 8489 §5)
      expect(req.readUInt32BE(4)).toBe(0x2112a442); // magic cookie
    } finally {
      srv.close();
    }
  });
});
