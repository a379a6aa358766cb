// A real `skeino serve` on a free loopback port with its own SQLite file (the conformance
// graphs unless told otherwise), for one test file: the JS SDK tests and the browser tests.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "..", "..");
const PYTHON = process.env.SKEINO_PYTHON ?? join(ROOT, ".venv", "bin", "python");

function freePort() {
  return new Promise((done) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

export async function until(check, seconds = 20) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("timed out");
}

// Starts the server; resolves to its URL, its scratch dir (removed by `stop()`) and a
// `stop()` that ends it.
export async function serve(manifest = join(ROOT, "conformance", "langgraph.json")) {
  const scratch = mkdtempSync(join(tmpdir(), "skeino-js-"));
  const port = await freePort();
  const server = spawn(
    PYTHON,
    ["-m", "skeino", "serve", manifest, "--port", String(port), "--database", `sqlite:///${scratch}/js.db`],
    { stdio: "ignore", cwd: ROOT },
  );
  const apiUrl = `http://127.0.0.1:${port}`;
  await until(async () => (await fetch(`${apiUrl}/ok`)).ok);
  const stop = async () => {
    server.kill("SIGTERM");
    await new Promise((r) => (server.exitCode === null ? server.once("exit", r) : r()));
    rmSync(scratch, { recursive: true, force: true });
  };
  return { apiUrl, scratch, stop };
}
