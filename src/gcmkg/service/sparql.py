"""``/sparql``: the SPARQL 1.1 Protocol endpoint (query only) and its service description.

Requests (SPARQL 1.1 Protocol §2.1): ``GET ?query=``, ``POST`` with
``application/x-www-form-urlencoded`` (``query=`` in the body) or ``application/sparql-query``
(the query is the body); ``default-graph-uri`` / ``named-graph-uri`` (repeatable) set the
dataset and override ``FROM`` in the query; without them the default graph is the union of all
named graphs.  Exactly one query per request.  The body must be UTF-8.

Answers: SELECT/ASK as SPARQL JSON, XML, CSV or TSV; CONSTRUCT/DESCRIBE as Turtle, N-Triples,
JSON-LD or RDF/XML — by ``Accept`` or by a ``format`` parameter (``json``, ``xml``, ``csv``,
``tsv``, ``turtle``, ``nt``, ``jsonld``, ``rdfxml`` or a media type); 406 lists what fits.

Fairness (:mod:`gcmkg.service.fairness`): each client's ad-hoc queries are limited in number at
once and in query-seconds per minute (429 with ``Retry-After`` past that); the same query text
in the same format is answered from the release's cache after its first run.

Refusals, before anything is evaluated: an update (``update=``, ``application/sparql-update``,
or update text as a query) is 403 — the endpoint is read-only; ``SERVICE`` is 403 and no
outbound request is made; a malformed query is 400 with the parser's message and position.
Limits (see :mod:`gcmkg.service.runner`): too slow or too much memory → 503, too many rows or
bytes → 413; never a truncated 200.

With no query: a SPARQL Service Description (RDF, Turtle by default; with the SPARQL examples and
the predeclared prefixes, :mod:`.editor`), or for a browser the query editor (:func:`.editor.page`).

Prefixes: the project's (:data:`gcmkg.iris.PREFIXES`) are predeclared, as on the command line
(the worker passes them to the parser; a query's own ``PREFIX`` wins).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pyoxigraph import Literal, NamedNode, Triple, serialize
from starlette.concurrency import run_in_threadpool

from gcmkg.iris import RDF, RDFS, SCHEMA, SD, SH, VOID, Iris
from gcmkg.representations import HTML, QUERY_RESULTS, SPARQL_QUERY, TRIPLES, TURTLE, Representation
from gcmkg.service import editor, negotiation
from gcmkg.service.deps import AnswersDep, BudgetsDep, IrisDep, LimitsDep, RunnerDep, StoreDep
from gcmkg.service.fairness import HOLD, ClientBudgets, Hold, client_key
from gcmkg.service.openapi import format_query, replace_schema
from gcmkg.service.runner import Limits, QueryLimitExceeded, QueryOutcome, QueryRejected, QueryRunner
from gcmkg.service.screening import screen
from gcmkg.service.serving import AnswerCache
from gcmkg.service.worker import UPDATE_REFUSED
from gcmkg.store import GraphStore

router = APIRouter(tags=["SPARQL"])

FORM = "application/x-www-form-urlencoded"
DIRECT = SPARQL_QUERY.media_type
UPDATE = "application/sparql-update"
DESCRIPTION_TYPES = (TURTLE, HTML, *TRIPLES[1:])  # Turtle for RDF clients and curl; HTML for browsers
GRAPH_URI = "The absolute IRI of a graph (repeatable); overrides FROM / FROM NAMED. Not an IRI: 400."

QueryParam = Annotated[
    str | None,
    Query(description="The SPARQL query (exactly one).", json_schema_extra=replace_schema({"type": "string"})),
]
GraphsParam = Annotated[list[str], Query(description="IRI of a graph (repeatable).")]
FormatParam = Annotated[
    str | None,
    format_query(
        (*QUERY_RESULTS, *TRIPLES, HTML),
        "Result format, overrides Accept: json, xml, csv, tsv (SELECT/ASK); turtle, nt, jsonld, rdfxml "
        "(CONSTRUCT/DESCRIBE, and the service description without a query); html (the query page). "
        "A format that does not fit the query's form is 406. It may be repeated if every value selects the "
        "same format (format=tsv&format=text/tab-separated-values); values that disagree are 400.",
    ),
]
ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"description": "Query results, or (GET without a query) the service description or the query page"},
    400: {
        "description": "Malformed query (the parser's message and position), a graph IRI that is not an IRI, "
        "a repeated query, repeated format values that disagree, a body or query string that is not UTF-8"
    },
    403: {"description": "Update or SERVICE: refused (the endpoint is read-only and does not federate)"},
    406: {"description": "No supported format fits Accept/format (the body lists them)"},
    413: {"description": "The result is over the row or byte cap, or the request body over its cap"},
    503: {"description": "The query ran over the time or memory limit, or all workers are busy (Retry-After)"},
}


def _check_dataset(params: list[tuple[str, str]]) -> None:
    """Every ``default-graph-uri`` / ``named-graph-uri`` must be an absolute IRI: 400 naming the one that is not."""
    for key, value in params:
        if key in ("default-graph-uri", "named-graph-uri"):
            try:
                NamedNode(value)
            except ValueError as error:
                shown = value if len(value) <= 200 else value[:200] + "…"
                raise QueryRejected(
                    f"{key} {shown!r} is not an IRI ({error}); send the absolute IRI of a graph, "
                    "e.g. the graph/... IRIs listed at /dataset, percent-encoding what an IRI does not allow"
                ) from None


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise QueryRejected(f"send exactly one {name!r} parameter per request (got {len(values)})")
    return values[0] if values else None


@dataclass(frozen=True)
class AdHoc:
    """What an ad-hoc query needs to run: the lane of workers, the cache, the client's budget.

    ``hold``: the client's query slot, taken on arrival by :class:`~.fairness.RefuseOverBudget`;
    without one (the MCP tools, a query parameter the middleware did not recognise) the slot is
    taken here, when the query is about to run.
    """

    runner: QueryRunner
    answers: AnswerCache
    budgets: ClientBudgets
    client: str
    hold: Hold | None = None


def ad_hoc(request: Request, runner: RunnerDep, answers: AnswersDep, budgets: BudgetsDep) -> AdHoc:
    client = request.client.host if request.client else None
    held = request.scope.get("state", {}).get(HOLD)
    return AdHoc(runner, answers, budgets, client_key(client, request.headers.get("user-agent")), held)


AdHocDep = Annotated[AdHoc, Depends(ad_hoc)]


def run_ad_hoc(
    lane: AdHoc, accept: str | None, query: str, params: list[tuple[str, str]], formats: list[str]
) -> QueryOutcome:
    """In a worker thread (the text is tokenised here, not on the event loop): screen, negotiate,
    answer from the release's cache or, within the client's budget, from a worker.  The one ad-hoc
    lane: ``/sparql`` and the MCP server's ``sparql`` tool both answer through it."""
    form = screen(query).form
    offered: tuple[Representation, ...] | None = (
        QUERY_RESULTS if form in ("select", "ask") else TRIPLES if form in ("construct", "describe") else None
    )
    try:
        chosen = negotiation.choose(accept, formats, offered) if offered else None
    except negotiation.ConflictingFormats as error:
        raise QueryRejected(error.message) from None
    default_graphs = tuple(v for k, v in params if k == "default-graph-uri")
    named_graphs = tuple(v for k, v in params if k == "named-graph-uri")
    key = ("adhoc", query, chosen.name if chosen else None, default_graphs, named_graphs)
    cached = lane.answers.get(key)
    if cached is not None:
        return cached
    with lane.hold.running() if lane.hold is not None else lane.budgets.admit(lane.client) as admission:
        try:
            outcome = lane.runner.run(
                query,
                result_format=chosen,
                default_graph_uris=default_graphs,
                named_graph_uris=named_graphs,
                timeout_s=admission.timeout_s,
            )
        except QueryLimitExceeded as stopped:
            if stopped.spent_worker:  # stopped, or its worker died: charge the whole limit
                admission.charge_at_least = admission.timeout_s or lane.runner.limits.timeout_s
            raise
    lane.answers.put(key, outcome)
    return outcome


