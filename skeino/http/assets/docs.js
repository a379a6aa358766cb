"use strict";
// The API reference: reads openapi.json (beside this page) and renders each operation
// with a form that sends it. Plain DOM, no dependencies, nothing fetched from elsewhere.
(function () {
  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => (k === "class" ? (node.className = v) : node.setAttribute(k, v)));
    children.forEach((c) => node.append(c));
    return node;
  };
  const base = new URL(".", location.href).href.replace(/\/$/, "");
  let spec = null;

  function resolve(schema, depth) {
    if (!schema || depth > 6) return {};
    if (schema.$ref) {
      const name = schema.$ref.split("/").pop();
      return resolve((spec.components.schemas || {})[name], depth + 1);
    }
    return schema;
  }

  function example(schema, depth) {
    const s = resolve(schema, depth);
    if (s.default !== undefined) return s.default;
    if (s.examples && s.examples.length) return s.examples[0];
    const choice = s.anyOf || s.oneOf;
    if (choice) return example(choice.find((c) => c.type !== "null") || choice[0], depth + 1);
    const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
    if (s.enum) return s.enum[0];
    if (type === "object" || s.properties) {
      const out = {};
      (s.required || []).forEach((k) => (out[k] = example((s.properties || {})[k], depth + 1)));
      return out;
    }
    return { array: [], string: "", integer: 0, number: 0, boolean: false }[type] ?? null;
  }

  function paramRows(params, inputs) {
    const table = el("table", {}, el("tr", {}, el("th", {}, "parameter"), el("th", {}, "in"), el("th", {}, "value")));
    params.forEach((p) => {
      const input = el("input", { placeholder: JSON.stringify(p.schema || {}) });
      inputs.push([p, input]);
      table.append(el("tr", {}, el("td", {}, p.name + (p.required ? " *" : "")), el("td", {}, p.in), el("td", {}, input)));
    });
    return table;
  }

  async function send(method, path, inputs, bodyArea, out) {
    let url = path;
    const query = new URLSearchParams();
    inputs.forEach(([p, input]) => {
      if (!input.value) return;
      if (p.in === "path") url = url.replace("{" + p.name + "}", encodeURIComponent(input.value));
      else query.append(p.name, input.value);
    });
    const headers = {};
    if ($("auth-name").value && $("auth-value").value) headers[$("auth-name").value] = $("auth-value").value;
    const init = { method, headers };
    if (bodyArea) {
      headers["Content-Type"] = "application/json";
      init.body = bodyArea.value;
    }
    out.replaceChildren("…");
    const qs = query.toString();
    try {
      const response = await fetch(base + url + (qs ? "?" + qs : ""), init);
      const status = el("div", { class: "status" }, response.status + " " + response.statusText);
      const text = el("pre");
      out.replaceChildren(status, text);
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text.textContent += decoder.decode(value, { stream: true });
      }
      if ((response.headers.get("content-type") || "").includes("json")) {
        try { text.textContent = JSON.stringify(JSON.parse(text.textContent), null, 2); } catch (e) { /* partial */ }
      }
    } catch (err) {
      out.replaceChildren(el("pre", {}, String(err)));
    }
  }

  function operation(method, path, op) {
    const inputs = [];
    const body = el("div", { class: "body" });
    const params = op.parameters || [];
    if (params.length) body.append(paramRows(params, inputs));
    let bodyArea = null;
    const content = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
    if (content) {
      bodyArea = el("textarea", { spellcheck: "false" });
      bodyArea.value = JSON.stringify(example(content.schema, 0), null, 2);
      const schema = el("pre", {}, JSON.stringify(resolve(content.schema, 0), null, 2));
      body.append(el("div", {}, "Body (JSON)"), bodyArea, el("details", {}, el("summary", {}, "schema"), schema));
    }
    const out = el("div");
    const button = el("button", { type: "button" }, "Send");
    button.addEventListener("click", () => send(method.toUpperCase(), path, inputs, bodyArea, out));
    body.append(button, out);
    const summary = el("summary", {}, el("span", { class: "method " + method }, method.toUpperCase()),
      el("span", { class: "path" }, path), el("span", { class: "note" }, op.summary || ""));
    const item = el("details", {}, summary, body);
    item.dataset.search = (method + " " + path + " " + (op.summary || "")).toLowerCase();
    return item;
  }

  function render() {
    const groups = new Map();
    Object.entries(spec.paths).forEach(([path, ops]) =>
      Object.entries(ops).forEach(([method, op]) => {
        const tag = (op.tags && op.tags[0]) || "Other";
        if (!groups.has(tag)) groups.set(tag, []);
        groups.get(tag).push(operation(method, path, op));
      }));
    const main = $("operations");
    main.replaceChildren();
    groups.forEach((items, tag) => main.append(el("section", {}, el("h2", {}, tag), ...items)));
    $("title").textContent = spec.info.title + " " + spec.info.version;
    document.title = spec.info.title + " API reference";
  }

  $("filter").addEventListener("input", (e) => {
    const needle = e.target.value.toLowerCase();
    document.querySelectorAll("main details[data-search]").forEach((d) => (d.hidden = !d.dataset.search.includes(needle)));
    document.querySelectorAll("main section").forEach((s) => (s.hidden = !s.querySelector("details[data-search]:not([hidden])")));
  });

  fetch(base + "/openapi.json")
    .then((r) => r.json())
    .then((json) => { spec = json; render(); })
    .catch((err) => $("operations").replaceChildren(el("pre", {}, "Could not load openapi.json: " + err)));
})();
