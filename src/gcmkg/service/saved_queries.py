"""Saved queries as API operations: ``/queries`` lists them, ``/queries/{name}`` runs one.

Each ``*.rq`` file of ``Settings.queries_dir`` becomes its own GET operation: ``create_app``
reads the files once (:func:`gcmkg.service.saved_query_files.load_catalog`), keeps them on the
app (:data:`gcmkg.service.deps.SavedQueriesDep`) and includes :func:`router` for them.  Each
operation's parameters are typed in the OpenAPI document: integer, string, IRI or language,
with the allowed values as an enum and the default shown. A value is bound as an RDF term
through ``substitutions`` (:meth:`gcmkg.service.saved_query_files.SavedQuery.bind`) and never
spliced into the query text. A bad or missing value is answered 422 naming the parameter and
the reason, in the same shape as FastAPI's own validation errors (``detail[].loc = ["query", name]``).

Results: SPARQL JSON, CSV, TSV or XML by ``?format=`` or ``Accept``, or an HTML page with the
form and a table whose IRIs are shown by their labels and linked. Queries run in a lane of
supervised workers of their own (the same time and size limits as on ``/sparql``, but never
waiting behind ad-hoc queries), and each answer is kept for the release's lifetime: the same
query with the same parameters in the same format is answered from that cache after its first
run (:class:`~gcmkg.service.serving.AnswerCache`).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode, urljoin

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from gcmkg.iris import Iris
from gcmkg.representations import CSV, HTML, JSON, SPARQL_JSON, SPARQL_QUERY, SPARQL_XML, TSV, Representation
from gcmkg.service.deps import AnswersDep, IrisDep, PagesDep, SavedQueriesDep, SavedRunnerDep, StoreDep
from gcmkg.service.describe import all_labels
from gcmkg.service.openapi import format_query, replace_schema
from gcmkg.service.pages import Linker, Pages
from gcmkg.service.resources import choose
from gcmkg.service.runner import QueryLimitExceeded, QueryRejected, QueryRunner
from gcmkg.service.saved_query_files import (
    NOT_BLANK,
    SYNTAX,
    Parameter,
    ParameterError,
    ParamType,
    SavedQuery,
    SavedQueryError,
)
from gcmkg.service.serving import AnswerCache
from gcmkg.store import GraphStore

# What /queries/{name} offers, in the server's order of preference (a browser asks for HTML).
RESULTS: tuple[Representation, ...] = (SPARQL_JSON, HTML, CSV, TSV, SPARQL_XML, SPARQL_QUERY)
DOWNLOADS = (CSV, SPARQL_JSON, TSV, SPARQL_XML, SPARQL_QUERY)  # the links under a result table
LISTING: tuple[Representation, ...] = (JSON, HTML)
RESERVED = {"format"}
ListingFormat = Annotated[str | None, format_query(LISTING, "html or json (overrides Accept).")]


def _unprocessable(name: str, reason: str, value: Any = None) -> JSONResponse:
    return JSONResponse(
        {"detail": [{"type": "value_error", "loc": ["query", name], "msg": reason, "input": value}]},
        status_code=422,
    )


# the listing -----------------------------------------------------------------------------------


def _describe_query(query: SavedQuery) -> dict[str, Any]:
    return {
        "name": query.name,
        "summary": query.summary,
        "description": query.description,
        "tags": list(query.tags),
        "href": f"/queries/{query.name}",
        "params": [
            {
                "name": p.name,
                "type": p.type.value,
                "description": p.description,
                "default": p.default,
                "values": list(p.values),
                "required": p.required and p.default is None,
            }
            for p in query.params
        ],
        "sparql": query.text,
    }


def list_queries(
    request: Request,
    store: StoreDep,
    iris: IrisDep,
    saved: SavedQueriesDep,
    pages: PagesDep,
    format: ListingFormat = None,
) -> Response:
    chosen = choose(request, format, LISTING)
    queries = [_describe_query(q) for q in saved.values()]
    if chosen is JSON:
        return JSONResponse(queries, headers={"Vary": "Accept"})
    labels = _option_labels(store, iris, saved)
    return pages.render("queries.html", queries=queries, option_labels=labels, headers={"Vary": "Accept"})


def _option_labels(store: GraphStore, iris: Iris, saved: dict[str, SavedQuery]) -> dict[str, str]:
    """Labels for the allowed IRI values of every query, so that a select list shows names, not IRIs."""
    values = {
        value: urljoin(iris.base, value)
        for query in saved.values()
        for param in query.params
        if param.type is ParamType.IRI
        for value in param.values
    }
    labels = all_labels(store, list(values.values()))
    return {value: labels[iri] for value, iri in values.items() if iri in labels}


# running one -----------------------------------------------------------------------------------


def _signature(query: SavedQuery) -> inspect.Signature:
    """The endpoint's signature: FastAPI reads the parameters (and OpenAPI shows them) from it.

    Every parameter reaches :meth:`SavedQuery.bind` as text, which checks it (type, allowed
    values, IRI and language syntax) and answers 422 naming it; the schema in the document says
    exactly what that check accepts (:func:`parameter_schema`).  A parameter without a default
    that is not optional is required; for any other, an empty value means "not given" (the
    default, or no binding), as an empty form field sends it.
    """
    parameters = [
        inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=annotation)
        for name, annotation in _DEPENDENCIES.items()
    ]
    for param in query.params:
        description = param.description or param.name
        if param.type is ParamType.IRI:
            description += " (an IRI; relative IRIs such as id/... resolve against the base IRI)"
        required = param.required and param.default is None
        if not required:
            description += " Empty: " + ("the default." if param.default is not None else "not given.")
        extra: dict[str, Any] = {"x-rdf-type": param.type.value, **parameter_schema(param)}
        default: Any = inspect.Parameter.empty
        if param.default is not None:  # as the schema shows it (an integer for an integer); bound as text
            default = int(param.default) if param.type is ParamType.INTEGER else param.default
        elif not required:
            default = None
        parameters.append(
            inspect.Parameter(
                param.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=Annotated[
                    str if required else str | None,
                    Query(description=description, json_schema_extra=replace_schema(extra)),
                ],
                default=default,
            )
        )
    parameters.append(
        inspect.Parameter(
            "format",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[
                str | None,
                format_query(RESULTS, "Result format: html, json, csv, tsv, xml, or sparql for the query text."),
            ],
            default=None,
        )
    )
    return inspect.Signature(parameters, return_annotation=Response)


def parameter_schema(param: Parameter) -> dict[str, Any]:
    r"""The JSON schema of what :meth:`Parameter.to_term` accepts for ``param`` (and "" if it may be left empty).

    >>> from gcmkg.service.saved_query_files import Parameter, ParamType
    >>> parameter_schema(Parameter("objective", ParamType.INTEGER, default="1", values=("1", "2")))
    {'anyOf': [{'type': 'integer', 'enum': [1, 2]}, {'type': 'string', 'enum': ['']}], 'default': 1}
    >>> parameter_schema(Parameter("phrase"))
    {'type': 'string', 'pattern': '[^ \\t\\r\\n]'}
    """
    schema: dict[str, Any]
    if param.type is ParamType.INTEGER:
        schema = {"type": "integer"}
        if param.values:
            schema["enum"] = [int(v) for v in param.values]
    elif param.values:
        schema = {"type": "string", "enum": list(param.values)}
    elif param.type is ParamType.STRING:
        schema = {"type": "string", "pattern": NOT_BLANK.pattern}
    else:
        schema = {"type": "string", "pattern": f"^(?:{SYNTAX[param.type].pattern})$"}
    required = param.required and param.default is None
    if not required:
        if schema.get("type") == "string" and "enum" in schema:
            schema["enum"] = [*schema["enum"], ""]
        elif schema.get("type") == "string":
            schema["pattern"] = f"^$|{schema['pattern']}"
        else:
            schema = {"anyOf": [schema, {"type": "string", "enum": [""]}]}
    if param.default is not None:
        schema["default"] = int(param.default) if param.type is ParamType.INTEGER else param.default
    return schema


_DEPENDENCIES: dict[str, Any] = {
    "request": Request,
    "runner": SavedRunnerDep,
    "answers": AnswersDep,
    "store": StoreDep,
    "iris": IrisDep,
    "saved": SavedQueriesDep,
    "pages": PagesDep,
}


def _endpoint(query: SavedQuery) -> Callable[..., Response]:
    def run_saved_query(
        request: Request,
        runner: QueryRunner,
        answers: AnswerCache,
        store: GraphStore,
        iris: Iris,
        saved: dict[str, SavedQuery],
        pages: Pages,
        **values: Any,
    ) -> Response:
        return _run(query, request, (runner, answers), _Page(store, iris, saved, pages), values)

    run_saved_query.__signature__ = _signature(query)  # type: ignore[attr-defined]
    run_saved_query.__name__ = f"query_{query.name.replace('-', '_')}"
    run_saved_query.__doc__ = query.description or query.summary
    return run_saved_query


@dataclass(frozen=True)
class _Page:
    """What the HTML answer of a saved query needs besides the results."""

    store: GraphStore
    iris: Iris
    saved: dict[str, SavedQuery]
    pages: Pages


def _run(
    query: SavedQuery,
    request: Request,
    lane: tuple[QueryRunner, AnswerCache],
    page: _Page,
    values: dict[str, Any],
) -> Response:
    format_param = values.pop("format", None)
    chosen = choose(request, format_param, RESULTS)
    given = {name: (None if value is None else _as_text(value)) for name, value in values.items()}
    try:  # checked for every format, the query text included: a bad value is 422 whatever is asked for
        substitutions = query.bind(given, page.iris.base)
    except ParameterError as error:
        return _unprocessable(error.name, str(error), given.get(error.name))
    if chosen is SPARQL_QUERY:
        return PlainTextResponse(query.portable_text(page.iris.base), media_type=SPARQL_QUERY.media_type)
    try:
        result_format = SPARQL_JSON if chosen is HTML else chosen  # the page is made from the JSON results
        runner, answers = lane
        key = ("saved", query.name, tuple(sorted((k, str(v)) for k, v in substitutions.items())), result_format.name)
        outcome = answers.answer(
            key, lambda: runner.run(query.text, result_format=result_format, substitutions=substitutions)
        )
    except QueryRejected as error:
        return PlainTextResponse(f"saved query {query.name} was rejected: {error.message}", status_code=error.status)
    except QueryLimitExceeded as error:
        headers = {"Retry-After": str(error.retry_after)} if error.retry_after else None
        return PlainTextResponse(
            f"saved query {query.name} was stopped: {error.message}", status_code=error.status, headers=headers
        )
    if chosen is not HTML:
        headers = {"Vary": "Accept"}
        if chosen in (CSV, TSV):
            headers["Content-Disposition"] = f'attachment; filename="{query.name}{chosen.suffix}"'
        return Response(outcome.body, media_type=outcome.representation.media_type, headers=headers)
    results = json.loads(outcome.body)
    return _html(query, results, given, page)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _html(query: SavedQuery, results: dict[str, Any], given: dict[str, str | None], page: _Page) -> Response:
    columns: list[str] = results.get("head", {}).get("vars", [])
    bindings: list[dict[str, Any]] = results.get("results", {}).get("bindings", [])
    iris = [cell["value"] for row in bindings for cell in row.values() if cell.get("type") == "uri"]
    linker = Linker(page.iris, all_labels(page.store, iris) if len(set(iris)) <= 2000 else {})
    rows: list[list[dict[str, Any]]] = []
    for row in bindings:
        cells: list[dict[str, Any]] = []
        for column in columns:
            cell = row.get(column)
            if cell is None:
                cells.append({"kind": "empty"})
            elif cell.get("type") == "uri":
                iri = cell["value"]
                cells.append(
                    {
                        "kind": "iri",
                        "href": linker.href(iri),
                        "name": linker.name(iri),
                        "raw": iri,
                        "labelled": iri in linker.labels,
                    }
                )
            else:
                cells.append({"kind": "literal", "value": cell.get("value", ""), "language": cell.get("xml:lang", "")})
        rows.append(cells)
    if "boolean" in results:
        rows = [[{"kind": "literal", "value": "true" if results["boolean"] else "false", "language": ""}]]
        columns = ["answer"]
    current = {p.name: (given.get(p.name) or p.default or "") for p in query.params}
    query_string = urlencode({k: v for k, v in current.items() if v})
    base = f"/queries/{query.name}"
    downloads = [
        (r.formats[0].upper(), f"{base}?{query_string + '&' if query_string else ''}format={r.formats[0]}")
        for r in DOWNLOADS
    ]
    return page.pages.render(
        "query_results.html",
        query=_describe_query(query),
        current=current,
        option_labels=_option_labels(page.store, page.iris, page.saved),
        columns=columns,
        rows=rows,
        downloads=downloads,
        headers={"Vary": "Accept"},
    )


def router(saved: dict[str, SavedQuery]) -> APIRouter:
    """``/queries`` and one operation per saved query (read from ``Settings.queries_dir`` at start)."""
    routes = APIRouter(tags=["saved queries"])
    routes.add_api_route(
        "/queries",
        list_queries,
        methods=["GET"],
        summary="List the saved queries (JSON, or an HTML page with a form per query)",
        response_class=Response,
        responses={200: {"content": {r.media_type: {} for r in LISTING}}},
    )
    for query in saved.values():
        clash = RESERVED & {p.name for p in query.params}
        if clash:
            raise SavedQueryError(f"{query.path}: parameter name {', '.join(clash)} is reserved by the service")
        routes.add_api_route(
            f"/queries/{query.name}",
            _endpoint(query),
            methods=["GET"],
            summary=query.summary,
            description=(query.description + "\n\n" if query.description else "")
            + f"Saved query `queries/{query.name}.rq`"
            + (f"; tags: {', '.join(query.tags)}." if query.tags else "."),
            operation_id=f"saved_query_{query.name.replace('-', '_')}",
            response_class=Response,
            responses={
                200: {"description": "The results.", "content": {r.media_type: {} for r in RESULTS}},
                422: {"description": "A parameter is missing or has a bad value; the body names it and says why."},
            },
        )
    routes.add_api_route("/queries/{name}", unknown_query, methods=["GET"], include_in_schema=False)
    return routes


def unknown_query(name: str, saved: SavedQueriesDep) -> Response:
    known = ", ".join(saved)
    return PlainTextResponse(f"404 Not Found: no saved query named {name!r}. Saved queries: {known}", status_code=404)