def _formats(params: list[tuple[str, str]]) -> list[str]:
    """Every ``format`` value: a client may repeat one (:mod:`.negotiation`), on GET as on POST."""
    return [v for k, v in params if k == "format"]


async def _answer(request: Request, lane: AdHoc, query: str, params: list[tuple[str, str]]) -> Response:
    outcome = await run_in_threadpool(run_ad_hoc, lane, request.headers.get("accept"), query, params, _formats(params))
    return Response(outcome.body, headers={"Content-Type": outcome.representation.content_type, "Vary": "Accept"})


@router.get(
    "/sparql",
    summary="SPARQL 1.1 query by GET; with no query: the service description (RDF) or a query page (HTML)",
    response_class=Response,
    responses=ANSWERS,
)
async def sparql_get(
    request: Request,
    lane: AdHocDep,
    store: StoreDep,
    iris: IrisDep,
    limits: LimitsDep,
    # declared for the OpenAPI document; read below from the raw parameters, which keep repeats
    query: QueryParam = None,
    default_graph_uri: Annotated[list[str], Query(alias="default-graph-uri", description=GRAPH_URI)] = [],  # noqa: B006
    named_graph_uri: Annotated[list[str], Query(alias="named-graph-uri", description=GRAPH_URI)] = [],  # noqa: B006
    format: FormatParam = None,
) -> Response:
    params = list(request.query_params.multi_items())
    if any(k in ("update", "using-graph-uri", "using-named-graph-uri") for k, _ in params):
        raise QueryRejected(UPDATE_REFUSED + " (and an update is never sent by GET)", 403)
    text = _one([v for k, v in params if k == "query"], "query")
    _check_dataset(params)
    if text is None:
        return _service_description(request, store, iris, limits, _formats(params))
    return await _answer(request, lane, text, params)



