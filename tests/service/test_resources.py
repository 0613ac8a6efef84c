"""Linked data against the real server (``gcmkg serve`` over a build whose base IRI is its address).

RDF answers are parsed back (rdflib) and compared as graphs with what the store holds, never as
strings. One test dereferences every subject IRI of the graph that starts with the base IRI.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import rdflib
from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode
from rdflib.namespace import RDFS, SKOS, VOID

from gcmkg.settings import Settings
from gcmkg.store import GraphStore

pytestmark = pytest.mark.server

FINAL = "id/a-73-l-66/en"
PARA_17 = f"{FINAL}/annex/para/17"
RDF_MEDIA = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
DATASET_MEDIA = {"application/n-quads": "nquads", "application/trig": "trig"}


@pytest.fixture(scope="module")
def client(service_url: str) -> Iterator[httpx.Client]:
    limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
    with httpx.Client(base_url=service_url, timeout=30, limits=limits) as client:
        yield client


def path_of(iri: str, settings: Settings) -> str:
    """The request path of a minted IRI (the server's address is the base IRI)."""
    assert iri.startswith(settings.base_iri), iri
    return "/" + iri[len(settings.base_iri) :].split("#", 1)[0]


def parse(body: bytes, rdf_format: str, base: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=body, format=rdf_format, publicID=base)
    return graph


def store_triples(graph_store: GraphStore, subject: str) -> set[tuple[str, str, str]]:
    rows = graph_store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", substitutions={"s": named_node(subject)})
    return {(subject, r["p"].value, _term_key(r["o"])) for r in rows}  # type: ignore[union-attr]


def named_node(iri: str) -> NamedNode:
    return NamedNode(iri)


def _term_key(term: object) -> str:
    """IRIs as themselves, literals as value|language|datatype, the same for rdflib and pyoxigraph terms."""
    if isinstance(term, OxLiteral):
        datatype = term.datatype.value if term.datatype is not None and not term.language else ""
        return f"{term.value}|{term.language or ''}|{datatype}"
    if isinstance(term, rdflib.Literal):
        datatype = str(term.datatype) if term.datatype is not None else ""
        if not datatype and not term.language:
            datatype = "http://www.w3.org/2001/XMLSchema#string"
        return f"{term}|{term.language or ''}|{datatype}"
    return str(getattr(term, "value", term))


def graph_keys(graph: rdflib.Graph) -> set[tuple[str, str, str]]:
    return {(str(s), str(p), _term_key(o)) for s, p, o in graph}


# dereferencing ---------------------------------------------------------------------------------


def test_a_provision_gives_the_same_triples_in_every_rdf_format(
    client: httpx.Client, service_settings: Settings, graph_store: GraphStore
) -> None:
    iri = service_settings.base_iri + PARA_17
    graphs = {}
    for media, rdf_format in RDF_MEDIA.items():
        response = client.get(f"/{PARA_17}", headers={"Accept": media})
        assert response.status_code == 200, (media, response.text[:300])
        assert response.headers["content-type"].split(";")[0] == media
        assert "accept" in response.headers.get("vary", "").lower()
        graphs[media] = parse(response.content, rdf_format, iri)
    for name in ("turtle", "ntriples", "jsonld", "rdfxml"):
        by_parameter = client.get(f"/{PARA_17}", params={"format": name}, headers={"Accept": "text/html"})
        assert by_parameter.status_code == 200
        media = by_parameter.headers["content-type"].split(";")[0]
        assert graph_keys(parse(by_parameter.content, RDF_MEDIA[media], iri)) == graph_keys(graphs[media])
    reference = graph_keys(graphs["text/turtle"])
    for media, graph in graphs.items():
        assert graph_keys(graph) == reference, f"{media} differs from Turtle"
    for media, rdf_format in DATASET_MEDIA.items():
        dataset = rdflib.Dataset()
        dataset.parse(data=client.get(f"/{PARA_17}", headers={"Accept": media}).content, format=rdf_format)
        union = {(str(s), str(p), _term_key(o)) for s, p, o, _ in dataset.quads((None, None, None, None))}
        assert union == reference, f"{media} differs from Turtle"
        graphs_named = {str(g) for _, _, _, g in dataset.quads((None, None, None, None))}
        assert service_settings.base_iri + "graph/a-73-l-66-en" in graphs_named

    # what the description holds: every statement about it, its incoming links, labels of neighbours
    assert store_triples(graph_store, iri) <= reference
    objective = service_settings.base_iri + f"{FINAL}/annex/objective/1"
    eli = "http://data.europa.eu/eli/ontology#"
    assert (objective, eli + "has_part", iri) in reference
    assert (objective, service_settings.base_iri + "ontology#hasCommitment", iri) in reference
    action = service_settings.base_iri + f"{PARA_17}/a"
    assert (action, str(RDFS.label), "Action 17 (a)|en|") in reference
    for s, p, o in reference:  # nothing else: the resource, links to it, labels of its neighbours
        assert s == iri or o == iri or p in (str(RDFS.label), str(SKOS.prefLabel)), (s, p, o)


def test_every_subject_iri_of_the_graph_dereferences(
    client: httpx.Client, service_settings: Settings, graph_store: GraphStore
) -> None:
    base = service_settings.base_iri
    rows = graph_store.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), STR(<>))) }")
    subjects = sorted({r["s"].value for r in rows})  # type: ignore[union-attr]
    assert len(subjects) > 1000
    by_path: dict[str, list[str]] = {}
    for iri in subjects:
        by_path.setdefault(path_of(iri, service_settings), []).append(iri)
    # local IRIs that are only ever objects (the ontology's version IRI) answer too
    objects = graph_store.select(
        "SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER(isIRI(?o) && STRSTARTS(STR(?o), STR(<>))) }"
    )
    only_objects = sorted({r["o"].value for r in objects} - set(subjects))  # type: ignore[union-attr]
    for iri in only_objects:
        by_path.setdefault(path_of(iri, service_settings), [])

    def fetch(path: str) -> tuple[str, int, str, bytes]:
        response = client.get(path, headers={"Accept": "application/n-triples"})
        return path, response.status_code, response.headers.get("content-type", ""), response.content

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(fetch, sorted(by_path)))
    seconds = time.perf_counter() - started
    failures = []
    for path, status, content_type, body in answers:
        if status != 200 or not content_type.startswith("application/n-triples"):
            failures.append(f"{path}: {status} {content_type}")
            continue
        graph = parse(body, "nt", base)
        described = {str(s) for s in graph.subjects()}
        missing = [iri for iri in by_path[path] if iri not in described]
        if missing:
            failures.append(f"{path}: the description lacks {missing[:3]}")
    assert not failures, f"{len(failures)} of {len(by_path)} failed: {failures[:10]}"
    print(
        f"\ndereferenced {len(subjects)} subject IRIs and {len(only_objects)} object-only IRIs "
        f"({len(by_path)} request paths) in {seconds:.1f} s "
        f"({len(by_path) / seconds:.0f} requests/s, 8 client threads)"
    )


