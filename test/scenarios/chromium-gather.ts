/**
 * Smoke scenario: Chromium inside the namespace creates a data-channel offer and gathers. Prints
 * the host candidates it produced, with and without media permission.
 */
import { launchChromium } from "../harness/chromium.js";
import { servePages } from "../harness/page-server.js";

const mediaPermission = process.argv.includes("--media");
const { browser, close } = await launchChromium({ mediaPermission });
const site = await servePages({ "/": "<!doctype html><title>gather</title>" });
try {
  const page = await browser.newPage();
  await page.goto(site.url);
  // Browser-side code is plain JavaScript run in the page (the repo's type check has no DOM lib).
  const candidates = (await page.evaluate(`(async () => {
    const pc = new RTCPeerConnection();
    pc.createDataChannel("x");
    const found = [];
    const done = new Promise((res) => {
      pc.onicecandidate = (e) => (e.candidate ? found.push(e.candidate.candidate) : res());
    });
    await pc.setLocalDescription(await pc.createOffer());
    await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
    pc.close();
    return found;
  })()`)) as string[];
  console.log(`RESULT ${JSON.stringify({ candidates, version: browser.version() })}`);
} finally {
  await site.close();
  await close();
}
