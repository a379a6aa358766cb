// Draws /assistants/{id}/graph as SVG: layers by longest path from __start__ (back edges
// ignored), a few barycentre sweeps to untangle each layer, curved edges top to bottom.
import { s } from "./dom.js";

const ROW = 84;
const GAP = 28;
const HEIGHT = 34;
const CHAR = 7.4;

function backEdges(ids, edges) {
  const out = new Map(ids.map((id) => [id, []]));
  edges.forEach((e, i) => out.get(e.source)?.push([e.target, i]));
  const state = new Map();
  const back = new Set();
  const visit = (root) => {
    const stack = [[root, 0]];
    state.set(root, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const next = out.get(top[0])[top[1]++];
      if (!next) {
        state.set(top[0], 2);
        stack.pop();
      } else if (state.get(next[0]) === 1) back.add(next[1]);
      else if (!state.has(next[0])) {
        state.set(next[0], 1);
        stack.push([next[0], 0]);
      }
    }
  };
  if (out.has("__start__")) visit("__start__");
  ids.forEach((id) => state.has(id) || visit(id));
  return back;
}

/** {id: layer} with every forward edge going down at least one layer. */
function layers(ids, forward) {
  const layer = new Map(ids.map((id) => [id, 0]));
  for (let round = 0; round < ids.length; round++) {
    let moved = false;
    for (const e of forward) {
      if (layer.get(e.target) <= layer.get(e.source)) {
        layer.set(e.target, layer.get(e.source) + 1);
        moved = true;
      }
    }
    if (!moved) break;
  }
  if (layer.has("__end__")) layer.set("__end__", Math.max(...layer.values()));
  return layer;
}

function order(rows, forward) {
  const position = new Map();
  const index = () => rows.forEach((row) => row.forEach((id, i) => position.set(id, i)));
  index();
  const parents = (id) => forward.filter((e) => e.target === id).map((e) => position.get(e.source));
  for (let sweep = 0; sweep < 4; sweep++) {
    for (const row of rows.slice(1)) {
      const weight = (id) => {
        const p = parents(id);
        return p.length ? p.reduce((a, b) => a + b, 0) / p.length : position.get(id);
      };
      row.sort((a, b) => weight(a) - weight(b));
      index();
    }
  }
}

const label = (node) => (node.id === "__start__" ? "start" : node.id === "__end__" ? "end" : node.id);

export function drawGraph(graph) {
  const nodes = graph.nodes ?? [];
  const edges = (graph.edges ?? []).filter((e) => e.source !== e.target);
  const ids = nodes.map((n) => n.id);
  const back = backEdges(ids, edges);
  const forward = edges.filter((_, i) => !back.has(i));
  const layer = layers(ids, forward);
  const rows = [];
  for (const id of ids) (rows[layer.get(id)] ??= []).push(id);
  const filled = rows.filter(Boolean);
  order(filled, forward);
  const width = new Map(nodes.map((n) => [n.id, Math.max(72, label(n).length * CHAR + 28)]));
  const rowWidth = (row) => row.reduce((sum, id) => sum + width.get(id), 0) + GAP * (row.length - 1);
  const total = Math.max(...filled.map(rowWidth), 120) + 40;
  const at = new Map();
  filled.forEach((row, r) => {
    let x = (total - rowWidth(row)) / 2;
    for (const id of row) {
      at.set(id, { x, y: 20 + r * ROW, w: width.get(id) });
      x += width.get(id) + GAP;
    }
  });
  const svg = s("svg", {
    class: "graph",
    viewBox: `0 0 ${total} ${filled.length * ROW}`,
    width: total,
    role: "img",
    "aria-label": "graph of the assistant",
  });
  svg.append(
    s("defs", {}, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, s("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow" }))),
  );
  edges.forEach((e, i) => {
    const a = at.get(e.source);
    const b = at.get(e.target);
    if (!a || !b) return;
    let d;
    if (back.has(i)) {
      const x1 = a.x + a.w;
      const x2 = b.x + b.w;
      const bend = Math.max(x1, x2) + 40;
      d = `M${x1},${a.y + HEIGHT / 2} C${bend},${a.y + HEIGHT / 2} ${bend},${b.y + HEIGHT / 2} ${x2},${b.y + HEIGHT / 2}`;
    } else {
      const x1 = a.x + a.w / 2;
      const x2 = b.x + b.w / 2;
      const y1 = a.y + HEIGHT;
      const mid = (y1 + b.y) / 2;
      d = `M${x1},${y1} C${x1},${mid} ${x2},${mid} ${x2},${b.y}`;
    }
    svg.append(s("path", { d, class: e.conditional ? "edge conditional" : "edge", "marker-end": "url(#arrow)" }, e.data ? s("title", {}, String(e.data)) : null));
  });
  for (const node of nodes) {
    const p = at.get(node.id);
    const special = node.id === "__start__" || node.id === "__end__";
    svg.append(
      s("g", { class: special ? "node terminal" : "node", "data-node": node.id },
        s("rect", { x: p.x, y: p.y, width: p.w, height: HEIGHT, rx: special ? HEIGHT / 2 : 6 }),
        s("text", { x: p.x + p.w / 2, y: p.y + HEIGHT / 2 + 4.5, "text-anchor": "middle" }, label(node)),
        s("title", {}, node.id),
      ),
    );
  }
  return svg;
}
