// One thread: the conversation and its live run, the composer, and tabs for state (with
// pending interrupts and editing), checkpoint history (fork from any step), runs, events.
import { api } from "../api.js";
import { clear, h, json, mono, pill, short, tabs, time } from "../dom.js";
import { PREFERRED } from "./assistants.js";
import { Composer } from "./composer.js";
import { LiveGraph } from "./livegraph.js";
import { Live } from "./live.js";
import { stateEditor, statePanel } from "./state.js";

const MAX_EVENTS = 500;
const IN_FLIGHT = ["pending", "running"];
const WATCH_MS = 3000;
const WATCH_ROUNDS = 1200; // an hour of looking for runs started elsewhere

export async function render(main, [threadId], signal) {
  const [thread, assistants, runs] = await Promise.all([
    api("GET", `/threads/${threadId}`, undefined, { signal }),
    api("POST", "/assistants/search", { limit: 100 }, { signal }),
    api("GET", `/threads/${threadId}/runs?limit=50`, undefined, { signal }),
  ]);
  const page = new ThreadPage(thread, assistants, signal);
  page.mount(main);
  await page.refresh(runs);
  page.joinInFlight(runs, Live.remembered(threadId));
  page.lookForRuns();
}

function preferredAssistant(thread, assistants) {
  const wanted = [sessionStorage.getItem(PREFERRED), thread.metadata?.assistant_id];
  const byId = assistants.find((a) => wanted.includes(a.assistant_id));
  return (byId ?? assistants.find((a) => a.graph_id === thread.metadata?.graph_id) ?? assistants[0])?.assistant_id;
}

class ThreadPage {
  constructor(thread, assistants, signal) {
    this.thread = thread;
    this.signal = signal;
    this.id = thread.thread_id;
    this.live = new Live(this.id, { onStart: () => this.refresh(), onEnd: () => this.refresh() });
    this.composer = new Composer({ assistants, preferred: preferredAssistant(thread, assistants), onSubmit: (body) => this.run(body) });
    this.head = h("div", { class: "head" });
    this.panels = { state: h("div"), history: h("div"), runs: h("div"), events: h("div", { class: "events" }) };
    this.graph = new LiveGraph();
    this.live.eventListeners.add((event) => this.appendEvent(event));
    this.live.eventListeners.add((event) => this.graph.follow(event));
    this.composer.assistant.addEventListener("change", () => this.graph.show(this.composer.assistant.value));
    this.graph.show(this.composer.assistant.value);
  }

  mount(main) {
    this.tabs = tabs([
      { id: "state", label: "State", render: (p) => p.append(this.panels.state) },
      { id: "history", label: "History", render: (p) => p.append(this.panels.history) },
      { id: "graph", label: "Graph", render: (p) => p.append(this.graph.element) },
      { id: "runs", label: "Runs", render: (p) => p.append(this.panels.runs) },
      { id: "events", label: "Events", render: (p) => p.append(this.panels.events) },
    ]);
    clear(main,
      h("section", { class: "pane wide" }, this.head,
        h("div", { class: "thread-grid" },
          h("div", { class: "card live" }, this.live.status, this.live.conversation, this.composer.element),
          h("div", { class: "card side" }, this.tabs.element),
        ),
      ),
    );
  }

  /** Follows a run of this thread in flight: the one this tab followed before a reload, or any. */
  joinInFlight(runs, remembered) {
    const inFlight = runs.filter((r) => IN_FLIGHT.includes(r.status) && r.run_id !== this.followed);
    const run = inFlight.find((r) => r.run_id === remembered) ?? inFlight[0];
    if (!run || this.live.running) return;
    const why = run.run_id === remembered ? "rejoined" : "started elsewhere";
    this.watch(this.live.join(run.run_id, why, this.signal));
  }

  /** Runs started elsewhere (an SDK, a cron, another tab) are joined as they appear. */
  async lookForRuns() {
    for (let round = 0; round < WATCH_ROUNDS; round++) {
      await new Promise((resolve) => setTimeout(resolve, WATCH_MS));
      if (this.signal.aborted) return;
      if (this.live.running) continue;
      const runs = await api("GET", `/threads/${this.id}/runs?limit=5`, undefined, { signal: this.signal }).catch(() => []);
      this.joinInFlight(runs, null);
    }
  }

  watch(promise) {
    this.panels.events.replaceChildren();
    this.started = performance.now();
    this.composer.busy(true);
    promise.finally(() => {
      this.composer.busy(false);
      this.followed = this.live.run?.run_id;
    });
  }

  run(body) {
    this.watch(this.live.start(body, this.signal));
    this.tabs.show("events");
  }

