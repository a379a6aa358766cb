// Queue depth, workers and rates from GET /metrics?format=json (upstream's JSON object:
// queue, workers, api.http_requests_total, and skeino's runs.ended_total). Rates are the
// change of a counter between two polls. A server without /metrics gets a quiet note.
import { raw } from "../api.js";
import { clear, h, json, mono } from "../dom.js";

const POLL_MS = 5000;
const ROUNDS = 720; // an hour of polling; reopen the page to go on

const card = (label, value, hint) =>
  h("div", { class: "stat" }, h("div", { class: "stat-value" }, value ?? "—"), h("div", { class: "stat-label" }, label), hint ? h("div", { class: "muted small" }, hint) : null);

/** Counters by name: runs ended by status, then requests by route. */
function counters(metrics) {
  const runs = new Map(Object.entries(metrics.runs?.ended_total ?? {}).map(([status, n]) => [`ended ${status}`, n]));
  const requests = new Map();
  for (const r of metrics.api?.http_requests_total ?? []) {
    const key = `${r.method} ${r.path}`;
    requests.set(key, (requests.get(key) ?? 0) + r.count);
  }
  return { runs, requests };
}

function rateTable(title, now, before, seconds) {
  const rows = [...now.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
  if (!rows.length) return null;
  return h("table", { class: "table compact" },
    h("thead", {}, h("tr", {}, h("th", {}, title), h("th", { class: "num" }, "Total"), h("th", { class: "num" }, "Per second"))),
    h("tbody", {}, rows.map(([name, total]) => {
      const rate = before && seconds ? (total - (before.get(name) ?? 0)) / seconds : null;
      return h("tr", {}, h("td", {}, mono(name)), h("td", { class: "num" }, total), h("td", { class: "num muted" }, rate === null ? "…" : rate.toFixed(2)));
    })));
}

function show(node, metrics, before, seconds) {
  const queue = metrics.queue ?? {};
  const workers = metrics.workers ?? {};
  const wait = queue.pending_runs_wait_time_max_secs;
  const now = counters(metrics);
  clear(node,
    h("div", { class: "stats" },
      card("pending runs", queue.n_pending),
      card("running", queue.n_running),
      card("workers busy", workers.max !== undefined ? `${workers.active} / ${workers.max}` : undefined),
      card("longest wait", wait === null || wait === undefined ? "—" : `${Number(wait).toFixed(1)} s`),
    ),
    rateTable("Runs", now.runs, before?.runs, seconds),
    rateTable("Requests", now.requests, before?.requests, seconds),
    h("details", {}, h("summary", { class: "muted small" }, "Everything /metrics says"), json(metrics)),
    h("p", { class: "muted small" }, `Refreshed every ${POLL_MS / 1000} s.`));
  return now;
}

export async function pollMetrics(node, signal) {
  let before = null;
  let at = 0;
  for (let round = 0; round < ROUNDS && !signal.aborted; round++) {
    const response = await raw("/metrics?format=json").catch(() => null);
    if (signal.aborted) return;
    let metrics = null;
    try {
      metrics = response?.ok ? await response.json() : null;
    } catch {
      metrics = null;
    }
    if (!metrics) {
      clear(node, h("div", { class: "empty" }, response?.status === 404
        ? "This server has no /metrics endpoint: queue depth and run rates appear here when it has."
        : "Could not read /metrics?format=json."));
      return;
    }
    const seconds = at ? (Date.now() - at) / 1000 : 0;
    at = Date.now();
    before = show(node, metrics, before, seconds);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
