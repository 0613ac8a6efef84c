"""The synthetic corpus of ``make bench-scale`` (``bench/scale.py``) builds, and its graph scales with it.

Not timed: the figures are the benchmark's; this checks that a corpus of two copies passes
every stage and that each copy of a text gives the graph the real text gives.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from gcmkg.build import BuildResult, build
from gcmkg.settings import PROJECT_ROOT, Settings, load_settings


@pytest.fixture(scope="module")
def scale_module():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(PROJECT_ROOT / "bench"))
    try:
        import scale

        yield scale
    finally:
        sys.path.remove(str(PROJECT_ROOT / "bench"))


def test_two_copies_build_to_twice_the_graph_but_the_shared_parts(
    scale_module,  # type: ignore[no-untyped-def]
    build_result: tuple[Settings, BuildResult],
    tmp_path: Path,
) -> None:
    settings, real = build_result
    corpus = tmp_path / "corpus"
    assert scale_module.write_corpus(2, corpus) == 2 * len(real.documents)
    doubled = build(load_settings(base_iri=settings.base_iri, corpus_dir=corpus, build_dir=tmp_path / "build"))
    assert doubled.documents[: len(real.documents)] == real.documents
    assert len(doubled.documents) == 2 * len(real.documents)
    base = settings.base_iri + "graph/"
    for graph, count in real.graphs.items():
        name = graph.removeprefix(base)
        if name in ("ontology", "catalogue"):  # one vocabulary, one catalogue at every scale
            assert doubled.graphs[graph] == count
        elif name in ("alignments", "mentions", "findings"):  # each copy's links and findings
            assert doubled.graphs[graph] == 2 * count
        elif name != "quality":  # a document's own graph, and its copy's
            key, language = name.rsplit("-", 1)
            assert doubled.graphs[graph] == doubled.graphs[f"{base}{key}-x2-{language}"] == count
    # the quality graph names the release's digest and counts the same figures (copy 1 is the real corpus)
    assert [m.measure for m in doubled.measured] == [m.measure for m in real.measured]
    assert (
        doubled.quads
        == 2 * real.quads
        - real.graphs[base + "ontology"]
        - real.graphs[base + "catalogue"]
        - (real.graphs[base + "quality"])
    )


def test_the_linearity_verdict_sees_a_fixed_cost_as_linear_and_a_quadratic_cost_as_not(
    scale_module,  # type: ignore[no-untyped-def]
) -> None:
    def built(scale: int, seconds: float) -> object:
        return scale_module.Built(scale, 40_000 * scale, seconds, {}, {}, {})

    scales = (1, 4, 16, 64)
    linear = [built(n, 5.0 + 0.1 * n) for n in scales]  # a fixed 5 s, then the same per quad
    slopes, ratio = scale_module.linearity(linear, lambda r: r.seconds)
    assert len(slopes) == 3 and ratio == pytest.approx(1.0)
    quadratic = [built(n, 5.0 + 0.1 * n * n) for n in scales]
    _, ratio = scale_module.linearity(quadratic, lambda r: r.seconds)
    assert ratio > scale_module.LINEAR_LIMIT
    bounds = scale_module.memory_bounds(2_500_000)  # 64×: the writer's bound does not grow, the build's does
    assert bounds["store writer"] == scale_module.memory_bounds(40_000)["store writer"]
    assert bounds["all"] == bounds["build"] + bounds["store writer"] > scale_module.memory_bounds(40_000)["all"]
