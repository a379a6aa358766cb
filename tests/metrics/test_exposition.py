"""The text format and the histogram, read back by the test parser."""

from __future__ import annotations

from skeino.metrics.exposition import Family, Histogram, Sample, gauge, render
from tests.metrics.prometheus import parse


def test_labels_are_escaped_and_values_written_plainly() -> None:
    odd = 'a "quoted"\\path\nline'
    text = render(
        [
            gauge("g", "A gauge.", 3),
            Family("c", "counter", "A counter.", (Sample((("path", odd),), 2.5),)),
        ]
    ).decode()
    assert "g 3\n" in text
    scrape = parse(text)
    assert scrape.kinds == {"g": "gauge", "c": "counter"}
    assert scrape.value("c", path=odd) == 2.5


def test_histogram_buckets_are_cumulative() -> None:
    hist = Histogram((1, 10))
    for value in (0.5, 0.5, 5, 50):
        hist.observe((("route", "/x"),), value)
    scrape = parse(render([hist.family("h", "A histogram.")]).decode())
    buckets = {ls["le"]: v for ls, v in scrape.series("h_bucket")}
    assert buckets == {"1": 2, "10": 3, "+Inf": 4}
    assert scrape.value("h_count", route="/x") == 4
    assert scrape.value("h_sum", route="/x") == 56
    assert hist.summary() == {(("route", "/x"),): (4, 56.0)}
