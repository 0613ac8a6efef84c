"""Every allowed value of every saved-query parameter means what it says, "any" included.

For each saved query, each parameter and each value its form offers (the listed values, the
instances of its ``choices`` class, and ``any`` where the parameter declares it), the answer
over HTTP is checked against an expectation the test computes on its own:

* "any" is the union of the answers for each value (the parameter's own column aside, as an
  open parameter leaves it unbound where the query only filters on it), and it is more than the
  default whenever another value has rows (issue 11: "actions citing ILO in any document" showed
  only the final text's three rows);
* each value's rows satisfy what the value means, asked of the store by a query written here
  (the action is in that document, the provision is under that objective, the instrument is of
  that category, the provisions citing an instrument are those its mentions are in …);
* a parameter that does not declare "any" refuses it, and its form offers no such choice.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from gcm_facts import SAVED_QUERY_EXAMPLES
from pyoxigraph import Literal, NamedNode

from gcmkg.service.saved_query_files import ANY, SavedQuery
from gcmkg.store import GraphStore
from tests.service.conftest import expect_wrong, wrong_on

pytestmark = pytest.mark.server

Rows = list[dict[str, str]]


@pytest.fixture(scope="module")
def client(service_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=service_url, timeout=60) as client:
        yield client


def answer(client: httpx.Client, name: str, params: dict[str, str]) -> Rows:
    response = client.get(f"/queries/{name}", params={**SAVED_QUERY_EXAMPLES.get(name, {}), **params, "format": "json"})
    assert response.status_code == 200, (name, params, response.text[:300])
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def instances(store: GraphStore, class_iri: str) -> list[str]:
    rows = store.select(
        "SELECT DISTINCT ?item ?class WHERE { ?item a ?type . ?type <http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?class }",
        substitutions={"class": NamedNode(class_iri)},
    )
    base = store.base_iri
    return sorted(
        str(r["item"].value)[len(base) :] if str(r["item"].value).startswith(base) else str(r["item"].value)
        for r in rows
    )  # type: ignore[union-attr]


def offered(store: GraphStore, query: SavedQuery) -> dict[str, list[str]]:
    """The values each parameter's form offers (its values, or the instances of its class)."""
    result = {}
    for param in query.params:
        if param.choices:
            result[param.name] = instances(store, store.base_iri + param.choices)
        elif param.values:
            result[param.name] = list(param.values)
    return result


def ask(store: GraphStore, sparql: str, **terms: Any) -> bool:
    """Whether ``sparql`` (a SELECT projecting every name in ``terms``) has a row with them bound."""
    return bool(
        store.select(
            "PREFIX gcm: <ontology#> PREFIX eli: <http://data.europa.eu/eli/ontology#> " + sparql, substitutions=terms
        )
    )


def iri(store: GraphStore, value: str) -> NamedNode:
    return NamedNode(value if ":" in value.split("/")[0] else store.base_iri + value)


# what a value means, asked of the store row by row -----------------------------------------------


def in_document(column: str) -> Callable[[GraphStore, str, Rows], None]:
    def check(store: GraphStore, value: str, rows: Rows) -> None:
        for row in rows:
            assert ask(
                store, "SELECT ?x ?d WHERE { ?x gcm:inDocument ?d }", x=iri(store, row[column]), d=iri(store, value)
            ), row

    return check


def under_objective(column: str) -> Callable[[GraphStore, str, Rows], None]:
    """The row's provision is part of objective ``value`` (of its own text), or linked to it by an alignment."""
    sparql = """SELECT ?x ?n WHERE { ?o a gcm:Objective ; gcm:number ?number . FILTER(STR(?number) = ?n)
      { ?x eli:is_part_of* ?o } UNION { ?alignment gcm:alignedFrom ?x ; gcm:alignedTo ?o }
      UNION { ?o gcm:descendsFrom ?draft . ?x eli:is_part_of* ?draft } }"""

    def check(store: GraphStore, value: str, rows: Rows) -> None:
        assert rows, f"objective {value} has rows"
        for row in rows:
            if column in row:
                assert ask(store, sparql, x=iri(store, row[column]), n=Literal(value)), (value, row)

    return check


def of_version(column: str) -> Callable[[GraphStore, str, Rows], None]:
    def check(store: GraphStore, value: str, rows: Rows) -> None:
        assert rows
        status = iri(store, f"ontology#status-{value}")
        for row in rows:
            assert ask(
                store, "SELECT ?x ?s WHERE { ?x gcm:inDocument/gcm:status ?s }", x=iri(store, row[column]), s=status
            )

    return check


