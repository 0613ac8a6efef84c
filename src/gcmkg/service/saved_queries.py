"""Saved queries as API operations: ``/queries`` lists them, ``/queries/{name}`` runs one.

Each ``*.rq`` file of ``Settings.queries_dir`` becomes its own GET operation: ``create_app``
reads the files once (:func:`gcmkg.service.saved_query_files.load_catalog`), keeps them on the
app (:data:`gcmkg.service.deps.SavedQueriesDep`) and includes :func:`router` for them.  Each
operation's parameters are typed in the OpenAPI document: integer, string, IRI or language,
with the allowed values as an enum and the default shown. A value is bound as an RDF term
through ``substitutions`` (:meth:`gcmkg.service.saved_query_files.SavedQuery.bind`) and never
spliced into the query text. A bad or missing value is answered 422 naming the parameter and
the reason, in the same shape as FastAPI's own validation errors (``detail[].loc = ["query", name]``);
a browser (which asked for HTML) gets the page instead, status 400, saying which parameter and
what it accepts, with the form filled in as it was sent.

Results: SPARQL JSON, CSV, TSV or XML by ``?format=`` or ``Accept`` (the W3C formats, for
protocol clients); spreadsheet downloads with a name beside every IRI (``format=csv-labels``,
``&bom=true`` for Excel, and ``format=xlsx``; :mod:`gcmkg.service.downloads`); or an HTML page
with the form and a table for people (:mod:`gcmkg.service.result_tables`: named columns, names
linked instead of IRIs, the provision's text, offsets on request, ``page`` and ``page_size``).
The forms offer a parameter's allowed values by name, the instances of its ``choices`` class
for an instrument or actor, and "any" only where the parameter declares it. Queries run in a
lane of supervised workers of their own (the same time and size limits as on ``/sparql``, but
never waiting behind ad-hoc queries), and each answer is kept for the release's lifetime: the
same query with the same parameters in the same format is answered from that cache after its
first run (:class:`~gcmkg.service.serving.AnswerCache`).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode, urljoin

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.routing import APIRoute
from pyoxigraph import Literal, NamedNode

from gcmkg.iris import Iris
from gcmkg.remote import BackendFault
from gcmkg.representations import (
    CSV,
    HTML,
    JSON,
    LABELLED_CSV,
    SPARQL_JSON,
    SPARQL_QUERY,
    SPARQL_XML,
    TSV,
    XLSX,
    Representation,
)
from gcmkg.service import downloads, negotiation, result_tables
from gcmkg.service.deps import (
    AnswersDep,
    IrisDep,
    PagesDep,
    SavedQueriesDep,
    SavedRunnerDep,
    StoreDep,
    get_answers,
    get_iris,
    get_pages,
    get_store,
)
from gcmkg.service.describe import all_labels, value_of
from gcmkg.service.openapi import format_query, replace_schema
from gcmkg.service.pages import Linker, Pages
from gcmkg.service.resources import choose
from gcmkg.service.runner import QueryLimitExceeded, QueryRejected, QueryRunner
from gcmkg.service.saved_query_files import (
    ANY,
    BOOLEAN_RE,
    INTEGER_RE,
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
RESULTS: tuple[Representation, ...] = (SPARQL_JSON, HTML, CSV, TSV, SPARQL_XML, SPARQL_QUERY, LABELLED_CSV, XLSX)
SPREADSHEETS = (LABELLED_CSV, XLSX)  # made from the JSON results, with names from the store
# the links under a result table: for people first, then the W3C formats for programs
DOWNLOADS: tuple[tuple[str, Representation, dict[str, str]], ...] = (
    ("CSV with names", LABELLED_CSV, {}),
    ("CSV for Excel", LABELLED_CSV, {"bom": "true"}),
    ("Excel (XLSX)", XLSX, {}),
    ("SPARQL CSV", CSV, {}),
    ("JSON", SPARQL_JSON, {}),
    ("TSV", TSV, {}),
    ("XML", SPARQL_XML, {}),
    ("SPARQL", SPARQL_QUERY, {}),
)
LISTING: tuple[Representation, ...] = (JSON, HTML)
# the options of the page and the downloads; no saved query may name a parameter so
PRESENTATION = ("page", "page_size", "offsets", "bom")
RESERVED = {"format", *PRESENTATION}
ListingFormat = Annotated[str | None, format_query(LISTING, "html or json (overrides Accept).")]
_TEXTS = "PREFIX gcm: <ontology#> SELECT ?provision ?text WHERE { ?provision gcm:text ?text }"
_INSTANCES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?item ?class WHERE { ?item a/rdfs:subClassOf* ?class FILTER(isIRI(?item)) }"""


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
                "required": not p.optional,
                "any": p.any,
                "choices": p.choices,
            }
            for p in query.params
        ],
        "sparql": query.text,
    }


