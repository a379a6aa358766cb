// Threads: search by status and metadata, newest first.
import { api } from "../api.js";
import { clear, h, mono, notice, pill, readJson, time } from "../dom.js";

const PAGE = 50;
const FILTERS = "skeino.console.thread-filters";

export async function render(main, _params, signal) {
  const saved = JSON.parse(sessionStorage.getItem(FILTERS) ?? "{}");
  const status = h("select", { name: "status" },
    ["", "idle", "busy", "interrupted", "error"].map((v) => h("option", { value: v, selected: v === saved.status }, v || "any status")));
  const metadata = h("input", { name: "metadata", placeholder: '{"graph_id": "agent"}', value: saved.metadata ?? "", class: "mono" });
  const feedback = h("div");
  const results = h("div", { class: "results" });
  let shown = [];
  const search = async (event, offset = 0) => {
    event?.preventDefault();
    notice(feedback, "");
    const body = { limit: PAGE, offset, sort_by: "updated_at", sort_order: "desc" };
    try {
      if (status.value) body.status = status.value;
      if (metadata.value.trim()) body.metadata = readJson(metadata);
      sessionStorage.setItem(FILTERS, JSON.stringify({ status: status.value, metadata: metadata.value }));
      const page = await api("POST", "/threads/search", body, { signal });
      shown = offset ? [...shown, ...page] : page;
      const more = page.length === PAGE ? () => search(null, shown.length) : null;
      showThreads(results, shown, more);
    } catch (err) {
      notice(feedback, err.message);
    }
  };
  const create = async () => {
    const thread = await api("POST", "/threads", {});
    location.hash = `#/threads/${thread.thread_id}`;
  };
  clear(
    main,
    h("section", { class: "pane wide" },
      h("div", { class: "head" }, h("h1", {}, "Threads"), h("button", { class: "primary", onclick: create }, "New thread")),
      h("form", { class: "filters", onsubmit: search },
        h("label", {}, "Status", status),
        h("label", { class: "grow" }, "Metadata (JSON, matched by containment)", metadata),
        h("button", { type: "submit" }, "Search"),
      ),
      feedback,
      results,
    ),
  );
  await search();
}

function showThreads(node, threads, more) {
  if (!threads.length) {
    clear(node, h("div", { class: "empty" }, "No threads match. Start one from an assistant, or with “New thread”."));
    return;
  }
  clear(
    node,
    h("table", { class: "table clickable" },
      h("thead", {}, h("tr", {}, ["Thread", "Status", "Graph", "Updated", "Metadata"].map((t) => h("th", {}, t)))),
      h("tbody", {}, threads.map((t) =>
        h("tr", { onclick: () => (location.hash = `#/threads/${t.thread_id}`), dataset: { thread: t.thread_id } },
          h("td", {}, h("a", { href: `#/threads/${t.thread_id}` }, mono(t.thread_id))),
          h("td", {}, pill(t.status)),
          h("td", {}, t.metadata?.graph_id ?? ""),
          h("td", {}, time(t.updated_at)),
          h("td", { class: "muted mono small ellipsis" }, JSON.stringify(t.metadata ?? {})),
        ),
      )),
    ),
    more ? h("div", { class: "row" }, h("button", { type: "button", onclick: more }, "Load more")) : null,
  );
}
