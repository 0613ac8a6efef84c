"""Measurement in the build: every declared metric of every measured linker in the report and the graph.

The real build (session fixture ``build_result``) is read back: its report's ``quality`` section
and its ``graph/quality``.  A linker below its target is flagged in both and does not stop the
build (a made-up linker, measured by :func:`gcmkg.build.measure_linkers`).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from gcmkg.build import BuildResult, graph_digest, linkers, measure_linkers, measured_quads, quality_report
from gcmkg.errors import GcmkgError
from gcmkg.iris import Iris, sparql_prologue
from gcmkg.links import Linker, Links, Measure
from gcmkg.settings import Settings
from gcmkg.store import GraphStore

MEASUREMENTS = """
SELECT ?linker ?name ?value ?hits ?total ?target ?meets ?sample ?entries ?build WHERE {
  GRAPH <graph/quality> {
    ?m a dqv:QualityMeasurement ; dqv:isMeasurementOf ?metric ; dqv:computedOn <dataset> ; dqv:value ?value ;
       gcm:hits ?hits ; gcm:total ?total ; gcm:meetsTarget ?meets ; prov:wasDerivedFrom ?s ; prov:wasGeneratedBy ?build .
    ?metric a dqv:Metric ; gcm:linker ?linker ; gcm:target ?target ; rdfs:label ?label ; skos:definition ?definition ;
       dqv:expectedDataType xsd:decimal .
    ?s a gcm:Sample ; dcterms:identifier ?sample ; gcm:entryCount ?entries .
    ?build a prov:Activity ; prov:used ?s .
    BIND(STRAFTER(STR(?label), ": ") AS ?name)
  }
}"""


def measured_linkers() -> list[Linker]:
    return [linker for linker in linkers() if linker.sample and linker.measure]


def graph_rows(store: GraphStore) -> dict[tuple[str, str], dict[str, str]]:
    rows = store.select(sparql_prologue() + MEASUREMENTS)
    out = {}
    for row in rows:
        values = {k: v.value for k, v in row.items()}  # type: ignore[union-attr]
        key = (values["linker"], values["name"])
        assert key not in out, f"two measurements of {key}"
        out[key] = values
    return out


def test_the_build_measures_every_linker_that_names_a_sample(build_result: tuple[Settings, BuildResult]) -> None:
    settings, result = build_result
    declared = {linker.name: linker for linker in measured_linkers()}
    assert "mentions" in declared
    assert {m.linker for m in result.measured} == set(declared)
    for name, linker in declared.items():
        sample = tomllib.loads((settings.samples_dir / str(linker.sample)).read_text(encoding="utf-8"))
        metrics = [m.measure.metric for m in result.measured if m.linker == name]
        assert linker.measure is not None
        assert len(metrics) == len(set(metrics)) > 0
        assert all(m.sample == linker.sample and m.entries > 0 for m in result.measured if m.linker == name)
        assert sample  # the sample the figures say they come from parses


def test_the_report_has_one_line_per_declared_metric(build_result: tuple[Settings, BuildResult]) -> None:
    settings, result = build_result
    report = (result.release / "report.txt").read_text(encoding="utf-8")
    section = report[report.index("quality:") :].splitlines()
    assert f"release {result.digest}" in section[0]
    for m in result.measured:
        figure = m.measure
        lines = [line for line in section if line.split()[:2] == [m.linker, figure.metric]]
        assert len(lines) == 1, (m.linker, figure.metric)
        line = lines[0]
        assert (
            f"{figure.hits}/{figure.total}" in line and f"{figure.value:.3f}" in line and f"{figure.target:.2f}" in line
        )
        assert line.endswith("BELOW TARGET") is (not figure.meets_target), line
    below = len(result.below_target)
    assert (f"{below} BELOW TARGET" if below else "all meet their targets") in section[0]


def test_the_graph_has_one_dqv_measurement_per_declared_metric(
    build_result: tuple[Settings, BuildResult], store: GraphStore
) -> None:
    _, result = build_result
    rows = graph_rows(store)
    assert set(rows) == {(m.linker, m.measure.metric) for m in result.measured}
    base = store.base_iri
    for m in result.measured:
        row = rows[m.linker, m.measure.metric]
        assert (int(row["hits"]), int(row["total"])) == (m.measure.hits, m.measure.total)
        assert abs(float(row["value"]) - m.measure.value) < 1e-4
        assert abs(float(row["target"]) - m.measure.target) < 1e-9
        assert row["meets"] == ("true" if m.measure.meets_target else "false")
        assert (row["sample"], int(row["entries"])) == (m.sample, m.entries)
        assert row["build"] == f"{base}id/build/{result.digest}"


def test_the_release_digest_is_that_of_the_graph_without_its_figures(
    build_result: tuple[Settings, BuildResult],
) -> None:
    """The same input gives the same digest, so the dumps stay byte-identical (test_build)."""
    settings, result = build_result
    store = GraphStore.open_read_only(settings.store_dir, settings.base_iri)
    assert graph_digest(store) == result.digest


# A linker below its target ------------------------------------------------------------------


def _weak_measure(sample: dict[str, object], links: Links, iris: Iris) -> list[Measure]:
    return [Measure("precision", 9, 10, 0.8, "nine of ten"), Measure("recall", 1, 4, 0.9, "one of four")]


def _settings_with_sample(tmp_path: Path) -> Settings:
    (tmp_path / "samples").mkdir()
    (tmp_path / "samples" / "weak.toml").write_text("[[entry]]\nx = 1\n[[entry]]\nx = 2\n", encoding="utf-8")
    return Settings(root=tmp_path)


def test_a_linker_below_target_is_flagged_in_the_report_and_the_graph(tmp_path: Path) -> None:
    settings = _settings_with_sample(tmp_path)
    iris = Iris(settings.base_iri)
    weak = Linker("weak", needs=(), run=lambda iris: Links(), sample="weak.toml", measure=_weak_measure)
    unmeasured = Linker("plain", needs=(), run=lambda iris: Links())
    lines: list[str] = []
    measured = measure_linkers(settings, iris, [weak, unmeasured], {"weak": Links(), "plain": Links()}, lines.append)
    assert [(m.linker, m.measure.metric, m.entries) for m in measured] == [
        ("weak", "precision", 2),
        ("weak", "recall", 2),
    ]
    assert len(lines) == 2 and lines[1].endswith("BELOW TARGET") and not lines[0].endswith("BELOW TARGET")
    result = BuildResult(release=tmp_path, quads=0, measured=measured, digest="feed")
    report = quality_report(result)
    assert "1 BELOW TARGET" in report[0]
    assert [line for line in report if "BELOW TARGET" in line and line.split()[:2] == ["weak", "recall"]]
    store = GraphStore.in_memory(settings.base_iri)
    store.add(measured_quads(iris, "feed", measured))
    rows = graph_rows(store)
    assert rows["weak", "recall"]["meets"] == "false" and rows["weak", "precision"]["meets"] == "true"
    assert float(rows["weak", "recall"]["value"]) == 0.25


def test_a_missing_sample_is_bad_input(tmp_path: Path) -> None:
    settings = _settings_with_sample(tmp_path)
    lost = Linker("lost", needs=(), run=lambda iris: Links(), sample="nowhere.toml", measure=_weak_measure)
    with pytest.raises(GcmkgError, match="nowhere.toml"):
        measure_linkers(settings, Iris(settings.base_iri), [lost], {"lost": Links()})


def test_a_metric_given_twice_is_refused(tmp_path: Path) -> None:
    settings = _settings_with_sample(tmp_path)
    twice = Linker(
        "twice",
        needs=(),
        run=lambda iris: Links(),
        sample="weak.toml",
        measure=lambda sample, links, iris: [Measure("p", 1, 1, 1)] * 2,
    )
    with pytest.raises(GcmkgError, match="twice"):
        measure_linkers(settings, Iris(settings.base_iri), [twice], {"twice": Links()})


def test_no_measured_linker_gives_no_quality_graph() -> None:
    assert list(measured_quads(Iris("http://example.org/"), "x", [])) == []
    assert quality_report(BuildResult(release=Path("."), quads=0)) == [
        "quality: no linker names a sample and a measure"
    ]
