// The run composer: an assistant, an input (a form from its input schema, or raw JSON),
// and optionally the checkpoint to fork from.
import { api } from "../api.js";
import { clear, h, notice, readJson, short } from "../dom.js";

const SIMPLE = new Set(["string", "number", "integer", "boolean"]);

function typeOf(schema) {
  if (schema.type) return Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  const option = (schema.anyOf ?? []).find((o) => o.type && o.type !== "null");
  return option?.type;
}

/** One field per simple top-level property; `messages` becomes a chat box. */
function schemaForm(schema) {
  const props = schema?.properties ?? {};
  const fields = [];
  for (const [name, prop] of Object.entries(props)) {
    const kind = name === "messages" ? "messages" : typeOf(prop);
    if (kind !== "messages" && !SIMPLE.has(kind)) continue;
    const input =
      kind === "messages"
        ? h("textarea", { rows: 2, placeholder: "Type a message…", class: "message-input", "aria-label": "message" })
        : kind === "boolean"
          ? h("input", { type: "checkbox" })
          : h("input", { type: kind === "string" ? "text" : "number", placeholder: prop.title ?? name });
    fields.push({ name, kind, input });
  }
  return fields;
}

function valueOf(fields) {
  const input = {};
  for (const { name, kind, input: el } of fields) {
    if (kind === "messages") {
      if (el.value.trim()) input.messages = [{ role: "user", content: el.value.trim() }];
    } else if (kind === "boolean") input[name] = el.checked;
    else if (el.value !== "") input[name] = kind === "string" ? el.value : Number(el.value);
  }
  return input;
}

export class Composer {
  constructor({ assistants, preferred, onSubmit }) {
    this.onSubmit = onSubmit;
    this.fork = null;
    this.fields = [];
    this.assistant = h("select", { "aria-label": "assistant", onchange: () => this.loadSchema() },
      assistants.map((a) => h("option", { value: a.assistant_id, selected: a.assistant_id === preferred }, `${a.name || a.graph_id}`)));
    this.raw = h("textarea", { rows: 5, class: "mono", "aria-label": "input JSON", placeholder: '{"messages": [{"role": "user", "content": "hi"}]}' });
    this.jsonMode = h("input", { type: "checkbox", onchange: () => this.toJson() });
    this.form = h("div", { class: "form-fields" });
    this.forkChip = h("div");
    this.feedback = h("div");
    this.button = h("button", { type: "submit", class: "primary" }, "Run");
    this.element = h("form", { class: "composer", onsubmit: (e) => this.submit(e) },
      this.forkChip,
      this.form,
      h("div", { class: "composer-bar" },
        h("label", { class: "inline" }, "Assistant ", this.assistant),
        h("label", { class: "inline" }, this.jsonMode, " JSON input"),
        h("span", { class: "grow" }),
        this.button,
      ),
      this.feedback,
    );
    this.loadSchema();
  }

  async loadSchema() {
    try {
      const schemas = await api("GET", `/assistants/${this.assistant.value}/schemas`);
      this.fields = schemaForm(schemas.input_schema ?? schemas.state_schema);
    } catch {
      this.fields = [];
    }
    const messages = this.fields.find((f) => f.kind === "messages");
    messages?.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey) {
        e.preventDefault();
        this.element.requestSubmit();
      }
    });
    this.layout();
  }

  layout() {
    const json = this.jsonMode.checked || !this.fields.length;
    if (!this.fields.length) this.jsonMode.checked = true;
    clear(this.form, json ? this.raw : this.fields.map((f) =>
      f.kind === "messages" ? f.input : h("label", { class: "field" }, f.name, f.input)));
  }

  toJson() {
    if (this.jsonMode.checked && !this.raw.value.trim()) {
      this.raw.value = JSON.stringify(valueOf(this.fields), null, 2);
    }
    this.layout();
  }

  /** Fork from `checkpoint` (a history item): the next run starts there. */
  setFork(checkpoint) {
    this.fork = checkpoint;
    clear(this.forkChip, checkpoint
      ? h("div", { class: "chip" }, `Forking from checkpoint ${short(checkpoint.checkpoint.checkpoint_id)} (step ${checkpoint.metadata?.step ?? "?"})`,
          h("button", { type: "button", class: "ghost", title: "stop forking", onclick: () => this.setFork(null) }, "×"))
      : null);
  }

  busy(running) {
    this.button.disabled = running;
    this.button.textContent = running ? "Running…" : "Run";
  }

  async submit(event) {
    event.preventDefault();
    notice(this.feedback, "");
    let input;
    try {
      input = this.jsonMode.checked || !this.fields.length ? readJson(this.raw) : valueOf(this.fields);
    } catch (err) {
      notice(this.feedback, err.message);
      return;
    }
    const body = { assistant_id: this.assistant.value, input };
    if (this.fork) body.checkpoint_id = this.fork.checkpoint.checkpoint_id;
    this.fields.filter((f) => f.kind === "messages").forEach((f) => (f.input.value = ""));
    this.setFork(null);
    this.onSubmit(body);
  }
}
