"""Content negotiation: every Accept header / ``format`` value → the expected media type, parsed back.

Runs against the protocol test store (three known triples, one per named graph), so every
answer can be checked for its *content* after parsing it with an independent parser (json,
ElementTree, csv, rdflib) — never by comparing whole bodies as strings.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF

from gcmkg.representations import QUERY_RESULTS, TRIPLES, Representation
from gcmkg.service.negotiation import NotAcceptable, choose

KASEI = "http://kasei.us/2009/09/sparql/data/"
DOCS = [f"{KASEI}data{n}.rdf" for n in (1, 2, 3)]
SELECT = f"SELECT ?doc WHERE {{ GRAPH ?g {{ ?doc a <{FOAF.Document}> }} }} ORDER BY ?doc"
ASK = f"ASK {{ <{KASEI}data1.rdf> a ?type }}"
CONSTRUCT = f"CONSTRUCT {{ ?doc <{DCTERMS.type}> ?t }} WHERE {{ GRAPH ?g {{ ?doc a ?t }} }}"
DESCRIBE = f"DESCRIBE <{KASEI}data2.rdf>"
SRX = "{http://www.w3.org/2005/sparql-results#}"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.fixture(scope="module")
def client(protocol_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=protocol_url, timeout=30) as c:
        yield c


def docs_from(body: bytes, media: str) -> list[str]:
    """The ?doc column of a SELECT result, parsed with a parser for ``media``."""
    if media == "application/sparql-results+json":
        data = json.loads(body)
        assert data["head"]["vars"] == ["doc"]
        assert all(b["doc"]["type"] == "uri" for b in data["results"]["bindings"])
        return [b["doc"]["value"] for b in data["results"]["bindings"]]
    if media == "application/sparql-results+xml":
        root = ET.fromstring(body)
        assert [v.get("name") for v in root.iter(SRX + "variable")] == ["doc"]
        return [uri.text or "" for uri in root.iter(SRX + "uri")]
    if media == "text/csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
        assert rows[0] == ["doc"]
        return [row[0] for row in rows[1:]]
    if media == "text/tab-separated-values":
        lines = body.decode("utf-8").splitlines()
        assert lines[0] == "?doc"
        assert all(line.startswith("<") and line.endswith(">") for line in lines[1:])
        return [line[1:-1] for line in lines[1:]]
    raise AssertionError(media)


def boolean_from(body: bytes, media: str) -> bool:
    if media == "application/sparql-results+json":
        return bool(json.loads(body)["boolean"])
    if media == "application/sparql-results+xml":
        (element,) = ET.fromstring(body).iter(SRX + "boolean")
        return element.text == "true"
    if media in ("text/csv", "text/tab-separated-values"):
        return body.decode().strip() == "true"
    raise AssertionError(media)


RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}

SELECT_CASES = [
    (None, None, "application/sparql-results+json"),
    ("application/sparql-results+json", None, "application/sparql-results+json"),
    ("application/sparql-results+xml", None, "application/sparql-results+xml"),
    ("text/csv", None, "text/csv"),
    ("text/tab-separated-values", None, "text/tab-separated-values"),
    ("application/json", None, "application/sparql-results+json"),
    ("application/xml", None, "application/sparql-results+xml"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", None, "application/sparql-results+xml"),
    ("text/tab-separated-values, text/csv;q=0.1", None, "text/tab-separated-values"),
    ("*/*", None, "application/sparql-results+json"),
    ("text/*", None, "text/csv"),
    ("text/*, text/csv;q=0", None, "text/tab-separated-values"),
    (BROWSER, None, "application/sparql-results+xml"),
    ("application/sparql-results+json", "csv", "text/csv"),
    (None, "tsv", "text/tab-separated-values"),
    (None, "xml", "application/sparql-results+xml"),
    (None, "json", "application/sparql-results+json"),
    (None, "text/csv", "text/csv"),
    (None, "application/sparql-results+xml", "application/sparql-results+xml"),
]


@pytest.mark.server
@pytest.mark.parametrize(("accept", "fmt", "expected"), SELECT_CASES)
def test_select(client: httpx.Client, accept: str | None, fmt: str | None, expected: str) -> None:
    params = {"query": SELECT} | ({"format": fmt} if fmt else {})
    response = client.get("sparql", params=params, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200, response.text
    media = response.headers["content-type"].split(";")[0]
    assert media == expected
    assert docs_from(response.content, media) == DOCS


@pytest.mark.server
@pytest.mark.parametrize(("accept", "fmt", "expected"), SELECT_CASES[:8])
def test_select_by_post(client: httpx.Client, accept: str | None, fmt: str | None, expected: str) -> None:
    data = {"query": SELECT} | ({"format": fmt} if fmt else {})
    response = client.post("sparql", data=data, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    media = response.headers["content-type"].split(";")[0]
    assert media == expected
    assert docs_from(response.content, media) == DOCS


@pytest.mark.server
@pytest.mark.parametrize(
    ("accept", "fmt", "expected"),
    [
        (None, None, "application/sparql-results+json"),
        ("application/sparql-results+xml", None, "application/sparql-results+xml"),
        (None, "xml", "application/sparql-results+xml"),
        ("text/csv", None, "text/csv"),
        (None, "tsv", "text/tab-separated-values"),
    ],
)
def test_ask(client: httpx.Client, accept: str | None, fmt: str | None, expected: str) -> None:
    for query, answer in ((ASK, True), (ASK.replace("data1", "data9"), False)):
        params = {"query": query} | ({"format": fmt} if fmt else {})
        response = client.get("sparql", params=params, headers={"Accept": accept} if accept else {})
        assert response.status_code == 200
        media = response.headers["content-type"].split(";")[0]
        assert media == expected
        assert boolean_from(response.content, media) is answer


GRAPH_CASES = [
    (None, None, "text/turtle"),
    ("text/turtle", None, "text/turtle"),
    ("application/n-triples", None, "application/n-triples"),
    ("application/ld+json", None, "application/ld+json"),
    ("application/rdf+xml", None, "application/rdf+xml"),
    ("application/json", None, "application/ld+json"),
    ("text/plain", None, "application/n-triples"),
    ("application/rdf+xml;q=0.4, application/ld+json;q=0.8", None, "application/ld+json"),
    (BROWSER, None, "application/rdf+xml"),
    (None, "turtle", "text/turtle"),
    (None, "n3", "text/turtle"),
    (None, "nt", "application/n-triples"),
    (None, "jsonld", "application/ld+json"),
    (None, "json", "application/ld+json"),
    (None, "xml", "application/rdf+xml"),
    (None, "rdf+xml", "application/rdf+xml"),
]


@pytest.mark.server
@pytest.mark.parametrize(("accept", "fmt", "expected"), GRAPH_CASES)
def test_construct(client: httpx.Client, accept: str | None, fmt: str | None, expected: str) -> None:
    params = {"query": CONSTRUCT} | ({"format": fmt} if fmt else {})
    response = client.get("sparql", params=params, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200, response.text
    media = response.headers["content-type"].split(";")[0]
    assert media == expected
    graph = Graph().parse(data=response.content, format=RDFLIB_FORMATS[media])
    assert set(graph) == {(URIRef(d), DCTERMS.type, FOAF.Document) for d in DOCS}


@pytest.mark.server
@pytest.mark.parametrize("media", [r.media_type for r in TRIPLES])
def test_describe(client: httpx.Client, media: str) -> None:
    response = client.get("sparql", params={"query": DESCRIBE}, headers={"Accept": media})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    graph = Graph().parse(data=response.content, format=RDFLIB_FORMATS[media])
    assert set(graph) == {(URIRef(f"{KASEI}data2.rdf"), RDF.type, FOAF.Document)}


@pytest.mark.server
@pytest.mark.parametrize(
    ("query", "accept", "fmt", "listed"),
    [
        (SELECT, "text/turtle", None, QUERY_RESULTS),
        (SELECT, "image/png", None, QUERY_RESULTS),
        (SELECT, "application/sparql-results+json;q=0", None, QUERY_RESULTS),
        (SELECT, None, "pdf", QUERY_RESULTS),
        (SELECT, None, "turtle", QUERY_RESULTS),
        (CONSTRUCT, "application/sparql-results+json", None, TRIPLES),
        (CONSTRUCT, None, "csv", TRIPLES),
    ],
)
def test_406_lists_what_is_supported(
    client: httpx.Client, query: str, accept: str | None, fmt: str | None, listed: tuple[Representation, ...]
) -> None:
    params = {"query": query} | ({"format": fmt} if fmt else {})
    response = client.get("sparql", params=params, headers={"Accept": accept} if accept else {})
    assert response.status_code == 406
    for media in listed:
        assert media.media_type in response.text


TTL = Representation("ttl", "Turtle", ("text/turtle",), ("ttl",), ".ttl")
NT = Representation("nt", "N-Triples", ("application/n-triples",), ("nt",), ".nt")
HTML = Representation("html", "HTML", ("text/html",), ("html",), ".html")


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, TTL),
        ("", TTL),
        ("garbage", TTL),
        ("application/n-triples", NT),
        ("text/*;q=0.2, application/n-triples;q=0.1", TTL),
        ("*/*;q=0.1, text/html", HTML),
        ("text/html;q=0.5, */*;q=0.6", TTL),  # */* gives turtle 0.6; html has its own, lower, q
        ("text/turtle;q=0, */*", NT),  # an explicit q=0 excludes even when */* would include it
        ("TEXT/HTML", HTML),
    ],
)
def test_choose_follows_q_values_and_specificity(accept: str | None, expected: Representation) -> None:
    assert choose(accept, None, [TTL, NT, HTML]) == expected


def test_choose_raises_not_acceptable_and_takes_names_or_media_types() -> None:
    with pytest.raises(NotAcceptable) as caught:
        choose("application/pdf", None, [TTL, NT])
    assert "text/turtle" in caught.value.message and "application/n-triples" in caught.value.message
    assert choose("text/html", "nt", [TTL, NT, HTML]) == NT
    assert choose(None, "application/n-triples", [TTL, NT]) == NT
    assert choose("text/turtle", None, [NT, TTL]) == TTL
    with pytest.raises(NotAcceptable):
        choose(None, "pdf", [NT])
