// The console's shell: hash routes to views, the token field, the server's version.
import { api, onRefusal, token } from "./api.js";
import { clear, h } from "./dom.js";
import * as assistants from "./views/assistants.js";
import * as server from "./views/server.js";
import * as thread from "./views/thread.js";
import * as threads from "./views/threads.js";

const ROUTES = [
  [/^#\/assistants(?:\/([^/]+))?$/, assistants, "assistants"],
  [/^#\/threads\/([^/]+)$/, thread, "threads"],
  [/^#\/threads$/, threads, "threads"],
  [/^#\/server$/, server, "server"],
];

const main = document.getElementById("main");
const banner = document.getElementById("banner");
let leave = null;

async function route() {
  leave?.();
  leave = null;
  banner.hidden = true;
  const hash = location.hash || "#/assistants";
  const found = ROUTES.map(([re, view, section]) => [hash.match(re), view, section]).find(([m]) => m);
  if (!found) {
    location.hash = "#/assistants";
    return;
  }
  const [match, view, section] = found;
  for (const link of document.querySelectorAll(".main-nav a")) {
    link.classList.toggle("active", link.dataset.section === section);
  }
  const controller = new AbortController();
  leave = () => controller.abort();
  clear(main, h("div", { class: "loading" }, "Loading…"));
  try {
    await view.render(main, match.slice(1).map((p) => p && decodeURIComponent(p)), controller.signal);
  } catch (err) {
    if (controller.signal.aborted) return;
    clear(main, h("div", { class: "empty error" }, h("h2", {}, "Could not load this page"), h("p", {}, err.message)));
  }
}

function tokenField() {
  const form = document.getElementById("token-form");
  const input = document.getElementById("token");
  const toggle = document.getElementById("token-toggle");
  const open = () => {
    form.hidden = false;
    toggle.hidden = true;
    input.value = token.get();
  };
  toggle.addEventListener("click", open);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    token.set(input.value.trim());
    form.hidden = true;
    toggle.hidden = false;
    toggle.classList.toggle("set", Boolean(token.get()));
    route();
  });
  toggle.classList.toggle("set", Boolean(token.get()));
  onRefusal((detail) => {
    open();
    banner.hidden = false;
    clear(banner, `The server refused this request (${detail}). This server uses custom auth: enter a token.`);
  });
}

// A failed click (a cancel, a new thread) says why in the banner rather than in the devtools.
window.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  if (event.reason?.name === "AbortError") return; // the page was left mid-request
  banner.hidden = false;
  clear(banner, `Something failed: ${event.reason?.message ?? event.reason}`);
});

tokenField();
window.addEventListener("hashchange", route);
route();
api("GET", "/info")
  .then((info) => {
    document.getElementById("server-version").textContent = `skeino ${info.version}`;
  })
  .catch(() => {});
