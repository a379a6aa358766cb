"""A small parser of Prometheus' text format, so tests read `/metrics` as a scraper would."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
SAMPLE = re.compile(r"^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$")
UNESCAPE = {"\\\\": "\\", '\\"': '"', "\\n": "\n"}


@dataclass
class Scrape:
    kinds: dict[str, str] = field(default_factory=dict)
    helps: dict[str, str] = field(default_factory=dict)
    samples: list[tuple[str, dict[str, str], float]] = field(default_factory=list)

    def value(self, name: str, **labels: str) -> float:
        """The one sample of `name` with exactly these labels."""
        found = [v for n, ls, v in self.samples if n == name and ls == labels]
        assert len(found) == 1, (name, labels, found)
        return found[0]

    def series(self, name: str) -> list[tuple[dict[str, str], float]]:
        return [(ls, v) for n, ls, v in self.samples if n == name]


def _unescape(value: str) -> str:
    return re.sub(r"\\[\\\"n]", lambda m: UNESCAPE[m.group()], value)


def parse(text: str) -> Scrape:
    """Every line must be a `# HELP`, a `# TYPE` or a sample of a declared family."""
    scrape = Scrape()
    assert text.endswith("\n")
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name, _, help_text = line[7:].partition(" ")
            scrape.helps[name] = help_text
        elif line.startswith("# TYPE "):
            name, _, kind = line[7:].partition(" ")
            assert kind in {"counter", "gauge", "histogram"}, line
            scrape.kinds[name] = kind
        else:
            match = SAMPLE.match(line)
            assert match, f"not a sample: {line!r}"
            name, raw_labels, raw_value = match.groups()
            labels = {k: _unescape(v) for k, v in LABEL.findall(raw_labels or "")}
            family = re.sub(r"_(bucket|sum|count)$", "", name)
            assert name in scrape.kinds or scrape.kinds.get(family) == "histogram", line
            value = math.inf if raw_value == "+Inf" else float(raw_value)
            scrape.samples.append((name, labels, value))
    return scrape
