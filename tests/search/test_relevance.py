"""Search relevance on the hand-checked queries of ``samples/search.toml`` (see ``samples/README.md``).

Each query runs on the real index with its filters; the figures are printed (``pytest -s``) and
must meet the targets the sample states.
"""

from __future__ import annotations

import statistics
import time
import tomllib
from collections import defaultdict
from typing import Any

import pytest

from gcmkg.search import SearchIndex
from gcmkg.settings import PROJECT_ROOT, Settings

SAMPLE = tomllib.loads((PROJECT_ROOT / "samples" / "search.toml").read_text(encoding="utf-8"))
QUERIES: list[dict[str, Any]] = SAMPLE["query"]


def test_the_sample_covers_each_language_and_the_named_queries() -> None:
    by_language = defaultdict(int)
    for query in QUERIES:
        by_language[query["written_in"]] += 1
    assert len(QUERIES) >= 30
    assert all(by_language[language] >= 8 for language in ("en", "sv", "ar")), by_language
    typed = {query["q"] for query in QUERIES}
    assert {"عمال مهاجرين", "arbetskraftsinvandring"} <= typed
    assert any(query["q"].startswith('"') for query in QUERIES), "exact phrases"
    assert sum(1 for query in QUERIES if query.get("filters")) >= 8, "queries with filters"


def test_every_expected_provision_is_indexed(index: SearchIndex, built: Settings) -> None:
    for query in QUERIES:
        for expected in query["expected"]:
            assert index.contains(built.base_iri + expected), f"{query['q']!r}: {expected} is not in the index"


def top_five(index: SearchIndex, query: dict[str, Any]) -> list[str]:
    found = index.search(query["q"], limit=5, **query.get("filters", {}))
    return [hit.iri for hit in found.hits]


def test_relevance_meets_its_targets(index: SearchIndex, built: Settings) -> None:
    figures: dict[str, list[tuple[bool, float]]] = defaultdict(list)
    misses = []
    for query in QUERIES:
        expected = {built.base_iri + iri for iri in query["expected"]}
        top = top_five(index, query)
        found = len(expected & set(top))
        recall = found / min(5, len(expected))
        figures[query["written_in"]].append((found > 0, recall))
        figures["all"].append((found > 0, recall))
        if recall < 1:
            misses.append(f"  {query['q']!r} {query.get('filters', {})}: {found}/{min(5, len(expected))}")
    print("\nsearch relevance on samples/search.toml (first five hits):")
    for language, results in sorted(figures.items()):
        success = sum(ok for ok, _ in results) / len(results)
        recall = sum(r for _, r in results) / len(results)
        print(f"  {language:<4} {len(results):>3} queries  success@5 {success:.3f}  recall@5 {recall:.3f}")
    print("queries below full recall:\n" + "\n".join(misses) if misses else "every query at full recall")
    overall = figures["all"]
    assert sum(ok for ok, _ in overall) / len(overall) >= SAMPLE["target_success"]
    assert sum(r for _, r in overall) / len(overall) >= SAMPLE["target_recall"]
    for language in ("en", "sv", "ar"):
        assert sum(ok for ok, _ in figures[language]) / len(figures[language]) >= SAMPLE["target_success"], language


@pytest.mark.parametrize(
    "query", [q for q in QUERIES if q["q"] in ("عمال مهاجرين", "arbetskraftsinvandring")], ids=lambda q: q["q"]
)
def test_the_named_queries_find_their_provision_first(
    index: SearchIndex, built: Settings, query: dict[str, Any]
) -> None:
    assert top_five(index, query)[0] in {built.base_iri + iri for iri in query["expected"]}


def test_query_latency_is_printed(index: SearchIndex) -> None:
    """Each sample query run 20 times with its filters, a page of 10 hits with snippets: figures per language."""
    timings: dict[str, list[float]] = defaultdict(list)
    for query in QUERIES:
        for _ in range(20):
            started = time.perf_counter()
            index.search(query["q"], **query.get("filters", {}))
            timings[query["written_in"]].append((time.perf_counter() - started) * 1000)
    print(f"\nsearch latency over {index.size} provisions (ms, 20 runs of each sample query, 10 hits and snippets):")
    for language, values in sorted(timings.items()):
        values.sort()
        p95 = values[int(len(values) * 0.95)]
        print(f"  {language}  median {statistics.median(values):.2f}  p95 {p95:.2f}  max {values[-1]:.2f}")
    assert all(statistics.median(values) < 100 for values in timings.values())  # ten times what it takes here