def cited_instruments(category: str, document: str, store: GraphStore) -> set[str]:
    rows = store.select(
        "PREFIX gcm: <ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT DISTINCT ?i ?c ?d WHERE { ?m gcm:mentionOf ?i ; gcm:mentionIn ?p . ?p gcm:inDocument ?d . "
        "?i a ?t . ?t rdfs:subClassOf* ?c }",
        substitutions={"c": iri(store, category), "d": iri(store, document)},
    )
    return {str(r["i"].value) for r in rows}  # type: ignore[union-attr]


def of_category(store: GraphStore, value: str, rows: Rows) -> None:
    assert {row["instrument"] for row in rows} == cited_instruments(value, "id/a-73-l-66/en", store), value


def ilo_in_document(store: GraphStore, value: str, rows: Rows) -> None:
    in_document("action")(store, value, rows)
    expected = {
        r["a"].value  # type: ignore[union-attr]
        for r in store.select(
            "PREFIX gcm: <ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT DISTINCT ?a ?d WHERE {"
            " ?m gcm:mentionOf ?i ; gcm:mentionIn ?a . ?a a gcm:Action ; gcm:inDocument ?d ."
            " ?i a ?t . ?t rdfs:subClassOf* gcm:ILOInstrument }",
            substitutions={"d": iri(store, value)},
        )
    }
    assert {row["action"] for row in rows} == expected, value


def mentioned_in(store: GraphStore, value: str, rows: Rows) -> None:
    expected = {
        r["p"].value  # type: ignore[union-attr]
        for r in store.select(
            "PREFIX gcm: <ontology#> SELECT DISTINCT ?p ?e WHERE { ?m gcm:mentionOf ?e ; gcm:mentionIn ?p }",
            substitutions={"e": iri(store, value)},
        )
    }
    assert {row["provision"] for row in rows} == expected, value


def in_section(store: GraphStore, value: str, rows: Rows) -> None:
    assert rows
    for row in rows:
        assert ask(
            store,
            "SELECT ?x ?h WHERE { ?x eli:is_part_of+ ?s . ?s a gcm:Section ; gcm:heading ?heading FILTER(STR(?heading) = ?h) }",
            x=iri(store, row["paragraph"]),
            h=Literal(value),
        ), row


def of_kind(store: GraphStore, value: str, rows: Rows) -> None:
    assert rows
    for row in rows:
        assert ask(
            store, "SELECT ?x ?k WHERE { ?x a ?k }", x=iri(store, row["provision"]), k=iri(store, f"ontology#{value}")
        )


def grouped_by(store: GraphStore, value: str, rows: Rows) -> None:
    assert rows
    for row in rows:
        assert ask(store, "SELECT ?h ?x WHERE { ?h gcm:groups ?x }", h=iri(store, value), x=iri(store, row["action"]))


MEANING: dict[tuple[str, str], Callable[[GraphStore, str, Rows], None]] = {
    ("actions-citing-ilo-instruments", "document"): ilo_in_document,
    ("provisions-citing-category", "document"): in_document("provision"),
    ("provisions-citing-category", "category"): of_category,
    ("findings", "document"): in_document("finding"),
    ("footnotes", "document"): in_document("footnote"),
    ("provision-sources", "kind"): of_kind,
    ("heading-actions", "heading"): grouped_by,
    ("section-paragraphs", "section"): in_section,
    ("objective-actions", "objective"): under_objective("action"),
    ("objective-overview", "objective"): under_objective("provision"),
    ("draft-vs-final-objective", "objective"): under_objective("final_provision"),
    ("swedish-beside-english", "objective"): under_objective("english_provision"),
    ("imrf-on-objective", "objective"): under_objective("provision"),
    ("iom-recommendations-for-objective", "objective"): under_objective("recommendation"),
    ("objectives", "version"): of_version("objective"),
    ("objective-actions", "version"): of_version("action"),
    ("objective-overview", "version"): of_version("provision"),
    ("provisions-citing-instrument", "instrument"): mentioned_in,
    ("provisions-naming-actor", "actor"): mentioned_in,
}
# values with no rows, each checked above to be truly empty (the expectation computed here is empty too)
EMPTY_IS_RIGHT = {
    ("iom-recommendations-for-objective", "objective"): {"14", "20", "22"},  # no IOM recommendation fits them
}


def without(rows: Rows, column: str) -> Counter[tuple[tuple[str, str], ...]]:
    return Counter(tuple(sorted((k, v) for k, v in row.items() if k != column)) for row in rows)


