"""Clients nobody here wrote work unchanged against ``/sparql`` and the resource IRIs of the real graph.

The expected values are the text's: the final Global Compact (A/RES/73/195, corpus file
``001_…``) has 23 objectives; objective 1 reads "Collect and utilize accurate and
disaggregated data as a basis for evidence-based policies".

The matrix: SPARQLWrapper and rdflib's ``SPARQLStore`` over GET, form POST and direct POST, in
every result format each can ask for (SELECT: JSON, XML, CSV, TSV; CONSTRUCT: Turtle, RDF/XML,
JSON-LD, and N-Triples for rdflib — SPARQLWrapper has no N-Triples setting); Comunica
(``@comunica/query-sparql`` from the npm registry, ``make node`` installs it into
``build/node/``), which chooses for itself: GET for a short query and form POST for a long one
(never direct POST: it does that only for an endpoint whose service description says it takes
no forms), SPARQL JSON (or XML) for SELECT and ASK, Turtle for CONSTRUCT, and N-Quads first
when it dereferences a resource.  Apache Jena's ``rsparql`` is not in the matrix: Jena is not
packaged in Debian and Maven Central was not reachable from here.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from typing import Any
from xml.dom.minidom import Document

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)

from gcmkg.settings import PROJECT_ROOT

COMUNICA = PROJECT_ROOT / "build" / "node" / "node_modules" / ".bin" / "comunica-sparql"

OBJECTIVE_1 = "Collect and utilize accurate and disaggregated data as a basis for evidence-based policies"


def prologue(base: str) -> str:
    return (
        f"PREFIX gcm: <{base}ontology#>\nPREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    )


def objectives_query(base: str) -> str:
    return prologue(base) + (
        f"SELECT ?objective ?number ?heading WHERE {{ ?objective a gcm:Objective ; "
        f"gcm:inDocument <{base}id/a-73-l-66/en> ; gcm:number ?number ; gcm:heading ?heading }} "
        "ORDER BY xsd:integer(?number)"
    )


@pytest.mark.server
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_select_json(service_url: str, method: str) -> None:
    sparql = SPARQLWrapper(service_url + "sparql")
    if method == "POST":
        sparql.setMethod(POST)
    sparql.setQuery(objectives_query(service_url))
    sparql.setReturnFormat(JSON)
    rows = sparql.query().convert()["results"]["bindings"]  # type: ignore[index, call-overload]
    assert [int(r["number"]["value"]) for r in rows] == list(range(1, 24))
    assert rows[0]["heading"]["value"] == OBJECTIVE_1
    assert rows[0]["objective"] == {"type": "uri", "value": f"{service_url}id/a-73-l-66/en/annex/objective/1"}


@pytest.mark.server
def test_select_xml_and_csv(service_url: str) -> None:
    sparql = SPARQLWrapper(service_url + "sparql")
    sparql.setQuery(objectives_query(service_url))
    sparql.setReturnFormat(XML)
    document = sparql.query().convert()  # an xml.dom.minidom document
    headings = [
        b.getElementsByTagName("literal")[0].firstChild.data  # type: ignore[union-attr]
        for b in document.getElementsByTagName("binding")  # type: ignore[union-attr]
        if b.getAttribute("name") == "heading"
    ]
    assert len(headings) == 23 and headings[0] == OBJECTIVE_1
    sparql.setReturnFormat(CSV)
    text = sparql.query().convert().decode("utf-8")  # type: ignore[union-attr]
    assert text.splitlines()[0] == "objective,number,heading"
    assert len(text.splitlines()) == 24


@pytest.mark.server
def test_ask(service_url: str) -> None:
    sparql = SPARQLWrapper(service_url + "sparql")
    sparql.setReturnFormat(JSON)
    for number, expected in ((23, True), (24, False)):
        sparql.setQuery(
            prologue(service_url) + f"ASK {{ <{service_url}id/a-73-l-66/en/annex/objective/{number}> a gcm:Objective }}"
        )
        assert sparql.query().convert()["boolean"] is expected  # type: ignore[index, call-overload]


@pytest.mark.server
@pytest.mark.parametrize("fmt", [XML, JSONLD])
def test_construct_gives_an_rdflib_graph(service_url: str, fmt: str) -> None:
    sparql = SPARQLWrapper(service_url + "sparql")
    sparql.setQuery(
        prologue(service_url)
        + f"CONSTRUCT {{ ?o rdfs:label ?h }} WHERE {{ ?o a gcm:Objective ; gcm:inDocument <{service_url}id/a-73-l-66/en> ;"
        " gcm:heading ?h }"
    )
    sparql.setReturnFormat(fmt)
    graph = sparql.query().convert()
    assert isinstance(graph, Graph)
    assert len(graph) == 23
    objective_1 = URIRef(f"{service_url}id/a-73-l-66/en/annex/objective/1")
    assert graph.value(objective_1, RDFS.label) == Literal(OBJECTIVE_1, lang="en")


@pytest.mark.server
def test_every_example_on_the_query_page_answers_with_rows(service_url: str) -> None:
    import html
    import re

    import httpx

    page = httpx.get(service_url + "sparql", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    examples = [html.unescape(q) for q in re.findall(r'data-query="([^"]*)"', page.text)]
    assert len(examples) == 5
    counts = []
    for query in examples:
        response = httpx.get(
            service_url + "sparql", params={"query": query, "format": "csv" if "SELECT" in query else "nt"}
        )
        assert response.status_code == 200, (query, response.text)
        counts.append(len(response.text.strip().splitlines()))
    assert counts[0] == 1 + 23  # header + the 23 objectives of the final text
    assert all(n > 1 for n in counts)


# --- the matrix ---------------------------------------------------------------------------------

WRAPPER_METHODS = {"GET": (GET, URLENCODED), "form POST": (POST, URLENCODED), "direct POST": (POST, POSTDIRECTLY)}
STORE_METHODS = {"GET": "GET", "form POST": "POST_FORM", "direct POST": "POST"}


def objective_iris(result: Any, fmt: str) -> list[str]:
    """The ?objective column of a SPARQLWrapper result, read with a parser for its format."""
    if fmt == JSON:
        return [row["objective"]["value"] for row in result["results"]["bindings"]]
    if fmt == XML:
        assert isinstance(result, Document)
        return [
            b.getElementsByTagName("uri")[0].firstChild.data  # type: ignore[union-attr]
            for b in result.getElementsByTagName("binding")
            if b.getAttribute("name") == "objective"
        ]
    text = result.decode("utf-8")
    if fmt == CSV:
        return [row["objective"] for row in csv.DictReader(io.StringIO(text))]
    assert fmt == TSV
    lines = text.splitlines()
    column = lines[0].split("\t").index("?objective")
    return [line.split("\t")[column].strip("<>") for line in lines[1:]]


def construct_query(base: str) -> str:
    return prologue(base) + (
        f"CONSTRUCT {{ ?o rdfs:label ?h }} WHERE {{ ?o a gcm:Objective ; gcm:inDocument <{base}id/a-73-l-66/en> ;"
        " gcm:heading ?h }"
    )


def expected_objectives(base: str) -> list[str]:
    return [f"{base}id/a-73-l-66/en/annex/objective/{n}" for n in range(1, 24)]


@pytest.mark.server
@pytest.mark.parametrize("method", WRAPPER_METHODS)
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select_matrix(service_url: str, method: str, fmt: str) -> None:
    sparql = SPARQLWrapper(service_url + "sparql")
    sparql.setMethod(WRAPPER_METHODS[method][0])
    sparql.setRequestMethod(WRAPPER_METHODS[method][1])
    sparql.setQuery(objectives_query(service_url))
    sparql.setReturnFormat(fmt)
    assert objective_iris(sparql.query().convert(), fmt) == expected_objectives(service_url)


@pytest.mark.server
@pytest.mark.parametrize("method", WRAPPER_METHODS)
@pytest.mark.parametrize("fmt", [TURTLE, RDFXML, XML, JSONLD])
def test_sparqlwrapper_construct_matrix(service_url: str, method: str, fmt: str) -> None:
    sparql = SPARQLWrapper(service_url + "sparql")
    sparql.setMethod(WRAPPER_METHODS[method][0])
    sparql.setRequestMethod(WRAPPER_METHODS[method][1])
    sparql.setQuery(construct_query(service_url))
    sparql.setReturnFormat(fmt)
    result = sparql.query().convert()
    graph = result if isinstance(result, Graph) else Graph().parse(data=result, format="turtle")
    assert len(graph) == 23
    objective_1 = URIRef(f"{service_url}id/a-73-l-66/en/annex/objective/1")
    assert graph.value(objective_1, RDFS.label) == Literal(OBJECTIVE_1, lang="en")


@pytest.mark.server
@pytest.mark.parametrize("method", STORE_METHODS)
@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_rdflib_sparqlstore_select_matrix(service_url: str, method: str, fmt: str) -> None:
    store = SPARQLStore(service_url + "sparql", returnFormat=fmt, method=STORE_METHODS[method])  # type: ignore[arg-type]
    rows = list(Graph(store).query(objectives_query(service_url)))
    assert [str(row.objective) for row in rows] == expected_objectives(service_url)  # type: ignore[union-attr]
    assert str(rows[0].heading) == OBJECTIVE_1  # type: ignore[union-attr]


@pytest.mark.server
@pytest.mark.parametrize("method", STORE_METHODS)
@pytest.mark.parametrize("fmt", ["turtle", "nt", "xml", "json-ld"])
def test_rdflib_sparqlstore_construct_matrix(service_url: str, method: str, fmt: str) -> None:
    store = SPARQLStore(service_url + "sparql", returnFormat=fmt, method=STORE_METHODS[method])  # type: ignore[arg-type]
    graph = Graph(store).query(construct_query(service_url)).graph
    assert graph is not None and len(graph) == 23
    objective_1 = URIRef(f"{service_url}id/a-73-l-66/en/annex/objective/1")
    assert graph.value(objective_1, RDFS.label) == Literal(OBJECTIVE_1, lang="en")


def comunica(source: str, query: str, media_type: str = "application/sparql-results+json") -> Any:
    if not COMUNICA.exists():
        pytest.fail(f"{COMUNICA} is missing: run `make node` (make test does)")
    run = subprocess.run([str(COMUNICA), source, "-t", media_type, query], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout) if media_type.endswith("json") else run.stdout


@pytest.mark.server
@pytest.mark.parametrize("length", ["short (GET)", "long (form POST)"])
def test_comunica_select_and_ask(service_url: str, length: str) -> None:
    query = objectives_query(service_url)
    if length.startswith("long"):  # Comunica sends a query whose URL would be long by POST
        unused = ", ".join(f"<{service_url}id/unused/{n}>" for n in range(60))
        query = query.replace("} ORDER BY", f"FILTER(?objective NOT IN ({unused})) }} ORDER BY", 1)
        assert "NOT IN" in query
    result = comunica(f"sparql@{service_url}sparql", query)
    assert [b["objective"]["value"] for b in result["results"]["bindings"]] == expected_objectives(service_url)
    ask = comunica(f"sparql@{service_url}sparql", prologue(service_url) + "ASK { ?o a gcm:Objective }")
    assert ask["boolean"] is True


@pytest.mark.server
def test_comunica_construct(service_url: str) -> None:
    turtle = comunica(f"sparql@{service_url}sparql", construct_query(service_url), "text/turtle")
    graph = Graph().parse(data=turtle, format="turtle")
    assert len(graph) == 23
    assert graph.value(URIRef(f"{service_url}id/a-73-l-66/en/annex/objective/1"), RDFS.label) == Literal(
        OBJECTIVE_1, lang="en"
    )


@pytest.mark.server
def test_comunica_dereferences_a_resource_and_the_dataset(service_url: str) -> None:
    """Comunica asks for N-Quads and reads the default graph: the description must be there."""
    objective = f"{service_url}id/a-73-l-66/en/annex/objective/1"
    result = comunica(objective, f"SELECT ?heading WHERE {{ <{objective}> <{service_url}ontology#heading> ?heading }}")
    assert [b["heading"]["value"] for b in result["results"]["bindings"]] == [OBJECTIVE_1]
    void = comunica(
        f"{service_url}dataset", f"SELECT ?n WHERE {{ <{service_url}dataset> <http://rdfs.org/ns/void#triples> ?n }}"
    )
    (count,) = [int(b["n"]["value"]) for b in void["results"]["bindings"]]
    assert count > 30_000


@pytest.mark.server
def test_numbers_sort_as_numbers(service_url: str) -> None:
    """gcm:number is an xsd:integer where printed in digits: ORDER BY gives 1, 2 … 10, not 1, 10, 11."""
    sparql = SPARQLWrapper(service_url + "sparql")
    sparql.setQuery(
        prologue(service_url) + f"SELECT ?number ?label WHERE {{ ?o a gcm:Objective ; "
        f"gcm:inDocument <{service_url}id/a-73-l-66/en> ; gcm:number ?number ; gcm:numberLabel ?label }} "
        "ORDER BY ?number"
    )
    sparql.setReturnFormat(JSON)
    rows = sparql.query().convert()["results"]["bindings"]  # type: ignore[index, call-overload]
    assert [r["number"]["value"] for r in rows] == [str(n) for n in range(1, 24)]
    assert {r["number"]["datatype"] for r in rows} == {"http://www.w3.org/2001/XMLSchema#integer"}
    assert [r["label"]["value"] for r in rows] == [str(n) for n in range(1, 24)]
    # an action keeps its letter as gcm:number and its printed designation as gcm:numberLabel
    sparql.setQuery(
        prologue(service_url) + f"SELECT ?number ?label WHERE {{ <{service_url}id/a-73-l-66/en/annex/para/23/c> "
        "gcm:number ?number ; gcm:numberLabel ?label }"
    )
    (row,) = sparql.query().convert()["results"]["bindings"]  # type: ignore[index, call-overload]
    assert (row["number"]["value"], row["label"]["value"]) == ("c", "23 (c)")
