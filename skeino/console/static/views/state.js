// A thread's state: pending interrupts (answered with Command(resume)), values, and an
// editor that writes new values, at the head or at any older checkpoint (a fork).
import { h, json, mono, notice, readJson } from "../dom.js";

/** `onResume(command)` starts the resuming run; `onSave(body)` posts /threads/{id}/state. */
export function statePanel(state, { onResume, onSave }) {
  const interrupts = (state.tasks ?? []).flatMap((t) => (t.interrupts ?? []).map((i) => ({ ...i, node: t.name })));
  return [
    interrupts.map((i) => interruptCard(i, interrupts.length, onResume)),
    h("dl", { class: "facts" },
      h("dt", {}, "Next"), h("dd", {}, state.next?.length ? state.next.map((n) => mono(n)) : "—"),
      h("dt", {}, "Checkpoint"), h("dd", {}, mono(state.checkpoint?.checkpoint_id ?? "—")),
      h("dt", {}, "Step"), h("dd", {}, state.metadata?.step ?? "—"),
    ),
    h("div", { class: "label" }, "Values"), json(state.values ?? {}),
    stateEditor(state.values, null, onSave),
  ];
}

/** Edit values as a new checkpoint; from an older `checkpointId` that starts a branch. */
export function stateEditor(values, checkpointId, onSave) {
  const editor = h("textarea", { rows: 10, class: "mono", "aria-label": "state values" });
  const asNode = h("input", { placeholder: "as node (optional)", class: "mono", "aria-label": "as node" });
  const feedback = h("div");
  editor.value = JSON.stringify(values ?? {}, null, 2);
  const save = async () => {
    try {
      const body = { values: readJson(editor) };
      if (asNode.value.trim()) body.as_node = asNode.value.trim();
      if (checkpointId) body.checkpoint_id = checkpointId;
      await onSave(body);
    } catch (err) {
      notice(feedback, err.message);
    }
  };
  return h("details", { class: "card editor" },
    h("summary", {}, checkpointId ? "Edit state from this checkpoint" : "Edit state"),
    h("p", { class: "muted small" }, checkpointId
      ? "Writes these values on top of this checkpoint: a new branch of the thread, which becomes its head."
      : "Writes these values as a new checkpoint, as if the given node returned them (reducers apply)."),
    editor,
    h("div", { class: "row" }, asNode, h("button", { type: "button", onclick: save }, "Update state")),
    feedback,
  );
}

function interruptCard(interrupt, count, onResume) {
  const answer = h("textarea", { rows: 2, class: "mono", "aria-label": "interrupt answer", placeholder: 'Answer: JSON (true, "yes", {...}) or plain text' });
  const feedback = h("div");
  const resume = () => {
    const text = answer.value.trim();
    if (!text) return notice(feedback, "Write an answer first.");
    let value = text;
    try {
      value = JSON.parse(text);
    } catch {
      // plain text is answered as a string
    }
    onResume({ resume: count > 1 && interrupt.id ? { [interrupt.id]: value } : value });
  };
  return h("div", { class: "interrupt" },
    h("div", { class: "label" }, "Waiting for you · interrupted in ", mono(interrupt.node)),
    json(interrupt.value),
    answer,
    h("div", { class: "row" },
      h("button", { type: "button", class: "primary", onclick: resume }, "Resume"),
      h("button", { type: "button", class: "ghost", onclick: () => ((answer.value = "true"), resume()) }, "Approve (true)"),
    ),
    feedback,
  );
}