def list_queries(
    request: Request,
    store: StoreDep,
    answers: AnswersDep,
    iris: IrisDep,
    saved: SavedQueriesDep,
    pages: PagesDep,
    format: ListingFormat = None,
) -> Response:
    chosen = choose(request, format, LISTING)
    queries = [_describe_query(q) for q in saved.values()]
    if chosen is JSON:
        return JSONResponse(queries, headers={"Vary": "Accept"})
    options = _Options(store, iris, answers)
    forms = {q.name: _fields(q, _current(q, {}), options) for q in saved.values()}
    return pages.render("queries.html", queries=queries, forms=forms, headers={"Vary": "Accept"})


@dataclass(frozen=True)
class _Choices:
    """A select list's options as JSON, kept in the release's answer cache (which counts bytes)."""

    body: bytes


class _Options:
    """The choices of the forms, by name: allowed values and instances of a class.

    They are the same for the whole release, so each list is computed once (a name is one
    label lookup per IRI, and an instrument picker has about ninety) and kept with the answers.
    """

    def __init__(self, store: GraphStore, iris: Iris, answers: AnswerCache) -> None:
        self.store, self.iris, self.answers = store, iris, answers

    def of(self, param: Parameter) -> list[tuple[str, str]] | None:
        """``(value, name)`` for a select list, in the order to show; None for a text field."""
        if param.choices:
            return self._kept(
                ("choices", param.choices), lambda: self._of_class(urljoin(self.iris.base, param.choices or ""))
            )
        if not param.values:
            return None
        if param.type is not ParamType.IRI:
            return [(v, v) for v in param.values]
        return self._kept(("values", param.values), lambda: self._named(param.values))

    def _kept(self, key: tuple[str, object], compute: Callable[[], list[tuple[str, str]]]) -> list[tuple[str, str]]:
        kept = self.answers.answer(("saved-query form", *key), lambda: _Choices(json.dumps(compute()).encode()))
        return [(value, name) for value, name in json.loads(kept.body)]

    def _named(self, values: tuple[str, ...]) -> list[tuple[str, str]]:
        resolved = {v: urljoin(self.iris.base, v) for v in values}
        labels = all_labels(self.store, list(resolved.values()))
        return [(v, labels.get(iri, v)) for v, iri in resolved.items()]

    def _of_class(self, class_iri: str) -> list[tuple[str, str]]:
        rows = self.store.select(_INSTANCES, substitutions={"class": NamedNode(class_iri)})
        items = sorted({value_of(row["item"]) for row in rows})
        labels = all_labels(self.store, items)
        named = [(self._relative(iri), labels.get(iri, iri)) for iri in items]
        return sorted(named, key=lambda option: option[1].casefold())

    def _relative(self, iri: str) -> str:
        """A minted IRI as the value the header examples use (``id/instrument/c097``); others as they are."""
        return iri[len(self.iris.base) :] if iri.startswith(self.iris.base) else iri


def _current(query: SavedQuery, given: dict[str, str | None]) -> dict[str, str]:
    """What each field of the form shows: the value given, else the default, else "any" when it is open."""
    current = {}
    for param in query.params:
        value = given.get(param.name)
        if not value:
            value = param.default or (ANY if param.any else "")
        current[param.name] = value
    return current


def _fields(query: SavedQuery, current: dict[str, str], options: _Options) -> list[dict[str, Any]]:
    """The form's fields: each a select list (with "any" first where it is offered) or a text field.

    A value the list does not hold (a bad value sent back with its error) is kept as an option of
    its own, marked, so that the form still shows what was sent.
    """
    fields = []
    for param in query.params:
        value = current.get(param.name, "")
        choices = options.of(param)
        field: dict[str, Any] = {
            "name": param.name,
            "label": param.description or param.name,
            "type": param.type.value,
            "required": not param.optional,
            "value": value,
            "options": None,
        }
        if choices is not None:
            listed = ([(ANY, param.any)] if param.any else []) + choices
            if value and value not in {v for v, _ in listed}:
                listed.append((value, f"{value} (not accepted)"))
            field["options"] = [{"value": v, "name": n, "selected": v == value} for v, n in listed]
        fields.append(field)
    return fields


