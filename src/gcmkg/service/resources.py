"""Linked data: every IRI the graph mints dereferences here, as HTML for people and RDF for programs.

Routes (all GET, all read-only):

* ``/`` — the home page: what the texts are, counts, entry points;
* ``/id/{path}`` — any minted resource (document, provision, finding, instrument, …);
* ``/ontology`` — the vocabulary namespace ``{base}ontology#`` (documentation and the ontology graph);
* ``/graph/{name}`` — a named graph: its VoID description, and the whole graph as a download;
* ``/dataset`` and ``/.well-known/void`` — the VoID description of the dataset, with statistics;
* ``/dumps/`` and ``/dumps/{file}`` — the files the build wrote beside the store (of the served release).

The representation is chosen by ``?format=`` (``html``, ``turtle``, ``ntriples``, ``jsonld``,
``rdfxml``, ``nquads``, ``trig``) or else by the ``Accept`` header; 406 lists what is offered.
Reads are trusted in-process queries on the read-only store, each run and materialised inside one
synchronous endpoint call (FastAPI runs it in a worker thread), with the resource bound as an RDF
term — hazards 3 and 5 of :mod:`gcmkg.store`. What a resource's RDF description contains is documented in
:mod:`gcmkg.service.describe`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from pyoxigraph import Literal, NamedNode, Quad

from gcmkg import provisions, representations
from gcmkg.iris import DCTERMS, ELI, PROV, RDF, RDFS, SKOS, Iris
from gcmkg.representations import Representation
from gcmkg.service import jsonld, negotiation
from gcmkg.service.deps import AnswersDep, DatasetStatsDep, IrisDep, PagesDep, ReleaseDep, StatsCacheDep, StoreDep
from gcmkg.service.describe import (
    DatasetStats,
    StatsCache,
    all_labels,
    describe,
    ontology_terms,
    rdf_bytes,
    string_rows,
    value_of,
)
from gcmkg.service.openapi import format_query
from gcmkg.service.pages import Linker, Pages, term_view
from gcmkg.service.serving import CachedResponse
from gcmkg.store import GraphStore

router = APIRouter(tags=["linked data"])

# Offered representations, in the server's order of preference (HTML for a client that accepts anything).
OFFERED: tuple[Representation, ...] = (representations.HTML, *representations.TRIPLES, *representations.DATASETS)
RDF_OFFERED = OFFERED[1:]
TRIPLE_DOWNLOADS = representations.TRIPLES  # the ontology and VoID: one graph each, so no graph to keep
GRAPH_DOWNLOADS = representations.TRIPLES[:2] + representations.DATASETS + representations.TRIPLES[2:]
FormatParam = Annotated[
    str | None,
    format_query(OFFERED, "Representation: html, turtle, ntriples, jsonld, rdfxml, nquads, trig or a media type."),
]
DumpsFormatParam = Annotated[
    str | None, format_query((representations.HTML, representations.JSON), "Listing: html or json (overrides Accept).")
]
VARY = {"Vary": "Accept", "Cache-Control": "public, max-age=300"}
DUMP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def choose(request: Request, format_param: str | None, offered: Sequence[Representation]) -> Representation:
    """The representation to send, from ``?format=`` or ``Accept``; 406 listing them when nothing fits."""
    try:
        chosen = negotiation.choose(request.headers.get("accept"), format_param, offered)
    except negotiation.NotAcceptable as error:
        raise HTTPException(status_code=406, detail=error.message) from None
    negotiation.note(request.scope, offered, chosen)  # Link and Content-Location (negotiation.AnnounceAlternates)
    return chosen


def _alternates(path: str, offered: Sequence[Representation] = RDF_OFFERED) -> list[tuple[str, str, str]]:
    return [(r.label, f"{path}?format={r.formats[0]}", r.media_type) for r in offered]


def _rdf_response(
    quads: list[Quad], representation: Representation, base_iri: str, *, filename: str | None = None
) -> Response:
    headers = dict(VARY)
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}{representation.suffix}"'
    body = rdf_bytes(quads, representation, base_iri)
    return Response(body, media_type=representation.media_type, headers=headers)


def _not_found(pages: Pages, chosen: Representation, iri: str, hint: str = "") -> Response:
    if chosen is representations.HTML:
        return pages.render("not_found.html", status_code=404, iri=iri, hint=hint, headers=VARY)
    return PlainTextResponse(f"404 Not Found: the graph has no resource <{iri}>. {hint}".strip(), status_code=404)


# the home page ---------------------------------------------------------------------------------

_HOME_OBJECTIVES = """
PREFIX gcm: <ontology#>
SELECT ?objective ?number ?title WHERE {
  ?objective a gcm:Objective ; gcm:inDocument ?doc ; gcm:number ?number .
  ?doc gcm:status gcm:status-final .
  OPTIONAL { ?objective gcm:heading ?title }
} ORDER BY xsd:integer(?number)"""
_HOME_DOCUMENTS = """
PREFIX gcm: <ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
SELECT ?doc ?label ?title ?date WHERE {
  ?doc a gcm:Document .
  OPTIONAL { ?doc rdfs:label ?label } OPTIONAL { ?doc eli:title ?title } OPTIONAL { ?doc eli:date_document ?date }
} ORDER BY ?date ?doc"""
_HOME_KINDS = """
PREFIX gcm: <ontology#>
SELECT ?kind ?label (COUNT(DISTINCT ?p) AS ?n) WHERE {
  ?p a ?kind . ?kind rdfs:subClassOf* gcm:Provision . OPTIONAL { ?kind rdfs:label ?label }
} GROUP BY ?kind ?label ORDER BY DESC(?n)"""


def _prologue() -> str:
    return "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"


@router.get("/", summary="Home page: what the dataset is and where to start", response_class=Response)
def home(store: StoreDep, iris: IrisDep, stats: DatasetStatsDep, pages: PagesDep) -> Response:
    linker = Linker(iris)
    objectives = [
        {
            "number": row["number"],
            "title": row.get("title") or f"Objective {row['number']}",
            "href": linker.href(row["objective"]),
        }
        for row in string_rows(store, _prologue() + _HOME_OBJECTIVES)
    ]
    documents = [
        {
            "href": linker.href(row["doc"]),
            "label": row.get("label") or row["doc"],
            "title": row.get("title", ""),
            "date": row.get("date", ""),
        }
        for row in string_rows(store, _prologue() + _HOME_DOCUMENTS)
    ]
    kinds = [
        (row.get("label") or row["kind"].rsplit("#", 1)[-1], int(row["n"]), linker.href(row["kind"]))
        for row in string_rows(store, _prologue() + _HOME_KINDS)
    ]
    return pages.render(
        "home.html",
        stats=stats,
        objectives=objectives,
        documents=documents,
        kinds=kinds,
        base=iris.base,
        headers={"Cache-Control": "public, max-age=300"},
    )


# resources -------------------------------------------------------------------------------------


def _resource_iri(request: Request, iris: Iris) -> NamedNode:
    """The IRI asked for, from the raw (still percent-encoded) path, so it matches the minted IRI.

    A path that cannot be part of an IRI (a ``%`` not followed by two hex digits, or a character
    such as ``"`` ``<`` ``{`` ``|`` or a space that must be percent-encoded) is the client's
    mistake: 400 saying which character, never a server fault.
    """
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("latin-1").split("?", 1)[0]
    try:
        return iris.from_path(path)
    except ValueError as error:
        shown = path if len(path) <= 200 else path[:200] + "…"
        raise HTTPException(
            status_code=400,
            detail=f"the path {shown!r} does not name an IRI ({error}); percent-encode the characters "
            "an IRI does not allow (a literal % as %25). Resource IRIs look like /id/a-73-l-66/en/annex/para/17",
        ) from None


@router.get(
    "/id/{path:path}",
    summary="Dereference a resource of the graph (HTML or RDF)",
    response_class=Response,
    responses={
        200: {
            "description": "The resource's description.",
            "content": {r.media_type: {} for r in OFFERED},
        },
        400: {"description": "The path cannot be part of an IRI (e.g. a % not followed by two hex digits)."},
        404: {"description": "The graph has no such resource."},
        406: {"description": "None of the offered representations is acceptable."},
    },
)
def resource(
    path: str,
    request: Request,
    store: StoreDep,
    iris: IrisDep,
    stats: StatsCacheDep,
    pages: PagesDep,
    answers: AnswersDep,
    format: FormatParam = None,
) -> Response:
    chosen = choose(request, format, OFFERED)
    node = _resource_iri(request, iris)
    key = ("resource", node.value, chosen.name)
    cached = answers.get(key)
    if cached is not None:
        return cached.response()  # type: ignore[no-any-return]
    response = _resource(node, chosen, store, iris, stats, pages)
    if response.status_code == 200:  # a description is computed once per release, in each format
        answers.put(key, CachedResponse.of(response))
    return response


def _resource(
    node: NamedNode, chosen: Representation, store: GraphStore, iris: Iris, stats_cache: StatsCache, pages: Pages
) -> Response:
    iri = node.value
    description = describe(store, node)
    if not description.exists:
        return _not_found(pages, chosen, iri)
    if chosen is not representations.HTML:
        return _rdf_response(description.quads(), chosen, iris.base)
    stats = stats_cache.get()  # the page names predicates and graphs: counted once per release
    # labels of predicates and graphs come from the ontology and the VoID description (computed once)
    labels = {**stats.vocabulary_labels, **{g.iri: g.name for g in stats.graphs}, **description.labels}
    labels.update(_qualified(store, description.labels, provisions.provision_ref(store, iri)))
    linker = Linker(iris, labels)
    statements = [
        {
            "predicate": term_view(q.predicate, linker),
            "object": term_view(q.object, linker),
            "graph": term_view(q.graph_name, linker),
        }
        for q in sorted(description.outgoing, key=lambda q: _statement_rank(q.predicate.value, iris))
    ]
    incoming = [
        {
            "subject": term_view(q.subject, linker),
            "predicate": term_view(q.predicate, linker),
            "graph": term_view(q.graph_name, linker),
        }
        for q in description.incoming
    ]
    first = description.first
    gcm = lambda name: iris.term(name).value  # noqa: E731
    text = first(gcm("text"))
    lines = _span(first(gcm("lineStart")), first(gcm("lineEnd")))
    page_span = _span(first(gcm("pageStart")), first(gcm("pageEnd")))
    source = first(PROV + "wasDerivedFrom") or first(ELI + "is_embodied_by")
    heading = first(gcm("heading"))
    types = [term_view(t, linker) for t in description.values(RDF + "type")]
    parent = first(ELI + "is_part_of")
    document = first(gcm("inDocument"))
    label = description.label() or _literal_value(first(ELI + "title")) or _literal_value(first(SKOS + "prefLabel"))
    table = {"statements": statements, "incoming": incoming, "alternates": _alternates(linker.href(iri))}
    reader = _reader_page(store, iri, linker, pages, table)
    if reader is not None:
        return reader
    return pages.render(
        "resource.html",
        iri=iri,
        label=label,
        types=types,
        text=text.value if isinstance(text, Literal) else "",
        text_language=text.language if isinstance(text, Literal) and text.language else "",
        heading=heading.value if isinstance(heading, Literal) and heading.value != _literal_value(text) else "",
        lines=lines,
        pages=page_span,
        source=term_view(source, linker) if source is not None else None,
        parent=term_view(parent, linker) if parent is not None else None,
        document=term_view(document, linker) if document is not None and document != parent else None,
        children=[term_view(child, linker) for child in description.children],
        statements=statements,
        incoming=incoming,
        alternates=_alternates(linker.href(iri)),
        headers=VARY,
    )


def _qualified(store: GraphStore, labels: dict[str, str], here: provisions.ProvisionRef | None) -> dict[str, str]:
    """Provisions of another document than the page's are named with their document ("COM(2018) 168 final, action
    38 (a)"): two texts number their actions alike."""
    named = {}
    for linked in labels:
        ref = provisions.provision_ref(store, linked)
        if ref is not None and (here is None or ref.document.iri != here.document.iri):
            named[linked] = ref.qualified
    return named


def _reader_page(store: GraphStore, iri: str, linker: Linker, pages: Pages, table: dict[str, Any]) -> Response | None:
    """The page a reader reads for a document, an objective of the final text or a provision; None otherwise.

    Everything shown comes from :mod:`gcmkg.provisions`; the statement table is folded below.
    """
    text = provisions.document_text(store, iri)
    if text is not None:
        return pages.render("document.html", text=text, href=linker.href, headers=VARY, **table)
    dossier = provisions.objective_dossier(store, iri)
    if dossier is not None and dossier.objective.document.status == "final":
        return pages.render(
            "dossier.html", dossier=dossier, view=dossier.objective, href=linker.href, headers=VARY, **table
        )
    view = provisions.provision_view(store, iri)
    if view is not None:
        return pages.render("provision.html", view=view, href=linker.href, headers=VARY, **table)
    return None


def _statement_rank(predicate: str, iris: Iris) -> int:
    """Type, names and text first in a page's statement table; the rest keeps its order."""
    first = [RDF + "type", RDFS + "label", SKOS + "prefLabel", ELI + "title"]
    first += [iris.term(name).value for name in ("number", "heading", "text")]
    return first.index(predicate) if predicate in first else len(first)


@router.get(
    "/id",
    summary='Resolve a citation ("A/73/L.66, annex, para. 23 (c)") to the provision it names',
    response_class=Response,
    responses={
        303: {"description": "The provision's page (Location)."},
        404: {"description": "No provision matches the citation (an HTML page with examples)."},
    },
)
def cite(pages: PagesDep, store: StoreDep, iris: IrisDep, cite: Annotated[str, Query(max_length=500)] = "") -> Response:
    """``/id?cite=A/73/L.66, para. 23 (c)``: 303 to the provision; 404 with help when nothing matches."""
    found = provisions.resolve_citation(store, cite) if cite.strip() else None
    if found is not None:
        return RedirectResponse(iris.path_of(found) or found, status_code=303)
    linker = Linker(iris)
    listed = [(linker.href(d.iri), d) for d in provisions.documents(store) if d.status != "letter"]
    return pages.render("citation.html", status_code=404, cite=cite, documents=listed, headers=VARY)



def _literal_value(term: Any) -> str:
    return term.value if isinstance(term, Literal) else ""


def _span(start: Any, end: Any) -> str:
    if not isinstance(start, Literal):
        return ""
    if isinstance(end, Literal) and end.value != start.value:
        return f"{start.value}–{end.value}"
    return start.value


# the ontology ----------------------------------------------------------------------------------


@router.get(
    "/ontology",
    summary="The gcmkg ontology: documentation (HTML) or the ontology graph (RDF)",
    response_class=Response,
    responses={
        200: {"content": {r.media_type: {} for r in OFFERED}},
        406: {"description": "Not acceptable."},
    },
)
def ontology(request: Request, store: StoreDep, iris: IrisDep, pages: PagesDep, format: FormatParam = None) -> Response:
    chosen = choose(request, format, OFFERED)
    graph = iris.graph("ontology")
    if chosen is not representations.HTML:
        quads = store.quads(graph)
        return _rdf_response(quads, chosen, iris.base, filename="gcmkg-ontology" if format else None)
    terms = ontology_terms(store, iris)
    header = describe(store, iris.ontology)
    referenced = sorted({x for t in terms for x in (*t.types, *t.supers, *t.domains, *t.ranges)})
    linker = Linker(iris, all_labels(store, referenced))
    counts = {
        row["class"]: int(row["n"])
        for row in string_rows(store, "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class")
    }
    views = []
    for t in terms:
        views.append(
            {
                "iri": t.iri,
                "fragment": t.fragment,
                "kind": t.kind,
                "label": t.label,
                "definition": t.definition,
                "comment": t.comment,
                "types_view": [term_view(NamedNode(x), linker) for x in sorted(t.types)],
                "supers_view": [term_view(NamedNode(x), linker) for x in sorted(t.supers)],
                "domains_view": [term_view(NamedNode(x), linker) for x in sorted(t.domains)],
                "ranges_view": [term_view(NamedNode(x), linker) for x in sorted(t.ranges)],
                "instances": counts.get(t.iri, 0),
            }
        )
    title = _literal_value(header.first(DCTERMS + "title")) or "The gcmkg ontology"
    return pages.render(
        "ontology.html",
        iri=iris.ontology.value,
        namespace=iris.vocabulary,
        title=title,
        description=_literal_value(header.first(DCTERMS + "description")),
        license=_literal_value(header.first(DCTERMS + "license")),
        classes=[v for v in views if v["kind"] == "class"],
        properties=[v for v in views if v["kind"] == "property"],
        individuals=[v for v in views if v["kind"] == "individual"],
        alternates=_alternates("/ontology", TRIPLE_DOWNLOADS),
        headers=VARY,
    )


_VERSION_IRI = "SELECT ?ontology ?version WHERE { ?ontology <http://www.w3.org/2002/07/owl#versionIRI> ?version }"


@router.get(
    "/ontology/{version}",
    summary="The ontology at its version IRI (owl:versionIRI): the same as /ontology while it is the current one",
    response_class=Response,
    responses={404: {"description": "Not the version this service publishes."}},
)
def ontology_version(
    version: str, request: Request, store: StoreDep, iris: IrisDep, pages: PagesDep, format: FormatParam = None
) -> Response:
    asked = iris.ontology_version(version)
    versions = store.select(_VERSION_IRI, substitutions={"ontology": iris.ontology})
    if not any(value_of(row.get("version")) == asked.value for row in versions):
        chosen = choose(request, format, OFFERED)
        return _not_found(pages, chosen, asked.value, "The current version is at /ontology.")
    return ontology(request, store, iris, pages, format)


# named graphs ----------------------------------------------------------------------------------


@router.get(
    "/graph/{name}",
    summary="A named graph: its description (HTML) or the whole graph (RDF)",
    response_class=Response,
    responses={
        200: {"content": {r.media_type: {} for r in OFFERED}},
        404: {"description": "No such graph."},
    },
)
def named_graph(
    name: str,
    request: Request,
    store: StoreDep,
    iris: IrisDep,
    stats: DatasetStatsDep,
    pages: PagesDep,
    format: FormatParam = None,
) -> Response:
    chosen = choose(request, format, OFFERED)
    graph = stats.graph(name)
    if graph is None:
        return _not_found(pages, chosen, iris.graph(name).value, "Known graphs are listed at /dataset.")
    if chosen is not representations.HTML:
        quads = store.quads(NamedNode(graph.iri))
        return _rdf_response(quads, chosen, iris.base, filename=f"graph-{name}")
    view = dict(graph.__dict__)
    downloads = _alternates(f"/graph/{name}", GRAPH_DOWNLOADS)
    return pages.render("graph.html", graph=view, downloads=downloads, headers=VARY)


# VoID ------------------------------------------------------------------------------------------


def _dataset(request: Request, iris: Iris, stats: DatasetStats, pages: Pages, format: str | None) -> Response:
    chosen = choose(request, format, OFFERED)
    if chosen is not representations.HTML:
        graph = NamedNode(stats.iri)  # the VoID description is about the dataset; keep it in one graph
        quads = [Quad(t.subject, t.predicate, t.object, graph) for t in stats.triples_]
        return _rdf_response(quads, chosen, iris.base)
    linker = Linker(iris)
    graphs = [dict(g.__dict__, href=linker.href(g.iri)) for g in stats.graphs]
    quality = [
        dict(q.__dict__, href=linker.href(q.measurement), metric_href=linker.href(q.metric)) for q in stats.quality
    ]
    below = [q for q in quality if not q["meets_target"]]
    view = dict(stats.__dict__, graphs=graphs, quality=quality, below_target=below)
    return pages.render(
        "dataset.html",
        stats=view,
        uri_space=iris.id_space,
        alternates=_alternates("/dataset", TRIPLE_DOWNLOADS),
        headers=VARY,
    )


@router.get(
    "/dataset",
    summary="VoID description of the dataset, with statistics",
    response_class=Response,
    responses={200: {"content": {r.media_type: {} for r in OFFERED}}},
)
def dataset(
    request: Request, iris: IrisDep, stats: DatasetStatsDep, pages: PagesDep, format: FormatParam = None
) -> Response:
    return _dataset(request, iris, stats, pages, format)


@router.get("/.well-known/void", summary="VoID description (well-known location)", response_class=Response)
def well_known_void(
    request: Request, iris: IrisDep, stats: DatasetStatsDep, pages: PagesDep, format: FormatParam = None
) -> Response:
    return _dataset(request, iris, stats, pages, format)


# dumps -----------------------------------------------------------------------------------------


def _dump_files(folder: Path) -> list[Path]:
    return (
        sorted((p for p in folder.iterdir() if p.is_file() and DUMP_NAME.match(p.name)), key=lambda p: p.name)
        if folder.is_dir()
        else []
    )


@router.get("/dumps", include_in_schema=False)
def dumps_redirect() -> Response:
    return RedirectResponse("/dumps/", status_code=308)


@router.get("/dumps/", summary="List the downloadable dumps", response_class=Response)
def dumps(request: Request, release: ReleaseDep, pages: PagesDep, format: DumpsFormatParam = None) -> Response:
    files = _dump_files(release.dumps_dir)
    chosen = choose(request, format, (representations.HTML, representations.JSON))
    if chosen is representations.JSON:
        body = [{"file": p.name, "bytes": p.stat().st_size, "href": f"/dumps/{p.name}"} for p in files]
        return JSONResponse(body, headers=VARY)
    return pages.render("dumps.html", files=[(p.name, p.stat().st_size) for p in files], headers=VARY)


@router.get(
    "/dumps/{file}",
    summary="Download one dump file",
    response_class=FileResponse,
    responses={404: {"description": "No such file."}},
)
def dump_file(file: str, release: ReleaseDep) -> Response:
    # Only names listed in the folder are served: no path can leave it.
    for path in _dump_files(release.dumps_dir):
        if path.name == file:
            known = representations.by_suffix(path.suffix)
            media = known.media_type if known and known.rdf_format else "application/octet-stream"
            return FileResponse(
                path, media_type=media, filename=path.name, headers={"Cache-Control": "public, max-age=300"}
            )
    raise HTTPException(status_code=404, detail=f"no dump named {file!r}; see /dumps/ for the list")



# the JSON-LD context ---------------------------------------------------------------------------


@router.get(
    "/context.jsonld",
    summary="The JSON-LD context that the service's JSON-LD refers to (the project prefixes)",
    response_class=Response,
    responses={200: {"content": {representations.JSON_LD.media_type: {}}}},
)
def jsonld_context(iris: IrisDep) -> Response:
    body = json.dumps(jsonld.context(iris.base), indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
    headers = {"Cache-Control": "public, max-age=300"}
    return Response(body, media_type=representations.JSON_LD.media_type, headers=headers)
