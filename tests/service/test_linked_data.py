"""Linked-data conventions, against the real server over the real graph.

``HEAD`` answers wherever ``GET`` does (every GET operation of the OpenAPI document);
``Vary: Accept`` on every negotiated answer, 404 and 406 included; ``Link`` to the alternate
representations and ``Content-Location`` of the chosen one; compacted JSON-LD whose published
``@context`` expands it back to the same triples; gzip for pages, results and dumps with weak
ETags that revalidate in either encoding, ranges left alone; ``/docs`` and ``/redoc`` that load
nothing from another host; the service description and VoID naming the same endpoint; quad
formats whose default graph is the description.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib
from rdflib.namespace import RDFS

from gcmkg.service.docs import ASSETS_DIR

PARA_17 = "id/a-73-l-66/en/annex/para/17"
OBJECTIVE_1 = "id/a-73-l-66/en/annex/objective/1"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


@pytest.fixture(scope="module")
def client(service_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=service_url, timeout=60) as c:
        yield c


def example_path(path: str) -> str:
    """A request path for an OpenAPI path template: parameters filled with values that exist."""
    values = {
        "path": "a-73-l-66/en/annex/para/17",
        "name": "a-73-l-66-en",
        "file": "gcmkg.ttl",
        "version": "0",
        "digest": "0",  # /static/0/… is a 404 for GET and HEAD alike; a real asset is added below
    }
    return re.sub(r"\{(\w+)(?::path)?\}", lambda m: values[m.group(1)], path)


@pytest.mark.server
def test_head_answers_like_get_on_every_get_operation(client: httpx.Client) -> None:
    document = client.get("openapi.json").json()
    paths = [example_path(p) for p, ops in document["paths"].items() if "get" in ops]
    assert len(paths) > 20  # the routers' and every saved query's
    editor = client.get("sparql", headers={"Accept": "text/html"}).text
    assets = sorted(set(re.findall(r'(?:src|href)="/(static/[0-9a-f]+/[^"]+)"', editor)))
    assert assets, "the editor page links its static files"
    for path in [*paths, *assets, "docs", "redoc", "openapi.json", "context.jsonld"]:
        get = client.get(path)
        head = client.head(path)
        assert head.status_code == get.status_code, (path, head.status_code, get.status_code)
        assert head.content == b"", path
        assert head.headers.get("content-type") == get.headers.get("content-type"), path
        if "content-length" in get.headers and "content-encoding" not in get.headers:
            assert head.headers["content-length"] == str(len(get.content)), path


@pytest.mark.server
@pytest.mark.parametrize(
    ("path", "accept", "status"),
    [
        (PARA_17, "text/turtle", 200),
        (PARA_17, "text/html", 200),
        ("id/no-such-document", "text/turtle", 404),
        ("id/no-such-document", "text/html", 404),
        (PARA_17, "image/png", 406),
        ("ontology", "image/png", 406),
        ("graph/no-such-graph", "text/turtle", 404),
        ("dataset", "application/n-quads", 200),
        ("sparql", "text/turtle", 200),
        ("sparql", "image/png", 406),
    ],
)
def test_vary_accept_on_every_negotiated_answer(client: httpx.Client, path: str, accept: str, status: int) -> None:
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == status
    assert "accept" in [v.strip().lower() for v in response.headers["vary"].split(",")]


@pytest.mark.server
@pytest.mark.parametrize("path", [PARA_17, "ontology", "dataset", "graph/a-73-l-66-en", "sparql"])
def test_link_alternates_and_content_location(client: httpx.Client, service_url: str, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    location = response.headers["content-location"]
    assert location == f"/{path}?format=turtle"
    links = dict(re.findall(r'<([^>]+)>; rel="alternate"; type="([^"]+)"', response.headers["link"]))
    assert "text/turtle" not in links.values()  # the chosen one is Content-Location, not an alternate
    assert "application/n-triples" in links.values()
    reference = rdflib.Graph().parse(data=response.content, format="turtle", publicID=service_url + path)
    for url, media_type in links.items():  # each alternate is what it says it is, with the same content
        alternate = client.get(url.lstrip("/"))
        assert alternate.status_code == 200, url
        assert alternate.headers["content-type"].split(";")[0] == media_type, url
        if media_type == "application/n-triples":
            parsed = rdflib.Graph().parse(data=alternate.content, format="nt")
            assert set(parsed) == set(reference), url


@pytest.mark.server
def test_jsonld_is_compacted_against_the_published_context(client: httpx.Client, service_url: str) -> None:
    context = client.get("context.jsonld")
    assert context.status_code == 200 and context.headers["content-type"].startswith("application/ld+json")
    prefixes = context.json()["@context"]
    assert prefixes["gcm"] == service_url + "ontology#" and prefixes["rdfs"] == str(RDFS)
    response = client.get(OBJECTIVE_1, params={"format": "jsonld"})
    document = response.json()
    assert document["@context"] == service_url + "context.jsonld"
    (objective,) = [n for n in document["@graph"] if n["@id"] == service_url + OBJECTIVE_1]
    assert objective["@type"] == "gcm:Objective"
    assert objective["gcm:heading"]["@value"].startswith("Collect and utilize accurate")
    # a JSON-LD processor (rdflib's, fetching the context from the server) reads the same triples
    expanded = rdflib.Graph().parse(data=response.content, format="json-ld")
    triples = rdflib.Graph().parse(data=client.get(OBJECTIVE_1, params={"format": "nt"}).content, format="nt")
    assert len(expanded) > 20 and set(expanded) == set(triples)


@pytest.mark.server
@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("", {}),  # a page
        (PARA_17, {"format": "turtle"}),
        ("sparql", {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 500", "format": "json"}),  # results
        ("dumps/graph-a-73-l-66-en.nq", {}),  # a dump
        ("docs/assets/swagger-ui/swagger-ui-bundle.js", {}),
    ],
)
def test_gzip_when_accepted_with_a_weak_etag_that_revalidates(client: httpx.Client, path: str, params: dict) -> None:
    plain = client.get(path, params=params, headers={"Accept-Encoding": "identity"})
    packed = client.get(path, params=params, headers={"Accept-Encoding": "gzip"})
    assert plain.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert packed.content == plain.content  # httpx decodes: the same representation
    with client.stream("GET", path, params=params, headers={"Accept-Encoding": "gzip"}) as raw:
        sent = sum(len(chunk) for chunk in raw.iter_raw())  # what went over the wire
    assert sent < len(plain.content) / 2
    assert packed.headers["etag"].startswith('W/"') and packed.headers["etag"] == plain.headers["etag"]
    for encoding in ("gzip", "identity"):
        again = client.get(
            path, params=params, headers={"Accept-Encoding": encoding, "If-None-Match": packed.headers["etag"]}
        )
        assert again.status_code == 304 and again.content == b""


@pytest.mark.server
def test_a_range_of_a_dump_is_not_compressed(client: httpx.Client) -> None:
    whole = client.get("dumps/gcmkg.nq", headers={"Accept-Encoding": "identity"}).content
    part = client.get("dumps/gcmkg.nq", headers={"Accept-Encoding": "gzip", "Range": "bytes=100-199"})
    assert part.status_code == 206 and "content-encoding" not in part.headers
    assert part.content == whole[100:200]
    assert part.headers["etag"] == client.head("dumps/gcmkg.nq").headers["etag"]


@pytest.mark.server
def test_a_dump_streams_compressed(service_url: str) -> None:
    """The dump is sent in chunks, compressed chunk by chunk: the first arrive before the last is read."""
    with httpx.stream("GET", service_url + "dumps/gcmkg.nq", headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers["content-encoding"] == "gzip" and "content-length" not in response.headers
        chunks = list(response.iter_raw())
    assert len(chunks) > 1
    assert gzip.decompress(b"".join(chunks)).startswith(b"<")


@pytest.mark.server
@pytest.mark.parametrize("page", ["docs", "redoc"])
def test_api_docs_load_nothing_from_another_host(client: httpx.Client, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    urls = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert urls and all(u.startswith("/") for u in urls), urls
    for url in urls:
        asset = client.get(url.lstrip("/"))
        assert asset.status_code == 200 and len(asset.content) > 500, url
    assert "fonts.googleapis" not in response.text and "cdn.jsdelivr" not in response.text


def test_vendored_assets_match_their_checksums_and_keep_their_licences() -> None:
    readme = (ASSETS_DIR / "README.md").read_text(encoding="utf-8")
    listed = dict((name, digest) for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", readme, re.M))
    files = sorted(str(p.relative_to(ASSETS_DIR)) for p in ASSETS_DIR.glob("*/*"))
    assert sorted(listed) == files
    for name, digest in listed.items():
        assert hashlib.sha256(Path(ASSETS_DIR, name).read_bytes()).hexdigest() == digest, name
    assert {"swagger-ui/LICENSE", "redoc/LICENSE"} <= set(files)


@pytest.mark.server
def test_service_description_and_void_name_the_same_endpoint(client: httpx.Client, service_url: str) -> None:
    # asked by another host name for the same server: the endpoint is still the base IRI's
    other_host = {"Accept": "text/turtle", "Host": "localhost:1"}
    description = rdflib.Graph().parse(data=client.get("sparql", headers=other_host).content, format="turtle")
    void = rdflib.Graph().parse(data=client.get("dataset", headers={"Accept": "text/turtle"}).content, format="turtle")
    endpoints = set(description.objects(None, SD.endpoint))
    assert endpoints == {rdflib.URIRef(service_url + "sparql")}
    assert set(void.objects(rdflib.URIRef(service_url + "dataset"), VOID.sparqlEndpoint)) == endpoints


@pytest.mark.server
@pytest.mark.parametrize("media_type", ["application/n-quads", "application/trig"])
def test_a_quad_format_has_the_description_in_its_default_graph(
    client: httpx.Client, service_url: str, media_type: str
) -> None:
    """A default-graph client sees the description; a graph-aware one sees where each statement is from."""
    triples = rdflib.Graph().parse(data=client.get(PARA_17, params={"format": "nt"}).content, format="nt")
    response = client.get(PARA_17, headers={"Accept": media_type})
    dataset = rdflib.Dataset()
    dataset.parse(data=response.content, format="nquads" if media_type.endswith("quads") else "trig")
    default = {(s, p, o) for s, p, o, g in dataset.quads() if g in (None, rdflib.graph.DATASET_DEFAULT_GRAPH_ID)}
    named = {(s, p, o) for s, p, o, g in dataset.quads() if g not in (None, rdflib.graph.DATASET_DEFAULT_GRAPH_ID)}
    assert default == set(triples)
    assert named == set(triples)
    graphs = {str(g) for _, _, _, g in dataset.quads() if g not in (None, rdflib.graph.DATASET_DEFAULT_GRAPH_ID)}
    assert service_url + "graph/a-73-l-66-en" in graphs
