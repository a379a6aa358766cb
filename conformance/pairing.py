"""Pair recorded and replayed exchanges by what the client sent, not by position.

A server that answers differently can make the SDK send fewer or more requests (one
extra SSE `end` event and the SDK skips its follow-up `GET` of the run). Comparing by
position would then compare every later exchange with the wrong one. Instead each
request gets a key with volatile values masked (ids, timestamps, the base URL), and
the two sequences are aligned in order: first on the whole key (method, path shape,
query, body), then, inside each stretch left unpaired, on method and path shape only
(the same call with a different body: its request difference is reported). What is
left is a missing request (recorded, not sent) or an unexpected one (sent, not recorded).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from conformance.normalise import Normaliser


@dataclass(frozen=True)
class Pair:
    """Indexes into the recorded and the replayed exchanges; one side is None if unpaired."""

    expected: int | None
    actual: int | None


class _Masker(Normaliser):
    """Every id masks to the same `<id>`: keys compare shapes, not which id is which."""

    def placeholder(self, raw_id: str) -> str:
        return "<id>"


def request_keys(exchanges: Sequence[dict[str, Any]], base_url: str = "") -> list[str]:
    """The whole masked request of each exchange, as a canonical string."""
    masker = _Masker(base_url)
    return [json.dumps(masker.value(exchange["request"]), sort_keys=True) for exchange in exchanges]


def route_keys(exchanges: Sequence[dict[str, Any]], base_url: str = "") -> list[str]:
    """Method and masked path of each exchange."""
    masker = _Masker(base_url)
    return [
        f"{exchange['request']['method']} {masker.string(exchange['request']['path'])}"
        for exchange in exchanges
    ]


Aligner = Callable[[range, range], list[Pair]]


def aligner(left: list[str], right: list[str], inner: Aligner | None = None) -> Aligner:
    """Align two key lists in order; unpaired stretches go to `inner` (or stay unpaired)."""

    def align(lefts: range, rights: range) -> list[Pair]:
        matcher = SequenceMatcher(
            None, [left[i] for i in lefts], [right[j] for j in rights], autojunk=False
        )
        pairs: list[Pair] = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                pairs.extend(Pair(lefts[i1 + k], rights[j1 + k]) for k in range(i2 - i1))
            elif inner is not None:
                pairs.extend(inner(lefts[i1:i2], rights[j1:j2]))
            else:
                pairs.extend(Pair(lefts[i], None) for i in range(i1, i2))
                pairs.extend(Pair(None, rights[j]) for j in range(j1, j2))
        return pairs

    return align


def pair_exchanges(
    expected: Sequence[dict[str, Any]],
    actual: Sequence[dict[str, Any]],
    expected_base_url: str = "",
    actual_base_url: str = "",
) -> list[Pair]:
    """Every exchange of both runs exactly once, in request order."""
    loose = aligner(
        route_keys(expected, expected_base_url), route_keys(actual, actual_base_url), None
    )
    strict = aligner(
        request_keys(expected, expected_base_url),
        request_keys(actual, actual_base_url),
        loose,
    )
    return strict(range(len(expected)), range(len(actual)))
