/**
 * Headless Debian Chromium driven by playwright-core, with the flags these machines need
 * (../shared/notes/browsers-on-the-wire.md §7). Run it inside a Netns (see netns.ts): launch this
 * from a script that `Netns.spawn` started, so the browser inherits the namespace.
 */
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export interface LaunchOptions {
  /** Grant media permission (raw IP host candidates instead of mDNS `.local` names). */
  mediaPermission?: boolean;
}

export async function launchChromium(opts: LaunchOptions = {}): Promise<{ browser: Browser; close(): Promise<void> }> {
  const args = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ];
  if (opts.mediaPermission) args.push("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream");
  // playwright gives every launch a fresh temporary profile of its own (no --user-data-dir here).
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}
