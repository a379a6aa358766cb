// The server: what it is, its queue and run rates (from /metrics when the server has it),
// its crons, and a store browser.
import { api } from "../api.js";
import { clear, h, json, mono, notice, readJson, time } from "../dom.js";
import { pollMetrics } from "./metrics.js";

export async function render(main, _params, signal) {
  const metrics = h("div", { class: "metrics" });
  const crons = h("div");
  const store = h("div");
  clear(main,
    h("section", { class: "pane wide server" },
      h("div", { class: "head" }, h("h1", {}, "Server")),
      h("div", { class: "server-grid" },
        h("div", { class: "card" }, h("h2", {}, "Queue and runs"), metrics),
        h("div", { class: "card" }, h("h2", {}, "Crons"), crons),
        h("div", { class: "card span" }, h("h2", {}, "Store"), store),
      ),
    ),
  );
  const info = await api("GET", "/info", undefined, { signal });
  main.querySelector(".head").append(h("div", { class: "meta" }, `skeino ${info.version} · langgraph ${info.langgraph_py_version}`));
  pollMetrics(metrics, signal);
  showCrons(crons, signal);
  storeBrowser(store, signal);
}

async function showCrons(node, signal) {
  try {
    const crons = await api("POST", "/runs/crons/search", { limit: 100 }, { signal });
    clear(node, crons.length
      ? h("table", { class: "table compact" },
          h("thead", {}, h("tr", {}, ["Schedule", "Assistant", "Thread", "Next run"].map((t) => h("th", {}, t)))),
          h("tbody", {}, crons.map((c) => h("tr", {}, h("td", {}, mono(c.schedule)), h("td", {}, mono(c.assistant_id ?? "")), h("td", {}, c.thread_id ? h("a", { href: `#/threads/${c.thread_id}` }, mono(c.thread_id)) : "stateless"), h("td", {}, c.next_run_date ? time(c.next_run_date) : "")))))
      : h("div", { class: "empty" }, "No crons."));
  } catch (err) {
    notice(node, err.message);
  }
}

function storeBrowser(node, signal) {
  const namespaces = h("ul", { class: "items namespaces" });
  const items = h("div", { class: "store-items" });
  const query = h("input", { placeholder: "filter (JSON) or search query", class: "mono" });
  let current = [];
  const open = async (namespace) => {
    current = namespace;
    for (const li of namespaces.children) li.classList.toggle("active", li.dataset.ns === namespace.join("."));
    const body = { namespace_prefix: namespace, limit: 50 };
    const text = query.value.trim();
    try {
      if (text.startsWith("{")) body.filter = readJson(query);
      else if (text) body.query = text;
      const found = await api("POST", "/store/items/search", body, { signal });
      clear(items, found.items.length
        ? found.items.map((item) => h("details", { class: "card" }, h("summary", {}, mono([...item.namespace, item.key].join(" / ")), " ", time(item.updated_at)), json(item.value)))
        : h("div", { class: "empty" }, "No items."));
    } catch (err) {
      notice(items, err.message);
    }
  };
  clear(node, h("div", { class: "store" },
    h("aside", {}, h("div", { class: "label" }, "Namespaces"), namespaces),
    h("div", {}, h("form", { class: "row", onsubmit: (e) => (e.preventDefault(), open(current)) }, query, h("button", { type: "submit" }, "Search")), items)));
  api("POST", "/store/namespaces", { limit: 100 }, { signal })
    .then((found) => {
      const list = found.namespaces ?? found;
      clear(namespaces, h("li", { dataset: { ns: "" } }, h("a", { href: "#/server", onclick: (e) => (e.preventDefault(), open([])) }, "(all)")),
        list.map((ns) => h("li", { dataset: { ns: ns.join(".") } }, h("a", { href: "#/server", onclick: (e) => (e.preventDefault(), open(ns)) }, ns.join(" / ")))));
      open([]);
    })
    .catch((err) => notice(items, err.message));
}
