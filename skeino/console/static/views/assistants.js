// Assistants: the list, and one assistant's graph, schemas, versions and config.
import { api } from "../api.js";
import { clear, h, json, mono, tabs, time } from "../dom.js";
import { drawGraph } from "../graph.js";

export const PREFERRED = "skeino.console.assistant";

export async function render(main, [id], signal) {
  const list = await api("POST", "/assistants/search", { limit: 100, sort_by: "name", sort_order: "asc" }, { signal });
  const chosen = list.find((a) => a.assistant_id === id) ?? list[0];
  const detail = h("section", { class: "pane detail" });
  clear(
    main,
    h("div", { class: "split" },
      h("aside", { class: "pane list" },
        h("h2", {}, "Assistants", h("span", { class: "count" }, list.length)),
        h("ul", { class: "items" }, list.map((a) =>
          h("li", { class: a === chosen ? "active" : "" },
            h("a", { href: `#/assistants/${a.assistant_id}` },
              h("strong", {}, a.name || a.graph_id),
              h("span", { class: "muted" }, `${a.graph_id} · v${a.version}`),
            ),
          ),
        )),
      ),
      detail,
    ),
  );
  if (!chosen) {
    clear(detail, h("div", { class: "empty" }, "No assistants: does the manifest list any graphs?"));
    return;
  }
  await showAssistant(detail, chosen, signal);
}

async function showAssistant(detail, a, signal) {
  const start = async () => {
    const thread = await api("POST", "/threads", { metadata: { graph_id: a.graph_id } });
    sessionStorage.setItem(PREFERRED, a.assistant_id);
    location.hash = `#/threads/${thread.thread_id}`;
  };
  const view = tabs([
    { id: "graph", label: "Graph", render: (p) => load(p, () => api("GET", `/assistants/${a.assistant_id}/graph?xray=true`, undefined, { signal }), graphPanel) },
    { id: "schemas", label: "Schemas", render: (p) => load(p, () => api("GET", `/assistants/${a.assistant_id}/schemas`, undefined, { signal }), schemasPanel) },
    { id: "versions", label: "Versions", render: (p) => load(p, () => api("POST", `/assistants/${a.assistant_id}/versions`, { limit: 50 }, { signal }), versionsPanel) },
    { id: "config", label: "Config & metadata", render: (p) => p.append(json({ config: a.config, context: a.context, metadata: a.metadata })) },
  ]);
  clear(
    detail,
    h("div", { class: "head" },
      h("div", {},
        h("h1", {}, a.name || a.graph_id),
        h("div", { class: "meta" }, "graph ", mono(a.graph_id), " · id ", mono(a.assistant_id), " · version ", a.version, " · updated ", time(a.updated_at)),
      ),
      h("button", { class: "primary", onclick: start }, "New thread"),
    ),
    a.description ? h("p", { class: "muted" }, a.description) : null,
    view.element,
  );
}

async function load(panel, fetcher, show) {
  panel.append(h("div", { class: "loading" }, "Loading…"));
  try {
    const value = await fetcher();
    clear(panel);
    show(panel, value);
  } catch (err) {
    clear(panel, h("div", { class: "notice notice-error" }, err.message));
  }
}

function graphPanel(panel, graph) {
  panel.append(
    h("div", { class: "graph-wrap" }, drawGraph(graph)),
    h("p", { class: "muted small" }, `${graph.nodes.length} nodes, ${graph.edges.length} edges (subgraphs expanded; dashed edges are conditional).`),
  );
}

function schemasPanel(panel, schemas) {
  const names = ["input_schema", "output_schema", "state_schema", "config_schema", "context_schema"];
  for (const name of names) {
    if (!schemas[name]) continue;
    panel.append(
      h("details", { class: "card", open: name === "input_schema" },
        h("summary", {}, name.replace("_schema", "").replace(/^./, (c) => c.toUpperCase()), " schema"),
        json(schemas[name]),
      ),
    );
  }
}

function versionsPanel(panel, versions) {
  panel.append(
    h("table", { class: "table" },
      h("thead", {}, h("tr", {}, h("th", {}, "Version"), h("th", {}, "Name"), h("th", {}, "Created"), h("th", {}, "Config"))),
      h("tbody", {}, versions.map((v) =>
        h("tr", {}, h("td", {}, `v${v.version}`), h("td", {}, v.name ?? ""), h("td", {}, time(v.created_at)),
          h("td", {}, h("details", {}, h("summary", {}, "show"), json({ config: v.config, context: v.context, metadata: v.metadata })))),
      )),
    ),
  );
}
