// A few DOM helpers: an element builder, JSON display, times, status pills.
const SVG_NS = "http://www.w3.org/2000/svg";

function build(node, props, children) {
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "value" || key === "checked") node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** h("button", {class: "x", onclick}, "label", ...) */
export const h = (tag, props, ...children) => build(document.createElement(tag), props, children);
export const s = (tag, props, ...children) =>
  build(document.createElementNS(SVG_NS, tag), props, children);

export function clear(node, ...children) {
  node.replaceChildren();
  return build(node, {}, children);
}

const TOKEN = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/** Pretty JSON with keys, strings and literals coloured. */
export function json(value, props = {}) {
  const text = JSON.stringify(value, null, 2) ?? "undefined";
  const pre = h("pre", { ...props, class: `json ${props.class ?? ""}` });
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    pre.append(text.slice(last, m.index));
    const kind = m[1] ? (m[2] ? "key" : "str") : m[3] ? "lit" : "num";
    pre.append(h("span", { class: `j-${kind}` }, m[0]));
    last = m.index + m[0].length;
  }
  pre.append(text.slice(last));
  return pre;
}

export function ago(iso) {
  if (!iso) return "";
  const seconds = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 5) return "just now";
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ago`;
  return new Date(iso).toLocaleDateString();
}

export const time = (iso) => h("time", { datetime: iso, title: iso }, ago(iso));
export const pill = (status) => h("span", { class: `pill pill-${status}` }, status);
// the tail: ids here are UUIDv7/v6, whose leading digits are a timestamp shared by neighbours
export const short = (id) => (id ? id.slice(-8) : "");
export const mono = (text, title) => h("code", { title: title ?? text }, text);

/** Parses a JSON textarea; marks it invalid and throws on a syntax error. */
export function readJson(textarea) {
  const text = textarea.value.trim();
  try {
    const value = text ? JSON.parse(text) : null;
    textarea.classList.remove("invalid");
    return value;
  } catch (err) {
    textarea.classList.add("invalid");
    throw new Error(`Invalid JSON: ${err.message}`);
  }
}

/** A line of feedback under a form: errors in red, the rest muted. */
export function notice(node, message, kind = "error") {
  clear(node, message ? h("div", { class: `notice notice-${kind}` }, message) : null);
}

/** Tabs: [{id, label, render(panel)}]; returns the element and a `show(id)`. */
export function tabs(items, initial) {
  const bar = h("nav", { class: "tabs", role: "tablist" });
  const panel = h("div", { class: "tab-panel" });
  const show = (id) => {
    for (const button of bar.children) button.classList.toggle("active", button.dataset.tab === id);
    clear(panel);
    items.find((t) => t.id === id).render(panel);
  };
  for (const item of items) {
    bar.append(
      h("button", { role: "tab", dataset: { tab: item.id }, onclick: () => show(item.id) }, item.label),
    );
  }
  show(initial ?? items[0].id);
  return { element: h("div", { class: "tabbed" }, bar, panel), show };
}
