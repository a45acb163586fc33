import { createServer } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { acceptWebSocket } from "../examples/demo/src/websocket.js";

// The demo's small RFC 6455 server side, driven byte by byte from a raw TCP socket.

/** A client frame (§5.2): always masked. */
function frame(opcode: number, payload: Buffer, fin = true): Buffer {
  const mask = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  const n = payload.length;
  const head = n < 126 ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | n]) : Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | 126, n >> 8, n & 0xff]);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i & 3]));
  return Buffer.concat([head, mask, body]);
}

const server = createServer();
const closes: number[] = [];
const sockets: { destroy(): void }[] = [];
server.on("upgrade", (req, socket) => {
  sockets.push(socket);
  const ws = acceptWebSocket(req, socket);
  ws?.on("message", (m) => ws.send(typeof m === "string" ? `echo:${m}` : m));
  ws?.on("close", (code) => closes.push(code));
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const port = (server.address() as AddressInfo).port;
afterAll(() => {
  for (const s of sockets) s.destroy();
  return new Promise<void>((r) => server.close(() => r()));
});

function open(key: string): Promise<{ sock: Socket; head: string; read(n: number): Promise<Buffer> }> {
  const sock = connect(port, "127.0.0.1");
  let buf = Buffer.alloc(0);
  let wake: (() => void) | undefined;
  sock.on("data", (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    wake?.();
  });
  const until = async (ok: () => boolean) => {
    while (!ok()) await new Promise<void>((r) => (wake = r));
  };
  sock.write(`GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  return (async () => {
    await until(() => buf.includes("\r\n\r\n"));
    const end = buf.indexOf("\r\n\r\n") + 4;
    const head = buf.subarray(0, end).toString();
    buf = buf.subarray(end);
    return {
      sock,
      head,
      async read(n: number) {
        await until(() => buf.length >= n);
        const out = buf.subarray(0, n);
        buf = buf.subarray(n);
        return out;
      },
    };
  })();
}

describe("demo WebSocket server", () => {
  it("answers the RFC 6455 §1.3 example handshake", async () => {
    const c = await open("dGhlIHNhbXBsZSBub25jZQ==");
    expect(c.head).toMatch(/^HTTP\/1\.1 101 /);
    expect(c.head).toContain("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n");
    c.sock.destroy();
  });

  it("reassembles split and fragmented frames, answers ping and close", async () => {
    const c = await open("AQIDBAUGBwgJCgsMDQ4PEA==");
    const f = frame(0x1, Buffer.from("hello"));
    c.sock.write(f.subarray(0, 3)); // a frame split across TCP segments
    await new Promise((r) => setTimeout(r, 20));
    c.sock.write(f.subarray(3));
    expect([...(await c.read(12))]).toEqual([0x81, 10, ...Buffer.from("echo:hello")]);
    // A text message in two fragments (§5.4) with a ping between them (§5.5.2).
    c.sock.write(Buffer.concat([frame(0x1, Buffer.from("ab"), false), frame(0x9, Buffer.from("p")), frame(0x0, Buffer.from("cd"))]));
    expect([...(await c.read(3))]).toEqual([0x8a, 1, 0x70]); // pong "p"
    expect((await c.read(11)).subarray(2).toString()).toBe("echo:abcd");
    // 200 bytes of binary: 16-bit length both ways.
    const bin = Buffer.alloc(200, 7);
    c.sock.write(frame(0x2, bin));
    expect([...(await c.read(4))]).toEqual([0x82, 126, 0, 200]);
    expect((await c.read(200)).equals(bin)).toBe(true);
    // Close 1000: the server answers with the same code and the connection reports it.
    c.sock.write(frame(0x8, Buffer.from([0x03, 0xe8])));
    expect([...(await c.read(4))]).toEqual([0x88, 2, 0x03, 0xe8]);
    await new Promise((r) => c.sock.on("close", r));
    expect(closes).toContain(1000);
  });

  it("closes with 1002 on an unmasked client frame", async () => {
    const c = await open("EBEREhMUFRYXGBkaGxwdHg==");
    c.sock.write(Buffer.from([0x81, 0x02, 0x68, 0x69]));
    const reply = await c.read(4);
    expect([...reply.subarray(0, 2)]).toEqual([0x88, reply[1]]);
    expect(reply.readUInt16BE(2)).toBe(1002);
    c.sock.destroy();
  });
});