  async refresh(runs) {
    const o = { signal: this.signal };
    const seq = (this.seq = (this.seq ?? 0) + 1);
    const [thread, state, history, runList] = await Promise.all([
      api("GET", `/threads/${this.id}`, undefined, o),
      api("GET", `/threads/${this.id}/state`, undefined, o),
      api("POST", `/threads/${this.id}/history`, { limit: 100 }, o),
      runs ?? api("GET", `/threads/${this.id}/runs?limit=50`, undefined, o),
    ]);
    if (seq !== this.seq) return; // a later refresh is under way: it wins
    this.thread = thread;
    clear(this.head,
      h("div", {},
        h("h1", {}, "Thread ", mono(short(this.id), this.id), " ", pill(thread.status)),
        h("div", { class: "meta" }, "id ", mono(this.id), " · created ", time(thread.created_at), " · updated ", time(thread.updated_at)),
      ),
      h("a", { class: "button ghost", href: "#/threads" }, "All threads"),
    );
    if (!this.live.running) this.live.show(state.values);
    this.showState(state);
    this.showHistory(history);
    this.showRuns(runList);
    this.live.settle(runList);
  }

  showState(state) {
    const onResume = (command) => this.run({ assistant_id: this.composer.assistant.value, command });
    clear(this.panels.state, statePanel(state, { onResume, onSave: (body) => this.saveState(body) }));
    this.graph.mark(state.next ?? []);
  }

  async saveState(body) {
    await api("POST", `/threads/${this.id}/state`, body);
    await this.refresh();
  }

  showHistory(history) {
    if (!history.length) {
      clear(this.panels.history, h("div", { class: "empty" }, "No checkpoints yet."));
      return;
    }
    const head = history[0].checkpoint.checkpoint_id;
    clear(this.panels.history,
      h("ol", { class: "timeline" }, history.map((item) => this.checkpointItem(item, item.checkpoint.checkpoint_id === head))));
  }

  checkpointItem(item, isHead) {
    const meta = item.metadata ?? {};
    const writes = meta.writes ? Object.keys(meta.writes) : [];
    const replay = () => this.run({ assistant_id: this.composer.assistant.value, input: null, checkpoint_id: item.checkpoint.checkpoint_id });
    const fork = () => {
      this.composer.setFork(item);
      this.composer.element.querySelector("textarea")?.focus();
    };
    return h("li", { class: isHead ? "head-checkpoint" : "", dataset: { checkpoint: item.checkpoint.checkpoint_id, step: meta.step } },
      h("details", {},
        h("summary", {},
          h("span", { class: "step" }, `step ${meta.step ?? "?"}`),
          h("span", { class: "source" }, meta.source ?? ""),
          writes.length ? h("span", {}, writes.map((w) => mono(w))) : null,
          item.next?.length ? h("span", { class: "muted" }, "→ ", item.next.join(", ")) : null,
          isHead ? h("span", { class: "badge" }, "current") : null,
          h("span", { class: "grow" }),
          time(item.created_at),
        ),
        h("div", { class: "row" },
          h("button", { type: "button", class: "small", onclick: fork }, "Fork from here"),
          item.next?.length ? h("button", { type: "button", class: "small ghost", onclick: replay }, "Replay from here") : null,
          mono(short(item.checkpoint.checkpoint_id), item.checkpoint.checkpoint_id),
        ),
        json(item.values),
        stateEditor(item.values, item.checkpoint.checkpoint_id, (body) => this.saveState(body)),
      ),
    );
  }

  showRuns(runs) {
    const cancel = async (run) => {
      await api("POST", `/threads/${this.id}/runs/${run.run_id}/cancel?action=interrupt`);
      await this.refresh();
    };
    clear(this.panels.runs, runs.length
      ? h("table", { class: "table" },
          h("thead", {}, h("tr", {}, ["Run", "Status", "Assistant", "Created", ""].map((t) => h("th", {}, t)))),
          h("tbody", {}, runs.map((r) => h("tr", { dataset: { run: r.run_id } },
            h("td", {}, mono(short(r.run_id), r.run_id)),
            h("td", {}, pill(r.status)),
            h("td", {}, mono(short(r.assistant_id), r.assistant_id)),
            h("td", {}, time(r.created_at)),
            h("td", {}, ["pending", "running"].includes(r.status)
              ? [h("button", { class: "small", onclick: () => this.watch(this.live.join(r.run_id, "joined", this.signal)), disabled: this.live.running }, "Watch"),
                 h("button", { class: "small danger", onclick: () => cancel(r) }, "Cancel")]
              : null),
          ))))
      : h("div", { class: "empty" }, "No runs on this thread yet."));
  }

  appendEvent(event) {
    const row = h("details", { class: "event" },
      h("summary", {},
        h("span", { class: "event-at" }, `+${Math.round(performance.now() - this.started)} ms`),
        h("span", { class: `event-name ev-${event.event.split("|")[0]}` }, event.event),
        h("span", { class: "muted small" }, summary(event))),
      json(event.data));
    this.panels.events.append(row);
    while (this.panels.events.childElementCount > MAX_EVENTS) this.panels.events.firstElementChild.remove();
  }
}

function summary(event) {
  const data = event.data;
  if (event.event.startsWith("messages")) return JSON.stringify(Array.isArray(data) ? data[0]?.content : data).slice(0, 80);
  if (data && typeof data === "object" && !Array.isArray(data)) return Object.keys(data).join(", ").slice(0, 80);
  return String(data).slice(0, 80);
}
