"""Scores at three levels from the verdicts of one check: scenario, exchange, capability.

The JSON form (`Report.to_json`) is what `--write-json` saves and what the Markdown
reports (`markdown.py`) and COMPATIBILITY.md are rendered from.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

from conformance.capabilities import ALL, OTHER
from conformance.profiles import Profile
from conformance.verdict import Outcome, Verdict


@dataclass
class Tally:
    passed: int = 0
    total: int = 0

    def add(self, passed: bool) -> None:
        self.passed += passed
        self.total += 1

    def __str__(self) -> str:
        return f"{self.passed}/{self.total}"

    def to_json(self) -> dict[str, int]:
        return {"passed": self.passed, "total": self.total}


@dataclass
class CapabilityRow:
    """How a server did on one capability, over the recorded exchanges that exercise it."""

    name: str
    endpoints: set[str] = field(default_factory=set)
    exchanges: Tally = field(default_factory=Tally)
    scenarios: Tally = field(default_factory=Tally)

    @property
    def verdict(self) -> str:
        if not self.exchanges.total:
            return "not covered"
        if (self.exchanges.passed, self.scenarios.passed) == (
            self.exchanges.total,
            self.scenarios.total,
        ):
            return "yes"
        return "partial" if self.exchanges.passed else "no"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "verdict": self.verdict,
            "endpoints": sorted(self.endpoints),
            "exchanges": self.exchanges.to_json(),
            "scenarios": self.scenarios.to_json(),
        }


def capability_rows(verdicts: list[Verdict]) -> list[CapabilityRow]:
    """One row per known capability (in declaration order), plus `other` if anything fell there.

    A scenario passes a capability when every exchange of it that exercises the capability
    passed and it sent no unexpected request of that capability."""
    rows = {name: CapabilityRow(name) for name in ALL}
    for verdict in verdicts:
        touched: dict[str, bool] = defaultdict(lambda: True)
        for exchange in verdict.exchanges:
            for name in exchange.capabilities:
                touched[name] &= exchange.passed
                if exchange.expected is not None:
                    rows[name].endpoints.add(exchange.endpoint)
                    rows[name].exchanges.add(exchange.passed)
        for name, passed in touched.items():
            rows[name].scenarios.add(passed)
    return [row for name, row in rows.items() if name != OTHER or row.exchanges.total]


def endpoint_rows(verdicts: list[Verdict]) -> dict[str, Tally]:
    """Recorded exchanges passed per `METHOD /route`."""
    rows: dict[str, Tally] = defaultdict(Tally)
    for verdict in verdicts:
        for exchange in verdict.exchanges:
            if exchange.expected is not None:
                rows[exchange.endpoint].add(exchange.passed)
    return dict(sorted(rows.items(), key=lambda item: (item[0].split(" ")[1], item[0])))


def summary(verdicts: list[Verdict]) -> dict[str, Any]:
    exchanges = [exchange for verdict in verdicts for exchange in verdict.exchanges]

    def count(outcome: Outcome) -> int:
        return sum(exchange.outcome is outcome for exchange in exchanges)

    return {
        "scenarios": len(verdicts),
        "passed": sum(verdict.passed for verdict in verdicts),
        "failed": sum(not verdict.passed for verdict in verdicts),
        "not_set_up": sum(not verdict.set_up for verdict in verdicts),
        "exchanges_recorded": sum(exchange.expected is not None for exchange in exchanges),
        "exchanges_passed": count(Outcome.PASS),
        "exchanges_failed": count(Outcome.FAIL),
        "exchanges_missing": count(Outcome.MISSING),
        "exchanges_not_run": count(Outcome.NOT_RUN),
        "requests_unexpected": count(Outcome.UNEXPECTED),
        "notes": sum(len(verdict.notes) for verdict in verdicts),
    }


@dataclass
class Report:
    """One check of one server under one profile."""

    verdicts: list[Verdict]
    profile: Profile
    label: str
    url: str
    server: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "url": self.url,
            "server": self.server,
            "profile": {"name": self.profile.name, "description": self.profile.description},
            "sdk": {"langgraph_sdk": version("langgraph-sdk")},
            "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "summary": summary(self.verdicts),
            "capabilities": [row.to_json() for row in capability_rows(self.verdicts)],
            "endpoints": {
                name: tally.to_json() for name, tally in endpoint_rows(self.verdicts).items()
            },
            "scenarios": [verdict.to_json() for verdict in self.verdicts],
        }
