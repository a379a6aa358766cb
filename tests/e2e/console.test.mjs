// The console in headless Chromium against a real `skeino serve` of the example graphs
// (plus `gated`, a chat graph that waits for the test so a run can be caught mid-flight).
// Every step saves a screenshot under tests/e2e/screenshots/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { open } from "./harness.mjs";

const HERE = import.meta.dirname;
const SHOTS = join(HERE, "screenshots");
const WAIT = { timeout: 30_000 };

let session;
let page;
let base;
const outside = [];
const pageErrors = [];
const seen = new Set();
let errorsShown = -1;

const shot = (name) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
const threadId = () => decodeURIComponent(new URL(page.url()).hash.split("/")[2]);

async function api(method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(response.ok, `${method} ${path}: ${response.status}`);
  return response.status === 204 ? null : response.json();
}

async function newThread(graph) {
  await page.goto(`${base}/console/#/assistants`);
  await page.locator(".items a", { hasText: graph }).first().click();
  await page.locator("h1", { hasText: graph }).waitFor(WAIT);
  await page.getByRole("button", { name: "New thread" }).click();
  await page.locator(".composer").waitFor(WAIT);
  return threadId();
}

async function say(text) {
  await page.getByLabel("message").fill(text);
  await page.getByRole("button", { name: "Run" }).click();
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  session = await open(join(HERE, "langgraph.json"));
  ({ page, base } = session);
  page.on("request", (request) => {
    seen.add(new URL(request.url()).pathname);
    if (!request.url().startsWith(`${base}/`)) outside.push(request.url());
  });
  page.on("pageerror", (err) => pageErrors.push(err.message));
});

after(() => session?.close());

test("assistants: the list, the graph drawn from xray, schemas and versions", async () => {
  await page.goto(`${base}/console`);
  await page.locator(".items a", { hasText: "approval" }).click();
  for (const node of ["draft", "review", "act", "__start__", "__end__"]) {
    await page.locator(`svg.graph [data-node="${node}"]`).waitFor(WAIT);
  }
  await shot("01-assistant-graph");
  await page.getByRole("tab", { name: "Schemas" }).click();
  await page.locator("details", { hasText: "State schema" }).waitFor(WAIT);
  await page.getByRole("tab", { name: "Versions" }).click();
  await page.locator("td", { hasText: "v1" }).waitFor(WAIT);
});

test("a chat run streams its tokens, and a reload mid-run rejoins it", async () => {
  const id = await newThread("gated");
  await say("are you there?");
  const streaming = page.locator(".bubble.streaming", { hasText: "Working on it, one moment please" });
  await streaming.waitFor(WAIT);
  await page.getByRole("tab", { name: "Events" }).click();
  await page.locator(".event-name", { hasText: "custom" }).first().waitFor(WAIT);
  assert.ok((await page.locator(".event-name.ev-messages").count()) > 3, "tokens arrive one by one");
  await shot("02-chat-tokens-arriving");

  await page.reload();
  await page.locator('[data-joined="rejoined"]').waitFor(WAIT);
  await streaming.waitFor(WAIT);
  await shot("03-reload-rejoined");
  await page.getByRole("tab", { name: "Graph" }).click();
  await page.locator('.live-graph [data-node="agent"].next').waitFor(WAIT);
  await shot("03b-graph-of-the-run");

  await api("PUT", "/store/items", { namespace: ["e2e", "gates"], key: id, value: { open: true } });
  await page.locator(".bubble-assistant:not(.streaming)", { hasText: "the gate opened" }).waitFor(WAIT);
  await page.locator(".run-status .pill", { hasText: "success" }).waitFor(WAIT);
  await shot("04-chat-finished");
  const state = await api("GET", `/threads/${id}/state`);
  assert.equal(state.values.messages.length, 3);
});

test("a run started by another client is joined while the thread is open", async () => {
  const id = await newThread("gated");
  const input = { messages: [{ role: "user", content: "from the SDK" }] };
  await api("POST", `/threads/${id}/runs`, { assistant_id: "gated", input });
  await page.locator('[data-joined="started elsewhere"]').waitFor(WAIT);
  await api("PUT", "/store/items", { namespace: ["e2e", "gates"], key: id, value: { open: true } });
  await page.locator(".bubble-assistant", { hasText: "the gate opened" }).waitFor(WAIT);
  await page.locator(".run-status .pill", { hasText: "success" }).waitFor(WAIT);
});

