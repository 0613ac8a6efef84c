"""The reader's views (gcmkg.provisions) on the real graph: citations both ways, a provision, a dossier, a text.

The citation figures are measured on the hand-checked sample ``samples/citations.toml`` and printed
(``pytest -s tests/test_provisions.py``).
"""

from __future__ import annotations

import tomllib
from collections import Counter

import pytest
from pyoxigraph import NamedNode

from gcmkg import provisions
from gcmkg.provisions import MentionView, cut, redline
from gcmkg.settings import PROJECT_ROOT
from gcmkg.store import GraphStore
from tests.conftest import BASE_IRI

ID = BASE_IRI + "id/"
SAMPLE = tomllib.loads((PROJECT_ROOT / "samples" / "citations.toml").read_text(encoding="utf-8"))


def test_citation_sample_both_ways(store: GraphStore) -> None:
    entries = SAMPLE["citation"]
    per_document = Counter(entry["provision"].split("/", 1)[0] for entry in entries)
    assert len(entries) >= 30 and len(per_document) == 5 and min(per_document.values()) >= 6, per_document
    cited = [entry for entry in entries if provisions.cite_as(store, ID + entry["provision"]) == entry["cite"]]
    canonical = [e for e in entries if provisions.resolve_citation(store, e["cite"]) == ID + e["provision"]]
    written = [(e, w) for e in entries for w in e["written"]]
    resolved = [(e, w) for e, w in written if provisions.resolve_citation(store, w) == ID + e["provision"]]
    refused = [u for u in SAMPLE["unresolved"] if provisions.resolve_citation(store, u["written"]) is None]
    print(
        f"\ncitations (samples/citations.toml, {len(entries)} provisions of {len(per_document)} documents): "
        f"cite-as exact {len(cited)}/{len(entries)}; its own citation resolved {len(canonical)}/{len(entries)}; "
        f"written otherwise resolved {len(resolved)}/{len(written)}; "
        f"citations of nothing refused {len(refused)}/{len(SAMPLE['unresolved'])}"
    )
    for entry in entries:  # the provision is the one the corpus line shows
        view = provisions.provision_view(store, ID + entry["provision"])
        assert view is not None and view.text.startswith(entry["opens"]), entry["provision"]
    assert [e["provision"] for e in entries if e not in cited] == []
    assert [e["cite"] for e in entries if e not in canonical] == []
    assert [w for e, w in written if (e, w) not in resolved] == []
    assert len(refused) == len(SAMPLE["unresolved"])


def test_every_citation_of_a_page_names_its_provision(store: GraphStore) -> None:
    """Every provision's cite-as string resolves back to it, except the copies the Swedish print repeats."""
    total, copies, wrong = 0, 0, []
    for document in provisions.documents(store):
        text = provisions.document_text(store, document.iri)
        assert text is not None
        for entry in text.entries:
            total += 1
            if provisions.resolve_citation(store, entry.ref.cite) == entry.ref.iri:
                continue
            if "-dup" in entry.ref.iri:  # a copy (gcm:Copy) is cited as what it repeats
                copies += 1
            else:
                wrong.append(entry.ref.cite)
    print(f"\nround trip: {total - copies - len(wrong)}/{total} provisions; {copies} copies cited as their original")
    assert wrong == [] and copies == 10


@pytest.mark.parametrize(
    ("written", "path"),
    [
        ("A/73/L.66, annex", "a-73-l-66/en/annex"),
        ("  a/73/L.66 ,  Annex , Para 23(c) ", "a-73-l-66/en/annex/para/23/c"),
        ("COM(2018)168, objective 4", "com-2018-168-annex/en/annex/objective/4"),
    ],
)
def test_resolve_is_tolerant(store: GraphStore, written: str, path: str) -> None:
    assert provisions.resolve_citation(store, written) == ID + path


def test_a_provision_view(store: GraphStore) -> None:
    view = provisions.provision_view(store, ID + "a-73-l-66/en/annex/para/23/c")
    assert view is not None
    assert view.ref.cite == "A/73/L.66, annex, para. 23 (c)" and view.ref.label == "Action 23 (c)"
    assert view.document.symbol == "A/73/L.66" and view.kind_word == "action"
    assert [c.title for c in view.breadcrumbs] == [
        "Annex",
        "Objectives and commitments",
        "Objective 7",
        "Paragraph 23",
    ]
    assert view.context is not None and view.context.iri == ID + "a-73-l-66/en/annex/para/23"
    assert view.context_text.startswith("We commit to respond to the needs of migrants")
    assert view.previous is not None and view.previous.label == "Action 23 (b)"
    assert view.next is not None and view.next.label == "Action 23 (d)"
    (translation,) = view.related("translation", "to")
    assert translation.other.label == "Åtgärd 23 (c)" and translation.other.language == "sv"
    assert translation.other.qualified.endswith("(Swedish translation), Åtgärd 23 (c)")
    assert view.related("lineage", "from")  # its Zero Draft Plus source


