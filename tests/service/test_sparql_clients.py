"""An analyst's SPARQLWrapper script works unchanged against ``/sparql`` on the real graph.

The expected values are the text's: the final Global Compact (A/RES/73/195, corpus file
``001_…``) has 23 objectives; objective 1 reads "Collect and utilize accurate and
disaggregated data as a basis for evidence-based policies".
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from SPARQLWrapper import CSV, JSON, JSONLD, POST, XML, SPARQLWrapper

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
