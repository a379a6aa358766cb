"""Reading the params of `run.start` and `input.respond` as leniently as upstream does."""

from __future__ import annotations

import uuid
from typing import Any

STRATEGIES = ("reject", "rollback", "interrupt", "enqueue")
TRACER_KEYS = frozenset({"project_name", "example_id"})

RespondEntry = tuple[str, list[str], Any]


class Refusal(Exception):
    """A command answered with a protocol error; `with_meta` once a session is bound."""

    def __init__(self, code: str, message: str, with_meta: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.with_meta = with_meta


def checkpoint_id(params: dict[str, Any]) -> str | None:
    """A fork target given as `config.configurable.checkpoint_id`, which must be a UUID."""
    config = params.get("config")
    configurable = config.get("configurable") if isinstance(config, dict) else None
    found = configurable.get("checkpoint_id") if isinstance(configurable, dict) else None
    if found is None:
        return None
    if not isinstance(found, str) or not found.strip():
        raise Refusal(
            "invalid_argument", "config.configurable.checkpoint_id must be a non-empty string."
        )
    try:
        uuid.UUID(found)
    except ValueError:
        raise Refusal(
            "invalid_argument", f"Invalid config.configurable.checkpoint_id: {found!r}."
        ) from None
    return found


def tracer(params: dict[str, Any]) -> None:
    """`langsmith_tracer` is checked as upstream checks it (skeino traces nothing)."""
    given = params.get("langsmith_tracer")
    if given is None:
        return
    if not isinstance(given, dict):
        raise Refusal("invalid_argument", "langsmith_tracer must be an object.")
    unknown = given.keys() - TRACER_KEYS
    if unknown:
        raise Refusal(
            "invalid_argument", f"langsmith_tracer has unsupported fields: {sorted(unknown)!r}."
        )
    for key, value in given.items():
        if not isinstance(value, str):
            raise Refusal("invalid_argument", f"langsmith_tracer.{key} must be a string.")


def strategy(params: dict[str, Any]) -> Any:
    """The SDK's `multitaskStrategy`; anything else is `enqueue`, as upstream."""
    found = params.get("multitaskStrategy")
    return found if found in STRATEGIES else "enqueue"


def _namespace(raw: Any) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        raise Refusal(
            "invalid_argument", "input.respond requires namespace to be a list of strings."
        )
    return list(raw)


def respond_entries(params: dict[str, Any]) -> list[RespondEntry]:
    """`(interrupt_id, namespace, response)` of one answer or of a `responses` batch."""
    batch = params.get("responses")
    if not isinstance(batch, list):
        interrupt_id = params.get("interrupt_id")
        if not isinstance(interrupt_id, str):
            raise Refusal("invalid_argument", "input.respond requires an interrupt_id.")
        return [(interrupt_id, _namespace(params.get("namespace", [])), params.get("response"))]
    if not batch:
        raise Refusal("invalid_argument", "input.respond requires at least one response.")
    entries: list[RespondEntry] = []
    for entry in batch:
        if not isinstance(entry, dict):
            raise Refusal("invalid_argument", "input.respond responses entries must be objects.")
        if not isinstance(entry.get("interrupt_id"), str):
            raise Refusal(
                "invalid_argument", "input.respond responses entries require an interrupt_id."
            )
        namespace = _namespace(entry.get("namespace", []))
        entries.append((entry["interrupt_id"], namespace, entry.get("response")))
    return entries
