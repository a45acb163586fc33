/**
 * The demo app end to end, run inside a private namespace (run-in-netns.ts): start the demo
 * server with its real command line, open the page in Chromium once per offerer (browser, Node),
 * wait for the connection, type chat messages and read their echoes off the page. Then stop the
 * server with SIGTERM while both pages are connected and read what they show.
 *
 *   args: [--screenshot DIR]   save a PNG of each page after the echo
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { launchChromium } from "../harness/chromium.js";

const shotDir = process.argv.includes("--screenshot") ? process.argv[process.argv.indexOf("--screenshot") + 1] : undefined;

interface ModeResult {
  offerer: string;
  signaling: string;
  ice: string;
  connection: string;
  channel: string;
  sent: string;
  echoes: string[];
  pair: string;
  error: string;
}

// The server, as a user starts it (port 0: any free port; its first line says which).
const server = spawn(process.execPath, ["--conditions=@tsrtc/source", "--import", "tsx", "examples/demo/src/server.ts", "--port", "0"], {
  stdio: ["ignore", "pipe", "pipe"],
});
let serverOut = "";
let serverErr = "";
server.stdout.on("data", (d: Buffer) => (serverOut += d.toString()));
server.stderr.on("data", (d: Buffer) => (serverErr += d.toString()));
const exited = new Promise<number | null>((res) => server.on("exit", (code) => res(code)));

const url = await new Promise<string>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`the demo server did not start:\n${serverOut}\n${serverErr}`)), 20_000);
  const look = () => {
    const m = /tsrtc demo on (http:\/\/\S+)/.exec(serverOut);
    if (m) {
      clearTimeout(timer);
      server.stdout.off("data", look);
      resolve(m[1]);
    }
  };
  server.stdout.on("data", look);
  void exited.then((code) => reject(new Error(`the demo server exited (${code}):\n${serverOut}\n${serverErr}`)));
});

const { browser, close } = await launchChromium();
const modes: ModeResult[] = [];
let afterStop: { signaling: string; channel: string }[] = [];
let code: number | null = null;
try {
  const pages = [];
  for (const offerer of ["browser", "node"]) {
    const page = await browser.newPage({ viewport: { width: 900, height: 860 } });
    pages.push(page);
    await page.goto(`${url}/?offer=${offerer}`);
    await page.waitForSelector('#connection-state[data-state="connected"]', { timeout: 20_000 });
    await page.waitForSelector('#channel-state[data-state="open"]', { timeout: 10_000 });
    await page.waitForSelector("#chat-input:not([disabled])");
    const sent = `hello tsrtc, ${offerer} offered ✓`;
    await page.fill("#chat-input", sent);
    await page.press("#chat-input", "Enter");
    await page.fill("#chat-input", "a second message");
    await page.click("#chat-send");
    await page.waitForFunction('document.querySelectorAll(".msg.echo").length >= 2', undefined, { timeout: 10_000 });
    await page.waitForSelector("#pair:not([hidden])", { timeout: 5_000 }).catch(() => undefined);
    const text = (sel: string) => page.$eval(sel, (el) => el.textContent ?? "");
    modes.push({
      offerer,
      signaling: await text("#signaling-state"),
      ice: await text("#ice-state"),
      connection: await text("#connection-state"),
      channel: await text("#channel-state"),
      sent,
      echoes: await page.$$eval(".msg.echo .text", (els) => els.map((e) => e.textContent ?? "")),
      pair: await text("#pair"),
      error: await text("#error"),
    });
    if (shotDir) await page.screenshot({ path: join(shotDir, `tsrtc-demo-${offerer}.png`), fullPage: true });
  }

  // Clean shutdown while both pages are connected: SIGTERM closes both sessions (their peers send
  // SCTP ABORT, their sockets a close frame) and the server exits 0.
  server.kill("SIGTERM");
  const timer = setTimeout(() => server.kill("SIGKILL"), 10_000);
  code = await exited;
  clearTimeout(timer);
  afterStop = await Promise.all(
    pages.map(async (page) => {
      await page.waitForSelector('#signaling-state[data-state="closed"]', { timeout: 5_000 }).catch(() => undefined);
      await page.waitForSelector('#channel-state[data-state="closed"]', { timeout: 5_000 }).catch(() => undefined);
      return {
        signaling: await page.$eval("#signaling-state", (el) => el.textContent ?? ""),
        channel: await page.$eval("#channel-state", (el) => el.textContent ?? ""),
      };
    }),
  );
} finally {
  if (code === null) server.kill("SIGKILL");
  await close();
}

console.log(`RESULT ${JSON.stringify({ url, modes, afterStop, exitCode: code, serverLog: serverOut.split("\n").filter(Boolean), serverErr })}`);
