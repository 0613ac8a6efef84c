"""The query editor of ``/sparql`` (YASGUI, served from here) and what it reads from the endpoint.

Routes:

* ``/static/{digest}/{path}`` — the editor's files (``static/``: YASGUI as vendored, see
  ``static/yasgui/VENDORED.md``, and the project's ``static/editor/``).  The URL names the first
  16 hex digits of the file's SHA-256, so an answer never changes and is sent as ``immutable``;
  a digest that is not the file's is 404 (an old page asking for an old file after an upgrade).
* ``/sparql/completions`` — the editor's completion data as JSON (:func:`.publishing.completions`),
  computed once per release.
* ``/.well-known/sparql-examples`` — every saved query as an ``sh:SPARQLExecutable`` (RDF).

The page itself (:func:`page`) is what ``/sparql`` answers a browser with no query.  It works
without scripts (a form and links); with them, YASGUI replaces the form.  The page's script
(``static/editor/editor.js``) switches off every third-party service YASGUI would call (prefix.cc,
Linked Open Vocabularies for class and property completion, its CORS proxy, its catalogue of
public endpoints) and completes from this endpoint's own data instead.  Shareable links carry
the query and the release it ran on in the URL's fragment (``/sparql#query=…&release=…``), which
the browser never sends, so opening one always gets the page, never a result download.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pyoxigraph import NamedNode, Triple, serialize

from gcmkg.iris import PREFIXES, RDFS, SCHEMA, SD, SH, VOID, XSD, Iris, prefixes_for
from gcmkg.representations import TRIPLES, TURTLE
from gcmkg.service import negotiation
from gcmkg.service.deps import DatasetStatsDep, IrisDep, SavedQueriesDep, ServedDep
from gcmkg.service.openapi import format_query
from gcmkg.service.publishing import completions, example_comment, example_triples, prefix_triples, resource_labels
from gcmkg.service.runner import Limits
from gcmkg.service.saved_query_files import SavedQuery

router = APIRouter(tags=["SPARQL"])

STATIC_DIR = Path(__file__).parent / "static"
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}  # what is served
IMMUTABLE = "public, max-age=31536000, immutable"
EXAMPLES_PREFIXES = {"sh": SH, "schema": SCHEMA, "rdfs": RDFS, "void": VOID, "xsd": XSD, "sd": SD}

ExamplesFormat = Annotated[
    str | None, format_query(TRIPLES, "Representation: turtle, nt, jsonld, rdfxml or a media type (overrides Accept).")
]


@dataclass(frozen=True)
class Asset:
    """One static file: its path under ``static/``, its bytes and their SHA-256."""

    path: str
    body: bytes
    sha256: str
    media_type: str

    @property
    def url(self) -> str:
        return f"/static/{self.sha256[:16]}/{self.path}"


@functools.cache
def assets() -> dict[str, Asset]:
    """Every servable file of ``static/`` by its path (read on first use, then kept: they ship with the package)."""
    found = {}
    for file in sorted(STATIC_DIR.rglob("*")):
        if file.is_file() and file.suffix in MEDIA_TYPES:
            body = file.read_bytes()
            path = file.relative_to(STATIC_DIR).as_posix()
            found[path] = Asset(path, body, hashlib.sha256(body).hexdigest(), MEDIA_TYPES[file.suffix])
    return found


@router.get(
    "/static/{digest}/{path:path}",
    summary="A file of the query editor (YASGUI and its configuration); immutable",
    response_class=Response,
    responses={
        200: {"content": {"text/javascript": {}, "text/css": {}}},
        404: {"description": "No such file, or the digest is not that of the file served now."},
    },
)
def static_file(digest: str, path: str) -> Response:
    asset = assets().get(path)
    if asset is None or asset.sha256[:16] != digest:
        raise HTTPException(404, f"no static file {path!r} with digest {digest!r}; /sparql links the current ones")
    return Response(asset.body, media_type=asset.media_type, headers={"Cache-Control": IMMUTABLE})



# completions -----------------------------------------------------------------------------------


@router.get(
    "/sparql/completions",
    summary="What the query editor completes from: prefixes, classes, properties and labelled resources",
    response_class=JSONResponse,
    responses={
        200: {
            "description": "JSON: `release`; `prefixes` (name → namespace, predeclared on /sparql); `classes` "
            "(iri, label, entities) and `properties` (iri, label, triples) as the VoID partitions count them; "
            "`resources` (iri, label) for every labelled IRI. Computed once per release."
        }
    },
)
def sparql_completions(served: ServedDep, iris: IrisDep, stats: DatasetStatsDep) -> Response:
    body = served.cache.get("completions")
    if body is None:  # two first requests at once both compute it: the same bytes, harmless
        data = completions(stats.partitions, resource_labels(served.store), iris, served.id)
        body = served.cache.setdefault("completions", JSONResponse(data).body)
    return Response(body, media_type="application/json")


# examples and the service description ------------------------------------------------------------


def description_triples(iris: Iris, saved: dict[str, SavedQuery]) -> list[Triple]:
    """What the service description adds for editors, hung off its ``sd:Service`` (minted from
    the base IRI, as :func:`.sparql.description_triples` mints it): the examples, the prefixes."""
    service = iris.service()
    return [
        Triple(service, NamedNode(RDFS + "seeAlso"), iris.examples()),
        Triple(service, NamedNode(SH + "declare"), iris.prefix_declarations()),
        *example_triples(iris, saved.values()),
        *prefix_triples(iris),
    ]


@router.get(
    "/.well-known/sparql-examples",
    summary="The saved queries as SPARQL examples (sh:SPARQLExecutable), with the predeclared prefixes",
    response_class=Response,
    responses={
        200: {"content": {r.media_type: {} for r in TRIPLES}},
        406: {"description": "None of the offered representations is acceptable."},
    },
)
def sparql_examples(request: Request, iris: IrisDep, saved: SavedQueriesDep, format: ExamplesFormat = None) -> Response:
    chosen = negotiation.choose(request.headers.get("accept"), format, TRIPLES)
    triples = example_triples(iris, saved.values()) + prefix_triples(iris)
    data = serialize(triples, format=chosen.rdf, prefixes=EXAMPLES_PREFIXES if chosen is TURTLE else None)
    return Response(data, headers={"Content-Type": chosen.content_type, "Vary": "Accept"})


# the page ----------------------------------------------------------------------------------------

# First steps: ad-hoc queries over the whole graph (the saved queries follow them on the page).
FIRST_STEPS: list[tuple[str, str]] = [
    (
        "The 23 objectives of the Global Compact",
        "SELECT ?objective ?number ?heading WHERE {\n"
        "  ?objective a gcm:Objective ; gcm:number ?number ; gcm:heading ?heading ; gcm:inDocument ?document .\n"
        "  ?document gcm:status gcm:status-final .\n"
        "} ORDER BY ?number",
    ),
    (
        "Provisions per document and kind",
        "SELECT ?document ?kind (COUNT(?p) AS ?provisions) WHERE {\n"
        "  ?p gcm:inDocument ?document ; a ?kind .\n"
        "} GROUP BY ?document ?kind ORDER BY ?document DESC(?provisions)",
    ),
    (
        "Search provision texts for a phrase",
        "SELECT ?provision ?text WHERE {\n  ?provision gcm:text ?text .\n"
        '  FILTER(CONTAINS(LCASE(?text), "border management"))\n} LIMIT 20',
    ),
    (
        "The named graphs and their sizes",
        "SELECT ?graph (COUNT(*) AS ?triples) WHERE {\n  GRAPH ?graph { ?s ?p ?o }\n} GROUP BY ?graph",
    ),
    (
        "A description as RDF (CONSTRUCT)",
        'CONSTRUCT { ?o ?p ?v } WHERE {\n  ?o a gcm:Objective ; gcm:number 1 ; gcm:inDocument ?document ; ?p ?v .\n'
        "  ?document gcm:status gcm:status-final .\n}",
    ),
]


def with_prefixes(text: str, base_iri: str) -> str:
    """``text`` with PREFIX lines (absolute) for the project prefixes it uses, so it runs anywhere.

    >>> print(with_prefixes("ASK { ?s a gcm:Objective }", "http://example.org/"))
    PREFIX gcm: <http://example.org/ontology#>
    ASK { ?s a gcm:Objective }
    """
    namespaces = prefixes_for(base_iri)
    used = [p for p in PREFIXES if f"{p}:" in text]
    return "".join(f"PREFIX {p}: <{namespaces[p]}>\n" for p in used) + text


def page(request: Request, iris: Iris, limits: Limits, saved: dict[str, SavedQuery], release: str) -> Response:
    """The ``/sparql`` page: the editor, its examples (first steps, then every saved query), limits."""
    pages = request.app.state.pages
    first_steps = [
        {
            "title": title,
            "query": with_prefixes(text, iris.base),
            "href": "?" + urlencode({"query": with_prefixes(text, iris.base), "format": "json"}),
        }
        for title, text in FIRST_STEPS
    ]
    saved_examples = [
        {
            "name": query.name,
            "title": query.summary,
            "description": example_comment(query),
            "query": query.portable_text(iris.base),
            "href": f"/queries/{query.name}",
        }
        for query in saved.values()
    ]
    config = {
        "endpoint": str(request.base_url) + "sparql",
        "release": release,
        "completions": "/sparql/completions",
        "examples": [dict(e, kind="first-step") for e in first_steps] + [dict(e, kind="saved") for e in saved_examples],
        "base": iris.base,
    }
    static = assets()
    return pages.render(  # type: ignore[no-any-return]
        "sparql.html",
        endpoint=config["endpoint"],
        first_steps=first_steps,
        saved_examples=saved_examples,
        config=config,
        limits=limits,
        release=release,
        prefixes=", ".join(f"{p}:" for p in PREFIXES),
        styles=[static["yasgui/yasgui.min.css"].url, static["editor/editor.css"].url],
        scripts=[static["yasgui/yasgui.min.js"].url, static["editor/editor.js"].url],
        headers={"Vary": "Accept"},
    )

