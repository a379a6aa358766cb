"""Judge one scenario run against its recording: per exchange, then for the scenario.

Exchanges are paired by request (`pairing.py`), normalised in pair order (so an
unpaired exchange never shifts the id numbering of the others), compared
(`compare.py`), and each difference is a failure or a note under the profile.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Any

from conformance import capabilities
from conformance.compare import Difference, Kind, diff_exchange
from conformance.correlate import CorrelatingNormaliser
from conformance.normalise import Normaliser
from conformance.pairing import Pair, pair_exchanges
from conformance.profiles import STRICT, Profile
from conformance.table import route


class Outcome(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    MISSING = "missing"
    UNEXPECTED = "unexpected"
    NOT_RUN = "not-run"


@dataclass
class ExchangeVerdict:
    """One recorded request and what became of it (or one request nobody recorded)."""

    expected: int | None
    actual: int | None
    endpoint: str
    capabilities: tuple[str, ...]
    outcome: Outcome
    differences: list[Difference] = field(default_factory=list)
    notes: list[Difference] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASS

    def to_json(self) -> dict[str, Any]:
        return {
            "expected": self.expected,
            "actual": self.actual,
            "endpoint": self.endpoint,
            "outcome": str(self.outcome),
            "capabilities": list(self.capabilities),
            "differences": [difference.to_json() for difference in self.differences],
            "notes": [note.to_json() for note in self.notes],
        }


@dataclass
class Verdict:
    """The outcome of checking one scenario; `differences` are its failures."""

    name: str
    differences: list[Difference] = field(default_factory=list)
    notes: list[Difference] = field(default_factory=list)
    exchanges: list[ExchangeVerdict] = field(default_factory=list)
    set_up: bool = True

    @property
    def passed(self) -> bool:
        return not self.differences

    @property
    def status(self) -> str:
        return "pass" if self.passed else "fail" if self.set_up else "not set up"

    def exchange_score(self) -> tuple[int, int]:
        """(passed, recorded): an unexpected request fails the scenario, not a recorded one."""
        recorded = [each for each in self.exchanges if each.expected is not None]
        return sum(each.passed for each in recorded), len(recorded)

    def to_json(self) -> dict[str, Any]:
        passed, total = self.exchange_score()
        return {
            "name": self.name,
            "passed": self.passed,
            "status": self.status,
            "exchanges_passed": passed,
            "exchanges_total": total,
            "differences": [str(difference) for difference in self.differences],
            "difference_kinds": [str(difference.kind) for difference in self.differences],
            "notes": [str(note) for note in self.notes],
            "exchanges": [exchange.to_json() for exchange in self.exchanges],
        }


def _label(scenario: str, request: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    endpoint = f"{request['method']} {route(request['path'])}"
    return endpoint, capabilities.of(capabilities.Call.of(scenario, request))


def _normalise_in_pair_order(
    pairs: list[Pair],
    expected: list[dict[str, Any]],
    actual: list[dict[str, Any]],
    base_urls: tuple[str, str],
) -> tuple[dict[int, Any], dict[int, Any]]:
    """Paired exchanges first, in order, on both sides; then the unpaired ones. The replayed
    ids take the placeholders of the recorded ids they pair with (`correlate.py`)."""
    left, right = Normaliser(base_urls[0]), CorrelatingNormaliser(base_urls[1])
    lefts: dict[int, Any] = {}
    rights: dict[int, Any] = {}
    ordered = [p for p in pairs if None not in (p.expected, p.actual)] + pairs
    for pair in ordered:
        if pair.expected is not None and pair.expected not in lefts:
            lefts[pair.expected] = left.exchange(expected[pair.expected])
        if pair.actual is not None and pair.actual not in rights:
            if pair.expected is not None:
                right.learn(lefts[pair.expected], actual[pair.actual])
            rights[pair.actual] = right.exchange(actual[pair.actual])
    return lefts, rights


def _judge_pair(
    scenario: str,
    pair: Pair,
    normalised: tuple[dict[int, Any], dict[int, Any]],
    raw: tuple[list[dict[str, Any]], list[dict[str, Any]]],
    profile: Profile,
) -> ExchangeVerdict:
    lefts, rights = normalised
    if pair.expected is None:
        assert pair.actual is not None
        endpoint, tags = _label(scenario, raw[1][pair.actual]["request"])
        message = f"unexpected request {endpoint} (not in the recording)"
        found = [Difference(None, "$", message, Kind.UNEXPECTED_EXCHANGE)]
        return ExchangeVerdict(None, pair.actual, endpoint, tags, Outcome.UNEXPECTED, found)
    endpoint, tags = _label(scenario, raw[0][pair.expected]["request"])
    if pair.actual is None:
        message = f"missing request {endpoint} (recorded, not sent)"
        found = [Difference(pair.expected, "$", message, Kind.MISSING_EXCHANGE)]
        return ExchangeVerdict(pair.expected, None, endpoint, tags, Outcome.MISSING, found)
    differences = [
        replace(difference, exchange=pair.expected)
        for difference in diff_exchange(lefts[pair.expected], rights[pair.actual])
    ]
    failures, notes = profile.split(differences)
    outcome = Outcome.FAIL if failures else Outcome.PASS
    return ExchangeVerdict(pair.expected, pair.actual, endpoint, tags, outcome, failures, notes)


def judge(
    scenario: str,
    expected: list[dict[str, Any]],
    actual: list[dict[str, Any]],
    base_urls: tuple[str, str] = ("", ""),
    profile: Profile = STRICT,
    raised: str | None = None,
) -> Verdict:
    """Pair, normalise, compare and classify one run against its recording."""
    pairs = pair_exchanges(expected, actual, *base_urls)
    normalised = _normalise_in_pair_order(pairs, expected, actual, base_urls)
    exchanges = [
        _judge_pair(scenario, pair, normalised, (expected, actual), profile) for pair in pairs
    ]
    verdict = Verdict(scenario, exchanges=exchanges)
    if raised:
        first_line = raised.splitlines()[0]
        note = f"scenario raised after {len(actual)} exchanges: {first_line}"
        verdict.differences.append(Difference(None, "$", note, Kind.RAISED))
    for exchange in exchanges:
        verdict.differences.extend(exchange.differences)
        verdict.notes.extend(exchange.notes)
    return verdict


def not_set_up(scenario: str, expected: list[dict[str, Any]], reason: str) -> Verdict:
    """A scenario whose preparation failed: nothing it would check was checked."""
    exchanges = []
    for index, exchange in enumerate(expected):
        endpoint, tags = _label(scenario, exchange["request"])
        exchanges.append(ExchangeVerdict(index, None, endpoint, tags, Outcome.NOT_RUN))
    failure = Difference(None, "$", f"could not set up: {reason}", Kind.SETUP)
    return Verdict(scenario, [failure], exchanges=exchanges, set_up=False)
