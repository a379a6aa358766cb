"""Summarise a vitest JSON report of api.test.mts: one line per test, then the counts.

    python3 summary.py REPORT.json SKIP.txt [REFERENCE_REPORT.json]

Tests named in SKIP.txt (`full test name  # reason`) are marked JS-ONLY but still counted
as vitest ran them. With a reference report (the official server's), the tests it passes
and REPORT fails are listed last: those are the gaps to close.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def results(report: Path) -> dict[str, tuple[str, str]]:
    """Full test name → (status, first line of its failure message)."""
    data = json.loads(report.read_text())
    out: dict[str, tuple[str, str]] = {}
    for module in data["testResults"]:
        for test in module["assertionResults"]:
            failure = (test.get("failureMessages") or [""])[0].strip().splitlines()
            out[test["fullName"]] = (test["status"], failure[0] if failure else "")
    return out


def skips(path: Path) -> dict[str, str]:
    """Test name → reason, from the committed skip list."""
    entries: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition("  # ")
            entries[name.strip()] = reason.strip()
    return entries


def main(argv: list[str]) -> int:
    tests = results(Path(argv[1]))
    js_only = skips(Path(argv[2]))
    for name, (status, failure) in tests.items():
        mark = {"passed": "PASS", "failed": "FAIL"}.get(status, "SKIP")
        note = f"  [JS-ONLY: {js_only[name]}]" if name in js_only else ""
        detail = f"  -- {failure[:160]}" if mark == "FAIL" else ""
        print(f"{mark}  {name}{note}{detail}")
    passed = sum(status == "passed" for status, _ in tests.values())
    failed = sum(status == "failed" for status, _ in tests.values())
    if len(argv) > 3:
        reference = results(Path(argv[3]))
        gaps = [
            n
            for n, (s, _) in reference.items()
            if s == "passed" and tests.get(n, ("missing", ""))[0] != "passed"
        ]
        print(f"\n{len(gaps)} passed by the reference and not here:")
        for name in gaps:
            print(f"  {name}")
    print(f"\n{passed} passed, {failed} failed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