# running one -----------------------------------------------------------------------------------


def _signature(query: SavedQuery) -> inspect.Signature:
    """The endpoint's signature: FastAPI reads the parameters (and OpenAPI shows them) from it.

    Every parameter reaches :meth:`SavedQuery.bind` as text, which checks it (type, allowed
    values, IRI and language syntax) and answers 422 naming it; the schema in the document says
    exactly what that check accepts (:func:`parameter_schema`).  A parameter without a default
    that may not be left open is required; for any other, an empty value means "not given" (the
    default, or every value), as an empty form field sends it.
    """
    parameters = [
        inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=annotation)
        for name, annotation in _DEPENDENCIES.items()
    ]
    for param in query.params:
        description = param.description or param.name
        if param.type is ParamType.IRI:
            description += " (an IRI; relative IRIs such as id/... resolve against the base IRI)"
        if param.any:
            description += f" {ANY}: every value ({param.any})."
        required = not param.optional
        if not required:
            description += " Empty: " + ("the default." if param.default is not None else "every value.")
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
                format_query(
                    RESULTS,
                    "Result format: html, json, csv, tsv, xml, or sparql for the query text; csv-labels (CSV with a "
                    "name column beside each IRI column) or xlsx for spreadsheets.",
                ),
            ],
            default=None,
        )
    )
    for name, (description, schema) in _PRESENTATION_SCHEMAS.items():
        parameters.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=Annotated[
                    str | None, Query(description=description, json_schema_extra=replace_schema(schema))
                ],
                default=None,
            )
        )
    return inspect.Signature(parameters, return_annotation=Response)


_BOOLEAN_SCHEMA = {"type": "string", "pattern": f"^$|^(?:{BOOLEAN_RE.pattern})$"}
_PRESENTATION_SCHEMAS: dict[str, tuple[str, dict[str, Any]]] = {
    "page": (
        "HTML table: which page of rows (from 1). Empty: the first.",
        {"type": "string", "pattern": r"^$|^[0-9]+$"},
    ),
    "page_size": (
        "HTML table: rows per page. Empty: " + str(result_tables.PAGE_SIZE) + ".",
        {"type": "string", "enum": ["", *(str(n) for n in result_tables.PAGE_SIZES)]},
    ),
    "offsets": ("HTML table: show the character offsets of the cited words (true or false).", _BOOLEAN_SCHEMA),
    "bom": (
        "csv-labels: start the file with a UTF-8 byte-order mark, for spreadsheets (true or false).",
        _BOOLEAN_SCHEMA,
    ),
}


@dataclass(frozen=True)
class _Presentation:
    """How to show or package a result (never what the query answers)."""

    page: int = 1
    page_size: int = result_tables.PAGE_SIZE
    offsets: bool = False
    bom: bool = False


def _presentation(values: dict[str, Any]) -> _Presentation:
    """The presentation options, checked as the query's parameters are; raises :class:`ParameterError`."""
    given = {name: values.pop(name, None) or "" for name in PRESENTATION}
    flags = {}
    for name in ("offsets", "bom"):
        if given[name] and not BOOLEAN_RE.fullmatch(given[name]):
            raise ParameterError(name, f"{given[name]!r} is not a boolean (true or false)")
        flags[name] = given[name] in ("true", "1")
    page = given["page"] or "1"
    if not INTEGER_RE.fullmatch(page) or int(page) < 1:
        raise ParameterError("page", f"{page!r} is not a page number (1, 2, …)")
    size = given["page_size"] or str(result_tables.PAGE_SIZE)
    if size not in {str(n) for n in result_tables.PAGE_SIZES}:
        raise ParameterError("page_size", f"{size!r} is not one of {', '.join(map(str, result_tables.PAGE_SIZES))}")
    return _Presentation(int(page), int(size), flags["offsets"], flags["bom"])


