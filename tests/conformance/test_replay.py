"""Replay every recorded scenario against skeino, in-process, with no network, on every
backend (the `database_uri` fixture: memory, SQLite, Postgres)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import conformance
import skeino
from conformance import expected_failures, recording, scenarios

MANIFEST = Path(conformance.__file__).resolve().parent / "langgraph.json"
KNOWN_FAILURES = expected_failures.load()


def _skeino_app(database_uri: str) -> skeino.SkeinoApp:
    """A fresh skeino app on the conformance graphs."""
    settings = skeino.SkeinoSettings(database_uri=database_uri)
    return skeino.from_langgraph_json(str(MANIFEST), settings=settings)


def _params() -> list[Any]:
    return [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[name]))
        if name in KNOWN_FAILURES
        else name
        for name in recording.recorded_names()
    ]


@pytest.mark.parametrize("name", _params())
def test_replay(name: str, database_uri: str) -> None:
    [verdict] = conformance.check(app=_skeino_app(database_uri), only=[name])
    assert verdict.passed, "\n".join(str(difference) for difference in verdict.differences)


def test_expected_failures_name_real_scenarios() -> None:
    assert set(KNOWN_FAILURES) <= set(recording.recorded_names())


def test_every_scenario_is_recorded() -> None:
    assert set(scenarios.names()) == set(recording.recorded_names())
