"""Lineage from the Zero Draft Plus to the final text, measured against a hand-checked sample.

The sample (``TRUTH``) was made by reading both texts side by side for objectives 3, 4, 9, 15,
22 and 23: for every final objective, commitment and action, the draft provision(s) it
descends from (an empty set: new in the final text).  The linker's links on these objectives
are compared with it; precision and recall are asserted, and the misses are named so that a
change of method that gains or loses one shows up here.

The linker's published figures come from ``samples/lineage.toml`` (every action of objectives 1–7 on
both sides): :func:`gcmkg.linking.lineage.measure` is run on the computed links and on the links as
the real build's graph states them, and the issue-15 targets are asserted (precision ≥ 0.95, recall
≥ 0.90, no draft action wrongly "not retained").  Objectives 9, 15, 22 and 23 of ``TRUTH`` lie outside
that sample and check the rules beyond it.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from statistics import median

import pytest
from pyoxigraph import Literal, NamedNode

from gcmkg.corpus import read_manifest
from gcmkg.iris import Iris, sparql_prologue
from gcmkg.linking.lineage import LINKER, Lineage, compute, lineage_links, link, measure, shared_spans
from gcmkg.links import Alignment, Links, Measure, Retention
from gcmkg.model import Document, ProvisionKind
from gcmkg.rdf import compact_quads, document_quads, links_quads
from gcmkg.service.saved_query_files import parse
from gcmkg.settings import PROJECT_ROOT, Settings
from gcmkg.store import GraphStore
from gcmkg.validate import shacl_violations
from loaders import final_text, zero_draft

BASE = "http://127.0.0.1:8000/"


def value(term: object) -> str:
    """The lexical value of a bound IRI or literal."""
    assert isinstance(term, (NamedNode, Literal)), term
    return term.value


def _final(*path: str) -> tuple[str, ...]:
    return ("annex", *path)


_draft = _final


def _objective(final: int, draft: int | None, commitment: tuple[str, str | None], actions: dict[str, set[str]]):
    """Truth for one final objective: its own ancestor, its commitment's, and its actions' (letters)."""
    final_para, draft_para = commitment
    truth = {
        _final("objective", str(final)): {_draft("objective", str(draft))} if draft else set(),
        _final("para", final_para): {_draft("para", draft_para)} if draft_para else set(),
    }
    for letter, ancestors in actions.items():
        truth[_final("para", final_para, letter)] = {
            _draft("para", *a.split("/")) if "/" in a else _draft("para", draft_para or "", a) for a in ancestors
        }
    return truth


# Read by hand.  Letters refer to the draft commitment paragraph of the matched objective
# unless written "paragraph/letter".
TRUTH: dict[tuple[str, ...], set[tuple[str, ...]]] = {
    # Objective 3 "Provide accurate [draft: adequate] and timely information…": (e) is draft (f); draft (e),
    # the digital register of nationals abroad, went to objective 14 (see test_moved_action).
    **_objective(3, 3, ("19", "18"), {"a": {"a"}, "b": {"b"}, "c": {"c"}, "d": {"d"}, "e": {"f"}}),
    # Objective 4: reordered and heavily reworded.  (a) civil registry ← (a) "registering migrant births and
    # reaching undocumented populations"; (d) non-discriminatory access to passports and visas ← (e) "access to
    # a passport or visa is not tied to the spouse or parent"; (g) municipal registration cards ← (g)
    # "identification card for all persons residing in a particular country or city"; (e) statelessness ← (b), and
    # takes "registering migrant births … avoid statelessness" from (a) (as samples/lineage.toml reads it; this
    # table once gave (b) alone).
    **_objective(
        4,
        4,
        ("20", "19"),
        {"a": {"a"}, "b": {"c"}, "c": {"d"}, "d": {"e"}, "e": {"a", "b"}, "f": {"f"}, "g": {"g"}},
    ),
    # Objective 9: (a)-(e) in order; (f), prevention along the migration cycle, is new.
    **_objective(9, 9, ("25", "24"), {"a": {"a"}, "b": {"b"}, "c": {"c"}, "d": {"d"}, "e": {"e"}, "f": set()}),
    # Objective 15: reordered; (e) health needs ← (a) WHO Framework, and takes "training health-care
    # providers" from (f).
    **_objective(
        15,
        15,
        ("31", "30"),
        {"a": {"b"}, "b": {"c"}, "c": {"d"}, "d": {"e"}, "e": {"a", "f"}, "f": {"g"}},
    ),
    # Objective 22: (b) merges draft (b) (agreements on portability) and (c) (social security agreements).
    **_objective(22, 22, ("38", "37"), {"a": {"a"}, "b": {"b", "c"}, "c": {"d"}}),
    # Objective 23, international cooperation and global partnerships: new in the final text.
    **_objective(23, None, ("39", None), {letter: set() for letter in "abcde"}),
    # Objective 14 (e), registering nationals abroad, ← objective 3's draft (e).
    _final("para", "30", "e"): {_draft("para", "18", "e")},
}
# Links of the truth the method does not find (heavy rewording with few shared words).  Objective 4's
# three heavily reworded actions were missed too until the left-over pairing threshold was lowered
# (issue 15: "new" actions that plainly derive from a draft action).
KNOWN_MISSES = {
    (_final("para", "31", "e"), _draft("para", "30", "f")),
}


def _entry(prefix: str):
    return next(e for e in read_manifest(PROJECT_ROOT / "corpus") if e.file.startswith(prefix))


@pytest.fixture(scope="module")
def documents() -> tuple[Document, Document]:
    [final] = final_text.load(PROJECT_ROOT / "corpus" / _entry("003").file, _entry("003"))
    [draft] = zero_draft.load(PROJECT_ROOT / "corpus" / _entry("001").file, _entry("001"))
    assert (final.key, draft.key) == ("a-73-l-66", "com-2018-168-annex")
    assert (final.status, draft.status) == ("final", "draft")  # the roles the linker finds them by
    return final, draft


@pytest.fixture(scope="module")
def lineage(documents: tuple[Document, Document]) -> Lineage:
    return compute(*documents)


def _predicted(lineage: Lineage) -> dict[tuple[str, ...], set[tuple[str, ...]]]:
    predicted: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for item in lineage.links:
        ancestors = predicted.setdefault(item.final.path, set())
        if item.change != "new":
            ancestors.add(item.draft.path)
    return predicted


def test_precision_and_recall_on_the_hand_checked_sample(lineage: Lineage) -> None:
    predicted = _predicted(lineage)
    truth_links = {(f, d) for f, ancestors in TRUTH.items() for d in ancestors}
    found_links = {(f, d) for f in TRUTH for d in predicted[f]}
    correct = truth_links & found_links
    precision = len(correct) / len(found_links)
    recall = len(correct) / len(truth_links)
    assert (len(truth_links), len(found_links), len(correct)) == (40, 39, 39)
    assert precision == 1.0
    assert recall == pytest.approx(39 / 40)
    assert truth_links - found_links == KNOWN_MISSES
    # the new provisions of the sample are recognised as new
    for final, ancestors in TRUTH.items():
        if not ancestors:
            assert predicted[final] == set(), final


def test_change_kinds_in_the_sample(lineage: Lineage) -> None:
    def kinds(*path: str) -> list[tuple[str, str]]:
        return [("/".join(x.draft.path[1:]), x.change) for x in lineage.links if x.final.path == _final(*path)]

    assert kinds("objective", "3") == [("objective/3", "reworded")]  # "adequate" → "accurate"
    assert kinds("objective", "9") == [("objective/9", "unchanged")]
    assert kinds("objective", "23") == [("actionable-commitments", "new")]
    assert kinds("para", "38", "b") == [("para/37/b", "merged"), ("para/37/c", "merged")]
    assert kinds("para", "30", "e") == [("para/18/e", "moved")]
    assert kinds("para", "25", "f") == [("para/24", "new")]  # aligned to the commitment it was added to
    # nearly word for word (the Recommendation's title written out): "unchanged", the sample's "same"
    assert kinds("para", "38", "a") == [("para/37/a", "unchanged")]


def test_every_final_provision_has_a_lineage(documents: tuple[Document, Document], lineage: Lineage) -> None:
    final, draft = documents
    wanted = {ProvisionKind.OBJECTIVE, ProvisionKind.COMMITMENT, ProvisionKind.ACTION}
    finals = [p.path for p in final.walk() if p.kind in wanted]
    assert len(finals) == 23 + 23 + 187
    assert {x.final.path for x in lineage.links} == set(finals)
    drafts = [p.path for p in draft.walk() if p.kind in wanted]
    assert sorted(lineage.retained) == sorted(drafts) and len(drafts) == 22 + 22 + 166
    descended = {x.draft.path for x in lineage.links if x.change != "new"}
    assert {p for p, kept in lineage.retained.items() if kept} == descended


def test_figures(lineage: Lineage) -> None:
    """The whole-text figures the report quotes; a change of method must update them knowingly."""
    actions = [x for x in lineage.links if x.final.kind is ProvisionKind.ACTION]
    matched = {x.final.path for x in actions if x.change != "new"}
    assert (len(matched), len({x.final.path for x in actions}) - len(matched)) == (162, 25)
    assert Counter(x.change for x in actions) == Counter(
        {"reworded": 115, "unchanged": 36, "new": 25, "merged": 8, "split": 5, "moved": 2}
    )
    assert sorted("/".join(p[1:]) for p, kept in lineage.retained.items() if not kept) == [
        "para/26/d", "para/27/a", "para/30/f", "para/31/a",
    ]  # fmt: skip


def test_deterministic(documents: tuple[Document, Document]) -> None:
    iris = Iris(BASE)
    first = sorted(str(q) for q in links_quads(iris, link(iris, documents=list(documents))))
    second = sorted(str(q) for q in links_quads(iris, link(iris, documents=list(reversed(documents)))))
    assert first == second and first


# --- the graph ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph(documents: tuple[Document, Document]) -> GraphStore:
    """Both texts and the lineage in a real (in-memory) store, without the other linkers."""
    iris = Iris(BASE)
    store = GraphStore.in_memory(BASE)
    store.add(compact_quads(iris))
    for document, loader in zip(documents, ("final_text", "zero_draft"), strict=True):
        store.add(document_quads(iris, document, loader=loader))
    store.add(list(links_quads(iris, link(iris, documents=list(documents)))))
    return store


def test_graph_conforms_to_the_shapes(graph: GraphStore) -> None:
    import rdflib

    ontology = rdflib.Graph().parse(PROJECT_ROOT / "ontology" / "gcm.ttl", format="turtle", publicID=BASE)
    assert [str(v) for v in shacl_violations(graph, PROJECT_ROOT / "shapes", ontology)] == []
    # every alignment joins two provisions that the texts' graphs describe (the build's checks
    # run over the whole graph; this one is about the lineage alone)
    assert not graph.query(
        sparql_prologue()
        + """ASK { ?a a gcm:LineageAlignment ; gcm:alignedFrom|gcm:alignedTo ?p .
                   FILTER NOT EXISTS { ?p gcm:inDocument ?d ; gcm:text ?t } }"""
    )


def test_graph_descends_from_and_retained(graph: GraphStore) -> None:
    q = sparql_prologue()
    rows = graph.select(
        q
        + """
        SELECT ?letter ?draft WHERE {
          <id/a-73-l-66/en/annex/para/38/b> gcm:descendsFrom ?d . ?d gcm:number ?letter .
          BIND(STR(?d) AS ?draft)
        } ORDER BY ?letter"""
    )
    assert [value(r["letter"]) for r in rows] == ["b", "c"]
    # a new provision has an alignment saying so, but no descendsFrom
    rows = graph.select(
        q
        + """
        SELECT ?change ?to WHERE {
          ?a gcm:alignedFrom <id/a-73-l-66/en/annex/objective/23> ; gcm:changeKind ?change ; gcm:alignedTo ?to .
          FILTER NOT EXISTS { <id/a-73-l-66/en/annex/objective/23> gcm:descendsFrom ?any }
        }"""
    )
    assert [(value(r["change"]), value(r["to"])) for r in rows] == [
        (BASE + "ontology#change-new", BASE + "id/com-2018-168-annex/en/annex/actionable-commitments")
    ]
    rows = graph.select(
        q
        + """
        SELECT ?kept (COUNT(?p) AS ?n) WHERE { ?p gcm:retainedInFinal ?kept } GROUP BY ?kept ORDER BY ?kept"""
    )
    assert [(value(r["kept"]), int(value(r["n"]))) for r in rows] == [("false", 4), ("true", 206)]
    assert graph.query(
        q + "ASK { <id/com-2018-168-annex/en/annex/para/18/e> gcm:retainedInFinal true . "
        "<id/a-73-l-66/en/annex/para/30/e> gcm:descendsFrom <id/com-2018-168-annex/en/annex/para/18/e> }"
    )


# --- the saved query ---------------------------------------------------------------------


def _side_by_side(graph: GraphStore, objective: str) -> list[tuple[str, str, str]]:
    query = parse(PROJECT_ROOT / "queries" / "draft-vs-final-objective.rq")
    assert [p.name for p in query.params] == ["objective"]
    rows = graph.select(query.text, substitutions=query.bind({"objective": objective}, BASE))
    final, draft = BASE + "id/a-73-l-66/en/annex/", BASE + "id/com-2018-168-annex/en/annex/"
    return [
        (
            value(r["final_provision"]).removeprefix(final) if "final_provision" in r else "",
            value(r["change"]),
            value(r["draft_provision"]).removeprefix(draft) if "draft_provision" in r else "",
        )
        for r in rows
    ]


def test_saved_query_shows_the_evidence(graph: GraphStore) -> None:
    query = parse(PROJECT_ROOT / "queries" / "draft-vs-final-objective.rq")
    rows = graph.select(query.text, substitutions=query.bind({"objective": "4"}, BASE))
    [row] = [r for r in rows if value(r.get("final_provision", Literal(""))).endswith("/para/20/g")]
    assert "'card for all persons'" in value(row["evidence"]) and value(row["change"]) == "reworded"
    assert float(value(row["score"])) < 0.5  # heavily reworded


def test_saved_query_side_by_side(graph: GraphStore) -> None:
    assert _side_by_side(graph, "22") == [
        ("objective/22", "unchanged", "objective/22"),
        ("para/38", "unchanged", "para/37"),  # "applicable" added
        ("para/38/a", "unchanged", "para/37/a"),
        ("para/38/b", "merged", "para/37/b"),
        ("para/38/b", "merged", "para/37/c"),
        ("para/38/c", "reworded", "para/37/d"),  # a clause on women and older persons added
    ]
    # objective 4: every draft action has a descendant (the heavily reworded (a), (e) and (g) were
    # once "not retained"); in the final text's order
    rows = _side_by_side(graph, "4")
    assert [r[0] for r in rows] == ["objective/4", "para/20", *(f"para/20/{x}" for x in "abcdeefg")]
    assert [(r[1], r[2]) for r in rows[2:]] == [
        ("split", "para/19/a"),  # civil registry ← identity documents, registration
        ("reworded", "para/19/c"),
        ("reworded", "para/19/d"),  # the sample's borderline "same" (0.81)
        ("reworded", "para/19/e"),
        ("merged", "para/19/a"),  # statelessness ← birth registration (19/a) and citizenship (19/b)
        ("merged", "para/19/b"),
        ("reworded", "para/19/f"),
        ("reworded", "para/19/g"),
    ]
    # a draft action the final text did not keep comes last, on the draft side only
    rows = _side_by_side(graph, "12")
    assert ("", "not retained", "para/27/a") in rows and rows[-1][0] == ""
    # a new objective: no draft side at all
    assert _side_by_side(graph, "23") == [
        (path, "new", "") for path in ("objective/23", "para/39", *(f"para/39/{x}" for x in "abcde"))
    ]


# --- measured against samples/lineage.toml ------------------------------------------------

SAMPLE = tomllib.loads((PROJECT_ROOT / "samples" / "lineage.toml").read_text(encoding="utf-8"))
# hits/total of each metric; a change of rule must update these knowingly (and keep the targets)
FIGURES = {"precision": (63, 64), "recall": (63, 65), "retained": (60, 60), "relation": (63, 69)}


def _figures(measures: list[Measure]) -> dict[str, tuple[int, int]]:
    return {m.metric: (m.hits, m.total) for m in measures}


def test_the_linker_names_its_sample() -> None:
    assert (LINKER.sample, LINKER.measure) == ("lineage.toml", measure)
    assert (PROJECT_ROOT / "samples" / LINKER.sample).is_file()


def test_measured_on_the_sample(documents: tuple[Document, Document], lineage: Lineage) -> None:
    iris = Iris(BASE)
    measures = {m.metric: m for m in measure(SAMPLE, lineage_links(iris, *documents, lineage), iris)}
    assert _figures(list(measures.values())) == FIGURES
    assert measures["precision"].meets_target and measures["precision"].target == 0.95
    assert measures["recall"].meets_target and measures["recall"].target == 0.90
    assert measures["retained"].hits == measures["retained"].total  # no draft action wrongly "not retained"


def _graph_links(store: GraphStore) -> Links:
    """The lineage as the built graph states it, back in the link model."""
    q = sparql_prologue()
    rows = store.select(
        q + "SELECT ?from ?to ?kind WHERE { ?a a gcm:LineageAlignment ; gcm:alignedFrom ?from ; "
        "gcm:alignedTo ?to ; gcm:changeKind ?kind }"
    )
    alignments = []
    for r in rows:
        assert isinstance(r["from"], NamedNode) and isinstance(r["to"], NamedNode)
        alignments.append(
            Alignment("LineageAlignment", r["from"], r["to"], "read back", change=value(r["kind"]).split("#change-")[1])
        )
    retentions = []
    for r in store.select(q + "SELECT ?p ?kept WHERE { ?p gcm:retainedInFinal ?kept }"):
        assert isinstance(r["p"], NamedNode)
        retentions.append(Retention(r["p"], value(r["kept"]) == "true"))
    return Links(alignments=alignments, retentions=retentions)


def test_measured_on_the_real_build(store: GraphStore, built: Settings) -> None:
    """The figures of the graph as built (all linkers, SHACL validated) against the committed sample."""
    measures = measure(SAMPLE, _graph_links(store), Iris(built.base_iri))
    assert _figures(measures) == FIGURES
    by_metric = {m.metric: m for m in measures}
    assert by_metric["precision"].value >= 0.95
    assert by_metric["recall"].value >= 0.90
    assert by_metric["retained"].value == 1.0
    assert by_metric["relation"].value >= 63 / 69  # reported (no target in issue 15): a floor


def test_scores_separate_same_reworded_and_new(lineage: Lineage) -> None:
    """The score of an action link is the word-sequence similarity of the two wordings."""
    relation = {tuple(e["final"].split("/")): e["relation"] for e in SAMPLE["entry"]}
    scores: dict[str, list[float]] = {}
    for item in lineage.links:
        if item.final.path in relation and item.score is not None:
            scores.setdefault(relation[item.final.path], []).append(item.score)
    assert min(scores["same"]) >= 0.80  # every "same" action of the sample
    assert median(scores["reworded"]) < 0.70 < min(scores["same"])
    assert sum(s >= 0.85 for s in scores["reworded"]) == 0
    assert scores["new"] == [pytest.approx(0.3913)]  # 18/i, the one false link (to 17/j), scores low
    assert all(x.score is None and x.evidence is None for x in lineage.links if x.change == "new")
    assert all(x.score is not None and 0 <= x.score <= 1 for x in lineage.links if x.change != "new")


def test_evidence_quotes_the_shared_words_on_both_sides(lineage: Lineage) -> None:
    [item] = [x for x in lineage.links if x.final.path == _final("para", "20", "g")]  # identity card → municipal card
    assert item.evidence is not None and item.draft.path == _draft("para", "19", "g")
    final_side, draft_side = item.evidence.split(" | ")
    assert "'cards to all persons'" in final_side and "'participation in community life'" in final_side
    assert "'card for all persons'" in draft_side and "'participate in community life'" in draft_side
    # every quote is the text at its offsets, on its own side
    for x in lineage.links:
        if x.evidence is None or x.final.kind is not ProvisionKind.ACTION:
            continue
        for side, provision in zip(x.evidence.split(" | "), (x.final, x.draft), strict=True):
            for start, end, quoted in re.findall(r"\[(\d+):(\d+)\] '((?:[^'\\]|\\.)*)'", side):
                assert provision.text[int(start) : int(end)].replace("'", "\\'") == quoted, (x.final.path, quoted)


def test_shared_spans() -> None:
    text = "Provide identity documents to all migrants, by registering migrant births"
    shared = frozenset({"identit", "documen", "registe"})
    assert [text[a:b] for a, b in shared_spans(text, shared)] == ["identity documents", "registering"]
