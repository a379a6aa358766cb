// The thread's graph, lit up: the node a live run is in (from `updates` events) and the
// nodes the thread will run next (or is interrupted in).
import { api } from "../api.js";
import { clear, h } from "../dom.js";
import { drawGraph } from "../graph.js";

export class LiveGraph {
  constructor() {
    this.element = h("div", { class: "graph-wrap live-graph" });
    this.next = [];
    this.assistantId = null;
  }

  async show(assistantId) {
    if (assistantId === this.assistantId) return;
    this.assistantId = assistantId;
    try {
      const graph = await api("GET", `/assistants/${assistantId}/graph?xray=true`);
      if (assistantId !== this.assistantId) return;
      clear(this.element, drawGraph(graph), h("p", { class: "muted small" }, "Blue: the node that last ran. Amber: next to run."));
      this.mark(this.next);
    } catch (err) {
      clear(this.element, h("div", { class: "notice notice-error" }, err.message));
    }
  }

  /** Nodes the thread runs next (its state's `next`). */
  mark(next, active = []) {
    this.next = next;
    for (const node of this.element.querySelectorAll("[data-node]")) {
      node.classList.toggle("next", next.includes(node.dataset.node));
      node.classList.toggle("active", active.includes(node.dataset.node));
    }
  }

  follow(event) {
    if (event.event === "updates" && event.data && typeof event.data === "object") {
      this.mark([], Object.keys(event.data).filter((k) => !k.startsWith("__")));
    }
  }
}
