// What every console test needs: a real `skeino serve` on a free loopback port with its
// own SQLite file, and Debian's Chromium with a fresh profile, driven by playwright-core.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const ROOT = resolve(import.meta.dirname, "..", "..");
const PYTHON = process.env.SKEINO_PYTHON ?? join(ROOT, ".venv", "bin", "python");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

function freePort() {
  return new Promise((done) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

async function until(check, rounds = 400) {
  for (let i = 0; i < rounds; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("skeino did not start");
}

/** skeino serving `manifest`, and a browser page; `close()` stops both. */
export async function open(manifest) {
  const scratch = mkdtempSync(join(tmpdir(), "skeino-e2e-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const database = `sqlite:///${scratch}/e2e.db`;
  const server = spawn(PYTHON, ["-m", "skeino", "serve", manifest, "--port", String(port), "--database", database], {
    stdio: "ignore",
    cwd: ROOT,
  });
  await until(async () => (await fetch(`${base}/ok`)).ok);
  const context = await chromium.launchPersistentContext(join(scratch, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1440, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const close = async () => {
    await context.close();
    server.kill("SIGTERM");
    await new Promise((r) => (server.exitCode === null ? server.once("exit", r) : r()));
    rmSync(scratch, { recursive: true, force: true });
  };
  return { base, page, close };
}
