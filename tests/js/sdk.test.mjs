// The official JS SDK against a real `skeino serve` (SQLite, the conformance graphs).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@langchain/langgraph-sdk";
import { serve, until } from "./serve.mjs";

let server;
let client;

async function collect(stream) {
  const parts = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

before(async () => {
  server = await serve();
  client = new Client({ apiUrl: server.apiUrl });
});

after(async () => {
  await server?.stop();
});

const chat = (text) => ({ messages: [{ role: "user", content: text }] });

describe("threads and state", () => {
  test("create, get, search, update state, history", async () => {
    const thread = await client.threads.create({ metadata: { js: "state" } });
    assert.equal((await client.threads.get(thread.thread_id)).status, "idle");
    await client.runs.wait(thread.thread_id, "chat", { input: chat("hi") });
    const state = await client.threads.getState(thread.thread_id);
    assert.equal(state.values.messages.length, 2);
    assert.equal(state.metadata.thread_id, thread.thread_id);
    const found = await client.threads.search({ metadata: { js: "state" } });
    assert.deepEqual(found.map((t) => t.thread_id), [thread.thread_id]);
    await client.threads.updateState(thread.thread_id, {
      values: { messages: [{ role: "ai", content: "edited", id: "m-1" }] },
      asNode: "agent",
    });
    const history = await client.threads.getHistory(thread.thread_id);
    assert.ok(history.length >= 3);
  });
});

describe("runs", () => {
  test("wait, create/join, list, get", async () => {
    const thread = await client.threads.create();
    const out = await client.runs.wait(thread.thread_id, "chat", { input: chat("one") });
    assert.match(out.messages.at(-1).content, /one/);
    const run = await client.runs.create(thread.thread_id, "chat", { input: chat("two") });
    await client.runs.join(thread.thread_id, run.run_id);
    assert.equal((await client.runs.get(thread.thread_id, run.run_id)).status, "success");
    assert.equal((await client.runs.list(thread.thread_id)).length, 2);
  });

  test("stateless wait", async () => {
    const out = await client.runs.wait(null, "chat", { input: chat("stateless") });
    assert.equal(out.messages.length, 2);
  });

  test("every stream mode", async () => {
    const thread = await client.threads.create();
    const modes = ["values", "updates", "messages-tuple", "custom", "debug", "tasks", "checkpoints"];
    const parts = await collect(
      client.runs.stream(thread.thread_id, "chat", { input: chat("stream"), streamMode: modes }),
    );
    const events = new Set(parts.map((p) => p.event.split("|")[0]));
    for (const event of ["metadata", "values", "updates", "messages", "debug", "tasks", "checkpoints"]) {
      assert.ok(events.has(event), `no ${event} event in ${[...events]}`);
    }
    const custom = await collect(
      client.runs.stream(thread.thread_id, "custom", { input: { count: 3 }, streamMode: "custom" }),
    );
    assert.equal(custom.filter((p) => p.event === "custom").length, 3);
    const messages = await collect(
      client.runs.stream(null, "chat", { input: chat("tokens"), streamMode: "messages" }),
    );
    assert.ok(messages.some((p) => p.event === "messages/partial"));
  });

  test("events mode names the run", async () => {
    const thread = await client.threads.create();
    const parts = await collect(
      client.runs.stream(thread.thread_id, "chat", { input: chat("events"), streamMode: "events" }),
    );
    const runId = parts[0].data.run_id;
    assert.equal(parts.find((p) => p.event === "events").data.run_id, runId);
  });

  test("interrupt and resume", async () => {
    const thread = await client.threads.create();
    const first = await client.runs.wait(thread.thread_id, "interrupt", { input: { topic: "js" } });
    assert.deepEqual(first.__interrupt__[0].value, { question: "Approve js?" });
    assert.equal((await client.threads.get(thread.thread_id)).status, "interrupted");
    const done = await client.runs.wait(thread.thread_id, "interrupt", { command: { resume: "yes" } });
    assert.deepEqual(done.log, ["prepare:js", "ask", "act:yes"]);
  });

  test("cancel, join and join a stream", async () => {
    const thread = await client.threads.create();
    const slow = await client.runs.create(thread.thread_id, "slow", { input: { delay: 30, steps: 300 } });
    await until(async () => (await client.runs.get(thread.thread_id, slow.run_id)).status === "running");
    await client.runs.cancel(thread.thread_id, slow.run_id, true);
    assert.equal((await client.runs.get(thread.thread_id, slow.run_id)).status, "interrupted");
    const run = await client.runs.create(thread.thread_id, "slow", { input: { delay: 0.5, steps: 5 } });
    const parts = await collect(client.runs.joinStream(thread.thread_id, run.run_id));
    assert.ok(parts.length > 0);
    const out = await client.runs.join(thread.thread_id, run.run_id);
    assert.equal(out.log.at(-1), "done");
  });

  test("multitask reject and enqueue", async () => {
    const thread = await client.threads.create();
    const slow = await client.runs.create(thread.thread_id, "slow", { input: { delay: 1, steps: 10 } });
    await assert.rejects(
      client.runs.create(thread.thread_id, "slow", { input: { delay: 0 }, multitaskStrategy: "reject" }),
      (error) => error.status === 409,
    );
    const queued = await client.runs.create(thread.thread_id, "slow", {
      input: { delay: 0 },
      multitaskStrategy: "enqueue",
    });
    await client.runs.join(thread.thread_id, queued.run_id);
    assert.equal((await client.runs.get(thread.thread_id, slow.run_id)).status, "success");
  });
});

describe("store and assistants", () => {
  test("put, get, search, delete", async () => {
    await client.store.putItem(["js", "notes"], "a", { text: "one" });
    await client.store.putItem(["js", "notes"], "b", { text: "two" });
    assert.deepEqual((await client.store.getItem(["js", "notes"], "a")).value, { text: "one" });
    const found = await client.store.searchItems(["js"], { filter: { text: "two" } });
    assert.deepEqual(found.items.map((i) => i.key), ["b"]);
    await client.store.deleteItem(["js", "notes"], "a");
    assert.equal(await client.store.getItem(["js", "notes"], "a"), null);
  });

  test("search assistants and draw a graph", async () => {
    const [assistant] = await client.assistants.search({ graphId: "chat" });
    const graph = await client.assistants.getGraph(assistant.assistant_id);
    assert.ok(graph.nodes.some((n) => n.id === "agent"));
  });
});