test("a run in flight is cancelled from the console", async () => {
  await newThread("gated");
  await say("never mind");
  await page.locator(".bubble.streaming", { hasText: "Working on it" }).waitFor(WAIT);
  await page.locator(".run-status").getByRole("button", { name: "Cancel" }).click();
  await page.locator(".run-status .pill", { hasText: "interrupted" }).waitFor(WAIT);
  await page.getByRole("tab", { name: "Runs" }).click();
  await page.locator("td .pill", { hasText: "interrupted" }).waitFor(WAIT);
});

test("the approval graph's interrupt is answered from the console and the run resumes", async () => {
  const id = await newThread("approval");
  await page.locator(".field", { hasText: "request" }).locator("input").fill("a release");
  await page.getByRole("button", { name: "Run" }).click();
  await page.getByRole("tab", { name: "State" }).click();
  const card = page.locator(".interrupt", { hasText: "Approve this plan?" });
  await card.waitFor(WAIT);
  await shot("05-interrupt-waiting");
  await card.getByLabel("interrupt answer").fill('"yes"');
  await card.getByRole("button", { name: "Resume" }).click();
  await page.locator(".json", { hasText: '"result": "done"' }).first().waitFor(WAIT);
  await shot("06-interrupt-answered");
  const state = await api("GET", `/threads/${id}/state`);
  assert.deepEqual([state.values.approved, state.values.result], [true, "done"]);
});

test("history is a timeline, and a run forks from an older checkpoint", async () => {
  const id = await newThread("agent");
  await say("first question");
  await page.locator(".bubble-assistant", { hasText: "first question" }).waitFor(WAIT);
  await page.locator(".run-status .pill", { hasText: "success" }).waitFor(WAIT);
  await say("second question");
  await page.locator(".bubble-assistant", { hasText: "second question" }).waitFor(WAIT);
  await page.locator(".run-status .pill", { hasText: "success" }).waitFor(WAIT);

  await page.getByRole("tab", { name: "History" }).click();
  const history = await api("POST", `/threads/${id}/history`, { limit: 100 });
  const older = history.find((c) => c.metadata.step === 1 && c.values.messages.length === 2);
  const item = page.locator(`.timeline li[data-checkpoint="${older.checkpoint.checkpoint_id}"]`);
  await item.locator("summary").first().click();
  await shot("07-history-timeline");
  await item.getByRole("button", { name: "Fork from here" }).click();
  await page.locator(".chip", { hasText: "Forking from checkpoint" }).waitFor(WAIT);
  await say("forked question");
  await page.locator(".bubble-assistant", { hasText: "forked question" }).waitFor(WAIT);
  await page.locator(".run-status .pill", { hasText: "success" }).waitFor(WAIT);
  await shot("08-forked");
  const state = await api("GET", `/threads/${id}/state`);
  const texts = state.values.messages.map((m) => m.content);
  assert.equal(texts.length, 4);
  assert.ok(!texts.some((t) => t.includes("second question")), "the fork left the later turn out");
});

test("threads are searched by status and metadata", async () => {
  await page.goto(`${base}/console/#/threads`);
  await page.getByLabel("Metadata (JSON, matched by containment)").fill('{"graph_id": "approval"}');
  await page.getByRole("button", { name: "Search" }).click();
  await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 1, null, WAIT);
  await page.locator("tbody tr", { hasText: "approval" }).waitFor(WAIT);
  await page.getByLabel("Status").selectOption("interrupted");
  await page.getByRole("button", { name: "Search" }).click();
  await page.locator(".empty", { hasText: "No threads match" }).waitFor(WAIT);
  await shot("09-threads-search");
});

test("the server panel: metrics when the server has them, crons, the store", async () => {
  await page.goto(`${base}/console/#/server`);
  await page.locator(".namespaces li", { hasText: "e2e / gates" }).waitFor(WAIT);
  await page.locator(".metrics table, .metrics .empty").first().waitFor(WAIT);
  await shot("10-server");
  errorsShown = await page.locator("#banner:not([hidden])").count();
});

test("the page asked nothing of any host but the skeino server, and threw nothing", () => {
  assert.deepEqual(outside, []);
  assert.deepEqual(pageErrors, []);
  assert.ok(seen.size > 10, "the request listener saw the page's traffic");
  assert.equal(errorsShown, 0, "no failure was shown in the banner");
});