@router.post(
    "/sparql",
    summary="SPARQL 1.1 query by POST (URL-encoded form with query=, or application/sparql-query body)",
    response_class=Response,
    responses={**ANSWERS, 415: {"description": "No Content-Type, another media type, or a charset other than UTF-8"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                FORM: {
                    "schema": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}
                },
                DIRECT: {"schema": {"type": "string"}},
            },
        }
    },
)
async def sparql_post(request: Request, lane: AdHocDep) -> Response:
    raw_type = request.headers.get("content-type")
    if not raw_type:
        raise HTTPException(415, f"send a Content-Type: {FORM} (with query=...) or {DIRECT} (the query as the body)")
    media_type, _, parameters = raw_type.partition(";")
    media_type = media_type.strip().lower()
    charset = next(
        (
            v.strip().strip('"').lower()
            for k, _, v in (p.partition("=") for p in parameters.split(";"))
            if k.strip().lower() == "charset"
        ),
        None,
    )
    if charset not in (None, "utf-8", "utf8"):
        raise HTTPException(415, f"the body must be UTF-8 (got charset={charset}); re-encode it and send charset=utf-8")
    if media_type == UPDATE:
        raise QueryRejected(UPDATE_REFUSED, 403)
    if media_type not in (FORM, DIRECT):
        raise HTTPException(415, f"unsupported Content-Type {media_type}; send {FORM} (query=...) or {DIRECT}")
    try:
        body = (await request.body()).decode("utf-8")
    except UnicodeDecodeError as error:
        raise QueryRejected(f"the body is not valid UTF-8 (byte {error.start}); send UTF-8") from None
    url_params = list(request.query_params.multi_items())
    if media_type == FORM:
        try:  # strict: percent-encoded bytes that are not UTF-8 are refused, as raw ones are above
            params = parse_qsl(body, keep_blank_values=True, errors="strict") + url_params
        except UnicodeDecodeError as error:
            raise QueryRejected(
                f"a percent-encoded value in the form is not UTF-8 (byte 0x{error.object[error.start]:02x}); "
                "percent-encode the UTF-8 bytes of each value"
            ) from None
        if any(k in ("update", "using-graph-uri", "using-named-graph-uri") for k, _ in params):
            raise QueryRejected(UPDATE_REFUSED, 403)
        text = _one([v for k, v in params if k == "query"], "query")
        if text is None:
            raise QueryRejected(f"the form has no 'query' field; send {FORM} with query=<the SPARQL query>")
    else:
        params = url_params
        if any(k == "query" for k, _ in params):
            raise QueryRejected(f"with {DIRECT} the body is the query; do not also send query= in the URL")
        text = body
    _check_dataset(params)
    return await _answer(request, lane, text, params)


