// useStream (@langchain/react) in headless Chromium against a real `skeino serve`: send a
// message and watch it stream, answer an interrupt from the page, reload and rejoin the
// thread. Screenshots go to $SCREENSHOTS (default: a temporary directory).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { serve } from "../../js/serve.mjs";
import { servePage } from "./page.mjs";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const SHOTS = process.env.SCREENSHOTS ?? mkdtempSync(join(tmpdir(), "usestream-"));
let server;
let page;
let browser;

before(async () => {
  server = await serve();
  page = await servePage();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await page?.close();
  await server?.stop();
  console.log(`screenshots in ${SHOTS}`);
});

async function open(graph, transport = "sse") {
  const tab = await browser.newPage();
  tab.sockets = [];
  tab.on("websocket", (socket) => tab.sockets.push(socket.url()));
  const api = encodeURIComponent(server.apiUrl);
  await tab.goto(`${page.url}/?api=${api}&graph=${graph}&transport=${transport}`);
  return tab;
}

async function send(tab, text) {
  await tab.fill("#draft", text);
  await tab.click("#send");
}

for (const transport of ["sse", "websocket"]) {
  test(`a message streams into the page (${transport})`, async () => {
    const tab = await open("chat", transport);
    await send(tab, "hello");
    const reply = tab.locator("#messages li").nth(1);
    await reply.waitFor();
    await tab.locator("#status", { hasText: "idle" }).waitFor();
    assert.equal(await reply.textContent(), "You said: hello. That is all I know.");
    const socket = tab.sockets.some((url) => url.endsWith("/stream/events"));
    assert.equal(socket, transport === "websocket");
    await tab.screenshot({ path: join(SHOTS, `1-chat-${transport}.png`) });
    await tab.close();
  });
}

test("an interrupt is answered from the page", async () => {
  const tab = await open("interrupt");
  await send(tab, "deploy");
  await tab.locator("#question", { hasText: "Approve deploy?" }).waitFor();
  await tab.screenshot({ path: join(SHOTS, "2-interrupted.png") });
  await tab.click("#approve");
  await tab.locator("#values", { hasText: "act:approved" }).waitFor();
  assert.equal(await tab.locator("#interrupt").count(), 0);
  await tab.screenshot({ path: join(SHOTS, "3-resumed.png") });
  await tab.close();
});

test("a reload rejoins the thread", async () => {
  const tab = await open("chat");
  await send(tab, "remember me");
  await tab.locator("#messages li").nth(1).waitFor();
  await tab.waitForURL(/thread=/);
  await tab.reload();
  await tab.locator("#messages li").nth(1).waitFor();
  const texts = await tab.locator("#messages li").allTextContents();
  assert.deepEqual(texts, ["remember me", "You said: remember me. That is all I know."]);
  await send(tab, "again");
  await tab.locator("#messages li").nth(3).waitFor();
  assert.equal(await tab.locator("#messages li").nth(3).textContent(), "You said: again. That is all I know.");
  await tab.screenshot({ path: join(SHOTS, "4-rejoined.png") });
  await tab.close();
});

test("a reload during a run rejoins it", async () => {
  const tab = await open("slow");
  await send(tab, "3");
  await tab.locator("#status", { hasText: "loading" }).waitFor();
  await tab.waitForURL(/thread=/);
  await tab.reload();
  await tab.locator("#values", { hasText: "worked:1" }).waitFor({ timeout: 30000 });
  await tab.locator("#status", { hasText: "idle" }).waitFor();
  assert.match(await tab.locator("#values").textContent(), /"log":\["worked:1","done"\]/);
  await tab.screenshot({ path: join(SHOTS, "5-rejoined-run.png") });
  await tab.close();
});
