// What every console test needs: a real `skeino serve` on a free loopback port with its
// own SQLite file, and Debian's Chromium with a fresh profile, driven by playwright-core.
import { join } from "node:path";
import { chromium } from "playwright-core";
import { serve } from "../js/serve.mjs";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** skeino serving `manifest`, and a browser page; `close()` stops both. */
export async function open(manifest) {
  const server = await serve(manifest);
  const base = server.apiUrl;
  const context = await chromium.launchPersistentContext(join(server.scratch, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1440, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const close = async () => {
    await context.close();
    await server.stop();
  };
  return { base, page, close };
}
