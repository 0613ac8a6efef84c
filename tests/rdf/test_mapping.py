"""The model → quads mapping: labels, links, and refusing references that do not resolve."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode

from gcmkg.iris import Iris
from gcmkg.model import Document, FootnoteRef, Provision, ProvisionKind, SourceSpan
from gcmkg.rdf import document_quads, provision_label

IRIS = Iris("http://example.org/")
SPAN = SourceSpan(1, 1, 1, 1)


def provision(kind: ProvisionKind, path: str, text: str = "t", **extra: object) -> Provision:
    return Provision(kind, tuple(path.split("/")), text, SPAN, **extra)  # type: ignore[arg-type]


def document(*provisions: Provision) -> Document:
    return Document(
        "doc", "en", "A document", "2018-12-12", "final", "x.txt", symbol="A/1", provisions=list(provisions)
    )


def test_labels() -> None:
    objective = provision(ProvisionKind.OBJECTIVE, "o/1", number="1", heading="Collect data")
    commitment = provision(ProvisionKind.COMMITMENT, "p/17", number="17")
    action = provision(ProvisionKind.ACTION, "p/17/a", number="a")
    round_table = provision(ProvisionKind.ROUND_TABLE, "rt/3", number="3", heading="Round table 3 (objectives 14, 15)")
    assert provision_label(objective, None) == "Objective 1: Collect data"
    assert provision_label(action, commitment) == "Action 17 (a)"
    assert provision_label(round_table, None) == "Round table 3 (objectives 14, 15)"
    long = provision(ProvisionKind.SECTION, "s", heading="x" * 200)
    assert provision_label(long, None) == "x" * 200  # whole: labels were cut at 80 characters before
    # in the language of the text: the kind in Swedish and Arabic, the Swedish or Arabic heading whole
    assert provision_label(action, commitment, "sv") == "Åtgärd 17 (a)"
    assert provision_label(objective, None, "sv") == "Mål 1: Collect data"
    recommendation = provision(ProvisionKind.RECOMMENDATION, "r/3", "بناء القدرة", number="3")
    assert provision_label(recommendation, None, "ar") == "توصية 3"
    with pytest.raises(ValueError, match="no kind names in 'fr'"):
        provision_label(action, commitment, "fr")


def test_footnote_links_and_order() -> None:
    footnote = provision(ProvisionKind.FOOTNOTE, "fn/1", "See.", number="1")
    paragraph = provision(ProvisionKind.PARAGRAPH, "p/2", "Text.", number="2", footnote_refs=[FootnoteRef("1", 4)])
    quads = {
        (q.subject.value, q.predicate.value.rsplit("#", 1)[-1], q.object)
        for q in document_quads(IRIS, document(paragraph, footnote), loader="loaders/x.py")
    }
    p, f = "http://example.org/id/doc/en/p/2", "http://example.org/id/doc/en/fn/1"
    assert (p, "hasFootnote", NamedNode(f)) in quads
    assert (f, "annotates", NamedNode(p)) in quads
    assert (f, "markerOffset", Literal("4", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer"))) in quads
    assert (p, "text", Literal("Text.", language="en")) in quads
    assert (f, "readingOrder", Literal("2", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer"))) in quads


def test_unresolved_references_are_refused_with_the_line() -> None:
    paragraph = provision(ProvisionKind.PARAGRAPH, "p/2", number="2", footnote_refs=[FootnoteRef("9", 0)])
    with pytest.raises(ValueError, match=r"x.txt:1: provision p/2 has footnote marker 9"):
        list(document_quads(IRIS, document(paragraph), loader="loaders/x.py"))
    heading = provision(ProvisionKind.HEADING, "h/1", groups=[("p", "404")])
    with pytest.raises(ValueError, match=r"refers to p/404"):
        list(document_quads(IRIS, document(heading), loader="loaders/x.py"))


def test_no_blank_nodes_and_everything_in_named_graphs() -> None:
    objective = provision(
        ProvisionKind.OBJECTIVE,
        "o/1",
        number="1",
        heading="H",
        commitment=("o", "1", "p"),
        children=[provision(ProvisionKind.COMMITMENT, "o/1/p", number="17")],
    )
    for quad in document_quads(IRIS, document(objective), loader="loaders/x.py"):
        assert isinstance(quad.subject, NamedNode)
        assert isinstance(quad.graph_name, NamedNode)
