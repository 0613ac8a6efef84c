"""Stage ④ in the build: linkers ordered by what they need, run with it, and findings numbered once."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from gcmkg.build import linker_order, linkers, numbered_findings, run_linkers
from gcmkg.errors import GcmkgError
from gcmkg.iris import Iris
from gcmkg.links import CATALOGUE, DOCUMENTS, PROVIDED, Linker, Links
from gcmkg.model import Document, Finding, FindingKind, SourceSpan

IRIS = Iris("http://127.0.0.1:8000/")


def _nothing(iris: Iris, **needs: object) -> Links:
    return Links()


def fake(name: str, *needs: str) -> Linker:
    return Linker(name, needs, _nothing)


def names(ordered: list[Linker]) -> list[str]:
    return [linker.name for linker in ordered]


def test_a_linker_runs_after_the_linkers_it_needs_whatever_their_names() -> None:
    ordered = linker_order([fake("alpha", DOCUMENTS, "omega"), fake("omega", DOCUMENTS), fake("mid", "alpha")])
    assert names(ordered) == ["omega", "alpha", "mid"]


def test_linkers_that_need_nothing_of_each_other_run_in_name_order() -> None:
    assert names(linker_order([fake("c", DOCUMENTS), fake("a", CATALOGUE), fake("b")])) == ["a", "b", "c"]


def test_a_need_nothing_provides_is_a_clear_error() -> None:
    with pytest.raises(GcmkgError, match=r"linker 'lineage' needs 'thesaurus', which neither the build"):
        linker_order([fake("lineage", DOCUMENTS, "thesaurus")])


def test_a_cycle_is_a_clear_error() -> None:
    with pytest.raises(GcmkgError, match=r"cycle: a needs b; b needs c; c needs a"):
        linker_order([fake("a", "b"), fake("b", "c"), fake("c", "a"), fake("d", DOCUMENTS)])


def test_a_name_used_twice_is_an_error() -> None:
    with pytest.raises(GcmkgError, match="used twice"):
        linker_order([fake("review"), fake("review", DOCUMENTS)])
    with pytest.raises(GcmkgError, match="used twice"):
        linker_order([fake(DOCUMENTS)])


def test_each_linker_is_handed_what_it_needs_and_the_output_of_the_linkers_it_needs() -> None:
    seen: dict[str, dict[str, object]] = {}
    first = Links(findings=[])

    def record(name: str, links: Links) -> Linker:
        def run(iris: Iris, **needs: object) -> Links:
            assert iris is IRIS
            seen[name] = needs
            return links

        return Linker(name, {"first": (DOCUMENTS,), "second": ("first", CATALOGUE)}[name], run)

    documents: list[Document] = []
    found = run_linkers(
        IRIS, linker_order([record("second", Links()), record("first", first)]), {DOCUMENTS: documents, CATALOGUE: "c"}
    )
    assert list(found) == ["first", "second"]
    assert seen == {"first": {DOCUMENTS: documents}, "second": {"first": first, CATALOGUE: "c"}}
    assert found["first"] is first


def test_the_installed_linkers_are_the_entry_points_in_an_order_their_needs_allow() -> None:
    installed = linkers()
    assert sorted(names(installed)) == sorted(ep.name for ep in entry_points(group="gcmkg.linkers"))
    assert sorted(names(installed)) == ["correspondence", "lineage", "mentions", "review", "translation"]
    done = set(PROVIDED)
    for linker in installed:
        assert done.issuperset(linker.needs), linker.name
        done.add(linker.name)
    assert {linker.name: linker.needs for linker in installed}["mentions"] == (DOCUMENTS, CATALOGUE)


def _document(key: str, *findings: Finding) -> Document:
    return Document(key, "en", key, "2018-12-12", "final", f"{key}.txt", findings=list(findings))


def _finding(message: str) -> Finding:
    return Finding(FindingKind.TEXT, message, SourceSpan(1, 1))


def test_findings_are_numbered_per_document_the_loaders_first_then_each_linkers_in_run_order() -> None:
    a = _document("a", _finding("a loader 1"), _finding("a loader 2"))
    b = _document("b")
    first = Links(findings=[(b, _finding("b first")), (a, _finding("a first"))])
    second = Links(findings=[(a, _finding("a second"))])
    numbered = {d.key: [(n, f.message) for n, f in found] for d, found in numbered_findings([a, b], [first, second])}
    assert numbered == {
        "a": [(1, "a loader 1"), (2, "a loader 2"), (3, "a first"), (4, "a second")],
        "b": [(1, "b first")],
    }


def test_a_finding_about_a_document_not_loaded_is_an_error() -> None:
    loaded, other = _document("a"), _document("z")
    with pytest.raises(GcmkgError, match="not loaded: z/en"):
        list(numbered_findings([loaded], [Links(findings=[(other, _finding("lost"))])]))