def parameter_schema(param: Parameter) -> dict[str, Any]:
    r"""The JSON schema of what :meth:`Parameter.to_term` accepts for ``param`` (and "" if it may be left empty).

    >>> from gcmkg.service.saved_query_files import Parameter, ParamType
    >>> parameter_schema(Parameter("objective", ParamType.INTEGER, default="1", values=("1", "2")))
    {'anyOf': [{'type': 'integer', 'enum': [1, 2]}, {'type': 'string', 'enum': ['']}], 'default': 1}
    >>> parameter_schema(Parameter("phrase"))
    {'type': 'string', 'pattern': '[^ \\t\\r\\n]'}
    >>> parameter_schema(Parameter("document", ParamType.IRI, default="id/x", values=("id/x", "id/y"), any="All"))
    {'type': 'string', 'enum': ['id/x', 'id/y', 'any', ''], 'default': 'id/x'}
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
    extra = [ANY] if param.any else []
    if param.optional:
        extra.append("")
    if extra and schema.get("type") == "string" and "enum" in schema:
        schema["enum"] = [*schema["enum"], *extra]
    elif extra and schema.get("type") == "string":
        schema["pattern"] = "|".join([*(f"^{e}$" for e in extra), schema["pattern"]])
    elif extra:
        schema = {"anyOf": [schema, {"type": "string", "enum": extra}]}
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
        return _run(query, request, (runner, answers), _Page(store, iris, pages, answers), values)

    run_saved_query.saved_query = query  # type: ignore[attr-defined]  # for _SavedQueryRoute
    run_saved_query.__signature__ = _signature(query)  # type: ignore[attr-defined]
    run_saved_query.__name__ = f"query_{query.name.replace('-', '_')}"
    run_saved_query.__doc__ = query.description or query.summary
    return run_saved_query


@dataclass(frozen=True)
class _Page:
    """What the HTML answer and the spreadsheets of a saved query need besides the results."""

    store: GraphStore
    iris: Iris
    pages: Pages
    answers: AnswerCache

    def names(self, iris: list[str]) -> dict[str, str]:
        return all_labels(self.store, iris)

    def texts(self, iris: list[str]) -> dict[str, tuple[str, str]]:
        found = {}
        for iri in iris:
            for row in self.store.select(_TEXTS, substitutions={"provision": NamedNode(iri)}):
                text = row["text"]
                found[iri] = (value_of(text), text.language or "" if isinstance(text, Literal) else "")
        return found


def _run(
    query: SavedQuery,
    request: Request,
    lane: tuple[QueryRunner, AnswerCache],
    page: _Page,
    values: dict[str, Any],
) -> Response:
    format_param = values.pop("format", None)
    chosen = choose(request, format_param, RESULTS)
    raw_presentation = {name: values.get(name) for name in PRESENTATION}
    given = {
        name: (None if value is None else _as_text(value)) for name, value in values.items() if name not in PRESENTATION
    }
    try:  # checked for every format, the query text included: a bad value is refused whatever is asked for
        presentation = _presentation(values)
        substitutions = query.bind(given, page.iris.base)
    except ParameterError as error:
        if chosen is HTML:
            return _error_page(query, error, given, page)
        return _unprocessable(error.name, str(error), {**given, **raw_presentation}.get(error.name))
    if chosen is SPARQL_QUERY:
        return PlainTextResponse(query.portable_text(page.iris.base), media_type=SPARQL_QUERY.media_type)
    try:
        # the page and the spreadsheets are made from the JSON results
        result_format = SPARQL_JSON if chosen in (HTML, *SPREADSHEETS) else chosen
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
    except BackendFault as error:
        return PlainTextResponse(f"saved query {query.name} could not run: {error.message}", status_code=error.status)
    headers = {"Vary": "Accept"}
    if chosen in (CSV, TSV, *SPREADSHEETS):
        headers["Content-Disposition"] = f'attachment; filename="{query.name}{chosen.suffix}"'
    if chosen in SPREADSHEETS:
        sheet = downloads.labelled_sheet(json.loads(outcome.body), page.names)
        if chosen is XLSX:
            return Response(downloads.xlsx_bytes(sheet, query.name), media_type=XLSX.media_type, headers=headers)
        body = downloads.csv_bytes(sheet, bom=presentation.bom)
        return Response(body, media_type=LABELLED_CSV.content_type, headers=headers)
    if chosen is not HTML:
        return Response(outcome.body, media_type=outcome.representation.media_type, headers=headers)
    return _html(query, json.loads(outcome.body), given, substitutions, presentation, page)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _href(query: SavedQuery, values: dict[str, str], **extra: str) -> str:
    """The address of this query with ``values`` (empty ones left out) and ``extra`` options."""
    pairs = {k: v for k, v in values.items() if v} | extra
    return f"/queries/{query.name}" + (f"?{urlencode(pairs)}" if pairs else "")


def _html(
    query: SavedQuery,
    results: dict[str, Any],
    given: dict[str, str | None],
    substitutions: dict[str, Any],
    presentation: _Presentation,
    page: _Page,
) -> Response:
    current = _current(query, given)
    view = result_tables.table(
        results,
        fixed=list(substitutions),
        linker=lambda iris: Linker(page.iris, page.names(iris)),
        texts=page.texts,
        offsets=presentation.offsets,
        page=presentation.page,
        page_size=presentation.page_size,
    )
    options = {"page_size": str(presentation.page_size)} if presentation.page_size != result_tables.PAGE_SIZE else {}
    if presentation.offsets:
        options["offsets"] = "true"
    links = {
        "pages": [(number, _href(query, current, **options, page=str(number))) for number in range(1, view.pages + 1)],
        "sizes": [
            (size, _href(query, current, **{**options, "page_size": str(size)})) for size in result_tables.PAGE_SIZES
        ],
        "offsets": _href(query, current, **{**options, "offsets": "false" if presentation.offsets else "true"}),
        "downloads": [(label, _href(query, current, **extra, format=r.formats[0])) for label, r, extra in DOWNLOADS],
    }
    return page.pages.render(
        "query_results.html",
        query=_describe_query(query),
        fields=_fields(query, current, _Options(page.store, page.iris, page.answers)),
        table=view,
        links=links,
        offsets=presentation.offsets,
        error=None,
        headers={"Vary": "Accept"},
    )


def _error_page(query: SavedQuery, error: ParameterError, given: dict[str, str | None], page: _Page) -> Response:
    """The form as it was sent, with what was wrong and what the parameter accepts (400)."""
    param = next((p for p in query.params if p.name == error.name), None)
    accepts = param.accepts() if param else _PRESENTATION_SCHEMAS[error.name][0]
    current = {p.name: given.get(p.name) or "" for p in query.params}
    current = {name: value or _current(query, {})[name] for name, value in current.items()}
    return page.pages.render(
        "query_results.html",
        status_code=400,
        query=_describe_query(query),
        fields=_fields(query, current, _Options(page.store, page.iris, page.answers)),
        table=None,
        links=None,
        error={
            "name": error.name,
            "label": (param.description or param.name) if param else error.name,
            "reason": error.reason,
            "accepts": accepts,
        },
        headers={"Vary": "Accept"},
    )


class _SavedQueryRoute(APIRoute):
    """A saved query's operation, where a browser gets the form page also for a value FastAPI refuses.

    A required parameter left out is refused by FastAPI before the endpoint runs (its JSON
    ``422``, which a program keeps); a browser gets the same page as for any other bad value.
    """

    def get_route_handler(self) -> Callable[[Request], Any]:
        handle = super().get_route_handler()
        query: SavedQuery = self.endpoint.saved_query  # type: ignore[attr-defined]

        async def handle_for_people(request: Request) -> Response:
            try:
                response: Response = await handle(request)
            except RequestValidationError as error:
                try:
                    chosen = negotiation.choose(
                        request.headers.get("accept"), request.query_params.get("format"), RESULTS
                    )
                except negotiation.NotAcceptable:
                    raise error from None
                names = {p.name for p in query.params}
                missing = [e["loc"][-1] for e in error.errors() if tuple(e["loc"][:1]) == ("query",)]
                if chosen is not HTML or not missing or missing[0] not in names:
                    raise
                param = next(p for p in query.params if p.name == missing[0])
                problem = ParameterError(param.name, f"is required ({param.type.value}) and was not given")
                given = {name: request.query_params.get(name) for name in names}
                page = _Page(get_store(request), get_iris(request), get_pages(request), get_answers(request))
                response = await run_in_threadpool(_error_page, query, problem, given, page)
            return response

        return handle_for_people


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
            route_class_override=_SavedQueryRoute,
            responses={
                200: {"description": "The results.", "content": {r.media_type: {} for r in RESULTS}},
                400: {
                    "description": "For a browser (HTML asked for): a parameter is missing or has a bad value; the "
                    "page names it, says what it accepts and shows the form as sent.",
                    "content": {HTML.media_type: {}},
                },
                422: {"description": "A parameter is missing or has a bad value; the body names it and says why."},
            },
        )
    routes.add_api_route("/queries/{name}", unknown_query, methods=["GET"], include_in_schema=False)
    return routes


def unknown_query(name: str, saved: SavedQueriesDep) -> Response:
    known = ", ".join(saved)
    return PlainTextResponse(f"404 Not Found: no saved query named {name!r}. Saved queries: {known}", status_code=404)
