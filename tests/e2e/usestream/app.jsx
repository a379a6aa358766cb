// A small useStream page: a chat box on one graph, its interrupt answered from the page.
// The server URL, graph, thread and transport come from the query string
// (?api=&graph=&thread=&transport=);
// the thread id is put back into the URL so a reload rejoins the same thread.
import { useState } from "react";
import { createRoot } from "react-dom/client";
import { useStream } from "@langchain/react";

const query = new URLSearchParams(location.search);

function remember(threadId) {
  const url = new URL(location.href);
  url.searchParams.set("thread", threadId);
  history.replaceState(null, "", url);
}

function text(message) {
  const content = message.content;
  if (typeof content === "string") return content;
  return content.map((block) => block.text ?? "").join("");
}

function App() {
  const [draft, setDraft] = useState("");
  const stream = useStream({
    apiUrl: query.get("api"),
    assistantId: query.get("graph") ?? "chat",
    threadId: query.get("thread"),
    transport: query.get("transport") ?? "sse",
    onThreadId: remember,
  });
  const send = (event) => {
    event.preventDefault();
    const inputs = {
      interrupt: { topic: draft },
      slow: { delay: Number(draft) },
    };
    const input = inputs[query.get("graph")] ?? { messages: [{ type: "human", content: draft }] };
    stream.submit(input);
    setDraft("");
  };
  return (
    <main>
      <form onSubmit={send}>
        <input id="draft" value={draft} onChange={(e) => setDraft(e.target.value)} />
        <button id="send" type="submit">Send</button>
      </form>
      <p id="status">{stream.isLoading ? "loading" : "idle"}</p>
      <ol id="messages">
        {stream.messages.map((m, i) => <li key={m.id ?? i} className={m.type ?? m._getType?.()}>{text(m)}</li>)}
      </ol>
      {stream.interrupt && (
        <section id="interrupt">
          <p id="question">{stream.interrupt.value?.question}</p>
          <button id="approve" onClick={() => stream.respond("approved")}>Approve</button>
        </section>
      )}
      <pre id="values">{JSON.stringify(stream.values)}</pre>
    </main>
  );
}

createRoot(document.getElementById("root")).render(<App />);