def test_unknown_iri_is_404(client: httpx.Client) -> None:
    page = client.get(f"/{FINAL}/annex/para/99", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "/annex/para/99" in page.text
    for media in ("text/turtle", "application/ld+json"):
        answer = client.get("/id/no-such-document/en", headers={"Accept": media})
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("text/plain")
        assert "no-such-document" in answer.text
    assert client.get(f"/{PARA_17}", params={"format": "pdf"}).status_code == 406


def test_html_page_shows_label_text_parts_and_source(client: httpx.Client, service_settings: Settings) -> None:
    response = client.get(f"/{PARA_17}", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = html.unescape(response.text)
    assert "<h1>Paragraph 17</h1>" in page
    assert (
        "We commit to strengthen the global evidence base on international migration by improving and investing "
        "in the collection, analysis and dissemination of accurate, reliable and comparable data"
    ) in page
    # linked resources by their labels, linked by path; the parent and the children in order
    assert f'href="/{FINAL}/annex/objective/1"' in page
    assert "Objective 1: Collect and utilize accurate and disaggregated data" in page
    positions = [page.index(f'href="/{PARA_17}/{letter}"') for letter in "abcdefghijk"]
    assert positions == sorted(positions)
    assert "Action 17 (k)" in page
    # the source location and the named graph of each statement
    assert "corpus/003_4d3bf2ee86e6cb1c.txt" in page
    assert re.search(r"lines 80\d–9\d\d", page)
    assert "pages 7–8" in page
    assert 'href="/graph/a-73-l-66-en"' in page
    # incoming links: the objective that has this commitment
    assert "has commitment" in page


def test_a_document_page(client: httpx.Client) -> None:
    response = client.get(f"/{FINAL}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = html.unescape(response.text)
    assert "A/73/L.66 (en)" in page
    assert f'href="/{FINAL}/resolution"' in page and f'href="/{FINAL}/annex"' in page


# ontology, graphs, VoID, dumps, home ------------------------------------------------------------


def test_ontology_as_html_and_rdf(client: httpx.Client, service_settings: Settings, graph_store: GraphStore) -> None:
    page = client.get("/ontology", headers={"Accept": "text/html"})
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert 'id="Objective"' in text and 'id="hasCommitment"' in text
    assert "Sub-class of" in text and "Provision" in text
    ontology_graph = named_node(service_settings.base_iri + "graph/ontology")
    expected = {(q.subject.value, q.predicate.value, _term_key(q.object)) for q in graph_store.quads(ontology_graph)}
    for media, rdf_format in RDF_MEDIA.items():
        answer = client.get("/ontology", headers={"Accept": media})
        assert answer.status_code == 200
        assert graph_keys(parse(answer.content, rdf_format, service_settings.base_iri)) == expected, media
    gcm = rdflib.Namespace(service_settings.base_iri + "ontology#")
    turtle = parse(client.get("/ontology?format=turtle").content, "turtle", service_settings.base_iri)
    assert (gcm.Objective, RDFS.subClassOf, gcm.Provision) in turtle or (gcm.Objective, None, None) in turtle


def test_named_graph_description_and_download(
    client: httpx.Client, service_settings: Settings, graph_store: GraphStore
) -> None:
    name = "a-73-l-66-en"
    graph_iri = service_settings.base_iri + f"graph/{name}"
    quads = graph_store.quads(named_node(graph_iri))
    page = client.get(f"/graph/{name}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert str(len(quads)) in page.text
    download = client.get(f"/graph/{name}", params={"format": "ntriples"})
    assert download.status_code == 200
    assert len(parse(download.content, "nt", service_settings.base_iri)) == len(quads)
    assert client.get("/graph/no-such-graph", headers={"Accept": "text/turtle"}).status_code == 404


def test_void_counts_equal_the_store(client: httpx.Client, service_settings: Settings, graph_store: GraphStore) -> None:
    base = service_settings.base_iri
    answer = client.get("/dataset", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    void = parse(answer.content, "turtle", base)
    dataset = rdflib.URIRef(base + "dataset")

    def count(subject: rdflib.URIRef, predicate: rdflib.URIRef) -> int:
        values = list(void.objects(subject, predicate))
        assert len(values) == 1, (subject, predicate, values)
        return int(values[0])

    all_quads = graph_store.quads()
    triples = {(q.subject, q.predicate, q.object) for q in all_quads}
    assert count(dataset, VOID.triples) == len(triples)
    assert count(dataset, VOID.distinctSubjects) == len({t[0] for t in triples})
    assert count(dataset, VOID.distinctObjects) == len({t[2] for t in triples})
    assert count(dataset, VOID.properties) == len({t[1] for t in triples})
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    assert count(dataset, VOID.classes) == len({t[2] for t in triples if t[1].value == rdf_type})
    assert count(dataset, VOID.entities) == len({t[0] for t in triples if t[0].value.startswith(base + "id/")})
    subsets = set(void.objects(dataset, VOID.subset))
    graphs = graph_store.named_graphs()
    assert {str(s) for s in subsets} == {g.value for g in graphs}
    for graph in graphs:
        assert count(rdflib.URIRef(graph.value), VOID.triples) == sum(1 for q in all_quads if q.graph_name == graph)
    assert (dataset, VOID.sparqlEndpoint, rdflib.URIRef(base + "sparql")) in void
    dumps = {str(d) for d in void.objects(dataset, VOID.dataDump)}
    assert dumps == {base + "dumps/gcmkg.nq", base + "dumps/gcmkg.ttl"}
    for dump in dumps:
        assert client.head(path_of(dump, service_settings)).status_code == 200
    assert (dataset, VOID.vocabulary, rdflib.URIRef(base + "ontology#")) in void
    assert list(void.objects(dataset, rdflib.URIRef("http://purl.org/dc/terms/title")))
    well_known = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert graph_keys(parse(well_known.content, "turtle", base)) == graph_keys(void)
    page = client.get("/dataset", headers={"Accept": "text/html"})
    assert page.status_code == 200 and f"{len(triples)}" in page.text


def test_dumps_listing_and_download(client: httpx.Client, service_settings: Settings) -> None:
    listing = client.get("/dumps/", headers={"Accept": "application/json"})
    assert listing.status_code == 200
    names = {entry["file"] for entry in listing.json()}
    on_disk = {p.name for p in Path(service_settings.dumps_dir).iterdir()}
    assert names == on_disk and {"gcmkg.nq", "gcmkg.ttl"} <= names
    download = client.get("/dumps/gcmkg.nq")
    assert download.status_code == 200
    assert download.content == (Path(service_settings.dumps_dir) / "gcmkg.nq").read_bytes()
    assert download.headers["content-type"].startswith("application/n-quads")
    assert "gcmkg.nq" in client.get("/dumps/", headers={"Accept": "text/html"}).text
    # nothing outside the dumps folder: encoded traversal, the report beside it, the store
    for path in ("/dumps/..%2Freport.txt", "/dumps/%2E%2E%2Freport.txt", "/dumps/store", "/dumps/.hidden"):
        assert client.get(path).status_code == 404, path


def test_home_page_explains_and_links(client: httpx.Client) -> None:
    response = client.get("/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = html.unescape(response.text)
    assert "Global Compact for Safe, Orderly and Regular Migration" in page
    for link in ("/sparql", "/queries", "/ontology", "/dataset", "/dumps/", "/docs", f"/{FINAL}"):
        assert f'href="{link}"' in page, link
    objectives = re.findall(rf'href="/{FINAL}/annex/objective/(\d+)"', page)
    assert objectives == [str(n) for n in range(1, 24)]
