/**
 * The demo server: one HTTP port serves the page (public/) and the WebSocket signaling (/ws).
 * Every WebSocket is one session with its own Node peer (peer.ts) that echoes the page's
 * data-channel messages.
 *
 *   tsx --conditions=@tsrtc/source examples/demo/src/server.ts [--port 8080] [--host 127.0.0.1]
 *       [--ice-host ADDR]... [--ice-loopback]
 *
 * --host is where the HTTP server listens. The Node peer's ICE is separate: by default it gathers
 * on every non-loopback interface, because browsers never gather on loopback (Chromium skips `lo`),
 * so a page on http://127.0.0.1:8080 still reaches the peer over the machine's LAN address.
 * --ice-host pins ICE to given addresses; --ice-loopback adds 127.0.0.1/::1 (for a browser started
 * with --allow-loopback-in-peer-connection).
 */
import { readFile } from "node:fs/promises";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { RTCConfiguration } from "@tsrtc/webrtc";
import { DemoPeer } from "./peer.js";
import { offererFromQuery, parseSignal } from "./signaling.js";
import { acceptWebSocket } from "./websocket.js";

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), "../public");

/** The files the page needs, by URL path; nothing else is served. */
const FILES: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/index.html": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
};

export interface DemoServerOptions {
  port: number;
  host: string;
  /** The Node peers' configuration (ICE interfaces in its tsrtc field). */
  rtc: RTCConfiguration;
  log?: (line: string) => void;
}

export interface DemoServer {
  /** http://host:port */
  url: string;
  /** Sessions currently open. */
  readonly sessions: number;
  /** Close every peer and socket, then the HTTP server. */
  close(): Promise<void>;
}

export async function startDemoServer(opts: DemoServerOptions): Promise<DemoServer> {
  const log = opts.log ?? (() => undefined);
  const sessions = new Map<number, { peer: DemoPeer; close(): void }>();
  let nextId = 1;

  const http = createServer((req, res) => void serveFile(req, res));
  http.on("upgrade", (req: IncomingMessage, socket, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://demo");
    if (url.pathname !== "/ws") {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      return;
    }
    const ws = acceptWebSocket(req, socket);
    if (!ws) return;
    if (head.length > 0) socket.unshift(head);
    const id = nextId++;
    const offerer = offererFromQuery(url.searchParams);
    const say = (line: string) => log(`[${id}] ${line}`);
    const peer = new DemoPeer({ offerer, rtc: opts.rtc, signal: (m) => ws.send(JSON.stringify(m)), log: say });
    const session = {
      peer,
      close() {
        sessions.delete(id);
        peer.close();
        ws.goingAway();
      },
    };
    sessions.set(id, session);
    say(`session from ${req.socket.remoteAddress ?? "?"}, ${offerer} offers`);
    ws.on("message", (data) => {
      const msg = typeof data === "string" ? parseSignal(data) : undefined;
      if (msg) peer.handle(msg);
      else say("ignored a malformed signaling message");
    });
    ws.on("close", () => {
      if (!sessions.has(id)) return;
      sessions.delete(id);
      peer.close();
      say(`session closed (${peer.echoed} messages echoed)`);
    });
    peer.start();
  });

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(opts.port, opts.host, () => {
      http.off("error", reject);
      resolve();
    });
  });
  const { address, port } = http.address() as AddressInfo;
  const shown = address.includes(":") ? `[${address}]` : address;

  return {
    url: `http://${shown}:${port}`,
    get sessions() {
      return sessions.size;
    },
    close() {
      for (const s of [...sessions.values()]) s.close();
      return new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}

async function serveFile(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? "/", "http://demo").pathname;
  const entry = FILES[path];
  if (!entry || (req.method !== "GET" && req.method !== "HEAD")) {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    return;
  }
  try {
    const body = await readFile(join(PUBLIC_DIR, entry.file));
    res.writeHead(200, { "content-type": entry.type, "cache-control": "no-store" }).end(req.method === "HEAD" ? undefined : body);
  } catch {
    res.writeHead(500, { "content-type": "text/plain" }).end("cannot read the page\n");
  }
}

/** Parse the command line into server options. */
export function parseCommandLine(argv: string[]): DemoServerOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", default: "8080" },
      host: { type: "string", default: "127.0.0.1" },
      "ice-host": { type: "string", multiple: true },
      "ice-loopback": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      "usage: server.ts [--port 8080] [--host 127.0.0.1] [--ice-host ADDR]... [--ice-loopback]\n" +
        "  --port, --host   where the HTTP + WebSocket server listens\n" +
        "  --ice-host       gather ICE only on these addresses (default: every non-loopback interface)\n" +
        "  --ice-loopback   also gather on loopback (browsers need --allow-loopback-in-peer-connection)\n",
    );
    process.exit(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: '${values.port}' is not a port number`);
  const iceHosts = values["ice-host"];
  return {
    port,
    host: values.host,
    rtc: { tsrtc: { hosts: iceHosts && iceHosts.length > 0 ? iceHosts : undefined, includeLoopback: values["ice-loopback"] } },
  };
}

async function main(): Promise<void> {
  const opts = parseCommandLine(process.argv.slice(2));
  const server = await startDemoServer({ ...opts, log: (line) => console.log(line) });
  console.log(`tsrtc demo on ${server.url} (Node peer offers: ${server.url}/?offer=node)`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      console.log(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    console.log(`${signal}: closing ${server.sessions} session(s)`);
    void server.close().then(() => process.exit(0));
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
