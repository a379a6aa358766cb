"""Replace volatile values by stable placeholders so two runs can be compared.

Rules (each is what makes two honest runs differ, nothing more):

* UUIDs anywhere in a string (thread, run, assistant, checkpoint and message ids,
  `lc_run--<uuid>`, `agent:<uuid>` namespaces, paths in `location`), and bare
  32-hex-digit ids (interrupt ids), become
  `<id:N>`, numbered by first appearance. The same id always gets the same
  placeholder, so "the run id in the stream equals the one in `location`" is
  still checked. Objects are walked in sorted key order so key order never
  changes the numbering.
* ISO-8601 timestamps anywhere in a string become `<timestamp>`.
* A string that is a whole version number (`1.2.22`) becomes `<version>`.
* Integers in the epoch-milliseconds range (`__request_start_time_ms__`) become
  `<epoch-ms>`; floats in the epoch-seconds range become `<epoch-s>`.
* SSE event ids of the form `<ms>-<seq>` (stream positions, timing-based), and the
  `event_id` of a thread-protocol event of that form (`<ms>-<seq>.<n>` too), become
  `<event-id>`: their presence is compared, their values cannot be. The protocol's
  `seq` numbers are compared exactly (they count the events of one stream from 1).
* The server's own base URL (`langgraph_api_url` in run metadata) becomes `<base-url>`.
* A `content-type` header keeps only its media type (clients dispatch on that).
"""

from __future__ import annotations

import re
from typing import Any

UUID_RE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|(?<![0-9A-Za-z])[0-9a-f]{32}(?![0-9A-Za-z])"
)
TIMESTAMP_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
)
VERSION_RE = re.compile(r"\d+\.\d+\.\d+(?:[-.+]?[0-9A-Za-z.]+)?")
EVENT_ID_RE = re.compile(r"\d+-\d+(?:\.\d+)?")
EPOCH_MS = range(10**12, 10**13)
EPOCH_S = (1e9, 1e10)


class Normaliser:
    """Stateful over one scenario run: the id → placeholder map spans all its exchanges."""

    def __init__(self, base_url: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.ids: dict[str, str] = {}

    def placeholder(self, raw_id: str) -> str:
        key = raw_id.lower()
        if key not in self.ids:
            self.ids[key] = f"<id:{len(self.ids) + 1}>"
        return self.ids[key]

    def string(self, text: str) -> str:
        if VERSION_RE.fullmatch(text):
            return "<version>"
        if self.base_url:
            text = text.replace(self.base_url, "<base-url>")
        text = UUID_RE.sub(lambda match: self.placeholder(match.group()), text)
        return TIMESTAMP_RE.sub("<timestamp>", text)

    def value(self, value: Any) -> Any:
        """Normalise any JSON value; dict keys are normalised too (they can hold ids)."""
        if isinstance(value, str):
            return self.string(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in EPOCH_MS:
            return "<epoch-ms>"
        if isinstance(value, float) and EPOCH_S[0] <= value < EPOCH_S[1]:
            return "<epoch-s>"
        if isinstance(value, dict):
            ordered = sorted(value, key=_key_shape)
            return {self.string(key): self.value(value[key]) for key in ordered}
        return value

    def exchange(self, exchange: dict[str, Any]) -> dict[str, Any]:
        """Normalise the request first, then the response, so ids number in wire order."""
        normalised = self.value(exchange)
        response = normalised.get("response") or {}
        headers = response.get("headers") or {}
        if "content-type" in headers:
            headers["content-type"] = headers["content-type"].split(";")[0].strip().lower()
        for event in response.get("events") or []:
            if isinstance(event.get("id"), str) and EVENT_ID_RE.fullmatch(event["id"]):
                event["id"] = "<event-id>"
            data = event.get("data")
            if isinstance(data, dict) and EVENT_ID_RE.fullmatch(str(data.get("event_id"))):
                data["event_id"] = "<event-id>"
        return normalised


def _key_shape(key: str) -> str:
    """Sort keys with ids masked: random ids never decide the walk order (ties keep wire order)."""
    return UUID_RE.sub("", key)
