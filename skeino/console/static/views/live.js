// A run as it happens: starts or rejoins its SSE stream, folds `values` and message chunks
// into a conversation, and keeps every event for the Events tab.
import { api, stream } from "../api.js";
import { clear, h, json, mono, pill, short } from "../dom.js";

export const MODES = ["values", "updates", "messages-tuple", "custom"];
const runKey = (threadId) => `skeino.console.run.${threadId}`;

const text = (content) =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
      ? content.map((part) => (typeof part === "string" ? part : part.text ?? "")).join("")
      : JSON.stringify(content);

const role = (message) => {
  const type = (message.type ?? message.role ?? "").replace(/MessageChunk$|Message$/, "").toLowerCase();
  return { human: "user", user: "user", ai: "assistant", assistant: "assistant", tool: "tool", system: "system" }[type] ?? type;
};

export class Live {
  constructor(threadId, { onStart, onEnd }) {
    this.threadId = threadId;
    this.onStart = onStart;
    this.onEnd = onEnd;
    this.values = {};
    this.chunks = new Map();
    this.run = null;
    this.controller = null;
    this.eventListeners = new Set();
    this.status = h("div", { class: "run-status" });
    this.conversation = h("div", { class: "conversation", "aria-live": "polite" });
  }

  get running() {
    return this.controller !== null;
  }

  show(values) {
    this.values = values ?? {};
    this.chunks.clear();
    this.draw();
  }

  /** Starts a streamed run (`body` as POST /threads/{id}/runs/stream takes it). */
  start(body, signal) {
    const full = { stream_mode: MODES, stream_resumable: true, on_disconnect: "continue", ...body };
    this.run = null;
    return this.follow("POST", `/threads/${this.threadId}/runs/stream`, full, {}, signal, null);
  }

  /**
   * Joins a run in flight, replaying what it already streamed when it is resumable (runs
   * started here are). `why` is shown beside it ("rejoined", …).
   */
  join(runId, why, signal) {
    this.run = { run_id: runId };
    return this.follow("GET", `/threads/${this.threadId}/runs/${runId}/stream`, undefined, { "Last-Event-ID": "-1" }, signal, why);
  }

  /** The run this page (or this tab before a reload) was following, if any. */
  static remembered(threadId) {
    return sessionStorage.getItem(runKey(threadId));
  }

  async cancel() {
    if (!this.run?.run_id) return;
    try {
      await api("POST", `/threads/${this.threadId}/runs/${this.run.run_id}/cancel?action=interrupt`);
    } catch (err) {
      this.error = err.message;
      this.draw();
    }
  }

  async follow(method, path, body, headers, signal, joined) {
    this.controller = new AbortController();
    signal?.addEventListener("abort", () => this.controller?.abort());
    this.chunks.clear();
    this.joined = joined;
    this.error = null;
    this.state = "running";
    this.draw();
    try {
      await stream(method, path, body, (event) => this.receive(event), { headers, signal: this.controller.signal });
      if (this.state === "running") this.state = "done";
    } catch (err) {
      if (err.name !== "AbortError") {
        this.error = err.message;
        this.state = "error";
      }
    } finally {
      // a page that is left (a reload, another view) remembers the run to rejoin it
      if (!this.controller.signal.aborted) sessionStorage.removeItem(runKey(this.threadId));
      this.controller = null;
      this.draw();
      if (!signal?.aborted) this.onEnd();
    }
  }

  receive(event) {
    const kind = event.event.split("|")[0];
    if (kind === "metadata") {
      this.run = { ...this.run, run_id: event.data.run_id };
      sessionStorage.setItem(runKey(this.threadId), event.data.run_id);
      this.onStart();
    } else if (kind === "values" && !event.event.includes("|")) {
      this.values = event.data;
      this.chunks.clear();
    } else if (kind === "messages") {
      const [chunk] = Array.isArray(event.data) ? event.data : [event.data];
      const id = chunk?.id ?? "pending";
      const previous = this.chunks.get(id);
      this.chunks.set(id, { ...chunk, content: (previous ? text(previous.content) : "") + text(chunk?.content ?? "") });
    } else if (kind === "error") {
      const { error, message } = event.data ?? {};
      this.error = message ? [error, message].filter(Boolean).join(": ") : JSON.stringify(event.data);
      this.state = "error";
    }
    this.draw();
    this.eventListeners.forEach((l) => l(event));
  }

  /** Between streams: the status of the last run (this page's, else the thread's newest). */
  settle(runs) {
    const run = this.run ? runs.find((r) => r.run_id === this.run.run_id) : runs[0];
    if (run && !this.running) {
      this.run = run;
      this.state = run.status;
      this.draw();
    }
  }

  draw() {
    const id = this.run?.run_id;
    clear(this.status,
      this.controller
        ? [h("span", { class: "spinner" }), this.joined ? "Following run " : "Streaming run ", id ? mono(short(id), id) : "…",
           this.joined ? h("span", { class: "badge", "data-joined": this.joined }, this.joined) : null,
           h("button", { class: "danger small", type: "button", onclick: () => this.cancel() }, "Cancel")]
        : id ? ["Last run ", mono(short(id), id), " ", pill(this.state === "done" ? "finished" : this.state)] : null,
      this.error ? h("div", { class: "notice notice-error" }, this.error) : null,
    );
    const messages = Array.isArray(this.values.messages) ? this.values.messages : null;
    if (!messages) {
      clear(this.conversation, Object.keys(this.values).length ? h("div", { class: "values-card" }, h("div", { class: "label" }, "Values"), json(this.values)) : h("div", { class: "empty" }, "Nothing yet: start a run below."));
      return;
    }
    const known = new Set(messages.map((m) => m.id));
    const streaming = [...this.chunks.values()].filter((c) => !known.has(c.id));
    clear(this.conversation,
      messages.map((m) => bubble(m, false)),
      streaming.map((m) => bubble(m, true)),
      messages.length + streaming.length ? null : h("div", { class: "empty" }, "No messages yet."));
    this.conversation.scrollTop = this.conversation.scrollHeight;
  }
}

function bubble(message, streaming) {
  const who = role(message);
  const calls = message.tool_calls ?? [];
  return h("div", { class: `bubble bubble-${who}${streaming ? " streaming" : ""}`, dataset: { role: who } },
    h("div", { class: "who" }, who === "tool" ? `tool · ${message.name ?? ""}` : who),
    h("div", { class: "content" }, text(message.content)),
    calls.length ? calls.map((c) => h("div", { class: "tool-call" }, mono(c.name), json(c.args))) : null,
  );
}
