"""Profiles, capabilities and the three-level report, on small hand-made runs."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from conformance import cli, markdown
from conformance.capabilities import Call, of
from conformance.compare import Difference, Kind
from conformance.profiles import LENIENT, STRICT
from conformance.report import Report, capability_rows
from conformance.verdict import Outcome, judge, not_set_up

untimed = settings(deadline=None)
"""No timing in tests: a loaded machine must not fail a property."""

THREAD = "/threads/7d5f1a2e-0c4b-4b1e-9a51-1f2d3c4b5a69"


def _exchange(method: str, path: str, body: Any, status: int, answer: Any) -> dict[str, Any]:
    return {
        "request": {"method": method, "path": path, "query": {}, "body": body},
        "response": {"status": status, "headers": {}, "body": answer},
    }


def _error(status: int, detail: str) -> dict[str, Any]:
    return _exchange("PUT", "/threads", None, status, {"detail": detail})


@untimed
@given(st.sampled_from([(400, 422), (405, 422), (404, 405), (400, 405)]), st.booleans())
def test_incidental_statuses_are_notes_only_when_lenient(pair: tuple[int, int], flip: bool) -> None:
    expected, got = pair[::-1] if flip else pair
    recorded, replay = [_error(expected, "no")], [_error(got, "no")]
    assert not judge("s", recorded, replay, profile=STRICT).passed
    lenient = judge("s", recorded, replay, profile=LENIENT)
    assert lenient.passed and [note.kind for note in lenient.notes] == [Kind.STATUS]


def test_other_status_changes_fail_in_every_profile() -> None:
    for profile in (STRICT, LENIENT):
        assert not judge("s", [_error(404, "x")], [_error(409, "x")], profile=profile).passed


def test_error_wording_is_a_note_when_lenient_and_422_keeps_its_first_line() -> None:
    recorded, replay = [_error(404, "Thread not found")], [_error(404, "No such thread")]
    [difference] = judge("s", recorded, replay).differences
    assert difference.kind is Kind.ERROR_WORDING
    assert judge("s", recorded, replay, profile=LENIENT).passed
    schema = "'x' is a required property\n\nFailed validating 'required' in schema"
    same_first_line = "'x' is a required property\n\nFailed validating elsewhere"
    assert judge("s", [_error(422, schema)], [_error(422, same_first_line)]).passed


def test_an_error_body_of_another_shape_fails_even_when_lenient() -> None:
    replay = [_exchange("PUT", "/threads", None, 404, {"error": "x", "message": "y"})]
    verdict = judge("s", [_error(404, "x")], replay, profile=LENIENT)
    assert Kind.MISSING_KEY in {difference.kind for difference in verdict.differences}


def test_capabilities_come_from_route_and_body() -> None:
    stream = {"stream_mode": ["values", "updates"], "multitask_strategy": "enqueue"}
    call = Call.of("x", {"method": "POST", "path": f"{THREAD}/runs/stream", "body": stream})
    assert set(of(call)) == {
        "stream mode: values",
        "stream mode: updates",
        "multitask: enqueue",
    }
    default = Call.of("x", {"method": "POST", "path": "/runs/stream", "body": {}})
    assert "stream mode: values" in of(default) and "runs: stateless" in of(default)
    wrong = Call.of("errors_method_not_allowed", {"method": "PUT", "path": "/threads"})
    assert of(wrong) == ("errors: wrong method",)
    assert of(Call.of("x", {"method": "GET", "path": "/nowhere"})) == ("other",)


def _rows(verdicts: list[Any]) -> dict[str, Any]:
    return {row.name: row for row in capability_rows(verdicts)}


def test_capability_rows_score_exchanges_and_scenarios() -> None:
    wait = _exchange("POST", f"{THREAD}/runs/wait", {"assistant_id": "chat"}, 200, {"a": 1})
    get = _exchange("GET", THREAD, None, 200, {"thread_id": THREAD[9:]})
    recorded = [wait, get]
    broken = copy.deepcopy(recorded)
    broken[1]["response"]["body"] = {}
    rows = _rows([judge("one", recorded, recorded), judge("two", recorded, broken)])
    assert (rows["runs: wait"].verdict, str(rows["runs: wait"].exchanges)) == ("yes", "2/2")
    thread = rows["threads: create, get, update, delete"]
    assert (thread.verdict, str(thread.exchanges), str(thread.scenarios)) == (
        "partial",
        "1/2",
        "1/2",
    )
    assert rows["MCP"].verdict == "not covered"


def test_a_scenario_that_cannot_set_up_says_so_and_runs_nothing() -> None:
    recorded = [_error(404, "x")]
    verdict = not_set_up("store_from_graph", recorded, "search answered 422")
    assert verdict.status == "not set up" and not verdict.passed
    assert [each.outcome for each in verdict.exchanges] == [Outcome.NOT_RUN]
    assert verdict.differences[0].kind is Kind.SETUP
    assert "could not set up: search answered 422" in str(verdict.differences[0])


def _report(label: str, passed: bool) -> dict[str, Any]:
    recorded = [_error(404, "x")]
    replay = recorded if passed else [_error(409, "x")]
    verdicts = [judge("errors_not_found", recorded, replay)]
    return Report(verdicts, STRICT, label, "http://127.0.0.1:1", {"version": "1.0"}).to_json()


def test_report_json_and_markdown_hold_all_three_levels() -> None:
    data = _report("good", passed=True)
    assert data["summary"]["passed"] == 1 and data["summary"]["exchanges_passed"] == 1
    assert data["endpoints"] == {"PUT /threads": {"passed": 1, "total": 1}}
    text = markdown.report_markdown(data)
    assert "| errors: not found | yes | 1/1 | 1/1 | `PUT /threads` |" in text
    assert "| errors_not_found | pass | 1/1 |" in text


def test_compatibility_keeps_the_hand_written_part(tmp_path: Path) -> None:
    paths = []
    for label, passed in (("first", True), ("second", False)):
        path = tmp_path / f"{label}.json"
        path.write_text(json.dumps(_report(label, passed)))
        paths.append(str(path))
    page = tmp_path / "COMPATIBILITY.md"
    page.write_text(f"# Intro\n\nby hand\n\n{markdown.GENERATED_MARK}\nold tables\n")
    assert cli.main(["compatibility", *paths, "--write", str(page)]) == 0
    text = page.read_text()
    assert text.startswith("# Intro\n\nby hand") and "old tables" not in text
    assert "| errors: not found | yes 1/1 | no 0/1 |" in text
    assert "| errors_not_found | pass 1/1 | fail 0/1 |" in text


def test_difference_json_names_its_kind() -> None:
    difference = Difference(3, "response.status", "expected 200, got 201", Kind.STATUS)
    assert difference.to_json()["kind"] == "status" and str(difference).startswith("exchange 3")


def test_the_first_differences_shown_are_the_telling_ones() -> None:
    recorded = [_exchange("GET", THREAD, None, 200, {"a": 1}), _error(404, "x")]
    replay = [_exchange("GET", THREAD, None, 200, {"a": 1, "b": 2}), _error(409, "x")]
    data = Report([judge("s", recorded, replay)], STRICT, "x", "u").to_json()
    shown = markdown.compatibility_markdown([data]).split("### x")[1]
    assert shown.index("response.status") < shown.index("unexpected keys")
