"""The one list of scenarios skeino does not pass yet (`expected_failures.txt`)."""

from __future__ import annotations

from pathlib import Path

EXPECTED_FAILURES = Path(__file__).resolve().parent / "expected_failures.txt"


def load(path: Path = EXPECTED_FAILURES) -> dict[str, str]:
    """`name  # reason` lines -> {name: reason}; blank lines and `#` comment lines are skipped."""
    entries: dict[str, str] = {}
    for line in path.read_text().splitlines():
        name, _, reason = line.partition("#")
        if name.strip():
            entries[name.strip()] = reason.strip() or "no reason given"
    return entries
