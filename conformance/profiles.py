"""Profiles: which differences fail a scenario and which are only reported as notes.

`strict` (the default, skeino's CI) fails on every difference. `lenient` is for
comparing implementations fairly: a client ignores keys it does not know, does not
parse error wording, and treats every 4xx of a malformed request alike, so those
become notes:

* extra keys in a response body, event payload or client-read header;
* the wording of an error `detail`;
* incidental status codes: one of 400/422 (bad body), 405/422 (wrong method:
  validation first or routing first), 404/405 (wrong method on a path the server
  routes by method), 400/405.

Missing keys, other status codes, other values, SSE event sequences, and requests the
client did or did not send always fail.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.compare import Difference, Kind


@dataclass(frozen=True)
class Profile:
    """A named policy: the kinds that are notes, and the status pairs that are incidental."""

    name: str
    description: str
    note_kinds: frozenset[Kind] = frozenset()
    incidental_statuses: frozenset[frozenset[int]] = frozenset()

    def is_note(self, difference: Difference) -> bool:
        if difference.kind is Kind.STATUS and difference.statuses is not None:
            codes = frozenset(code for code in difference.statuses if code is not None)
            return codes in self.incidental_statuses
        return difference.kind in self.note_kinds

    def split(self, differences: list[Difference]) -> tuple[list[Difference], list[Difference]]:
        """(failures, notes)."""
        notes = [difference for difference in differences if self.is_note(difference)]
        return [difference for difference in differences if not self.is_note(difference)], notes


STRICT = Profile("strict", "every difference fails")
LENIENT = Profile(
    "lenient",
    "extra keys, error wording and incidental 4xx status codes are notes",
    frozenset({Kind.EXTRA_KEY, Kind.ERROR_WORDING}),
    frozenset(frozenset(pair) for pair in ((400, 422), (405, 422), (404, 405), (400, 405))),
)
PROFILES = {profile.name: profile for profile in (STRICT, LENIENT)}


def get(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise KeyError(f"unknown profile {name!r}; known: {', '.join(PROFILES)}") from None
