// `client.threads.stream()` of the official JS SDK (the thread-centric protocol) against a
// real `skeino serve`: messages and values, an interrupt answered, subgraphs, and the
// WebSocket transport where this node has a WebSocket.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@langchain/langgraph-sdk";
import { serve } from "./serve.mjs";

let server;
let client;

before(async () => {
  server = await serve();
  client = new Client({ apiUrl: server.apiUrl });
});

after(async () => {
  await server?.stop();
});

const chat = (text) => ({ messages: [{ role: "user", content: text }] });
const transports = typeof WebSocket === "function" ? ["sse", "websocket"] : ["sse"];

for (const transport of transports) {
  describe(`threads.stream over ${transport}`, () => {
    test("a chat's messages and values", async () => {
      const thread = client.threads.stream({ assistantId: "chat", transport });
      try {
        const texts = [];
        const reading = (async () => {
          for await (const message of thread.messages) texts.push(await message.text);
        })();
        await thread.run.start({ input: chat("hi") });
        const output = await thread.output;
        assert.deepEqual(output.messages.map((m) => m.type), ["human", "ai"]);
        await Promise.race([reading, new Promise((r) => setTimeout(r, 2000))]);
        assert.deepEqual(texts, ["You said: hi. That is all I know."]);
      } finally {
        await thread.close();
      }
    });

    test("an interrupt answered with input.respond", async () => {
      const thread = client.threads.stream({ assistantId: "interrupt", transport });
      try {
        await thread.run.start({ input: { topic: "js" } });
        await thread.output;
        assert.equal(thread.interrupted, true);
        const [pending] = thread.interrupts;
        assert.deepEqual(pending.namespace, []);
        assert.deepEqual(pending.payload, { question: "Approve js?" });
        await thread.input.respond({ interrupt_id: pending.interruptId, namespace: [], response: "ok" });
        const state = await client.threads.getState(thread.threadId);
        // the answer runs as a new run; wait for it through the thread's state
        const deadline = Date.now() + 20000;
        let values = state.values;
        while (!values.log?.includes("act:ok") && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
          values = (await client.threads.getState(thread.threadId)).values;
        }
        assert.deepEqual(values.log, ["prepare:js", "ask", "act:ok"]);
      } finally {
        await thread.close();
      }
    });

    test("subgraph namespaces", async () => {
      const thread = client.threads.stream({ assistantId: "subgraph", transport });
      try {
        const names = [];
        const watching = (async () => {
          for await (const sub of thread.subgraphs) names.push(sub.namespace);
        })();
        await thread.run.start({ input: { log: [] } });
        const output = await thread.output;
        assert.deepEqual(output.log, ["before", "before", "child"]);
        await Promise.race([watching, new Promise((r) => setTimeout(r, 2000))]);
        assert.equal(names.length, 1);
        assert.match(names[0][0], /^child:/);
      } finally {
        await thread.close();
      }
    });
  });
}
