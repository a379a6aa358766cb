"""Pairing by request and per-exchange verdicts on synthetic traffic: an identical run, a
skipped request, an extra request, an extra SSE event, a renamed field, an extra key."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conformance.compare import Kind
from conformance.pairing import Pair, pair_exchanges
from conformance.profiles import LENIENT, STRICT
from conformance.verdict import Outcome, Verdict, judge
from tests.conformance.traffic import extra_request, fresh_ids, runs

untimed = settings(deadline=None)
"""No timing in tests: a loaded machine must not fail a property."""


def _outcomes(verdict: Verdict) -> list[Outcome]:
    return [exchange.outcome for exchange in verdict.exchanges]


def _kinds(verdict: Verdict) -> set[Kind]:
    return {difference.kind for difference in verdict.differences}


@untimed
@given(runs())
def test_the_same_run_with_other_ids_passes(run: list[dict[str, Any]]) -> None:
    verdict = judge("synthetic", run, fresh_ids(run))
    assert verdict.passed, verdict.differences
    assert verdict.exchange_score() == (len(run), len(run))


@untimed
@given(runs(min_size=2), st.data())
def test_a_skipped_request_is_missing_and_the_rest_still_pass(
    run: list[dict[str, Any]], data: st.DataObject
) -> None:
    skipped = data.draw(st.integers(0, len(run) - 1))
    replay = fresh_ids(run)
    del replay[skipped]
    verdict = judge("synthetic", run, replay)
    assert [each.expected for each in verdict.exchanges] == list(range(len(run)))
    assert _outcomes(verdict) == [
        Outcome.MISSING if index == skipped else Outcome.PASS for index in range(len(run))
    ]
    assert _kinds(verdict) == {Kind.MISSING_EXCHANGE}


@untimed
@given(runs(), st.data())
def test_an_extra_request_is_unexpected_and_the_rest_still_pass(
    run: list[dict[str, Any]], data: st.DataObject
) -> None:
    position = data.draw(st.integers(0, len(run)))
    replay = fresh_ids(run)
    replay.insert(position, extra_request(position))
    verdict = judge("synthetic", run, replay)
    assert [pair.actual for pair in pair_exchanges(run, replay)] == list(range(len(replay)))
    unexpected = [each for each in verdict.exchanges if each.outcome is Outcome.UNEXPECTED]
    assert [each.actual for each in unexpected] == [position]
    assert verdict.exchange_score() == (len(run), len(run))
    assert not verdict.passed and _kinds(verdict) == {Kind.UNEXPECTED_EXCHANGE}


def _streams(run: list[dict[str, Any]]) -> list[int]:
    return [index for index, exchange in enumerate(run) if "events" in exchange["response"]]


@untimed
@given(runs(), st.data())
def test_an_extra_event_fails_only_its_exchange_and_names_the_event(
    run: list[dict[str, Any]], data: st.DataObject
) -> None:
    assume(_streams(run))
    target = data.draw(st.sampled_from(_streams(run)))
    replay = fresh_ids(run)
    events = replay[target]["response"]["events"]
    events.insert(data.draw(st.integers(0, len(events))), {"event": "end", "data": None})
    for profile in (STRICT, LENIENT):
        verdict = judge("synthetic", run, replay, profile=profile)
        assert _outcomes(verdict) == [
            Outcome.FAIL if index == target else Outcome.PASS for index in range(len(run))
        ]
        [difference] = verdict.differences
        assert difference.kind is Kind.EVENTS and "'end'" in difference.message


def _body_exchanges(run: list[dict[str, Any]]) -> list[int]:
    return [index for index, exchange in enumerate(run) if "body" in exchange["response"]]


@untimed
@given(runs(), st.data())
def test_a_renamed_field_fails_in_every_profile(
    run: list[dict[str, Any]], data: st.DataObject
) -> None:
    assume(_body_exchanges(run))
    target = data.draw(st.sampled_from(_body_exchanges(run)))
    replay = fresh_ids(run)
    body = replay[target]["response"]["body"]
    body["renamed"] = body.pop("value")
    for profile in (STRICT, LENIENT):
        verdict = judge("synthetic", run, replay, profile=profile)
        assert _outcomes(verdict)[target] is Outcome.FAIL
        assert Kind.MISSING_KEY in _kinds(verdict)
        assert sum(each.passed for each in verdict.exchanges) == len(run) - 1


@untimed
@given(runs(), st.data())
def test_an_extra_key_fails_strict_and_is_a_note_when_lenient(
    run: list[dict[str, Any]], data: st.DataObject
) -> None:
    assume(_body_exchanges(run))
    target = data.draw(st.sampled_from(_body_exchanges(run)))
    replay = fresh_ids(run)
    replay[target]["response"]["body"]["nested"]["added"] = 1
    strict = judge("synthetic", run, replay, profile=STRICT)
    assert _kinds(strict) == {Kind.EXTRA_KEY} and _outcomes(strict)[target] is Outcome.FAIL
    lenient = judge("synthetic", run, replay, profile=LENIENT)
    assert lenient.passed
    assert [note.kind for note in lenient.notes] == [Kind.EXTRA_KEY]


@untimed
@given(runs(min_size=2))
def test_pairing_covers_both_runs_once_in_order(run: list[dict[str, Any]]) -> None:
    replay = [*fresh_ids(run[1:]), extra_request(99)]
    pairs = pair_exchanges(run, replay)
    expected = [pair.expected for pair in pairs if pair.expected is not None]
    actual = [pair.actual for pair in pairs if pair.actual is not None]
    assert expected == list(range(len(run))) and actual == list(range(len(replay)))


def test_a_changed_body_still_pairs_by_method_and_path() -> None:
    recorded = [extra_request(1)]
    replay = copy.deepcopy(recorded)
    replay[0]["request"]["query"] = {"n": ["2"]}
    assert pair_exchanges(recorded, replay) == [Pair(0, 0)]
    [difference] = judge("synthetic", recorded, replay).differences
    assert difference.kind is Kind.REQUEST and difference.path == "request.query.n[0]"


A, B = "0b4a3f36-8a59-4d6e-9a0e-6f4c1c2b7d11", "5c6d7e8f-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
C, D = "9e8d7c6b-5a49-4838-a726-15f4e3d2c1b0", "2f3e4d5c-6b7a-4988-b766-5f4e3d2c1b0a"


def _run(thread: str, run: str, kwargs: bool) -> list[dict[str, Any]]:
    body = {"run_id": run, "thread_id": thread}
    if kwargs:
        body["kwargs"] = {"config": {"run_id": run, "thread_id": thread}}
    return [
        {
            "request": {"method": "POST", "path": f"/threads/{thread}/runs", "body": {}},
            "response": {"status": 200, "headers": {}, "body": body},
        },
        {
            "request": {"method": "GET", "path": f"/threads/{thread}/runs/{run}", "body": None},
            "response": {"status": 200, "headers": {}, "body": {"run_id": run}},
        },
    ]


def test_a_missing_key_holding_ids_does_not_shift_later_ids() -> None:
    verdict = judge("synthetic", _run(A, B, kwargs=True), _run(C, D, kwargs=False))
    assert _outcomes(verdict) == [Outcome.FAIL, Outcome.PASS]
    assert [difference.kind for difference in verdict.differences] == [Kind.MISSING_KEY]


def test_swapped_ids_still_differ() -> None:
    recorded = _run(A, B, kwargs=False)
    swapped = _run(C, D, kwargs=False)
    swapped[0]["response"]["body"] = {"run_id": C, "thread_id": D}
    verdict = judge("synthetic", recorded, swapped)
    assert {difference.path for difference in verdict.differences} >= {
        "response.body.run_id",
        "response.body.thread_id",
    }


def test_ids_in_keys_are_matched_too() -> None:
    def run(message: str, assistant: str) -> list[dict[str, Any]]:
        data = {f"lc_run--{message}": {"metadata": {"assistant_id": assistant}}}
        events = [{"event": "messages/metadata", "data": data}]
        return [
            {
                "request": {"method": "POST", "path": "/runs/stream", "body": {}},
                "response": {"status": 200, "headers": {}, "events": events},
            }
        ]

    assert judge("synthetic", run(A, B), run(C, D)).passed
