"""``/search``: ranked full-text search over every provision, as a page and as JSON.

The ranking, the analysers and the query syntax are :mod:`gcmkg.search`'s; this router only
reads the parameters, opens the index of the release the request holds (once per release, kept
in its :attr:`~.serving.Served.cache`, so a live release switch switches the index with the
store), and shows the answer.  For the hits of the page it asks the same release's store what
the graph links them to: the aligned provision in the other language (``gcm:translates``) and,
for the final text, the Zero Draft Plus provision it descends from (``gcm:descendsFrom``).

A parameter the search cannot take (a filter value the index does not hold, a query with no
word in it, one too long) is 400 naming it: as the page with the form still filled for a
browser, as ``{"status", "detail", "parameter"}`` for a program.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from gcmkg.model import ProvisionKind
from gcmkg.representations import HTML, JSON, Representation
from gcmkg.search import (
    INDEX_FOLDER,
    LANGUAGES,
    MAX_LIMIT,
    MAX_OFFSET,
    MAX_QUERY_CHARS,
    Counterpart,
    NoSearchIndex,
    Results,
    SearchError,
    SearchIndex,
    counterparts,
    open_cached,
)
from gcmkg.service.deps import IrisDep, PagesDep, ServedDep
from gcmkg.service.openapi import format_query, replace_schema
from gcmkg.service.resources import choose

OFFERED: tuple[Representation, ...] = (JSON, HTML)
VARY = {"Vary": "Accept"}

router = APIRouter(tags=["search"])


def _filter(description: str, schema: dict[str, Any] | None = None) -> Any:
    return Query(
        description=description + " Empty or absent: any.",
        json_schema_extra=replace_schema(schema or {"type": "string", "maxLength": 200}),
    )


Text = Annotated[
    str | None,
    Query(
        description=(
            'Words and "exact phrases"; every one must match (stemmed, Arabic normalised). Nothing else is an '
            "operator: AND, :, ( or a stray quote are searched as the words they contain. Empty or absent: no "
            "search, only the filters' values."
        ),
        json_schema_extra=replace_schema({"type": "string", "maxLength": MAX_QUERY_CHARS}),
    ),
]
LanguageFilter = Annotated[
    str | None,
    _filter("The language of the text.", {"type": "string", "enum": [*LANGUAGES, ""]}),
]
DocumentFilter = Annotated[
    str | None,
    _filter(
        "A document's key (e.g. a-73-l-66), one of facets.documents; another is 400.",
        {"type": "string", "pattern": r"^([a-z0-9][a-z0-9-]*)?$"},
    ),
]
KindFilter = Annotated[
    str | None,
    _filter(
        "A kind of provision, one of facets.kinds (the kinds this release holds); another is 400.",
        {"type": "string", "enum": [*sorted(kind.value for kind in ProvisionKind), ""]},
    ),
]
ObjectiveFilter = Annotated[
    str | None,
    _filter(
        "An objective's number, one of facets.objectives; another is 400. A provision belongs to the objective it is "
        "part of in its own text, and a review paragraph or an IOM recommendation to the objectives it is linked to.",
        {"type": "string", "pattern": "^([1-9][0-9]?)?$"},
    ),
]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Hits per page.")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Hits to skip (paging).")]
Format = Annotated[str | None, format_query(OFFERED, "json or html (overrides Accept).")]


@router.get(
    "/search",
    summary="Ranked full-text search over every provision of every text (HTML or JSON)",
    response_class=Response,
    responses={
        200: {
            "description": "One page of hits, best first, with snippets, counterparts and the filters' values.",
            "content": {r.media_type: {} for r in OFFERED},
        },
        400: {"description": "A filter value the index does not hold, a query with no word, or one too long."},
        406: {"description": "Neither JSON nor HTML is acceptable."},
        422: {"description": "limit or offset is not an integer in its range."},
        503: {"description": "The release being served has no search index (rebuild it)."},
    },
)
def search_page(
    request: Request,
    served: ServedDep,
    iris: IrisDep,
    pages: PagesDep,
    q: Text = None,
    language: LanguageFilter = None,
    document: DocumentFilter = None,
    kind: KindFilter = None,
    objective: ObjectiveFilter = None,
    limit: Limit = 10,
    offset: Offset = 0,
    format: Format = None,
) -> Response:
    chosen = choose(request, format, OFFERED)
    try:
        index = open_cached(served.release.folder / INDEX_FOLDER, served.cache)
    except NoSearchIndex:
        raise HTTPException(503, "this release has no search index; it must be rebuilt (make build)") from None
    asked = {
        "q": q or "",
        "language": language or "",
        "document": document or "",
        "kind": kind or "",
        "objective": objective or "",
    }
    error: SearchError | None = None
    results: Results | None = None
    filters = {"language": language, "document": document, "kind": kind, "objective": objective}
    try:
        index.filters(**filters)  # checked with or without a query: a bad value is never silently "any"
        if (q or "").strip():
            results = index.search(q or "", **filters, limit=limit, offset=offset)
    except SearchError as refused:
        error = refused
    linked = counterparts(served.store, [hit.iri for hit in results.hits]) if results else {}
    links = _paging(asked, results, limit)
    if chosen is JSON:
        if error is not None:
            return JSONResponse({"status": 400, "detail": str(error), "parameter": error.parameter}, 400, VARY)
        return JSONResponse(_json(index, results, linked, links, iris.path_of), headers=VARY)
    return pages.render(
        "search.html",
        status_code=400 if error else 200,
        headers=VARY,
        asked=asked,
        facets=index.facets,
        results=results,
        counterparts=linked,
        links=links,
        error=error,
        href=lambda iri: iris.path_of(iri) or iri,
        max_chars=MAX_QUERY_CHARS,
    )


def _paging(asked: dict[str, str], results: Results | None, limit: int) -> dict[str, str | None]:
    """Links to this page and to the previous and next ones (None at either end), with the query and filters."""
    if results is None:
        return {"self": None, "previous": None, "next": None}
    kept = {name: value for name, value in asked.items() if value}
    if limit != 10:
        kept["limit"] = str(limit)

    def page(offset: int) -> str:
        return "/search?" + urlencode({**kept, **({"offset": str(offset)} if offset else {})})

    previous = page(max(0, results.offset - limit)) if results.offset > 0 else None
    following = page(results.offset + limit) if results.offset + limit < results.total else None
    return {"self": page(results.offset), "previous": previous, "next": following}


def _json(
    index: SearchIndex,
    results: Results | None,
    linked: dict[str, list[Counterpart]],
    links: dict[str, str | None],
    path_of: Any,
) -> dict[str, Any]:
    answer: dict[str, Any] = {"query": None, "total": 0, "offset": 0, "limit": 0, "filters": {}, "hits": []}
    if results is not None:
        answer.update(
            query=results.query,
            total=results.total,
            offset=results.offset,
            limit=results.limit,
            filters=results.filters,
            hits=[
                {**asdict(hit), "href": path_of(hit.iri), "counterparts": [asdict(c) for c in linked.get(hit.iri, [])]}
                for hit in results.hits
            ],
        )
    answer.update(links)
    answer["facets"] = asdict(index.facets)
    return answer
