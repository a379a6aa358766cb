"""Give the replayed run's ids the placeholders of the recorded ids they stand for.

Numbering ids by first appearance on each side works only while both sides show them
in the same order. A server whose run object lacks `kwargs` (where the official server
first shows the run id) would shift every later placeholder, and each later exchange
would differ for that one reason. Instead, the replayed ids are matched to recorded ones
where both sit at the same JSON path of a paired exchange (the request path first), and
take their placeholders; a replayed id that matches nothing (yet) gets its own `<id:?N>`.
The match is one-to-one, so "the run id in `content-location` is the one in the
`metadata` event" is still checked: a different id there is still a difference.
"""

from __future__ import annotations

import re
from typing import Any

from conformance.normalise import UUID_RE, Normaliser

PLACEHOLDER_RE = re.compile(r"<id:\d+>")
_WALKED = (("request", "path"), ("request", "query"), ("request", "body"), ("response", None))


class CorrelatingNormaliser(Normaliser):
    """Normalises the replayed side; `learn` first from each paired recorded exchange."""

    def __init__(self, base_url: str = "") -> None:
        super().__init__(base_url)
        self.claimed: set[str] = set()
        self.unmatched = 0

    def placeholder(self, raw_id: str) -> str:
        key = raw_id.lower()
        if key not in self.ids:
            self.unmatched += 1
            self.ids[key] = f"<id:?{self.unmatched}>"
        return self.ids[key]

    def learn(self, recorded: dict[str, Any], replayed: dict[str, Any]) -> None:
        """Match ids at the same paths of a normalised recorded and a raw replayed exchange."""
        for part, key in _WALKED:
            left, right = recorded.get(part) or {}, replayed.get(part) or {}
            if key is None:
                self._walk(left, right)
            else:
                self._walk(left.get(key), right.get(key))

    def _walk(self, recorded: Any, replayed: Any) -> None:
        if isinstance(recorded, str) and isinstance(replayed, str):
            self._match(PLACEHOLDER_RE.findall(recorded), UUID_RE.findall(replayed))
        elif isinstance(recorded, dict) and isinstance(replayed, dict):
            for left, right in _key_pairs(recorded, replayed):
                self._walk(left, right)
                self._walk(recorded[left], replayed[right])
        elif isinstance(recorded, list) and isinstance(replayed, list):
            for left, right in zip(recorded, replayed, strict=False):
                self._walk(left, right)

    def _match(self, placeholders: list[str], raw_ids: list[str]) -> None:
        if len(placeholders) != len(raw_ids):
            return
        for placeholder, raw_id in zip(placeholders, raw_ids, strict=True):
            key = raw_id.lower()
            free = key not in self.ids or self.ids[key].startswith("<id:?")
            if free and placeholder not in self.claimed:
                self.ids[key] = placeholder
                self.claimed.add(placeholder)


def _key_pairs(recorded: dict[str, Any], replayed: dict[str, Any]) -> list[tuple[str, str]]:
    """Keys of the two objects that stand for each other: equal keys, and keys holding ids
    (`lc_run--<id>`, interrupt ids) paired in order within the same shape."""
    shapes: dict[str, list[str]] = {}
    for key in replayed:
        shapes.setdefault(UUID_RE.sub("<id>", key), []).append(key)
    pairs = []
    for key in recorded:
        candidates = shapes.get(PLACEHOLDER_RE.sub("<id>", key))
        if PLACEHOLDER_RE.search(key) and candidates:
            pairs.append((key, candidates.pop(0)))
        elif key in replayed:
            pairs.append((key, key))
    return pairs