def test_every_value_of_every_parameter_means_what_it_says(
    client: httpx.Client, catalog: dict[str, SavedQuery], graph_store: GraphStore, backend: str
) -> None:
    checked = Counter[str]()
    for name, query in catalog.items():
        if name in wrong_on(backend):
            continue  # a strict xfail in test_remote_backend
        values = offered(graph_store, query)
        for param in query.params:
            if param.name not in values:
                continue  # a free value (a phrase, a provision's IRI): tested in test_saved_queries.py
            assert (name, param.name) in MEANING, f"say what each value of {name}?{param.name} means"
            per_value = {}
            for value in values[param.name]:
                rows = answer(client, name, {param.name: value})
                if not rows and value in EMPTY_IS_RIGHT.get((name, param.name), set()):
                    continue
                MEANING[name, param.name](graph_store, value, rows)
                per_value[value] = rows
                checked[name] += 1
            if param.any is None and param.values:  # (an IRI picker takes any IRI: "any" is then one with no rows)
                refused = client.get(
                    f"/queries/{name}", params={**SAVED_QUERY_EXAMPLES.get(name, {}), param.name: ANY, "format": "json"}
                )
                assert refused.status_code == 422, (name, param.name)
                assert refused.json()["detail"][0]["loc"] == ["query", param.name]
                continue
            if param.any is None:
                continue
            everything = answer(client, name, {param.name: ANY})
            union = sum((without(rows, param.name) for rows in per_value.values()), Counter())
            assert without(everything, param.name) == union, f"{name}?{param.name}=any is the union of its values"
            default = per_value.get(param.default or "", [])
            if any(rows for value, rows in per_value.items() if value != param.default):
                assert len(everything) > len(default), f"{name}?{param.name}=any is more than the default"
            if param.default is None:  # nothing given: every value, as the form's "any" says
                assert answer(client, name, {param.name: ""}) == everything
            else:  # nothing given: the default
                assert answer(client, name, {param.name: ""}) == per_value[param.default]
            checked[name] += 1
    print("\nvalues checked per saved query: " + ", ".join(f"{k} {v}" for k, v in sorted(checked.items())))
    assert checked["provisions-citing-instrument"] > 50 and checked["provisions-naming-actor"] > 30


def test_any_in_every_document_shows_more_than_the_final_text(
    client: httpx.Client, request: pytest.FixtureRequest, backend: str
) -> None:
    """The journey of issue 11: ILO citations in the final text, then in every document."""
    expect_wrong(request, backend, "actions-citing-ilo-instruments")
    final = answer(client, "actions-citing-ilo-instruments", {})
    everywhere = answer(client, "actions-citing-ilo-instruments", {"document": ANY})
    assert len(final) == 3
    documents = {row["document"].rsplit("/id/", 1)[1] for row in everywhere}
    assert documents == {"a-73-l-66/en", "com-2018-168-annex/en", "gcm-agreed-outcome-2018-07-13/sv"}
    assert len(everywhere) == 8


def test_forms_offer_any_only_where_it_is_declared(
    client: httpx.Client, catalog: dict[str, SavedQuery], graph_store: GraphStore
) -> None:
    page = html.unescape(client.get("/queries", headers={"Accept": "text/html"}).text)
    for name, query in catalog.items():
        values = offered(graph_store, query)
        for param in query.params:
            select = re.search(rf'<select id="{name}-{param.name}" name="{param.name}"[^>]*>(.*?)</select>', page, re.S)
            if param.name not in values:
                assert select is None, (name, param.name)
                continue
            assert select is not None, (name, param.name)
            options = re.findall(r'<option value="([^"]*)"', select.group(1))
            if param.any:
                assert options[0] == ANY, f"{name}?{param.name}: 'any' comes first"
            assert sorted(options[1 if param.any else 0 :]) == sorted(values[param.name]), (name, param.name)
            assert "" not in options, f"{name}?{param.name}: an empty choice would silently mean the default"
            selected = re.findall(r'<option value="([^"]*)" selected', select.group(1))
            assert selected == [param.default or ANY], (name, param.name)


def test_pickers_name_instruments_and_actors(client: httpx.Client) -> None:
    page = html.unescape(client.get("/queries", headers={"Accept": "text/html"}).text)
    picker = re.search(r'<select id="provisions-citing-instrument-instrument"[^>]*>(.*?)</select>', page, re.S)
    assert picker is not None
    options = dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', picker.group(1)))
    assert options["id/instrument/c097"] == "Migration for Employment Convention (Revised), 1949 (No. 97)"
    names = list(options.values())
    assert names == sorted(names, key=str.casefold)  # found by name
    actors = re.search(r'<select id="provisions-naming-actor-actor"[^>]*>(.*?)</select>', page, re.S)
    assert actors is not None
    assert '<option value="id/actor/iom" selected>' in actors.group(1)
