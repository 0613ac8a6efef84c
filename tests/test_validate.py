"""The validation stage's own rules (:mod:`gcmkg.validate`), on a tiny shapes folder made here.

What each of the project's shapes and checks catches is tested in ``tests/shapes``; this file
tests how the stage reads shapes and checks and how it reports what they find.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from gcmkg.shacl import UnsupportedShape
from gcmkg.store import GraphStore
from gcmkg.validate import Violation, check_violations, shacl_violations, violations

BASE = "http://example.org/"
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
GRAPH = NamedNode(f"{BASE}graph/g")

SHAPE = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix gcm: <ontology#> .
<shape/paragraph> a sh:NodeShape ; sh:targetClass gcm:Paragraph ; sh:property <shape/text> .
<shape/text> a sh:PropertyShape ; sh:path gcm:text ; sh:minCount 1 ; sh:message "GCM rule: a paragraph has its text" .
"""

CHECK = """\
# Every paragraph has a number
PREFIX gcm: <ontology#>
SELECT ?focus WHERE { ?focus a gcm:Paragraph FILTER NOT EXISTS { ?focus gcm:number ?n } }
"""

CHECK_WITH_MESSAGE = """\
# Numbers are digits
PREFIX gcm: <ontology#>
SELECT ?focus ?message WHERE {
  ?focus gcm:number ?n FILTER (!REGEX(?n, "^[0-9]+$")) BIND (CONCAT("not a number: ", ?n) AS ?message)
}
"""


def shapes_folder(tmp_path: Path, *, shape: bool = True) -> Path:
    folder = tmp_path / "shapes"
    (folder / "checks").mkdir(parents=True)
    if shape:
        (folder / "text.ttl").write_text(SHAPE, encoding="utf-8")
    (folder / "checks" / "numbers.rq").write_text(CHECK, encoding="utf-8")
    (folder / "checks" / "digits.rq").write_text(CHECK_WITH_MESSAGE, encoding="utf-8")
    return folder


def paragraph(store: GraphStore, name: str, *, text: str | None, number: str | None, label: str | None) -> str:
    iri = f"{BASE}id/{name}"
    s = NamedNode(iri)
    quads = [
        Quad(
            s,
            NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            NamedNode(f"{BASE}ontology#Paragraph"),
            GRAPH,
        )
    ]
    if text is not None:
        quads.append(Quad(s, NamedNode(f"{BASE}ontology#text"), Literal(text), GRAPH))
    if number is not None:
        quads.append(Quad(s, NamedNode(f"{BASE}ontology#number"), Literal(number), GRAPH))
    if label is not None:
        quads.append(Quad(s, LABEL, Literal(label), GRAPH))
    store.add(quads)
    return iri


def test_a_conforming_graph_has_no_violation(tmp_path: Path) -> None:
    store = GraphStore.in_memory(BASE)
    paragraph(store, "p1", text="Text.", number="1", label="Paragraph 1")
    assert violations(store, shapes_folder(tmp_path)) == []


def test_each_violation_names_its_rule_resource_label_and_message(tmp_path: Path) -> None:
    store = GraphStore.in_memory(BASE)
    no_text = paragraph(store, "p2", text=None, number="2", label="Paragraph 2")
    no_number = paragraph(store, "p3", text="Text.", number=None, label=None)
    lettered = paragraph(store, "p4", text="Text.", number="4a", label="Paragraph 4a")
    found = violations(store, shapes_folder(tmp_path))
    by_focus = {v.focus: v for v in found}
    assert set(by_focus) == {no_text, no_number, lettered}
    shape = by_focus[no_text]
    assert shape.rule == f"{BASE}shape/text"  # relative IRIs of a shapes file resolve against the base IRI
    assert shape.label == "Paragraph 2" and shape.message.startswith("GCM rule: a paragraph has its text")
    # a check without ?message is reported with the first comment line of its file
    assert by_focus[no_number] == Violation("shapes/checks/numbers.rq", no_number, "", "Every paragraph has a number")
    assert by_focus[lettered].message == "not a number: 4a" and by_focus[lettered].rule == "shapes/checks/digits.rq"
    assert str(by_focus[lettered]) == f"Paragraph 4a <{lettered}>: not a number: 4a [shapes/checks/digits.rq]"


def test_shapes_and_checks_are_read_apart(tmp_path: Path) -> None:
    store = GraphStore.in_memory(BASE)
    paragraph(store, "p5", text=None, number=None, label=None)
    folder = shapes_folder(tmp_path, shape=False)
    assert shacl_violations(store, folder) == []  # no shapes file: nothing to validate against
    assert [v.rule for v in check_violations(store, folder / "checks")] == ["shapes/checks/numbers.rq"]


@pytest.mark.parametrize(
    ("shape", "named"),
    [
        (
            "<shape/p> a sh:NodeShape ; sh:targetClass gcm:Paragraph ; sh:closed true ; sh:message 'GCM rule: x' .",
            "sh:closed",
        ),
        (
            "<shape/p> a sh:NodeShape ; sh:targetClass gcm:Paragraph ; sh:property [ sh:path ( gcm:a gcm:b ) ; "
            "sh:minCount 1 ; sh:message 'GCM rule: x' ] .",
            "only predicate paths",
        ),
        (
            "<shape/p> a sh:NodeShape ; sh:targetClass gcm:Paragraph ; sh:property [ sh:path gcm:a ; sh:minCount 1 ] .",
            "needs its sh:message",
        ),
        (
            "<shape/p> a sh:NodeShape ; sh:targetClass gcm:Paragraph ; sh:property [ sh:path gcm:a ; "
            "sh:severity sh:Warning ; sh:minCount 1 ; sh:message 'GCM rule: x' ] .",
            "sh:severity",
        ),
    ],
)
def test_a_shape_the_compiler_does_not_know_stops_validation(tmp_path: Path, shape: str, named: str) -> None:
    """A SHACL feature gcmkg.shacl does not compile is refused by name, never passed unchecked."""
    folder = shapes_folder(tmp_path)
    (folder / "unknown.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix gcm: <ontology#> .\n" + shape, encoding="utf-8"
    )
    store = GraphStore.in_memory(BASE)
    paragraph(store, "p1", text="Text.", number="1", label="Paragraph 1")
    with pytest.raises(UnsupportedShape, match=named):
        violations(store, folder)
