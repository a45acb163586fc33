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

  it("fires icecandidateerror with the server's error code, and 701 for a server that never answers", async () => {
    const srv = await listener();
    const sock = createSocket("udp4");
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
    // An error-answering server: Binding error response (0x0111) with ERROR-CODE 400 (RFC 8489 §14.8).
    sock.on("message", (m, rinfo) => {
      const reason = Buffer.from("Bad Request\0", "latin1"); // 12 bytes: already 4-aligned
      const attr = Buffer.concat([Buffer.from([0x00, 0x09, 0x00, 4 + reason.length, 0, 0, 4, 0]), reason]);
      const head = Buffer.alloc(20);
      head.writeUInt16BE(0x0111, 0);
      head.writeUInt16BE(attr.length, 2);
      m.copy(head, 4, 4, 20);
      sock.send(Buffer.concat([head, attr]), rinfo.port, rinfo.address);
    });
    try {
      const errUrl = `stun:127.0.0.1:${sock.address().port}`;
      const silentUrl = `stun:127.0.0.1:${srv.port}`;
      const a = makePc({ iceServers: [{ urls: [errUrl, silentUrl] }] });
      open.push(a);
      const errors: { url: string; errorCode: number; address: string | null; errorText: string }[] = [];
      a.onicecandidateerror = (e) => errors.push({ url: e.url, errorCode: e.errorCode, address: e.address, errorText: e.errorText });
      a.createDataChannel("x");
      await a.setLocalDescription();
      await until(() => errors.length === 2, 15_000, "two icecandidateerror events");
      const bad = errors.find((e) => e.url === errUrl)!;
      expect(bad.errorCode).toBe(400);
      expect(bad.errorText).toContain("Bad Request");
      expect(bad.address).toBe("127.0.0.1");
      const silent = errors.find((e) => e.url === silentUrl)!;
      expect(silent.errorCode).toBe(701);
      expect(a.iceGatheringState).toBe("complete");
    } finally {
      sock.close();
      srv.close();
    }
  });
});
