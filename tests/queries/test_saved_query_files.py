"""The ``#+`` header format of saved queries: valid and invalid files side by side."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode

from gcmkg.iris import XSD
from gcmkg.service.saved_query_files import ParameterError, ParamType, SavedQueryError, load_catalog, parse

BASE = "http://example.org/"

VALID = """#+ summary: The actions of an objective
#+ description: Every lettered action of one objective,
#+   in the order of the text.
#+ tags: objectives, actions
#+ param: objective
#+   type: integer
#+   default: 1
#+   values: 1..3
#+   description: Objective number
#+ param: provision
#+   type: iri
#+   required: false
#+ param: phrase
PREFIX gcm: <ontology#>
SELECT ?objective ?provision ?phrase ?text WHERE { ?provision gcm:text ?text }
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


def test_header_is_read(tmp_path: Path) -> None:
    query = parse(write(tmp_path, "objective-actions", VALID))
    assert query.name == "objective-actions"
    assert query.summary == "The actions of an objective"
    assert query.description == "Every lettered action of one objective, in the order of the text."
    assert query.tags == ("objectives", "actions")
    assert query.form == "select"
    objective, provision, phrase = query.params
    assert (objective.name, objective.type, objective.default, objective.values) == (
        "objective",
        ParamType.INTEGER,
        "1",
        ("1", "2", "3"),
    )
    assert (provision.type, provision.required, provision.default) == (ParamType.IRI, False, None)
    assert (phrase.type, phrase.required) == (ParamType.STRING, True)


def test_values_are_bound_as_terms(tmp_path: Path) -> None:
    query = parse(write(tmp_path, "q", VALID))
    bound = query.bind({"phrase": "data", "provision": "id/x/en/para/1"}, BASE)
    assert bound == {
        "objective": Literal("1", datatype=NamedNode(XSD + "integer")),
        "provision": NamedNode("http://example.org/id/x/en/para/1"),
        "phrase": Literal("data"),
    }
    assert query.bind({"phrase": "data", "objective": "03"}, BASE)["objective"] == Literal(
        "3", datatype=NamedNode(XSD + "integer")
    )
    assert "provision" not in query.bind({"phrase": "data", "provision": ""}, BASE)


@pytest.mark.parametrize(
    ("given", "culprit", "reason"),
    [
        ({}, "phrase", "required"),
        ({"phrase": ""}, "phrase", "required"),
        ({"phrase": "x", "objective": "4"}, "objective", "allowed values"),
        ({"phrase": "x", "objective": "two"}, "objective", "not an integer"),
        ({"phrase": "x", "provision": "has space"}, "provision", "not allowed in an IRI"),
        ({"phrase": "x", "provision": "ftp:"}, "provision", "not an IRI"),
    ],
)
def test_bad_or_missing_values_name_the_parameter(
    tmp_path: Path, given: dict[str, str], culprit: str, reason: str
) -> None:
    query = parse(write(tmp_path, "q", VALID))
    with pytest.raises(ParameterError) as caught:
        query.bind(given, BASE)
    assert caught.value.name == culprit
    assert reason in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT ?x WHERE { ?x ?p ?o }\n", "no '#+ summary:'"),
        ("#+ summary: s\n#+ colour: red\nSELECT ?x WHERE { ?x ?p ?o }\n", "q.rq:2: unknown header key 'colour'"),
        ("#+ summary: s\n#+   type: iri\nSELECT ?x WHERE { ?x ?p ?o }\n", "q.rq:2: indented 'type' outside"),
        (
            "#+ summary: s\n#+ param: x\n#+   type: date\nSELECT ?x WHERE { ?x ?p ?o }\n",
            "q.rq:2: parameter 'x' has unknown type 'date'",
        ),
        (
            "#+ summary: s\n#+ param: y\nSELECT ?x WHERE { ?x ?p ?y }\n",
            "q.rq:2: parameter ?y must be in the SELECT projection",
        ),
        (
            "#+ summary: s\n#+ param: y\n#+   type: integer\n#+   default: one\nSELECT ?y WHERE { ?x ?p ?y }\n",
            "q.rq:2: default of parameter 'y'",
        ),
        ("#+ summary: s\n#+ param: y\nCONSTRUCT { ?y ?p ?o } WHERE { ?y ?p ?o }\n", "only supported in SELECT"),
    ],
)
def test_bad_files_are_refused_with_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SavedQueryError) as caught:
        parse(write(tmp_path, "q", text))
    assert message in str(caught.value)


def test_a_star_projection_binds_and_file_names_are_api_names(tmp_path: Path) -> None:
    write(tmp_path, "all", "#+ summary: s\n#+ param: y\nSELECT * WHERE { ?x ?p ?y }\n")
    write(tmp_path, "b-second", "#+ summary: t\nASK { ?x ?p ?o }\n")
    catalog = load_catalog(tmp_path)
    assert list(catalog) == ["all", "b-second"]
    assert catalog["b-second"].form == "ask"
    write(tmp_path, "Bad Name", "#+ summary: s\nASK { ?x ?p ?o }\n")
    with pytest.raises(SavedQueryError, match="not a usable API name"):
        load_catalog(tmp_path)


OPEN = """#+ summary: Citations
#+ param: document
#+   type: iri
#+   default: id/a
#+   values: id/a, id/b
#+   any: All documents
#+ param: kind
#+   values: x, y
#+   any: All kinds
SELECT ?document ?kind WHERE { ?p <ontology#inDocument> ?document }
"""


def test_any_leaves_a_parameter_open_and_nothing_given_is_its_default(tmp_path: Path) -> None:
    query = parse(write(tmp_path, "open", OPEN))
    document, kind = query.params
    assert (document.any, document.default, document.optional, document.required) == (
        "All documents",
        "id/a",
        True,
        False,
    )
    assert (kind.any, kind.default, kind.optional) == ("All kinds", None, True)
    # "any": no binding at all; nothing given: the default where there is one, else open
    assert query.bind({"document": "any", "kind": "any"}, BASE) == {}
    assert query.bind({}, BASE) == {"document": NamedNode(BASE + "id/a")}
    assert query.bind({"document": "", "kind": "y"}, BASE) == {
        "document": NamedNode(BASE + "id/a"),
        "kind": Literal("y"),
    }
    assert "or any (All documents)" in document.accepts()


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("#+   values: any, b\n#+   any: All\n", "'any' is one of the values"),
        ("#+   required: true\n#+   any: All\n", "cannot be required"),
    ],
)
def test_any_that_cannot_mean_every_value_is_refused(tmp_path: Path, header: str, message: str) -> None:
    text = f"#+ summary: s\n#+ param: y\n{header}SELECT ?y WHERE {{ ?x ?p ?y }}\n"
    with pytest.raises(SavedQueryError, match=message):
        parse(write(tmp_path, "q", text))