ALLOW = "GET, HEAD, POST, OPTIONS"


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
async def sparql_other_methods() -> Response:
    """SPARQL 1.1 Protocol: queries only by GET or POST (one route, so ``Allow`` lists them all)."""
    raise HTTPException(405, "use GET or POST", headers={"Allow": ALLOW})


@router.options("/sparql", include_in_schema=False)
async def sparql_options() -> Response:
    """A plain ``OPTIONS`` (a CORS preflight is answered by the CORS middleware before this): the methods."""
    return Response(status_code=204, headers={"Allow": ALLOW})


# --- service description ----------------------------------------------------------------------


def description_triples(iris: Iris, graphs: list[NamedNode]) -> list[Triple]:
    """The SPARQL 1.1 Service Description of this endpoint (no blank nodes: IRIs under the endpoint).

    The endpoint's IRIs are minted from the base IRI, as the graph's are: ``sd:endpoint`` is the
    ``void:sparqlEndpoint`` of the VoID description (:func:`~gcmkg.service.describe.void_triples`),
    whatever host name a request came by (a proxy's, a loopback address).
    """
    sd = lambda name: NamedNode(SD + name)  # noqa: E731
    a = NamedNode(RDF + "type")
    service = iris.service()
    dataset = iris.dataset()
    default = iris.endpoint_default_graph()
    triples = [
        Triple(service, a, sd("Service")),
        Triple(service, sd("endpoint"), iris.endpoint()),
        Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        Triple(service, sd("defaultDataset"), dataset),
        Triple(
            service,
            NamedNode(RDFS + "comment"),
            Literal(
                "Read-only SPARQL 1.1 Query endpoint over the GCM knowledge graph. The default graph is the union "
                "of the named graphs. Updates and SERVICE (federation) are refused; each query runs under a time, "
                "memory, row and byte limit."
            ),
        ),
        Triple(dataset, a, sd("Dataset")),
        Triple(dataset, a, NamedNode(VOID + "Dataset")),
        Triple(dataset, sd("defaultGraph"), default),
        Triple(default, a, sd("Graph")),
    ]
    triples += [
        Triple(service, sd("resultFormat"), NamedNode(r.format_iri))
        for r in (*QUERY_RESULTS, *TRIPLES)
        if r.format_iri is not None
    ]
    for graph in graphs:
        node = iris.endpoint_graph(iris.graph_name(graph.value))
        triples += [
            Triple(dataset, sd("namedGraph"), node),
            Triple(node, a, sd("NamedGraph")),
            Triple(node, sd("name"), graph),
        ]
    return triples


def _service_description(
    request: Request, store: GraphStore, iris: Iris, limits: Limits, formats: list[str]
) -> Response:
    try:
        chosen = negotiation.choose(request.headers.get("accept"), formats, DESCRIPTION_TYPES)
    except negotiation.ConflictingFormats as error:
        raise QueryRejected(error.message) from None
    negotiation.note(request.scope, DESCRIPTION_TYPES, chosen)
    saved = request.app.state.saved_queries
    if chosen is HTML:
        return editor.page(request, iris, limits, saved, request.state.served.id)
    data = serialize(
        description_triples(iris, store.named_graphs()) + editor.description_triples(iris, saved),
        format=chosen.rdf,
        prefixes={"sd": SD, "void": VOID, "rdfs": RDFS, "sh": SH, "schema": SCHEMA} if chosen is TURTLE else None,
    )
    return Response(data, headers={"Content-Type": chosen.content_type, "Vary": "Accept"})
