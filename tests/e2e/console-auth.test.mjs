// The console under custom auth: its files load without a token, the API refuses the page
// until a token is given, then every API call carries it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { open } from "./harness.mjs";

const HERE = import.meta.dirname;
const SHOTS = join(HERE, "screenshots");
const WAIT = { timeout: 30_000 };

let session;
const api = [];

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  session = await open(join(HERE, "auth.json"));
  session.page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (!path.startsWith("/console")) api.push({ path, authorization: request.headers().authorization });
  });
});

after(() => session?.close());

test("the page asks for a token, then sends it on every call", async () => {
  const { page, base } = session;
  await page.goto(`${base}/console/`);
  await page.locator("#banner", { hasText: "Invalid token" }).waitFor(WAIT);
  await page.getByLabel("Token").waitFor(WAIT);
  await page.screenshot({ path: join(SHOTS, "11-token-asked.png") });
  const refused = api.length;
  await page.getByLabel("Token").fill("console-token");
  await page.getByRole("button", { name: "Save" }).click();
  await page.locator(".items a", { hasText: "agent" }).click();
  await page.getByRole("button", { name: "New thread" }).click();
  await page.getByLabel("message").fill("with a token");
  await page.getByRole("button", { name: "Run" }).click();
  await page.locator(".bubble-assistant", { hasText: "with a token" }).waitFor(WAIT);
  await page.locator(".run-status .pill", { hasText: "success" }).waitFor(WAIT);
  const after = api.slice(refused);
  assert.ok(after.some((r) => r.path.endsWith("/runs/stream")), "the run streamed");
  assert.deepEqual(after.filter((r) => r.authorization !== "Bearer console-token"), []);
});