def test_mentions_cut_the_text_where_they_occur(store: GraphStore) -> None:
    rows = store.select(
        "PREFIX gcm: <ontology#> SELECT ?p (COUNT(?m) AS ?n) WHERE { ?m gcm:mentionIn ?p "
        "FILTER NOT EXISTS { ?m gcm:viaFootnote ?f } } GROUP BY ?p ORDER BY DESC(?n) LIMIT 5"
    )
    for row in rows:
        view = provisions.provision_view(store, row["p"].value)  # type: ignore[union-attr]
        assert view is not None
        inline = [m for m in view.mentions if m.via_footnote is None]
        assert len(inline) == int(row["n"].value)  # type: ignore[union-attr]
        assert "".join(p.text for p in view.pieces) == view.text
        marked = [p for p in view.pieces if p.entity]
        for mention in inline:
            assert view.text[mention.start : mention.end] == mention.surface
        assert {p.text for p in marked} <= {m.surface for m in inline} and marked


def test_cut_and_redline() -> None:
    mention = MentionView("m", "e", "ILO", "ILO", 4, 7)
    assert [(p.text, p.entity) for p in cut("the ILO and", [mention])] == [("the ", ""), ("ILO", "e"), (" and", "")]
    wrong = MentionView("m", "e", "ILO", "ILO", 0, 3)  # offsets that do not index the text: not inline
    assert [p.text for p in cut("the ILO and", [wrong])] == ["the ILO and"]
    changes = redline("Sign, ratify or accede to all instruments", "Promote signature of all instruments")
    assert "".join(c.text for c in changes if c.op != "delete") == "Promote signature of all instruments"
    assert "".join(c.text for c in changes if c.op != "insert") == "Sign, ratify or accede to all instruments"
    assert ("equal", "all instruments") in [(c.op, c.text) for c in changes]


def test_objective_dossier(store: GraphStore) -> None:
    dossier = provisions.objective_dossier(store, ID + "a-73-l-66/en/annex/objective/6")
    assert dossier is not None and dossier.commitment is not None
    assert dossier.commitment.ref.cite == "A/73/L.66, annex, para. 22"
    assert [a.view.number for a in dossier.actions] == list("abcdefghijkl")
    first = dossier.actions[0]
    assert first.source is not None and first.source.other.cite == "COM(2018) 168 final, annex, para. 21 (a)"
    assert ("delete", "Sign, ratify or accede to, ") in [(c.op, c.text) for c in first.redline]
    for action in dossier.actions:  # the redline reads as the final text once its deletions are left out
        assert action.source is None or "".join(c.text for c in action.redline if c.op != "delete") == action.view.text
    assert first.translation is not None and first.translation.other.language == "sv"
    assert first.translation.other_text.startswith("Främja underskrift, ratificering")
    assert dossier.previous is not None and dossier.previous.iri == ID + "a-73-l-66/en/annex/objective/5"
    assert dossier.next is not None and dossier.next.iri == ID + "a-73-l-66/en/annex/objective/7"
    reviewing = store.select(
        "PREFIX gcm: <ontology#> SELECT DISTINCT ?o ?p WHERE { ?a gcm:alignedTo ?o ; gcm:alignedFrom ?p "
        "FILTER(STRSTARTS(STR(?p), STR(<id/imrf-progress-declaration-2022/>))) }",
        substitutions={"o": NamedNode(ID + "a-73-l-66/en/annex/objective/6")},
    )
    assert {r.other.iri for r in dossier.reviews} == {row["p"].value for row in reviewing}  # type: ignore[union-attr]
    assert all(r.evidence for r in dossier.reviews) and dossier.correspondences


def test_one_line_per_linked_provision(store: GraphStore) -> None:
    """Objective 1: fifteen IOM recommendations, each one line however many alignments link it."""
    view = provisions.provision_view(store, ID + "a-73-l-66/en/annex/objective/1")
    assert view is not None
    seen = Counter((r.other.iri, r.direction) for r in view.relations)
    assert max(seen.values()) == 1
    correspondences = view.related("correspondence", "to")
    assert len(correspondences) == 15 and len({r.other.iri for r in correspondences}) == 15
    # an IMRF paragraph both reviewing the objective and printed under its round table: one line, two evidences
    both = [r for r in view.relations if set(r.kinds) == {"review", "round table"}]
    assert both and all(len(r.evidence) == 2 for r in both)
    assert all("[" not in e.evidence for r in view.relations for e in r.evidence)  # no character offsets


def test_a_document_text(store: GraphStore) -> None:
    text = provisions.document_text(store, ID + "a-73-l-66/en")
    assert text is not None
    count = store.select(
        "PREFIX gcm: <ontology#> SELECT ?d (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p gcm:inDocument ?d ; gcm:readingOrder ?o } GROUP BY ?d",
        substitutions={"d": NamedNode(ID + "a-73-l-66/en")},
    )
    assert len(text.entries) == int(count[0]["n"].value) == 340  # type: ignore[union-attr]
    assert len({e.anchor for e in text.entries}) == len(text.entries)
    assert text.entries[0].ref.iri == ID + "a-73-l-66/en/resolution" and text.entries[0].depth == 0
    assert text.entries[-1].ref.cite.startswith("A/73/L.66, annex")
    assert provisions.document_text(store, ID + "a-73-l-66/en/annex") is None
