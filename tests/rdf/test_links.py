"""Links and findings → quads: alignments, retention flags, mentions, numbered findings, the catalogue."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Triple

from gcmkg.iris import RDF, RDFS, XSD, Iris
from gcmkg.links import Alignment, Links, Mention, Retention
from gcmkg.model import Document, Excerpt, Finding, FindingKind, Provision, ProvisionKind, SourceSpan
from gcmkg.rdf import alignment_quads, alignment_slug, catalogue_quads, finding_quads, links_quads

IRIS = Iris("http://example.org/")
T = IRIS.term
TYPE, LABEL, COMMENT = NamedNode(RDF + "type"), NamedNode(RDFS + "label"), NamedNode(RDFS + "comment")
FINAL = IRIS.provision("final", "en", ("annex", "para", "17", "a"))
DRAFT = IRIS.provision("draft", "en", ("annex", "para", "16", "b"))
ILO = NamedNode("http://example.org/id/actor/ilo")
C189 = NamedNode("http://example.org/id/instrument/c189")


def triples(quads: list[Quad]) -> set[tuple[object, object, object]]:
    return {(q.subject, q.predicate, q.object) for q in quads}


def integer(value: int) -> Literal:
    return Literal(str(value), datatype=NamedNode(XSD + "integer"))


def test_an_alignment_is_a_resource_with_its_evidence_and_a_shortcut() -> None:
    alignment = Alignment(
        "LineageAlignment", FINAL, DRAFT, "most similar action", score=0.5, change="reworded", difference="d"
    )
    quads = list(alignment_quads(IRIS, [alignment]))
    node = IRIS.alignment("lineage", alignment_slug(alignment))
    assert node.value.startswith("http://example.org/id/alignment/lineage/")
    assert {q.graph_name for q in quads} == {IRIS.graph("alignments")}
    assert triples(quads) == {
        (node, TYPE, T("Alignment")),
        (node, TYPE, T("LineageAlignment")),
        (node, T("alignedFrom"), FINAL),
        (node, T("alignedTo"), DRAFT),
        (node, T("method"), Literal("most similar action")),
        (node, LABEL, Literal("LineageAlignment (most similar action)")),
        (FINAL, T("descendsFrom"), DRAFT),
        (node, T("score"), Literal("0.5000", datatype=NamedNode(XSD + "decimal"))),
        (node, T("changeKind"), T("change-reworded")),
        (node, T("difference"), Literal("d", language="en")),
    }


def test_rank_and_evidence_and_a_deterministic_slug() -> None:
    alignment = Alignment("CorrespondenceAlignment", FINAL, DRAFT, "lexicon", rank=2, evidence="words")
    assert alignment_slug(alignment) == alignment_slug(Alignment("ReviewAlignment", FINAL, DRAFT, "other"))
    assert alignment_slug(alignment) != alignment_slug(Alignment("ReviewAlignment", DRAFT, FINAL, "other"))
    found = triples(list(alignment_quads(IRIS, [alignment])))
    node = IRIS.alignment("correspondence", alignment_slug(alignment))
    assert (node, T("rank"), integer(2)) in found
    assert (node, T("evidence"), Literal("words")) in found
    assert (FINAL, T("correspondsTo"), DRAFT) in found


def test_a_new_provision_keeps_its_alignment_but_gets_no_shortcut() -> None:
    new = Alignment("LineageAlignment", FINAL, DRAFT, "added", change="new")
    found = triples(list(alignment_quads(IRIS, [new])))
    assert (IRIS.alignment("lineage", alignment_slug(new)), T("alignedTo"), DRAFT) in found
    assert not any(p == T("descendsFrom") for _, p, _ in found)


def test_the_alignment_model_refuses_what_the_ontology_does_not_have() -> None:
    with pytest.raises(ValueError, match="unknown alignment kind"):
        Alignment("SimilarityAlignment", FINAL, DRAFT, "x")
    with pytest.raises(ValueError, match="unknown change kind"):
        Alignment("LineageAlignment", FINAL, DRAFT, "x", change="rewritten")
    with pytest.raises(ValueError, match="outside"):
        Alignment("LineageAlignment", FINAL, DRAFT, "x", score=1.5)


def test_retention_flags() -> None:
    kept, dropped = IRIS.provision("draft", "en", ("a",)), IRIS.provision("draft", "en", ("b",))
    quads = list(links_quads(IRIS, Links(retentions=[Retention(kept, True), Retention(dropped, False)])))
    boolean = NamedNode(XSD + "boolean")
    assert triples(quads) == {
        (kept, T("retainedInFinal"), Literal("true", datatype=boolean)),
        (dropped, T("retainedInFinal"), Literal("false", datatype=boolean)),
    }
    assert {q.graph_name for q in quads} == {IRIS.graph("alignments")}


def test_mentions_are_numbered_per_provision_and_say_cites_or_names_actor() -> None:
    paragraph = IRIS.provision("final", "en", ("annex", "para", "2"))
    footnote = IRIS.provision("final", "en", ("annex", "footnote", "3"))
    mentions = [
        Mention(paragraph, ILO, True, "ILO", 4, 7, "Mention of ILO in A/1 (en)"),
        Mention(footnote, C189, False, "C189", 0, 4, "Mention of C189 in A/1 (en)"),
        Mention(paragraph, C189, False, "C189", 0, 4, "Mention of C189 in A/1 (en)", via_footnote=footnote),
    ]
    quads = list(links_quads(IRIS, Links(mentions=mentions)))
    assert {q.graph_name for q in quads} == {IRIS.graph("mentions")}
    found = triples(quads)
    first, second = IRIS.mention(paragraph, 1), IRIS.mention(paragraph, 2)
    in_footnote = IRIS.mention(footnote, 1)
    assert {
        (first, TYPE, T("Mention")),
        (first, T("mentionIn"), paragraph),
        (first, T("mentionOf"), ILO),
        (first, T("surfaceText"), Literal("ILO")),
        (first, T("startOffset"), integer(4)),
        (first, T("endOffset"), integer(7)),
        (first, LABEL, Literal("Mention of ILO in A/1 (en)")),
        (paragraph, T("namesActor"), ILO),
        (in_footnote, T("mentionIn"), footnote),
        (footnote, T("cites"), C189),
        (second, T("mentionIn"), paragraph),
        (second, T("viaFootnote"), footnote),
        (paragraph, T("cites"), C189),
    } <= found
    assert not any(s in (first, in_footnote) and p == T("viaFootnote") for s, p, _ in found)


def _document(*findings: Finding) -> Document:
    paragraph = Provision(ProvisionKind.PARAGRAPH, ("p", "2"), "the Convention on Things", SourceSpan(5, 6))
    return Document(
        "doc",
        "en",
        "A doc",
        "2018-12-12",
        "final",
        "x.txt",
        symbol="A/1",
        provisions=[paragraph],
        findings=list(findings),
    )


def test_findings_take_the_numbers_they_are_given() -> None:
    defect = Finding(FindingKind.NUMBERING, "x.txt:5: paragraph 3 follows 1", SourceSpan(5, 5))
    unknown = Finding(
        FindingKind.UNKNOWN_INSTRUMENT,
        "x.txt:5: not in the catalogue",
        SourceSpan(5, 6),
        ("p", "2"),
        Excerpt(4, 24, "Convention on Things"),
    )
    document = _document(defect)
    quads = list(finding_quads(IRIS, document, [(1, defect), (7, unknown)]))
    assert {q.graph_name for q in quads} == {IRIS.graph("findings")}
    found = triples(quads)
    first, seventh = IRIS.finding("doc", "en", 1), IRIS.finding("doc", "en", 7)
    doc = IRIS.document("doc", "en")
    assert {s for s, _, _ in found} == {first, seventh}
    assert {
        (first, TYPE, T("Finding")),
        (first, TYPE, T("NumberingAnomaly")),
        (first, T("concerns"), doc),
        (first, T("inDocument"), doc),
        (first, COMMENT, Literal("x.txt:5: paragraph 3 follows 1", language="en")),
        (first, LABEL, Literal("Finding 1 in A/1 (en)")),
        (first, T("lineStart"), integer(5)),
        (seventh, TYPE, T("UnknownInstrument")),
        (seventh, T("concerns"), IRIS.provision("doc", "en", ("p", "2"))),
        (seventh, LABEL, Literal("Unknown instrument: Convention on Things")),
        (seventh, T("surfaceText"), Literal("Convention on Things")),
        (seventh, T("startOffset"), integer(4)),
        (seventh, T("endOffset"), integer(24)),
        (seventh, T("lineEnd"), integer(6)),
    } <= found
    assert not any(s == first and p == T("surfaceText") for s, p, _ in found)


def test_a_finding_about_a_provision_the_document_lacks_is_refused() -> None:
    stray = Finding(FindingKind.TEXT, "m", SourceSpan(1, 1), ("p", "9"))
    with pytest.raises(ValueError, match="unknown provision"):
        list(finding_quads(IRIS, _document(), [(1, stray)]))


def test_the_catalogue_triples_go_unchanged_into_the_catalogue_graph() -> None:
    triple = Triple(ILO, TYPE, T("Organization"))
    assert list(catalogue_quads(IRIS, [triple])) == [Quad(ILO, TYPE, T("Organization"), IRIS.graph("catalogue"))]
